package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"marquee/auth"
	"marquee/db/dbtest"
	"marquee/handlers/apitest"
)

// The throttles of logins, through the API.

// loginAs tries email and password from c, and returns the status.
func loginAs(c *apitest.Client, email, password string, headers ...string) *apitest.Response {
	return c.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": email, "password": password}, headers...)
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
	f := setup(t)
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
