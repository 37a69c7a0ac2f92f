package db

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxuuid "github.com/vgarvardt/pgx-google-uuid/v5"
)

// PoolConfig sizes the connection pool for heartbeat load.
type PoolConfig struct {
	Size     int           // connections kept open and warm (DB_POOL_SIZE)
	Overflow int           // extra connections opened under load (DB_MAX_OVERFLOW)
	Recycle  time.Duration // a connection's maximum lifetime (DB_POOL_RECYCLE)
	Timeout  time.Duration // longest wait for a free connection (DB_POOL_TIMEOUT)
	// PrePing: a connection idle for at least this long is pinged before it
	// is handed out, and replaced if dead; 0 pings at every checkout
	// (DB_POOL_PRE_PING).
	PrePing time.Duration
}

// Validate refuses sizes and durations that cannot work.
func (c PoolConfig) Validate() error {
	var errs []error
	if c.Size < 1 {
		errs = append(errs, fmt.Errorf("DB_POOL_SIZE must be at least 1, got %d", c.Size))
	}
	if c.Overflow < 0 {
		errs = append(errs, fmt.Errorf("DB_MAX_OVERFLOW must not be negative, got %d", c.Overflow))
	}
	if c.Recycle <= 0 {
		errs = append(errs, fmt.Errorf("DB_POOL_RECYCLE must be positive, got %s", c.Recycle))
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("DB_POOL_TIMEOUT must be positive, got %s", c.Timeout))
	}
	if c.PrePing < 0 {
		errs = append(errs, fmt.Errorf("DB_POOL_PRE_PING must not be negative, got %s", c.PrePing))
	}
	return errors.Join(errs...)
}

const (
	// maxOverflowIdleTime is how long an overflow connection may sit idle
	// before it is closed (at most half its lifetime); connections up to Size
	// are kept regardless.
	maxOverflowIdleTime = time.Minute
	// maxHealthCheckPeriod is pgxpool's default; shorter lifetimes check more often.
	maxHealthCheckPeriod = time.Minute
	minHealthCheckPeriod = 100 * time.Millisecond
	// maxPingTimeout bounds the pre-ping, so that a dead connection leaves
	// time to try another.
	maxPingTimeout = time.Second
	// minConnectTimeout bounds opening a connection when DB_POOL_TIMEOUT is
	// shorter: a request still waits no longer than DB_POOL_TIMEOUT (pgxpool
	// goes on connecting after the request gives up), but a connection whose
	// start-up (a backend forked, authentication) takes longer than a short
	// wait on a busy server still joins the pool, instead of leaving it cold
	// until the next health check.
	minConnectTimeout = 2 * time.Second
)

// pgxConfig turns c into pgxpool settings. pgxpool has no overflow: its one
// cap is MaxConns, so the pool holds Size warm (MinConns) and grows to
// Size+Overflow, closing connections beyond Size once idle.
func (c PoolConfig) pgxConfig(connString string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		// pgx quotes the connection string in some parse errors: never pass them on.
		return nil, errors.New("DATABASE_URL is not a valid PostgreSQL connection string")
	}
	cfg.MaxConns = int32(c.Size + c.Overflow)
	cfg.MinConns = int32(c.Size)
	cfg.MaxConnIdleTime = min(maxOverflowIdleTime, c.Recycle/2)
	// Lifetime plus up to 10% jitter, so that connections opened together are
	// not all closed together.
	cfg.MaxConnLifetime = c.Recycle
	cfg.MaxConnLifetimeJitter = c.Recycle / 10
	// The health check enforces lifetimes on idle connections: run it often
	// enough that an idle pool really recycles within about Recycle.
	cfg.HealthCheckPeriod = min(max(c.Recycle/10, minHealthCheckPeriod), maxHealthCheckPeriod)
	// Pre-ping: pgxpool pings a connection that ShouldPing picks before
	// handing it out, and destroys it if dead. Its own rule (idle for over a
	// second) hands out the connections that died while in recent use, as
	// all do in a failover: PrePing 0 lets the operator pay a round trip per
	// checkout to catch those too.
	cfg.ShouldPing = func(_ context.Context, p pgxpool.ShouldPingParams) bool { return p.IdleDuration >= c.PrePing }
	cfg.PingTimeout = min(c.Timeout/2, maxPingTimeout)
	cfg.ConnConfig.ConnectTimeout = max(c.Timeout, minConnectTimeout)
	cfg.ConnConfig.RuntimeParams["application_name"] = "marquee"
	if cfg.ConnConfig.DefaultQueryExecMode == pgx.QueryExecModeCacheStatement {
		// Every statement is prepared once per connection and written for
		// the generic plan (keyset walks, one-time filters): planning it
		// again for each set of values, as PostgreSQL does for the first five
		// runs and whenever it guesses a custom plan is cheaper, only adds
		// latency.
		cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
		// Generic plans of keyset walks carry the cost of the whole index,
		// which would trigger JIT compilation, far costlier than queries that
		// read twenty rows; no statement here gains from it.
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
		// Through a transaction pooler (ViaTransactionPooler) statements are
		// unnamed and planned for their values each time, and PgBouncer
		// refuses startup parameters it does not track: set jit = off on
		// the database there (docs/operations.md, Scaling out).
	}
	// uuid.UUID implements driver.Valuer, which pgx would call to format
	// every id as text; the codec sends and reads its 16 bytes directly.
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		pgxuuid.Register(c.TypeMap())
		return nil
	}
	return cfg, nil
}

