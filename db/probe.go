package db

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Probe asks the database whether it answers, on a connection of its own
// rather than the pool's: requests holding every connection of the pool must
// not make a healthy server look dead (a load balancer would pull every busy
// instance at once). The connection is opened when first needed and again
// after it fails, within the caller's context, so that nothing waits in the
// background for a database that does not answer. One check runs at a time.
type Probe struct {
	cfg  *pgx.ConnConfig
	turn chan struct{} // a lock that a waiting check can give up on
	conn *pgx.Conn
}

// NewProbe prepares a probe of conn; it does not connect.
func NewProbe(conn ConnString) (*Probe, error) {
	cfg, err := pgx.ParseConfig(conn.Value())
	if err != nil {
		// pgx quotes the connection string in some parse errors: never pass them on.
		return nil, errors.New("DATABASE_URL is not a valid PostgreSQL connection string")
	}
	cfg.RuntimeParams["application_name"] = "marquee"
	return &Probe{cfg: cfg, turn: make(chan struct{}, 1)}, nil
}

// Check runs the readiness query. A connection that has died since the last
// check (the database restarted) is replaced at once, not reported.
func (p *Probe) Check(ctx context.Context) error {
	select {
	case p.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-p.turn }()
	if p.conn != nil {
		err := p.ask(ctx)
		if err == nil || ctx.Err() != nil {
			return err
		}
	}
	c, err := pgx.ConnectConfig(ctx, p.cfg)
	if err != nil {
		return translate(err)
	}
	p.conn = c
	return p.ask(ctx)
}

// ask runs the query on the current connection, and drops the connection
// when it fails.
func (p *Probe) ask(ctx context.Context) error {
	_, err := New(p.conn).HealthCheck(ctx)
	if err != nil {
		p.drop()
	}
	return translate(err)
}

// probeCloseTimeout bounds the goodbye to a database that no longer answers.
const probeCloseTimeout = time.Second

func (p *Probe) drop() {
	ctx, cancel := context.WithTimeout(context.Background(), probeCloseTimeout)
	defer cancel()
	_ = p.conn.Close(ctx)
	p.conn = nil
}

// Close closes the connection, waiting for a check under way to end.
func (p *Probe) Close() {
	p.turn <- struct{}{}
	defer func() { <-p.turn }()
	if p.conn != nil {
		p.drop()
	}
}
