package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"marquee"
	"marquee/db"
	"marquee/db/dbtest"
	"marquee/handlers/apitest"
)

// fixture is a running server on its own database.
type fixture struct {
	pool   *db.Pool
	conn   db.ConnString
	health *Health
	deps   Deps
	srv    *httptest.Server
	api    *apitest.Client
	logs   *syncBuffer
}

type options struct {
	origins   []string
	pool      db.PoolConfig
	proxy     *dbtest.Proxy // route the server's pool through it
	readiness time.Duration
	extend    func(*router, Deps) // add routes before the server starts
}

func setup(t *testing.T, opts ...func(*options)) *fixture {
	t.Helper()
	o := options{pool: dbtest.SmallPool, readiness: 2 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	conn := dbtest.NewDatabase(t)
	poolConn := conn
	if o.proxy != nil {
		poolConn = o.proxy.URL(conn)
	}
	pool, err := db.Open(context.Background(), poolConn, o.pool)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	logs := &syncBuffer{}
	health := NewHealth(func(ctx context.Context) error {
		_, err := pool.HealthCheck(ctx)
		return err
	}, o.readiness)
	deps := Deps{
		Logger:             slog.New(slog.NewJSONHandler(logs, nil)),
		Pool:               pool,
		Health:             health,
		Metrics:            prometheus.NewRegistry(),
		CORSAllowedOrigins: o.origins,
		OpenAPI:            marquee.OpenAPI,
	}
	r := newRouter(deps)
	if o.extend != nil {
		o.extend(r, deps)
	}
	srv := httptest.NewServer(wrap(deps, r.Router))
	t.Cleanup(srv.Close)
	return &fixture{pool: pool, conn: conn, health: health, deps: deps, srv: srv, api: apitest.New(t, srv.URL), logs: logs}
}

// syncBuffer collects log output written from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
