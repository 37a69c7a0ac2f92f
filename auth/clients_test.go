package auth

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"marquee/db"
	"marquee/db/dbtest"
)

func TestClientOf_AnIPv4AddressOrTheSlash64OfAnIPv6One(t *testing.T) {
	t.Parallel()
	cases := []struct{ addr, want string }{
		{"203.0.113.7", "203.0.113.7/32"},
		{"::ffff:203.0.113.7", "203.0.113.7/32"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
	}
	for _, c := range cases {
		if got := clientOf(netip.MustParseAddr(c.addr)); got.String() != c.want {
			t.Errorf("clientOf(%s) = %s, want %s", c.addr, got, c.want)
		}
	}
	if got := clientOf(netip.Addr{}); got.String() != "::/128" {
		t.Errorf("clientOf(no address) = %s, want ::/128", got)
	}
	if clientOf(netip.MustParseAddr("2001:db8:1:3::1")) == clientOf(netip.MustParseAddr("2001:db8:1:2::1")) {
		t.Error("two /64s count as one client")
	}
}

// newClientThrottle is a client throttle on a database of its own.
func newClientThrottle(t *testing.T, limit int) (*ClientThrottle, *db.Pool, db.ConnString) {
	t.Helper()
	pool, conn := dbtest.NewPool(t)
	return NewClientThrottle(pool, limit), pool, conn
}

// TestClientThrottle_TheWindowSlides: past the limit, a refusal says when
// the oldest attempt ages out; once it has, exactly one more gets through.
func TestClientThrottle_TheWindowSlides(t *testing.T) {
	t.Parallel()
	c, _, conn := newClientThrottle(t, 3)
	ctx := context.Background()
	for i := range 3 {
		if _, err := c.Attempt(ctx, client); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	var th *ThrottledError
	if _, err := c.Attempt(ctx, client); !errors.As(err, &th) || th.RetryAfter < ClientWindow-time.Minute || th.RetryAfter > ClientWindow {
		t.Fatalf("fourth attempt: %v, want refused for about %s", err, ClientWindow)
	}
	// Another client is not concerned.
	if _, err := c.Attempt(ctx, netip.MustParseAddr("192.0.2.2")); err != nil {
		t.Fatalf("another client: %v", err)
	}
	// The oldest attempt ages out; the next is two minutes from doing so.
	dbtest.Exec(t, conn, `UPDATE login_client_failures
		SET attempts[1] = now() - interval '11 minutes', attempts[2] = now() - interval '8 minutes'
		WHERE client = '192.0.2.1/32'`)
	if _, err := c.Attempt(ctx, client); err != nil {
		t.Fatalf("after the oldest aged out: %v", err)
	}
	if _, err := c.Attempt(ctx, client); !errors.As(err, &th) || th.RetryAfter < 110*time.Second || th.RetryAfter > 2*time.Minute {
		t.Fatalf("one more: %v, want refused for about 2 minutes", err)
	}
}

func TestClientThrottle_ParallelAttemptsCannotPassTheLimit(t *testing.T) {
	t.Parallel()
	c, _, _ := newClientThrottle(t, 5)
	var wg sync.WaitGroup
	var mu sync.Mutex
	admitted, refused := 0, 0
	for range 30 {
		wg.Go(func() {
			_, err := c.Attempt(context.Background(), client)
			var th *ThrottledError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				admitted++
			case errors.As(err, &th):
				refused++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if admitted != 5 || refused != 25 {
		t.Fatalf("30 parallel attempts with a limit of 5: %d admitted, %d refused", admitted, refused)
	}
}

func TestClientThrottle_AForgivenAttemptDoesNotCount(t *testing.T) {
	t.Parallel()
	c, pool, _ := newClientThrottle(t, 2)
	ctx := context.Background()
	first, err := c.Attempt(ctx, client)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Attempt(ctx, client); err != nil {
		t.Fatal(err)
	}
	if err := first.Forgive(ctx, pool.Queries); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Attempt(ctx, client); err != nil {
		t.Fatalf("after forgiving one of two: %v, want room for one more", err)
	}
	var th *ThrottledError
	if _, err := c.Attempt(ctx, client); !errors.As(err, &th) {
		t.Fatalf("third counted attempt: %v, want refused", err)
	}
}

// TestLogin_AThrottledClientCostsNoHashAndLocksNoEmail: past its limit a
// client's logins are refused before the email's count and before any
// hashing, even with the right password; a right password does not count.
func TestLogin_AThrottledClientCostsNoHashAndLocksNoEmail(t *testing.T) {
	t.Parallel()
	s, pool, conn := newSessionsConn(t, DefaultThrottle, 3)
	addUser(t, s, pool, "user@example.com", "the real password")
	ctx := context.Background()
	if _, err := s.Login(ctx, client, "user@example.com", "the real password", "test device"); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		if _, err := s.Login(ctx, client, email, "spray", "test device"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("spraying %s: %v", email, err)
		}
	}
	checks := s.Passwords.Checks()
	var th *ThrottledError
	for _, email := range []string{"user@example.com", "d@example.com"} {
		if _, err := s.Login(ctx, client, email, "the real password", "test device"); !errors.As(err, &th) {
			t.Fatalf("%s from a throttled client: %v, want throttled", email, err)
		}
	}
	if s.Passwords.Checks() != checks {
		t.Fatal("a throttled client's login was checked")
	}
	if n := dbtest.Count(t, conn, "SELECT count(*) FROM login_failures WHERE email IN ('user@example.com', 'd@example.com')"); n != 0 {
		t.Fatalf("a throttled client's logins counted against %d emails", n)
	}
}

func TestCheckPassword_AWrongOneCountsInBothThrottles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("the email's", func(t *testing.T) {
		t.Parallel()
		s, pool := newSessions(t, Throttle{Window: time.Minute, Threshold: 2, Lock: time.Minute, MaxLock: time.Hour})
		u := account(t, s, pool, "owner@example.com", "the real password")
		if err := s.CheckPassword(ctx, client, u, "the real password"); err != nil {
			t.Fatalf("right password: %v", err)
		}
		for range 2 {
			if err := s.CheckPassword(ctx, client, u, "wrong"); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("wrong password: %v, want ErrWrongPassword", err)
			}
		}
		var th *ThrottledError
		if err := s.CheckPassword(ctx, client, u, "the real password"); !errors.As(err, &th) {
			t.Fatalf("right password after the threshold: %v, want throttled", err)
		}
		if _, err := s.Login(ctx, netip.MustParseAddr("192.0.2.9"), "owner@example.com", "the real password", "test device"); !errors.As(err, &th) {
			t.Fatalf("login after the threshold: %v, want the email locked out", err)
		}
	})
	t.Run("the client's", func(t *testing.T) {
		t.Parallel()
		s, pool, _ := newSessionsConn(t, DefaultThrottle, 2)
		u := account(t, s, pool, "owner@example.com", "the real password")
		for range 3 {
			if err := s.CheckPassword(ctx, client, u, "the real password"); err != nil {
				t.Fatalf("right password: %v", err)
			}
		}
		if err := s.CheckPassword(ctx, client, u, "wrong"); !errors.Is(err, ErrWrongPassword) {
			t.Fatal(err)
		}
		if _, err := s.Login(ctx, client, "someone@example.com", "wrong", "test device"); !errors.Is(err, ErrBadCredentials) {
			t.Fatal(err)
		}
		var th *ThrottledError
		if err := s.CheckPassword(ctx, client, u, "the real password"); !errors.As(err, &th) {
			t.Fatalf("third failure from the client: %v, want throttled", err)
		}
	})
}

// account is addUser's account as the middlewares hand it to a handler.
func account(t *testing.T, s *Sessions, pool *db.Pool, email, password string) db.User {
	t.Helper()
	u, err := pool.UserGet(context.Background(), addUser(t, s, pool, email, password))
	if err != nil {
		t.Fatal(err)
	}
	return u
}
