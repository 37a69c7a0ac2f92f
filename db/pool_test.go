package db_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"marquee/db"
	"marquee/db/dbtest"
)

func TestPool_SettingsReachPgxpool(t *testing.T) {
	t.Parallel()
	p, _ := openPool(t, db.PoolConfig{Size: 3, Overflow: 4, Recycle: 10 * time.Minute, Timeout: 2 * time.Second, PrePing: 2 * time.Second})
	c := p.Config()
	if c.MaxConns != 7 || c.MinConns != 3 {
		t.Errorf("MaxConns %d MinConns %d, want 7 (size + overflow) and 3 (size)", c.MaxConns, c.MinConns)
	}
	if c.MaxConnLifetime != 10*time.Minute || c.MaxConnLifetimeJitter != time.Minute {
		t.Errorf("lifetime %s jitter %s, want 10m and 1m", c.MaxConnLifetime, c.MaxConnLifetimeJitter)
	}
	if c.MaxConnIdleTime != time.Minute || c.HealthCheckPeriod != time.Minute {
		t.Errorf("idle time %s health check %s, want 1m and 1m", c.MaxConnIdleTime, c.HealthCheckPeriod)
	}
	if c.ConnConfig.ConnectTimeout != 2*time.Second {
		t.Errorf("connect timeout %s, want the pool timeout", c.ConnConfig.ConnectTimeout)
	}
	// pgxpool's own rule would ping at 1.5s.
	for idle, want := range map[time.Duration]bool{1500 * time.Millisecond: false, 2 * time.Second: true, time.Minute: true} {
		if got := c.ShouldPing != nil && c.ShouldPing(context.Background(), pgxpool.ShouldPingParams{IdleDuration: idle}); got != want {
			t.Errorf("pre-ping 2s, idle %s: pinged %t, want %t", idle, got, want)
		}
	}
	short, _ := openPool(t, db.PoolConfig{Size: 1, Overflow: 0, Recycle: 2 * time.Second, Timeout: time.Second, PrePing: time.Second})
	if hc := short.Config().HealthCheckPeriod; hc != 200*time.Millisecond {
		t.Errorf("health check every %s with a 2s lifetime, want 200ms", hc)
	}
	if ct := short.Config().ConnConfig.ConnectTimeout; ct != 2*time.Second {
		t.Errorf("connect timeout %s with a 1s pool timeout, want 2s: a connection slow to start still joins the pool", ct)
	}
	eventually(t, 5*time.Second, "the pool keeps DB_POOL_SIZE connections warm", func() bool { return p.Stat().TotalConns() == 3 })
}

func TestPool_ConcurrentQueriesQueue(t *testing.T) {
	t.Parallel()
	p, _ := openPool(t, db.PoolConfig{Size: 2, Overflow: 0, Recycle: time.Hour, Timeout: 10 * time.Second, PrePing: time.Second})
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := db.RawDBTX(p).Exec(context.Background(), "SELECT pg_sleep(0.01)")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a query through a pool of 2 failed: %v", err)
		}
	}
	if s := p.Stat(); s.TotalConns() > 2 || s.EmptyAcquireCount() == 0 {
		t.Fatalf("total %d, empty acquires %d: want at most 2 connections and queued acquires", s.TotalConns(), s.EmptyAcquireCount())
	}
}

func TestPool_WaitTimeoutIsErrPoolTimeout(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the pool's timeout")
	}
	t.Parallel()
	p, _ := openPool(t, db.PoolConfig{Size: 1, Overflow: 0, Recycle: time.Hour, Timeout: 100 * time.Millisecond, PrePing: time.Second})
	// Connecting can take longer than 100 ms on a busy machine: hold the
	// warm connection, not one still being opened.
	eventually(t, 10*time.Second, "a warm connection", func() bool { return p.Stat().IdleConns() == 1 })
	held, release, failed := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		failed <- p.InTx(context.Background(), func(*db.Queries) error {
			close(held)
			<-release
			return nil
		})
	}()
	select {
	case <-held:
	case err := <-failed:
		t.Fatalf("could not hold the pool's connection: %v", err)
	}
	defer close(release)
	start := time.Now()
	_, err := p.HealthCheck(context.Background())
	if !errors.Is(err, db.ErrPoolTimeout) || !errors.Is(err, db.ErrUnavailable) {
		t.Fatalf("query on a held pool = %v, want ErrPoolTimeout", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("waited %s for a 100ms pool timeout", took)
	}
}

