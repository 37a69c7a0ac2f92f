package main

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"marquee/db/dbtest"
)

// TestServe_PprofOnlyWithPPROF: the profiles show memory and goroutine
// stacks, so METRICS_ADDR serves them only when the operator asks.
func TestServe_PprofOnlyWithPPROF(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		env  []string
		want int
	}{
		{"unset", nil, http.StatusNotFound},
		{"PPROF=false", []string{"PPROF", "false"}, http.StatusNotFound},
		{"PPROF=true", []string{"PPROF", "true"}, http.StatusOK},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			metrics := serveInProcess(t, c.env...)
			for _, path := range []string{"/debug/pprof/", "/debug/pprof/goroutine?debug=1", "/debug/pprof/trace?seconds=0.01"} {
				resp, err := http.Get("http://" + metrics + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != c.want {
					t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, c.want)
				}
			}
			if resp, err := http.Get("http://" + metrics + "/metrics"); err != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("GET /metrics: %v %v", resp, err)
			}
		})
	}
}

// serveInProcess runs serve on a database of its own, with the variables of
// extra added, until the test ends; it returns the metrics address.
func serveInProcess(t *testing.T, extra ...string) string {
	t.Helper()
	conn := dbtest.NewDatabase(t)
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedWriter{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, env(append([]string{
			"JWT_SECRET", testSecret, "DATABASE_URL", conn.Value(), "DATABASE_DIRECT_URL", dbtest.Direct(t, conn).Value(),
			"HTTP_ADDR", "127.0.0.1:0", "METRICS_ADDR", "127.0.0.1:0", "DB_POOL_SIZE", "2",
		}, extra...)...), io.Discard, logs)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, metrics := logs.listeningAddr(); metrics != "" {
			return metrics
		}
		if time.Now().After(deadline) {
			t.Fatalf("did not start:\n%s", logs)
		}
	}
}
