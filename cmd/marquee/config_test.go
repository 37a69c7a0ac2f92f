package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"

	"marquee/db"
)

func TestLoadConfig_Secret(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  envconfig.Lookuper
		want string // a part of the error; "" means it boots
	}{
		{"missing", env(), "JWT_SECRET is required"},
		{"empty", env("JWT_SECRET", ""), "JWT_SECRET is required"},
		{"31 characters", env("JWT_SECRET", strings.Repeat("a", 31)), "the minimum is 32"},
		{"31 characters, multi-byte", env("JWT_SECRET", strings.Repeat("é", 31)), "the minimum is 32"},
		{"32 characters", env("JWT_SECRET", strings.Repeat("a", 32)), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := loadConfig(context.Background(), c.env)
			if c.want == "" {
				if err != nil {
					t.Fatalf("loadConfig = %v, want it to boot", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("loadConfig = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestLoadConfig_Defaults(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(context.Background(), env("JWT_SECRET", testSecret))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		DBConfig: DBConfig{
			DatabaseURL: db.NewConnString("postgres://postgres@127.0.0.1:5432/marquee?sslmode=disable"),
			PoolSize:    20, MaxOverflow: 10, PoolRecycle: 30 * time.Minute, PoolTimeout: 5 * time.Second, PoolPrePing: time.Second,
		},
		HTTPAddr: ":8080", MetricsAddr: "127.0.0.1:9090", ReadinessTimeout: 2 * time.Second,
		JWTTTL: 15 * time.Minute, RefreshTTL: 720 * time.Hour, ShutdownTimeout: 20 * time.Second,
		EPGLang: "en", EPGUnratedMinAge: 0, LoginClientLimit: 30,
	}
	c.JWTSecret = want.JWTSecret
	if c.DatabaseURL.Value() != want.DatabaseURL.Value() || fmt.Sprint(c.LogValue()) != fmt.Sprint(want.LogValue()) || len(c.CORSAllowedOrigins) != 0 {
		t.Fatalf("defaults:\n got %v\nwant %v", c.LogValue(), want.LogValue())
	}
}

func TestLoadConfig_RefusesNonsense(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, key, value, want string }{
		{"pool size 0", "DB_POOL_SIZE", "0", "DB_POOL_SIZE must be at least 1"},
		{"negative overflow", "DB_MAX_OVERFLOW", "-1", "DB_MAX_OVERFLOW must not be negative"},
		{"zero pool timeout", "DB_POOL_TIMEOUT", "0s", "DB_POOL_TIMEOUT must be positive"},
		{"zero recycle", "DB_POOL_RECYCLE", "0s", "DB_POOL_RECYCLE must be positive"},
		{"negative pre-ping", "DB_POOL_PRE_PING", "-1s", "DB_POOL_PRE_PING must not be negative"},
		{"readiness over 5s", "READINESS_TIMEOUT", "6s", "READINESS_TIMEOUT must be more than 0 and at most 5s"},
		{"zero readiness", "READINESS_TIMEOUT", "0s", "READINESS_TIMEOUT"},
		{"zero shutdown", "SHUTDOWN_TIMEOUT", "0s", "SHUTDOWN_TIMEOUT must be positive"},
		{"access outlives refresh", "JWT_TTL", "1000h", "JWT_TTL (1000h0m0s) must be shorter than REFRESH_TTL"},
		{"access token over an hour", "JWT_TTL", "61m", "JWT_TTL must be at most 1h0m0s, got 1h1m0s"},
		{"not a number", "DB_POOL_SIZE", "twenty", "DB_POOL_SIZE"},
		{"odd unrated age", "EPG_UNRATED_MIN_AGE", "12", "EPG_UNRATED_MIN_AGE must be one of"},
		{"wildcard origin", "CORS_ALLOWED_ORIGINS", "*", "is not an origin"},
		{"origin with path", "CORS_ALLOWED_ORIGINS", "https://a.example.com/app", "is not an origin"},
		{"proxy host name", "TRUSTED_PROXIES", "10.0.0.0/8,lb.internal", `TRUSTED_PROXIES: "lb.internal" is not a CIDR`},
		{"proxy CIDR with host bits", "TRUSTED_PROXIES", "10.0.0.1/8", "did you mean 10.0.0.0/8?"},
		{"no failed login allowed", "LOGIN_CLIENT_LIMIT", "0", "LOGIN_CLIENT_LIMIT must be at least 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := loadConfig(context.Background(), env("JWT_SECRET", testSecret, c.key, c.value))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%s=%s: loadConfig = %v, want an error containing %q", c.key, c.value, err, c.want)
			}
		})
	}
}

// TestLoadConfig_ConnectionStringThatDoesNotParse_RefusedWithoutItsPassword:
// pgx's parse errors quote the connection string, and its redaction misses
// libpq's spaced and quoted forms; the refusal quotes none of it.
func TestLoadConfig_ConnectionStringThatDoesNotParse_RefusedWithoutItsPassword(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ key, value string }{
		{"DATABASE_URL", "password = 'Hunter2 Secret' host=127.0.0.1 connect_timeout=x"},
		{"DATABASE_URL", "password= Hunter2Secret host=127.0.0.1 sslmode=bogus"},
		{"DATABASE_URL", "postgres://u:Hunter2Secret@127.0.0.1:5432/d?sslmode=bogus"},
		{"DATABASE_DIRECT_URL", "user=u password='Hunter2 Secret' port=many"},
	} {
		_, err := loadDBConfig(context.Background(), env(c.key, c.value))
		if err == nil || !strings.Contains(err.Error(), c.key+" is not a valid PostgreSQL connection string") || strings.Contains(err.Error(), "Hunter2") {
			t.Errorf("%s=%q: %v, want it refused without the password", c.key, c.value, err)
		}
	}
}

