package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sethvargo/go-envconfig"

	"marquee"
	"marquee/auth"
	"marquee/db"
	"marquee/handlers"
)

// gcPercent is the collector's GOGC unless the environment sets one. The
// live heap is small and every request allocates a few kilobytes, so at
// Go's default of 100 the collector runs many times a second; at 400 it runs
// far less often, for a heap a few megabytes larger, and the CPU it gives
// back serves more heartbeats.
const gcPercent = 400

// tuneGC sets gcPercent, unless the operator chose with GOGC.
func tuneGC(env envconfig.Lookuper) {
	if _, set := env.Lookup("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
}

// Server limits: a slow or hostile client cannot hold a connection or memory
// for long. Bodies are limited per route by the handlers (1 MiB, 64 MiB).
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 2 * time.Minute // a 64 MiB guide upload on a slow link
	writeTimeout      = 2 * time.Minute
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
)

// serve runs the API until ctx ends (SIGTERM or SIGINT), then shuts down
// gracefully: readiness fails first, in-flight requests finish, the pool
// closes. It listens before it has reached the database, so that servers and
// their database can start in any order: the API answers 503 until the
// database answers and the migrations are applied, which bringUp retries in
// the background, spacing its attempts by retry.
func serve(ctx context.Context, env envconfig.Lookuper, logOut io.Writer, retry backoff) error {
	cfg, err := loadConfig(ctx, env)
	if err != nil {
		return err
	}
	logs := newBufferedLog(logOut)
	defer logs.Close()
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	logger.Info("starting", slog.Any("config", cfg))
	tuneGC(env)

	s, err := build(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer s.close()
	return s.run(ctx, retry)
}

// server is `marquee serve` built and not yet listening.
type server struct {
	cfg      Config
	logger   *slog.Logger
	pool     *db.Pool
	probe    *db.Probe
	deps     handlers.Deps
	api      *http.Server
	metrics  *http.Server // the operator's: METRICS_ADDR
	inflight atomic.Int64 // requests being served
}

// build makes the server of cfg: the pool and the readiness probe (neither
// waits for the database), the HTTP layer (handlers.Build), held back
// until bringUp lets it serve, and the API and operator servers.
func build(ctx context.Context, cfg Config, logger *slog.Logger) (*server, error) {
	proxies, err := handlers.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, cfg.Pool())
	if err != nil {
		return nil, err
	}
	probe, err := db.NewProbe(cfg.DatabaseURL)
	if err != nil {
		pool.Close()
		return nil, err
	}
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	deps, err := handlers.Build(handlers.Config{
		Logger:             logger,
		Pool:               pool,
		Direct:             cfg.Direct(),
		Ready:              probe.Check,
		ReadinessTimeout:   cfg.ReadinessTimeout,
		Metrics:            registry,
		CORSAllowedOrigins: cfg.CORSAllowedOrigins,
		OpenAPI:            marquee.OpenAPI,
		Secret:             cfg.JWTSecret,
		AccessTTL:          cfg.JWTTTL,
		RefreshTTL:         cfg.RefreshTTL,
		Hashing:            auth.OWASP,
		HashConcurrency:    passwordConcurrency(),
		Throttle:           auth.DefaultThrottle,
		EPGLang:            cfg.EPGLang,
		EPGUnratedMinAge:   cfg.EPGUnratedMinAge,
		LoginClientLimit:   cfg.LoginClientLimit,
		TrustedProxies:     proxies,
	})
	if err != nil {
		probe.Close()
		pool.Close()
		return nil, err
	}
	deps.Health.Wait("starting")
	s := &server{cfg: cfg, logger: logger, pool: pool, probe: probe, deps: deps}
	s.api = &http.Server{
		Handler:           countInflight(&s.inflight, handlers.NewHandler(deps)),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	s.metrics = &http.Server{
		Handler:           operatorMux(registry, cfg.PProf),
		ReadHeaderTimeout: readHeaderTimeout,
	}
	return s, nil
}

// close releases what build made, once the servers have stopped.
func (s *server) close() {
	s.deps.Close()
	s.probe.Close()
	s.pool.Close()
}

// run listens, brings the database up in the background, and serves until
// ctx ends or a server fails; then it shuts down.
func (s *server) run(ctx context.Context, retry backoff) error {
	apiLn, err := net.Listen("tcp", s.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR: %w", err)
	}
	metricsLn, err := net.Listen("tcp", s.cfg.MetricsAddr)
	if err != nil {
		apiLn.Close()
		return fmt.Errorf("METRICS_ADDR: %w", err)
	}
	s.logger.Info("listening", slog.String("addr", apiLn.Addr().String()), slog.String("metrics_addr", metricsLn.Addr().String()))

	// Reach the database, migrate, then let the API serve, in the background.
	startCtx, stopStarting := context.WithCancel(ctx)
	startDone := make(chan struct{})
	defer func() { stopStarting(); <-startDone }()
	go func() {
		defer close(startDone)
		bringUp(startCtx, s.logger, s.deps.Health, func(ctx context.Context) error {
			return db.Migrate(ctx, s.cfg.Direct(), "up", logWriter{s.logger})
		}, retry)
	}()

	failed := make(chan error, 2)
	go func() { failed <- s.api.Serve(apiLn) }()
	go func() { failed <- s.metrics.Serve(metricsLn) }()
	select {
	case err := <-failed:
		return fmt.Errorf("server stopped: %w", err)
	case <-ctx.Done():
	}
	return s.shutdown()
}

// shutdown turns readiness off, lets in-flight requests finish within
// SHUTDOWN_TIMEOUT, and stops both servers.
func (s *server) shutdown() error {
	s.logger.Info("shutting down", slog.Int64("in_flight", s.inflight.Load()))
	s.deps.Health.Drain()
	deadline := time.Now().Add(s.cfg.ShutdownTimeout)
	// Lame duck: keep accepting while requests are in flight, for up to half
	// the budget, so that probes see the 503 and traffic moves elsewhere.
	for lameDuck := time.Now().Add(s.cfg.ShutdownTimeout / 2); s.inflight.Load() > 0 && time.Now().Before(lameDuck); {
		time.Sleep(20 * time.Millisecond)
	}
	sctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if err := errors.Join(s.api.Shutdown(sctx), s.metrics.Shutdown(sctx)); err != nil {
		return fmt.Errorf("shutdown: requests still running after SHUTDOWN_TIMEOUT (%s): %w", s.cfg.ShutdownTimeout, err)
	}
	s.logger.Info("stopped")
	return nil
}

// operatorMux is what METRICS_ADDR serves, kept off the public listener:
// Prometheus metrics and, when the operator asks (PPROF), the runtime
// profiles that tell where time goes. Those show memory and stacks, and a
// CPU profile or trace costs the server while it runs: off unless wanted.
func operatorMux(registry *prometheus.Registry, profiles bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	if profiles {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// passwordConcurrency bounds simultaneous argon2id checks (19 MiB each) to
// what the CPUs can run anyway.
func passwordConcurrency() int { return max(2, runtime.NumCPU()) }

// countInflight keeps the number of requests being served.
func countInflight(n *atomic.Int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		defer n.Add(-1)
		next.ServeHTTP(w, r)
	})
}

// logWriter turns the lines a migration prints into log records.
type logWriter struct{ logger *slog.Logger }

func (l logWriter) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		l.logger.Info("migration", slog.String("step", line))
	}
	return len(p), nil
}

