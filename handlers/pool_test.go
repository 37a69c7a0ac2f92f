package handlers

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"marquee/db"
	"marquee/db/dbtest"
)

// TestPool_PrePingZero_NoRequestFailsAfterEveryBackendIsKilled: the pool's
// connections all used a moment ago (pgxpool's own rule would ping none of
// them), every backend of the test's database killed, then 30 requests at
// once: each gets a live connection.
func TestPool_PrePingZero_NoRequestFailsAfterEveryBackendIsKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kills every backend and waits for the pool to replace them")
	}
	t.Parallel()
	f := setup(t, func(o *options) {
		o.pool = db.PoolConfig{Size: 4, Overflow: 2, Recycle: time.Hour, Timeout: 5 * time.Second, PrePing: 0}
	})
	a := f.register(t, "Viewer")
	burst := func() map[int]int {
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			statuses = map[int]int{}
		)
		for range 30 {
			wg.Go(func() {
				s := a.api.Do(http.MethodGet, "/v1/me", nil).Status
				mu.Lock()
				defer mu.Unlock()
				statuses[s]++
			})
		}
		wg.Wait()
		return statuses
	}
	if got := burst(); got[http.StatusOK] != 30 {
		t.Fatalf("before the kill: %v, want 30 × 200", got)
	}
	if n := dbtest.Count(t, f.conn, `SELECT count(*) FILTER (WHERE NOT pg_terminate_backend(pid, 5000))
		FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`); n != 0 {
		t.Fatalf("%d backends outlived pg_terminate_backend", n)
	}
	if got := burst(); got[http.StatusOK] != 30 {
		t.Fatalf("after every backend was killed: %v, want 30 × 200", got)
	}
}
