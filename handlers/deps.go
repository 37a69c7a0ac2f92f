package handlers

import (
	"cmp"
	"context"
	"log/slog"
	"net/netip"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"marquee/auth"
	"marquee/db"
)

// The ownership cache: entries are evicted as the database announces
// changes; the lifetime is only a backstop.
const (
	ownershipTTL  = 5 * time.Minute
	maxOwnerships = 100_000
)

// Config is what the HTTP layer is built from: the pool, the settings that
// `marquee serve` reads from its environment, and where to log and count.
type Config struct {
	Logger             *slog.Logger
	Pool               *db.Pool
	Direct             db.ConnString               // PostgreSQL itself, for LISTEN (DATABASE_DIRECT_URL, else DATABASE_URL)
	Ready              func(context.Context) error // the readiness question (see Health)
	ReadinessTimeout   time.Duration
	Metrics            prometheus.Registerer
	CORSAllowedOrigins []string
	OpenAPI            []byte        // the contract, served at /openapi.yaml
	Secret             auth.Secret   // signs access tokens and, through a derived key, list cursors
	AccessTTL          time.Duration // JWT_TTL
	RefreshTTL         time.Duration
	Hashing            auth.Argon2Params
	HashConcurrency    int           // password hashes at once
	Throttle           auth.Throttle // of failed logins
	SearchWalk         int32         // tunes search (see searchWalk); 0 means the default
	EPGLang            string        // guide import's preferred language (EPG_LANG); "" means en
	EPGUnratedMinAge   int           // min_age of imported programmes without a rating (EPG_UNRATED_MIN_AGE)

	// The throttle of each client address, beside Throttle's of each email.
	LoginClientLimit int            // failures within auth.ClientWindow (LOGIN_CLIENT_LIMIT); 0 means auth.DefaultClientLimit
	TrustedProxies   []netip.Prefix // whose X-Forwarded-For names the client (TRUSTED_PROXIES)
}

// Deps is what the HTTP layer needs from the rest of the program: its
// Config, and what Build makes of it.
type Deps struct {
	Config
	Health     *Health
	Tokens     *auth.Tokens
	Passwords  *auth.Passwords
	Sessions   *auth.Sessions
	Clients    *auth.ClientThrottle
	CursorKey  []byte // signs list cursors
	Heartbeats *db.HeartbeatWriter
	Cache      *auth.OwnershipCache // proven ownership
	Live       *auth.LiveSessions   // sessions proven live

	addrs         *clientAddrs
	stopListening context.CancelFunc
}

// Build makes the HTTP layer's dependencies from c: the one way that
// `marquee serve` and the tests put the program together. The ownership
// cache follows the database's change announcements from now on; the pool's
// and the heartbeat writer's metrics join c.Metrics. Close stops what runs.
func Build(c Config) (Deps, error) {
	passwords, err := auth.NewPasswords(c.Hashing, c.HashConcurrency)
	if err != nil {
		return Deps{}, err
	}
	tokens := auth.NewTokens(c.Secret, c.AccessTTL)
	clients := auth.NewClientThrottle(c.Pool, cmp.Or(c.LoginClientLimit, auth.DefaultClientLimit))
	live := auth.NewLiveSessions(maxOwnerships)
	d := Deps{
		Config:    c,
		Health:    NewHealth(c.Ready, c.ReadinessTimeout),
		Tokens:    tokens,
		Passwords: passwords,
		Sessions: auth.NewSessions(auth.SessionsConfig{
			Pool: c.Pool, Tokens: tokens, Passwords: passwords, Clients: clients, Live: live, Logger: c.Logger,
			RefreshTTL: c.RefreshTTL, Throttle: c.Throttle,
		}),
		Clients:    clients,
		CursorKey:  c.Secret.Derive("cursor"),
		Heartbeats: db.NewHeartbeatWriter(c.Pool),
		Cache:      auth.NewOwnershipCache(ownershipTTL, maxOwnerships),
		Live:       live,
		addrs:      newClientAddrs(c.TrustedProxies, c.Logger),
	}
	for _, collector := range []prometheus.Collector{c.Pool.Collector(), d.Heartbeats.Collector()} {
		if err := c.Metrics.Register(collector); err != nil {
			d.Heartbeats.Close()
			return Deps{}, err
		}
	}
	ctx, stop := context.WithCancel(context.Background())
	d.stopListening = stop
	go db.ListenChanges(ctx, c.Direct, d.listening, d.changed)
	return d, nil
}

// listening turns the caches on and off with the change announcements.
func (d Deps) listening(up bool) {
	d.Cache.Listening(up)
	d.Live.Listening(up)
}

// changed evicts what an announcement names from the cache that holds it.
func (d Deps) changed(kind string, id uuid.UUID) {
	if kind == "session" {
		d.Live.Forget(id)
		return
	}
	d.Cache.Changed(kind, id)
}

// Close stops following the change announcements and writes the heartbeats
// still queued; call it once the server has stopped, before the pool closes.
func (d Deps) Close() {
	d.stopListening()
	d.Heartbeats.Close()
}