// LogValue is the effective configuration as the startup log shows it: the
// secret and the secrets of the database URLs redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("DATABASE_URL", c.DatabaseURL),
		slog.Any("DATABASE_DIRECT_URL", c.DirectURL),
		slog.Any("JWT_SECRET", c.JWTSecret),
		slog.String("HTTP_ADDR", c.HTTPAddr),
		slog.String("METRICS_ADDR", c.MetricsAddr),
		slog.Bool("PPROF", c.PProf),
		slog.String("CORS_ALLOWED_ORIGINS", strings.Join(c.CORSAllowedOrigins, ",")),
		slog.Int("DB_POOL_SIZE", c.PoolSize),
		slog.Int("DB_MAX_OVERFLOW", c.MaxOverflow),
		slog.String("DB_POOL_RECYCLE", c.PoolRecycle.String()),
		slog.String("DB_POOL_TIMEOUT", c.PoolTimeout.String()),
		slog.String("DB_POOL_PRE_PING", c.PoolPrePing.String()),
		slog.String("READINESS_TIMEOUT", c.ReadinessTimeout.String()),
		slog.String("JWT_TTL", c.JWTTTL.String()),
		slog.String("REFRESH_TTL", c.RefreshTTL.String()),
		slog.String("SHUTDOWN_TIMEOUT", c.ShutdownTimeout.String()),
		slog.String("EPG_LANG", c.EPGLang),
		slog.Int("EPG_UNRATED_MIN_AGE", c.EPGUnratedMinAge),
		slog.String("TRUSTED_PROXIES", strings.Join(c.TrustedProxies, ",")),
		slog.Int("LOGIN_CLIENT_LIMIT", c.LoginClientLimit),
	)
}
