package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"marquee"
	"marquee/auth"
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
	throttle  auth.Throttle
	walk      int32 // Deps.SearchWalk

	// Deps.LoginClientLimit (0: the default) and Deps.TrustedProxies
	clientLimit int
	trusted     []netip.Prefix

	// Deps.EPGLang and Deps.EPGUnratedMinAge
	epgLang string
	epgAge  int
}

var testSecret = func() auth.Secret {
	s, err := auth.NewSecret("test-signing-secret-of-32-characters-or-more")
	if err != nil {
		panic(err)
	}
	return s
}()

// cheapHashing keeps argon2id fast in tests; production uses auth.OWASP.
var cheapHashing = auth.Argon2Params{Memory: 64, Time: 1, Threads: 1}

func setup(t *testing.T, opts ...func(*options)) *fixture {
	t.Helper()
	o := options{pool: dbtest.SmallPool, readiness: 2 * time.Second, throttle: auth.DefaultThrottle}
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
	deps, err := Build(Config{
		Logger: slog.New(slog.NewJSONHandler(logs, nil)),
		Pool:   pool,
		Direct: dbtest.Direct(t, poolConn),
		Ready: func(ctx context.Context) error {
			_, err := pool.HealthCheck(ctx)
			return err
		},
		ReadinessTimeout:   o.readiness,
		Metrics:            prometheus.NewRegistry(),
		CORSAllowedOrigins: o.origins,
		OpenAPI:            marquee.OpenAPI,
		Secret:             testSecret,
		AccessTTL:          15 * time.Minute,
		RefreshTTL:         time.Hour,
		Hashing:            cheapHashing,
		HashConcurrency:    4,
		Throttle:           o.throttle,
		SearchWalk:         o.walk,
		EPGLang:            o.epgLang,
		EPGUnratedMinAge:   o.epgAge,
		LoginClientLimit:   o.clientLimit,
		TrustedProxies:     o.trusted,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(deps.Close)
	r := newRouter(deps)
	if o.extend != nil {
		o.extend(r, deps)
	}
	srv := httptest.NewServer(wrap(deps, r.Router))
	t.Cleanup(srv.Close)
	return &fixture{pool: pool, conn: conn, health: deps.Health, deps: deps, srv: srv, api: apitest.New(t, srv.URL), logs: logs}
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
