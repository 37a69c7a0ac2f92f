package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"marquee/db"
	"marquee/db/dbtest"
)

// TestRevocationSeesARefreshInFlight: a thief's refresh of R2 is under way
// (its transaction has issued R3 but not committed) when the victim presents
// the spent R1. The victim's ending of the session waits for the session
// and then ends R3 too: the thief's new token dies with the rest.
func TestRevocationSeesARefreshInFlight(t *testing.T) {
	t.Parallel()
	for _, victimAct := range []string{"reuse", "logout"} {
		t.Run(victimAct, func(t *testing.T) {
			t.Parallel()
			s, pool := newSessions(t, DefaultThrottle)
			addUser(t, s, pool, "v@example.com", "correct horse battery")
			ctx := context.Background()
			r1, err := s.Login(ctx, client, "v@example.com", "correct horse battery", "test device")
			if err != nil {
				t.Fatal(err)
			}
			r2, err := s.Refresh(ctx, r1.RefreshToken) // the thief rotates the stolen R1
			if err != nil {
				t.Fatal(err)
			}

			issued, release := make(chan TokenPair), make(chan struct{})
			thief := make(chan error)
			go func() {
				thief <- pool.InTx(ctx, func(q *db.Queries) error {
					tok, session, err := lockSession(ctx, q, r2.RefreshToken)
					if err != nil {
						return err
					}
					if err := q.RefreshTokenSpend(ctx, tok.ID); err != nil {
						return err
					}
					r3, err := s.issue(ctx, q, Claims{User: session.UserID, Session: session.ID}, time.Now().Add(time.Hour))
					if err != nil {
						return err
					}
					issued <- r3
					<-release // the refresh is in flight
					return nil
				})
			}()
			r3 := <-issued
			victim := make(chan error)
			go func() {
				if victimAct == "reuse" {
					_, err := s.Refresh(ctx, r1.RefreshToken)
					victim <- err
				} else {
					victim <- s.Logout(ctx, r1.RefreshToken)
				}
			}()
			select {
			case err := <-victim:
				t.Fatalf("the victim's %s did not wait for the session: %v", victimAct, err)
			case <-time.After(200 * time.Millisecond):
			}
			close(release)
			if err := <-thief; err != nil {
				t.Fatal(err)
			}
			err = <-victim
			if victimAct == "reuse" && !errors.Is(err, ErrBadRefreshToken) || victimAct == "logout" && err != nil {
				t.Fatalf("victim's %s: %v", victimAct, err)
			}
			if _, err := s.Refresh(ctx, r3.RefreshToken); !errors.Is(err, ErrBadRefreshToken) {
				t.Fatalf("the thief's R3 still refreshes after the %s: %v", victimAct, err)
			}
		})
	}
}

// TestLogin_ParallelGuessesCannotOutrunTheThrottle: forty wrong guesses and
// the right password sent at once: at most Threshold passwords are checked,
// the rest are refused as locked out.
func TestLogin_ParallelGuessesCannotOutrunTheThrottle(t *testing.T) {
	t.Parallel()
	s, pool := newSessions(t, Throttle{Window: time.Minute, Threshold: 5, Lock: time.Minute, MaxLock: time.Hour})
	addUser(t, s, pool, "target@example.com", "the real password")
	before := s.Passwords.Checks()
	var wg sync.WaitGroup
	var mu sync.Mutex
	results := map[string]int{}
	for range 40 {
		wg.Go(func() {
			_, err := s.Login(context.Background(), client, "target@example.com", "wrong guess", "test device")
			var th *ThrottledError
			kind := "ok"
			switch {
			case errors.As(err, &th):
				kind = "throttled"
			case errors.Is(err, ErrBadCredentials):
				kind = "wrong"
			case err != nil:
				kind = err.Error()
			}
			mu.Lock()
			results[kind]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if checks := s.Passwords.Checks() - before; checks > 5 {
		t.Fatalf("%d passwords checked for 40 parallel guesses; the threshold is 5 (%v)", checks, results)
	}
	if results["throttled"] < 35 || results["wrong"] > 5 || len(results) > 2 {
		t.Fatalf("results %v", results)
	}
	// The lock holds for the right password too: guessing it now is too late.
	var th *ThrottledError
	if _, err := s.Login(context.Background(), client, "target@example.com", "the real password", "test device"); !errors.As(err, &th) {
		t.Fatalf("the right password during the lock: %v, want throttled", err)
	}
}

func TestLogin_LockOutsGrowWithinAStreak(t *testing.T) {
	t.Parallel()
	s, pool, conn := newSessionsConn(t, Throttle{Window: time.Minute, Threshold: 2, Lock: 10 * time.Second, MaxLock: time.Hour}, 1000)
	addUser(t, s, pool, "x@example.com", "the real password")
	ctx := context.Background()
	attempt := func() error { _, err := s.Login(ctx, client, "x@example.com", "wrong", "test device"); return err }
	for range 2 {
		if err := attempt(); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("attempt within the threshold: %v", err)
		}
	}
	var th *ThrottledError
	if err := attempt(); !errors.As(err, &th) || th.RetryAfter > 10*time.Second || th.RetryAfter < 8*time.Second {
		t.Fatalf("third attempt: %v, want a lock of about 10s", err)
	}
	// Let the lock end, as time would: the streak goes on, and its next
	// lock-out is twice as long.
	dbtest.Exec(t, conn, "UPDATE login_failures SET locked_until = now() - interval '1 second'")
	for range 2 {
		if err := attempt(); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("after the lock: %v, want the password checked", err)
		}
	}
	if err := attempt(); !errors.As(err, &th) || th.RetryAfter < 18*time.Second || th.RetryAfter > 20*time.Second {
		t.Fatalf("second lock-out: %v, want about 20s", err)
	}
	// A successful login ends the streak.
	dbtest.Exec(t, conn, "UPDATE login_failures SET locked_until = now() - interval '1 second'")
	if _, err := s.Login(ctx, client, "x@example.com", "the real password", "test device"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		_ = attempt()
	}
	if err := attempt(); !errors.As(err, &th) || th.RetryAfter > 10*time.Second {
		t.Fatalf("first lock-out of a new streak: %v, want about 10s", err)
	}
}
