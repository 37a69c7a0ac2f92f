package db

import (
	"testing"
	"time"
)

// TestDirectConfig_BoundsTheConnectUnlessTheStringDoes: migrations and
// LISTEN give up on a server that drops packets, as the pool does.
func TestDirectConfig_BoundsTheConnectUnlessTheStringDoes(t *testing.T) {
	t.Parallel()
	for conn, want := range map[string]time.Duration{
		"postgres://u@db.example/marquee":                   directConnectTimeout,
		"postgres://u@db.example/marquee?connect_timeout=3": 3 * time.Second,
		"host=db.example dbname=marquee connect_timeout=7":  7 * time.Second,
	} {
		cfg, err := directConfig(NewConnString(conn))
		if err != nil {
			t.Fatalf("%s: %v", conn, err)
		}
		if cfg.ConnectTimeout != want {
			t.Errorf("%s: connect timeout %s, want %s", conn, cfg.ConnectTimeout, want)
		}
	}
}
