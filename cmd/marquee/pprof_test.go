package main

import (
	"net/http"
	"testing"

	"marquee/db/dbtest"
)

// TestServe_PprofOnlyWithPPROF: the profiles show memory and goroutine
// stacks, so METRICS_ADDR serves them only when the operator asks.
func TestServe_PprofOnlyWithPPROF(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three servers")
	}
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
			conn := dbtest.NewDatabase(t)
			metrics := serveInProcess(t, startupBackoff, dbVars(t, conn, append([]string{"DB_POOL_SIZE", "2"}, c.env...)...)...).metricsAddr
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
			resp, err := http.Get("http://" + metrics + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET /metrics: %d, want 200", resp.StatusCode)
			}
		})
	}
}
