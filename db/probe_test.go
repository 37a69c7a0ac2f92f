package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"marquee/db"
	"marquee/db/dbtest"
)

func newProbe(t *testing.T, conn db.ConnString) *db.Probe {
	t.Helper()
	p, err := db.NewProbe(conn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// TestProbe_ConnectionLostBetweenChecks_ReplacedNotReported: after the
// database drops every connection (a restart), the next check answers on a
// new connection instead of failing once on the dead one.
func TestProbe_ConnectionLostBetweenChecks_ReplacedNotReported(t *testing.T) {
	if testing.Short() {
		t.Skip("drops the probe's connection and waits for a new one")
	}
	t.Parallel()
	proxy := dbtest.NewProxy(t)
	probe := newProbe(t, proxy.URL(dbtest.NewDatabase(t)))
	ctx := context.Background()
	if err := probe.Check(ctx); err != nil {
		t.Fatalf("first check: %v", err)
	}
	proxy.Refuse()
	proxy.Pass()
	if err := probe.Check(ctx); err != nil {
		t.Fatalf("check after the connection was lost: %v", err)
	}
	proxy.Refuse()
	if err := probe.Check(ctx); !errors.Is(err, db.ErrUnavailable) {
		t.Fatalf("check while the database refuses: %v, want ErrUnavailable", err)
	}
}

// TestProbe_DatabaseStalled_EveryCheckEndsWithItsContext: against a
// database that accepts connections and never answers, a check (and those
// waiting for their turn behind it) fails when its context ends, not when
// some connect timeout of the driver's does.
func TestProbe_DatabaseStalled_EveryCheckEndsWithItsContext(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the deadlines of a stalled database")
	}
	t.Parallel()
	proxy := dbtest.NewProxy(t)
	probe := newProbe(t, proxy.URL(dbtest.NewDatabase(t)))
	proxy.Stall()
	type result struct {
		err  error
		took time.Duration
	}
	results := make(chan result, 3)
	for range 3 {
		go func() {
			start := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			err := probe.Check(ctx)
			results <- result{err, time.Since(start)}
		}()
	}
	for range 3 {
		r := <-results
		if !errors.Is(r.err, context.DeadlineExceeded) || r.took > 1500*time.Millisecond {
			t.Errorf("stalled check: %v after %s, want the 300 ms deadline", r.err, r.took)
		}
	}
}
