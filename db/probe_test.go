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

// TestProbe_DatabaseStalled_EveryCheckEndsWithItsContext: checks queued
// behind one that hangs give up when their own context ends.
func TestProbe_DatabaseStalled_EveryCheckEndsWithItsContext(t *testing.T) {
	t.Parallel()
	proxy := dbtest.NewProxy(t)
	probe := newProbe(t, proxy.URL(dbtest.NewDatabase(t)))
	proxy.Stall()
	start := time.Now()
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			errs <- probe.Check(ctx)
		}()
	}
	for range 3 {
		if err := <-errs; !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("stalled check: %v, want the deadline", err)
		}
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("three checks of 300 ms took %s", took)
	}
}
