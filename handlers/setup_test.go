package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
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
	health := NewHealth(func(ctx context.Context) error {
		_, err := pool.HealthCheck(ctx)
		return err
	}, o.readiness)
	tokens := auth.NewTokens(testSecret, 15*time.Minute)
	passwords, err := auth.NewPasswords(cheapHashing, 4)
	if err != nil {
		t.Fatal(err)
	}
	deps := Deps{
		Logger:             slog.New(slog.NewJSONHandler(logs, nil)),
		Pool:               pool,
		Health:             health,
		Metrics:            prometheus.NewRegistry(),
		CORSAllowedOrigins: o.origins,
		OpenAPI:            marquee.OpenAPI,
		Tokens:             tokens,
		Passwords:          passwords,
		Sessions:           auth.NewSessions(pool, tokens, passwords, time.Hour, o.throttle),
		CursorKey:          testSecret.Derive("cursor"),
		SearchWalk:         o.walk,
		Heartbeats:         db.NewHeartbeatWriter(pool),
		Cache:              auth.NewOwnershipCache(5*time.Minute, 1000),
		EPGLang:            o.epgLang,
		EPGUnratedMinAge:   o.epgAge,
	}
	t.Cleanup(deps.Heartbeats.Close)
	listenCtx, stopListening := context.WithCancel(context.Background())
	t.Cleanup(stopListening)
	go db.ListenChanges(listenCtx, dbtest.Direct(t, poolConn), deps.Cache.Listening, deps.Cache.Changed)
	r := newRouter(deps)
	if o.extend != nil {
		o.extend(r, deps)
	}
	srv := httptest.NewServer(wrap(deps, r.Router))
	t.Cleanup(srv.Close)
	return &fixture{pool: pool, conn: conn, health: health, deps: deps, srv: srv, api: apitest.New(t, srv.URL), logs: logs}
}

// account is a registered, signed-in user.
type account struct {
	user     user
	password string
	tokens   tokenPair
	api      *apitest.Client // sends the access token
	profile  profile         // the first profile, made at registration
}

// register signs up a new user with a unique email and logs them in.
func (f *fixture) register(t testing.TB, name string) *account {
	t.Helper()
	a := &account{password: "correct horse battery staple"}
	email := strings.ToLower(name) + "-" + uuid.NewString()[:8] + "@example.com"
	resp := f.api.Do(http.MethodPost, "/v1/auth/register", map[string]string{"email": email, "password": a.password, "display_name": name})
	if resp.Status != http.StatusCreated {
		t.Fatalf("register %s: %d %s", email, resp.Status, resp.Body)
	}
	resp.JSON(t, &a.user)
	a.tokens = f.login(t, email, a.password)
	a.api = f.api.As(a.tokens.AccessToken)
	var profiles list[profile]
	a.api.Do(http.MethodGet, "/v1/profiles", nil).JSON(t, &profiles)
	if len(profiles.Items) != 1 {
		t.Fatalf("a new account has %d profiles, want 1", len(profiles.Items))
	}
	a.profile = profiles.Items[0]
	return a
}

func (f *fixture) login(t testing.TB, email, password string) tokenPair {
	t.Helper()
	resp := f.api.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": email, "password": password})
	if resp.Status != http.StatusOK {
		t.Fatalf("login %s: %d %s", email, resp.Status, resp.Body)
	}
	var p tokenPair
	resp.JSON(t, &p)
	return p
}

// admin registers a user and makes it an admin directly in the database, as
// `marquee promote` does.
func (f *fixture) admin(t testing.TB) *account {
	t.Helper()
	a := f.register(t, "Admin")
	if _, err := f.pool.UserPromoteByEmail(context.Background(), a.user.Email); err != nil {
		t.Fatal(err)
	}
	return a
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