func TestPool_IdleConnectionsRecycleWithinLifetime(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for connections to reach their lifetime")
	}
	t.Parallel()
	p, conn := openDirectPool(t, db.PoolConfig{Size: 2, Overflow: 0, Recycle: 2 * time.Second, Timeout: 5 * time.Second, PrePing: time.Second})
	eventually(t, 5*time.Second, "two warm connections", func() bool { return len(backends(t, conn)) == 2 })
	before := backends(t, conn)
	// Idle: no query runs, only the health check can recycle them.
	eventually(t, 6*time.Second, "every backend replaced", func() bool {
		after := backends(t, conn)
		return len(after) == 2 && !slices.Contains(after, before[0]) && !slices.Contains(after, before[1])
	})
	if p.Stat().MaxLifetimeDestroyCount() < 2 {
		t.Fatalf("lifetime closes = %d, want at least 2", p.Stat().MaxLifetimeDestroyCount())
	}
}

func TestPool_TerminatedBackendsReplacedBeforeUse(t *testing.T) {
	if testing.Short() {
		t.Skip("kills backends and waits for their replacements")
	}
	t.Parallel()
	p, conn := openDirectPool(t, db.PoolConfig{Size: 2, Overflow: 0, Recycle: time.Hour, Timeout: 5 * time.Second, PrePing: time.Second})
	eventually(t, 5*time.Second, "two warm connections", func() bool { return len(backends(t, conn)) == 2 })
	before := backends(t, conn)

	ctx := context.Background()
	admin, err := pgx.Connect(ctx, conn.Value())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for _, pid := range before {
		if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
			t.Fatal(err)
		}
	}
	// Past the pre-ping's one-second idle threshold, it finds each
	// connection dead and opens a new one: no query fails.
	time.Sleep(1100 * time.Millisecond)
	for range 4 {
		if _, err := p.HealthCheck(ctx); err != nil {
			t.Fatalf("query after the backends were killed: %v", err)
		}
	}
	for _, pid := range backends(t, conn) {
		if slices.Contains(before, pid) {
			t.Fatalf("backend %d survived pg_terminate_backend", pid)
		}
	}
}

func TestPool_OverflowClosedWhenIdle(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for idle connections to close")
	}
	t.Parallel()
	// Lifetime 4s, so idle overflow connections go after 2s, before they expire.
	p, _ := openPool(t, db.PoolConfig{Size: 1, Overflow: 3, Recycle: 4 * time.Second, Timeout: 5 * time.Second, PrePing: time.Second})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := db.RawDBTX(p).Exec(context.Background(), "SELECT pg_sleep(0.3)"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := p.Stat().TotalConns(); n != 4 {
		t.Fatalf("under load the pool has %d connections, want 4 (size + overflow)", n)
	}
	eventually(t, 6*time.Second, "overflow connections closed once idle", func() bool {
		s := p.Stat()
		return s.TotalConns() <= 1 && s.MaxIdleDestroyCount() >= 3
	})
}

// TestPool_PrePing_KilledBackends: every connection used a moment ago, then
// every backend of the test's own database killed, then 30 queries at once.
// Pinged at every checkout, none fails; pinged only past an idle time the
// connections have not reached (as pgxpool's one second after a burst),
// the dead connections are handed out and their queries fail, which shows
// the arrangement does reach them.
func TestPool_PrePing_KilledBackends(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		prePing time.Duration
		fails   bool
	}{{0, false}, {time.Hour, true}} {
		t.Run(fmt.Sprintf("pre-ping %s", c.prePing), func(t *testing.T) {
			t.Parallel()
			const size = 4
			p, conn := openDirectPool(t, db.PoolConfig{Size: size, Overflow: 0, Recycle: time.Hour, Timeout: 5 * time.Second, PrePing: c.prePing})
			ctx := context.Background()
			eventually(t, 5*time.Second, "warm connections", func() bool { return len(backends(t, conn)) == size })
			var wg sync.WaitGroup
			for range size {
				wg.Go(func() {
					if _, err := db.RawDBTX(p).Exec(ctx, "SELECT pg_sleep(0.1)"); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if n := dbtest.Count(t, conn, `SELECT count(*) FILTER (WHERE NOT pg_terminate_backend(pid, 5000))
				FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`); n != 0 {
				t.Fatalf("%d backends outlived pg_terminate_backend", n)
			}

			errs := make(chan error, 30)
			for range cap(errs) {
				wg.Go(func() {
					_, err := p.HealthCheck(ctx)
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			var failed []error
			for err := range errs {
				if err != nil {
					failed = append(failed, err)
				}
			}
			if c.fails && len(failed) == 0 {
				t.Fatal("no query failed on a dead connection: the test does not reach them")
			}
			if !c.fails && len(failed) > 0 {
				t.Fatalf("%d of 30 queries failed after the backends were killed, the first: %v", len(failed), failed[0])
			}
		})
	}
}
