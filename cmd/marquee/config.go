package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/sethvargo/go-envconfig"

	"marquee/auth"
	"marquee/db"
	"marquee/handlers"
	"marquee/rules"
)

// DBConfig is what every command that touches the database reads.
type DBConfig struct {
	DatabaseURL db.ConnString `env:"DATABASE_URL, default=postgres://postgres@127.0.0.1:5432/marquee?sslmode=disable"`
	// DirectURL reaches PostgreSQL itself when DATABASE_URL goes through a
	// transaction pooler: migrations hold a session lock, and the ownership
	// cache learns of changes by LISTEN.
	DirectURL   db.ConnString `env:"DATABASE_DIRECT_URL"`
	PoolSize    int           `env:"DB_POOL_SIZE, default=20"`
	MaxOverflow int           `env:"DB_MAX_OVERFLOW, default=10"`
	PoolRecycle time.Duration `env:"DB_POOL_RECYCLE, default=30m"`
	PoolTimeout time.Duration `env:"DB_POOL_TIMEOUT, default=5s"`
	PoolPrePing time.Duration `env:"DB_POOL_PRE_PING, default=1s"`
}

// Pool is the pool's share of the configuration.
func (c DBConfig) Pool() db.PoolConfig {
	return db.PoolConfig{Size: c.PoolSize, Overflow: c.MaxOverflow, Recycle: c.PoolRecycle, Timeout: c.PoolTimeout, PrePing: c.PoolPrePing}
}

// Direct is the connection for migrations and LISTEN: DATABASE_DIRECT_URL,
// else DATABASE_URL.
func (c DBConfig) Direct() db.ConnString {
	if c.DirectURL.Value() != "" {
		return c.DirectURL
	}
	return c.DatabaseURL
}

func (c DBConfig) validate() error {
	err := c.Pool().Validate()
	if e := c.DatabaseURL.Check(); e != nil {
		err = errors.Join(err, fmt.Errorf("DATABASE_URL %w", e))
	}
	if e := c.DirectURL.Check(); c.DirectURL.Value() != "" && e != nil {
		err = errors.Join(err, fmt.Errorf("DATABASE_DIRECT_URL %w", e))
	}
	if c.DatabaseURL.ViaTransactionPooler() && c.DirectURL.Value() == "" {
		err = errors.Join(err, errors.New("DATABASE_URL sets default_query_exec_mode for a transaction pooler such as PgBouncer, "+
			"which cannot carry migrations' session lock or LISTEN: set DATABASE_DIRECT_URL to PostgreSQL itself"))
	}
	return err
}

// Config is the whole environment of `marquee serve` (see README.md).
type Config struct {
	DBConfig
	JWTSecret          auth.Secret   `env:"JWT_SECRET"`
	HTTPAddr           string        `env:"HTTP_ADDR, default=:8080"`
	MetricsAddr        string        `env:"METRICS_ADDR, default=127.0.0.1:9090"`
	PProf              bool          `env:"PPROF, default=false"`
	CORSAllowedOrigins []string      `env:"CORS_ALLOWED_ORIGINS"`
	ReadinessTimeout   time.Duration `env:"READINESS_TIMEOUT, default=2s"`
	JWTTTL             time.Duration `env:"JWT_TTL, default=15m"` // at most maxJWTTTL
	RefreshTTL         time.Duration `env:"REFRESH_TTL, default=720h"`
	ShutdownTimeout    time.Duration `env:"SHUTDOWN_TIMEOUT, default=20s"`
	EPGLang            string        `env:"EPG_LANG, default=en"`
	EPGUnratedMinAge   int           `env:"EPG_UNRATED_MIN_AGE, default=0"`
	TrustedProxies     []string      `env:"TRUSTED_PROXIES"`
	LoginClientLimit   int           `env:"LOGIN_CLIENT_LIMIT, default=30"`
}

// maxReadinessTimeout keeps /readyz within the 5 s that probes allow.
const maxReadinessTimeout = 5 * time.Second

// maxJWTTTL is the longest JWT_TTL accepted: an access token is a bearer
// secret, and an hour bounds what a leaked one is worth.
const maxJWTTTL = time.Hour

// load reads the configuration of a command from env into c, a pointer, and
// checks it, reporting every problem at once.
func load(ctx context.Context, env envconfig.Lookuper, c interface{ validate() error }) error {
	if err := process(ctx, c, env); err != nil {
		return err
	}
	return c.validate()
}

// loadDBConfig reads the database settings only, for `marquee migrate`.
func loadDBConfig(ctx context.Context, env envconfig.Lookuper) (DBConfig, error) {
	var c DBConfig
	return c, load(ctx, env, &c)
}

