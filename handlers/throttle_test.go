package handlers

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"marquee/auth"
	"marquee/db/dbtest"
	"marquee/handlers/apitest"
)

// The throttles of logins, through the API: per client address (spraying
// one password over many emails, registrations of taken emails, the
// addresses behind proxies) and per email (a streak of lock-outs).

// loginAs tries email and password from c, and returns the answer.
func loginAs(c *apitest.Client, email, password string, headers ...string) *apitest.Response {
	return c.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": email, "password": password}, headers...)
}

// registerAs registers email from c, and returns the answer.
func registerAs(c *apitest.Client, email string, headers ...string) *apitest.Response {
	return c.Do(http.MethodPost, "/v1/auth/register",
		map[string]string{"email": email, "password": "a long enough password", "display_name": "R"}, headers...)
}

// spray fails n logins from c, one password over n unknown emails.
func spray(t *testing.T, c *apitest.Client, n int, headers ...string) {
	t.Helper()
	for i := range n {
		if resp := loginAs(c, fmt.Sprintf("sprayed-%d@example.com", i), "Summer2026!", headers...); resp.Status != http.StatusUnauthorized {
			t.Fatalf("spray %d: %d %s", i+1, resp.Status, resp.Body)
		}
	}
}

// retryAfter is a 429's Retry-After in seconds, failing the test on any
// other answer.
func retryAfter(t *testing.T, resp *apitest.Response, what string) int {
	t.Helper()
	s, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.Status != http.StatusTooManyRequests || err != nil || s < 1 {
		t.Fatalf("%s: %d, Retry-After %q, want 429 with Retry-After", what, resp.Status, resp.Header.Get("Retry-After"))
	}
	return s
}

func TestLogin_SprayingFromOneAddress_429WhileAnotherStillLogsIn(t *testing.T) {
	t.Parallel()
	f := setup(t)
	victim := f.register(t, "Victim")
	attacker := f.api.From("127.0.0.2")
	spray(t, attacker, auth.DefaultClientLimit)
	// Even the right password: the attacker has used its failures.
	if s := retryAfter(t, loginAs(attacker, victim.user.Email, victim.password), "login past the limit"); s < 590 || s > 600 {
		t.Fatalf("Retry-After %d s, want about 600: the oldest failure ages out of the 10-minute window", s)
	}
	if resp := loginAs(f.api.From("127.0.0.3"), victim.user.Email, victim.password); resp.Status != http.StatusOK {
		t.Fatalf("login from another address: %d %s", resp.Status, resp.Body)
	}
}

// TestThrottledClient_CostsNoHash: past its limit a client's logins and
// registrations are refused before anything is hashed or verified, so that
// a few clients cannot hold every hashing slot.
func TestThrottledClient_CostsNoHash(t *testing.T) {
	t.Parallel()
	f := setup(t, func(o *options) { o.clientLimit = 3 })
	victim := f.register(t, "Victim")
	attacker := f.api.From("127.0.0.2")
	spray(t, attacker, 3)
	checks, hashes := f.deps.Passwords.Checks(), f.deps.Passwords.Hashes()
	for what, resp := range map[string]*apitest.Response{
		"login, right password":   loginAs(attacker, victim.user.Email, victim.password),
		"login, unknown email":    loginAs(attacker, "nobody@example.com", "Summer2026!"),
		"registration, new email": registerAs(attacker, "new@example.com"),
		"registration, taken":     registerAs(attacker, victim.user.Email),
	} {
		retryAfter(t, resp, what)
	}
	if c, h := f.deps.Passwords.Checks()-checks, f.deps.Passwords.Hashes()-hashes; c != 0 || h != 0 {
		t.Fatalf("a throttled client cost %d verifications and %d hashes, want none", c, h)
	}
}