// Pool is the application's connection pool. Its Queries wait at most
// PoolConfig.Timeout for a connection (then ErrPoolTimeout) and return this
// package's errors, never the driver's.
type Pool struct {
	*Queries
	pool    *pgxpool.Pool
	timeout time.Duration
}

// Open creates the pool and starts warming it; it does not wait for the
// database, so that a server can start (and report unready) while it is down.
func Open(ctx context.Context, conn ConnString, c PoolConfig) (*Pool, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	cfg, err := c.pgxConfig(conn.Value())
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("create pool: %w", translate(err))
	}
	p := &Pool{pool: pool, timeout: c.Timeout}
	p.Queries = New(poolConn{p})
	return p, nil
}

// Close waits for acquired connections to be released and closes them all.
func (p *Pool) Close() { p.pool.Close() }

// Stat reports the pool's counters, for metrics.
func (p *Pool) Stat() *pgxpool.Stat { return p.pool.Stat() }

// Config reports the settings the pool runs with.
func (p *Pool) Config() *pgxpool.Config { return p.pool.Config() }

// InTx runs fn in one transaction, committed if fn returns nil and rolled
// back otherwise.
func (p *Pool) InTx(ctx context.Context, fn func(*Queries) error) error {
	c, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	tx, err := c.Begin(ctx)
	if err != nil {
		return translate(err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(New(txConn{tx})); err != nil {
		return err
	}
	return translate(tx.Commit(ctx))
}

// InSnapshot runs fn in a read-only transaction that sees one snapshot of
// the database throughout (REPEATABLE READ), for reads that must agree with
// each other, such as an account's export read page by page.
func (p *Pool) InSnapshot(ctx context.Context, fn func(*Queries) error) error {
	c, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	tx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return translate(err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := fn(New(txConn{tx})); err != nil {
		return err
	}
	return translate(tx.Commit(ctx))
}

// acquire waits for a connection, at most p.timeout.
func (p *Pool) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	actx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	c, err := p.pool.Acquire(actx)
	if err == nil {
		return c, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if actx.Err() != nil {
		return nil, ErrPoolTimeout
	}
	return nil, translate(err)
}

// poolConn is the DBTX of Pool.Queries: each statement acquires its own
// connection within the pool timeout and releases it when done.
type poolConn struct{ p *Pool }

func (pc poolConn) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	c, err := pc.p.acquire(ctx)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	defer c.Release()
	tag, err := c.Exec(ctx, sql, args...)
	return tag, translate(err)
}

func (pc poolConn) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	c, err := pc.p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	r, err := c.Query(ctx, sql, args...)
	if err != nil {
		c.Release()
		return nil, translate(err)
	}
	return &rows{Rows: r, release: c.Release}, nil
}

func (pc poolConn) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	c, err := pc.p.acquire(ctx)
	if err != nil {
		return errRow{err}
	}
	return &row{row: c.QueryRow(ctx, sql, args...), release: c.Release}
}

// txConn is the DBTX inside InTx: the transaction's connection, errors translated.
type txConn struct{ tx pgx.Tx }

func (t txConn) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	tag, err := t.tx.Exec(ctx, sql, args...)
	return tag, translate(err)
}

func (t txConn) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	r, err := t.tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, translate(err)
	}
	return &rows{Rows: r, release: func() {}}, nil
}

func (t txConn) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return &row{row: t.tx.QueryRow(ctx, sql, args...), release: func() {}}
}

// rows releases its connection once the result is read or closed, and
// translates the error it ends with.
type rows struct {
	pgx.Rows
	release func()
	once    sync.Once
}

func (r *rows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *rows) Close() {
	r.Rows.Close()
	r.once.Do(r.release)
}

func (r *rows) Err() error { return translate(r.Rows.Err()) }

type row struct {
	row     pgx.Row
	release func()
}

func (r *row) Scan(dest ...any) error {
	defer r.release()
	return translate(r.row.Scan(dest...))
}

type errRow struct{ err error }

func (e errRow) Scan(...any) error { return e.err }