// databaseConfig is the configuration of a command that works on the
// database: DBConfig, maybe with more.
type databaseConfig interface {
	validate() error
	database() DBConfig
}

func (c DBConfig) database() DBConfig { return c }

// openDatabase is how every command that works on the database begins, but
// serve (which opens its pool at once and migrates in the background, so
// that it can start before its database) and migrate: it reads the
// command's configuration from env into cfg, a pointer, and checks it,
// applies the pending migrations, since a command may be the first run
// against a new database, and opens the pool.
func openDatabase(ctx context.Context, env envconfig.Lookuper, cfg databaseConfig) (*db.Pool, error) {
	if err := load(ctx, env, cfg); err != nil {
		return nil, err
	}
	c := cfg.database()
	if err := db.Migrate(ctx, c.Direct(), "up", io.Discard); err != nil {
		return nil, err
	}
	return db.Open(ctx, c.DatabaseURL, c.Pool())
}

// loadConfig reads and checks the configuration of `marquee serve`. It
// refuses to boot on a missing or short secret and on nonsense values,
// reporting every problem at once.
func loadConfig(ctx context.Context, env envconfig.Lookuper) (Config, error) {
	var c Config
	return c, load(ctx, env, &c)
}

func (c Config) validate() error {
	errs := []error{c.JWTSecret.Validate(), c.DBConfig.validate()}
	if c.ReadinessTimeout <= 0 || c.ReadinessTimeout > maxReadinessTimeout {
		errs = append(errs, fmt.Errorf("READINESS_TIMEOUT must be more than 0 and at most %s, got %s", maxReadinessTimeout, c.ReadinessTimeout))
	}
	for name, d := range map[string]time.Duration{"JWT_TTL": c.JWTTTL, "REFRESH_TTL": c.RefreshTTL, "SHUTDOWN_TIMEOUT": c.ShutdownTimeout} {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive, got %s", name, d))
		}
	}
	if c.JWTTTL > maxJWTTTL {
		errs = append(errs, fmt.Errorf("JWT_TTL must be at most %s, got %s", maxJWTTTL, c.JWTTTL))
	}
	if c.RefreshTTL > 0 && c.JWTTTL >= c.RefreshTTL {
		errs = append(errs, fmt.Errorf("JWT_TTL (%s) must be shorter than REFRESH_TTL (%s)", c.JWTTTL, c.RefreshTTL))
	}
	errs = append(errs, guideErrors(c.EPGLang, c.EPGUnratedMinAge)...)
	for _, o := range c.CORSAllowedOrigins {
		if err := validOrigin(o); err != nil {
			errs = append(errs, err)
		}
	}
	if _, err := handlers.ParseTrustedProxies(c.TrustedProxies); err != nil {
		errs = append(errs, err)
	}
	if c.LoginClientLimit < 1 {
		errs = append(errs, fmt.Errorf("LOGIN_CLIENT_LIMIT must be at least 1, got %d", c.LoginClientLimit))
	}
	return errors.Join(errs...)
}

// guideErrors checks the guide import's settings (serve, import-xmltv).
func guideErrors(lang string, unratedMinAge int) []error {
	var errs []error
	if lang == "" {
		errs = append(errs, errors.New("EPG_LANG must not be empty"))
	}
	if !rules.IsMaturityLevel(unratedMinAge) {
		errs = append(errs, fmt.Errorf("EPG_UNRATED_MIN_AGE must be one of %s, got %d", rules.MaturityLevels(), unratedMinAge))
	}
	return errs
}

// process fills target from env. go-envconfig names a field that does not
// parse by its Go name ("DBConfig: PoolSize: ..."); the operator knows the
// variable, so the message names that instead.
func process(ctx context.Context, target any, env envconfig.Lookuper) error {
	err := envconfig.ProcessWith(ctx, &envconfig.Config{Target: target, Lookuper: env})
	if err == nil {
		return nil
	}
	msg := err.Error()
	var rename func(t reflect.Type)
	rename = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous {
				msg = strings.Replace(msg, f.Name+": ", "", 1)
				rename(f.Type)
				continue
			}
			if key, _, _ := strings.Cut(f.Tag.Get("env"), ","); key != "" {
				msg = strings.Replace(msg, f.Name+": ", key+": ", 1)
			}
		}
	}
	rename(reflect.TypeOf(target).Elem())
	return errors.New("configuration: " + msg)
}

// validOrigin accepts a serialized origin: scheme://host[:port], nothing more.
func validOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.Contains(o, "*") {
		return fmt.Errorf("CORS_ALLOWED_ORIGINS: %q is not an origin such as https://app.example.com", o)
	}
	return nil
}