// TestRegister_TakenEmail_409WithoutHashingCountedPerClient: registering a
// taken email hashes nothing (the 409 tells anyway) and counts as a failure
// of the client; registrations that create accounts do not count.
func TestRegister_TakenEmail_409WithoutHashingCountedPerClient(t *testing.T) {
	t.Parallel()
	f := setup(t, func(o *options) { o.clientLimit = 3 })
	taken := f.register(t, "Taken")
	c := f.api.From("127.0.0.2")
	for i := range 5 {
		if resp := registerAs(c, fmt.Sprintf("new-%d@example.com", i)); resp.Status != http.StatusCreated {
			t.Fatalf("registration %d: %d %s", i+1, resp.Status, resp.Body)
		}
	}
	hashes := f.deps.Passwords.Hashes()
	for i := range 3 {
		if resp := registerAs(c, taken.user.Email); resp.Status != http.StatusConflict {
			t.Fatalf("taken email %d: %d %s", i+1, resp.Status, resp.Body)
		}
	}
	if n := f.deps.Passwords.Hashes() - hashes; n != 0 {
		t.Fatalf("3 registrations of a taken email made %d hashes, want 0", n)
	}
	retryAfter(t, registerAs(c, "new-6@example.com"), "registration past the limit")
	if resp := registerAs(f.api.From("127.0.0.3"), "new-7@example.com"); resp.Status != http.StatusCreated {
		t.Fatalf("registration from another address: %d %s", resp.Status, resp.Body)
	}
}

// TestLogin_BehindTrustedProxies_ForwardedForNamesTheClient: the peer is a
// trusted proxy, so the client is the last address of X-Forwarded-For that
// is not one; what the client wrote itself, left of that, changes nothing.
func TestLogin_BehindTrustedProxies_ForwardedForNamesTheClient(t *testing.T) {
	t.Parallel()
	f := setup(t, func(o *options) {
		o.clientLimit = 3
		o.trusted = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8")}
	})
	victim := f.register(t, "Victim")
	spray(t, f.api, 3, "X-Forwarded-For", "198.51.100.7")
	for _, xff := range []string{"198.51.100.7", "203.0.113.99, 198.51.100.7", "198.51.100.7, 10.1.2.3", "198.51.100.7:4711"} {
		retryAfter(t, loginAs(f.api, victim.user.Email, victim.password, "X-Forwarded-For", xff), "X-Forwarded-For: "+xff)
	}
	for _, xff := range []string{"198.51.100.8", "198.51.100.7, 198.51.100.8", ""} {
		if resp := loginAs(f.api, victim.user.Email, victim.password, "X-Forwarded-For", xff); resp.Status != http.StatusOK {
			t.Fatalf("X-Forwarded-For %q: %d %s", xff, resp.Status, resp.Body)
		}
	}
}

// TestLogin_UntrustedPeer_ForwardedForIgnored: an attacker that is not a
// trusted proxy cannot slip past its limit by naming a new address in
// X-Forwarded-For on each request.
func TestLogin_UntrustedPeer_ForwardedForIgnored(t *testing.T) {
	t.Parallel()
	f := setup(t, func(o *options) {
		o.clientLimit = 3
		o.trusted = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	})
	victim := f.register(t, "Victim")
	attacker := f.api.From("127.0.0.2")
	for i := range 3 {
		resp := loginAs(attacker, victim.user.Email+"x", "guess", "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i))
		if resp.Status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i+1, resp.Status)
		}
	}
	retryAfter(t, loginAs(attacker, victim.user.Email, victim.password, "X-Forwarded-For", "198.51.100.200"), "a fresh X-Forwarded-For")
	retryAfter(t, loginAs(attacker, victim.user.Email, victim.password, "X-Forwarded-For", "10.0.0.1"), "a trusted proxy's address in X-Forwarded-For")
}