func TestLoadConfig_TransactionPoolerNeedsADirectURL(t *testing.T) {
	t.Parallel()
	const (
		direct = "postgres://marquee@db.internal:5432/marquee"
		pooler = "postgres://marquee@pgbouncer.internal:6432/marquee?default_query_exec_mode=cache_describe"
	)
	if _, err := loadConfig(context.Background(), env("JWT_SECRET", testSecret, "DATABASE_URL", pooler)); err == nil ||
		!strings.Contains(err.Error(), "set DATABASE_DIRECT_URL") {
		t.Fatalf("through a pooler without a direct URL: %v", err)
	}
	if _, err := loadDBConfig(context.Background(), env("DATABASE_URL", pooler)); err == nil {
		t.Fatal("migrate, seed and the other commands boot through a pooler without a direct URL")
	}
	c, err := loadConfig(context.Background(), env("JWT_SECRET", testSecret, "DATABASE_URL", pooler, "DATABASE_DIRECT_URL", direct))
	if err != nil || c.Direct().Value() != direct || c.DatabaseURL.Value() != pooler {
		t.Fatalf("with a direct URL: %v, direct %s", err, c.Direct())
	}
	// Without a pooler, DATABASE_URL serves for everything.
	c, err = loadConfig(context.Background(), env("JWT_SECRET", testSecret, "DATABASE_URL", direct))
	if err != nil || c.Direct().Value() != direct {
		t.Fatalf("direct only: %v, direct %s", err, c.Direct())
	}
}

func TestLoadConfig_TrustedProxiesAndClientLimit(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(context.Background(), env("JWT_SECRET", testSecret,
		"TRUSTED_PROXIES", "10.0.0.0/8, 2001:db8::/32,192.0.2.7", "LOGIN_CLIENT_LIMIT", "5"))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("starting", slog.Any("config", c))
	for _, want := range []string{`"TRUSTED_PROXIES":"10.0.0.0/8,2001:db8::/32,192.0.2.7"`, `"LOGIN_CLIENT_LIMIT":5`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the startup log lacks %s: %s", want, logs.String())
		}
	}
}

func TestConfig_RedactedEveryWay(t *testing.T) {
	t.Parallel()
	for _, url := range []string{
		"postgres://marquee:" + testPassword + "@db.internal:5432/marquee?sslmode=disable",
		"postgres://marquee@db.internal/marquee?password=" + testPassword,
		"host=db.internal user=marquee password=" + testPassword + " dbname=marquee",
		"host=db.internal user=marquee password='" + testPassword + " x' dbname=marquee",
		"postgres://marquee:" + testPassword + "%zz@db.internal/marquee",
		"postgres://marquee@db.internal/marquee?sslmode=require&sslpassword=" + testPassword + "&passfile=/run/" + testPassword,
		"host=db.internal user=marquee sslmode=disable sslpassword = '" + testPassword + " x' sslkey=/run/" + testPassword + " sslcert=/run/client.crt",
	} {
		c, err := loadConfig(context.Background(), env("JWT_SECRET", testSecret, "DATABASE_URL", url, "DATABASE_DIRECT_URL", url))
		if err != nil && (!strings.Contains(err.Error(), "is not a valid PostgreSQL connection string") || strings.Contains(err.Error(), testPassword)) {
			// Only the URL that does not parse is refused, and without its password.
			t.Fatal(err)
		}
		var printed []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			printed = append(printed, fmt.Sprintf(verb, c), fmt.Sprintf(verb, &c),
				fmt.Sprintf(verb, c.JWTSecret), fmt.Sprintf(verb, c.DatabaseURL), fmt.Sprintf(verb, c.Direct()))
		}
		printed = append(printed, c.JWTSecret.String(), c.JWTSecret.GoString(), c.DatabaseURL.String())
		j, _ := json.Marshal(c)
		text, _ := c.JWTSecret.MarshalText()
		printed = append(printed, string(j), string(text))
		var logs bytes.Buffer
		slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "config", c, "secret", c.JWTSecret, "url", c.DatabaseURL)
		slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "config", c, "secret", c.JWTSecret, "url", c.DatabaseURL)
		printed = append(printed, logs.String())

		for _, p := range printed {
			if strings.Contains(p, testSecret) || strings.Contains(p, testPassword) {
				t.Fatalf("a secret leaked: %s", p)
			}
		}
		if !strings.Contains(logs.String(), "[REDACTED]") {
			t.Fatalf("the log does not show the redaction: %s", logs.String())
		}
	}
}

func TestLoginAddr_FollowsHTTPAddr(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"":                "localhost:8080",
		":9000":           "localhost:9000",
		"0.0.0.0:9000":    "localhost:9000",
		"[::]:9000":       "localhost:9000",
		"127.0.0.1:18600": "127.0.0.1:18600",
		"[::1]:8080":      "[::1]:8080",
		"tv.example:80":   "tv.example:80",
	} {
		e := env()
		if addr != "" {
			e = env("HTTP_ADDR", addr)
		}
		if got := loginAddr(e); got != want {
			t.Errorf("HTTP_ADDR %q: %q, want %q", addr, got, want)
		}
	}
}