func TestLogin_IPv6ClientsCountByTheirSlash64(t *testing.T) {
	t.Parallel()
	f := setup(t, func(o *options) {
		o.clientLimit = 3
		o.trusted = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	victim := f.register(t, "Victim")
	for i := range 3 {
		spray(t, f.api, 1, "X-Forwarded-For", fmt.Sprintf("2001:db8:1:2::%x", i+1))
	}
	retryAfter(t, loginAs(f.api, victim.user.Email, victim.password, "X-Forwarded-For", "2001:db8:1:2:ffff:ffff:ffff:fffe"), "the same /64")
	if resp := loginAs(f.api, victim.user.Email, victim.password, "X-Forwarded-For", "2001:db8:1:3::1"); resp.Status != http.StatusOK {
		t.Fatalf("the next /64: %d %s", resp.Status, resp.Body)
	}
}

// TestLogin_OverIPv6_TheClientIsThePeersSlash64: a server listening on ::1
// counts its peer by its /64.
func TestLogin_OverIPv6_TheClientIsThePeersSlash64(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	f := setup(t, func(o *options) { o.clientLimit = 2 })
	srv := httptest.NewUnstartedServer(f.srv.Config.Handler)
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	v6 := apitest.New(t, srv.URL)
	spray(t, v6, 2)
	retryAfter(t, loginAs(v6, "someone@example.com", "a guess"), "past the limit over IPv6")
	if n := dbtest.Count(t, f.conn, "SELECT count(*) FROM login_client_failures WHERE client = '::/64'"); n != 1 {
		t.Fatalf("%d rows for ::/64, want the peer ::1 counted by its /64", n)
	}
}

func TestForwardedFor_WithoutTrustedProxies_WarnedOnce(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.api.Do(http.MethodGet, "/livez", nil)
	if strings.Contains(f.logs.String(), "TRUSTED_PROXIES") {
		t.Fatal("a warning without X-Forwarded-For")
	}
	for range 3 {
		f.api.Do(http.MethodGet, "/livez", nil, "X-Forwarded-For", "198.51.100.7")
	}
	loginAs(f.api.From("127.0.0.2"), "a@example.com", "a guess", "X-Forwarded-For", "198.51.100.8")
	if n := strings.Count(f.logs.String(), `"level":"WARN","msg":"configuration: a request carries X-Forwarded-For`); n != 1 {
		t.Fatalf("%d warnings, want 1:\n%s", n, f.logs.String())
	}

	trusting := setup(t, func(o *options) { o.trusted = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} })
	trusting.api.Do(http.MethodGet, "/livez", nil, "X-Forwarded-For", "198.51.100.7")
	if strings.Contains(trusting.logs.String(), "X-Forwarded-For") {
		t.Fatalf("a warning while TRUSTED_PROXIES is set:\n%s", trusting.logs.String())
	}
}

// TestLogin_WaitingOutEveryLock_480GuessesADay: an attacker guesses one
// email's password as fast as the throttle lets it, and waits out each lock
// exactly. The longest lock (15 minutes) is as long as the window: the
// streak must go on past it, so that from then on the attacker gets five
// guesses per 15 minutes, 480 a day, and not a new streak of short locks
// each time the longest ends (about 1,400 a day). The clock is driven by
// moving the throttle's times back by each Retry-After; the rate is taken
// over eight longest locks.
func TestLogin_WaitingOutEveryLock_480GuessesADay(t *testing.T) {
	t.Parallel()
	f := setup(t, func(o *options) { o.clientLimit = 100_000 })
	victim := f.register(t, "Victim")
	maxLock := auth.DefaultThrottle.MaxLock
	start := time.Now()
	var skipped, from time.Duration // the clock moved on; the first longest lock
	guesses, longest := 0, 0
	for longest <= 8 {
		resp := loginAs(f.api, victim.user.Email, fmt.Sprintf("guess %d", guesses))
		if resp.Status == http.StatusUnauthorized {
			if longest > 0 {
				guesses++
			}
			continue
		}
		wait := time.Duration(retryAfter(t, resp, "a guess")) * time.Second
		if wait == maxLock {
			if longest == 0 {
				from = time.Since(start) + skipped
			}
			longest++
		}
		dbtest.Exec(t, f.conn, `UPDATE login_failures
			SET first_failure = first_failure - make_interval(secs => $1),
			    last_failure = last_failure - make_interval(secs => $1),
			    locked_until = locked_until - make_interval(secs => $1)`, wait.Seconds())
		skipped += wait
	}
	span := time.Since(start) + skipped - from - maxLock // up to the ninth lock's start
	perDay := float64(guesses) * float64(24*time.Hour) / float64(span)
	t.Logf("%d guesses in %s: %.0f a day", guesses, span.Round(time.Second), perDay)
	if perDay > 490 || perDay < 470 {
		t.Fatalf("%.0f guesses a day once the locks are longest, want 480", perDay)
	}
}
