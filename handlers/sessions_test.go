package handlers

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"marquee/db/dbtest"
)

// waitForLive waits until both caches answer, so that a test proves what
// happens when they do.
func waitForLive(t *testing.T, f *fixture) {
	t.Helper()
	waitForCache(t, f)
	for deadline := time.Now().Add(5 * time.Second); !f.deps.Live.On(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the live-session cache never started listening")
		}
	}
}

// device is a second session of account a: another login.
func (f *fixture) device(t *testing.T, a *account) tokenPair {
	t.Helper()
	return f.login(t, a.user.Email, a.password)
}

// sessionRoutes are requests that a session's access token may send, one of
// each kind the guards tell apart: the account alone, a profile route (the
// heartbeat's path, answered from the caches once warm) and a profile named
// in the query string.
func sessionRoutes(t *testing.T, f *fixture, a *account) [][2]string {
	film := f.addTitle(t, titleSpec{name: "Film " + a.user.ID.String()[:8]})
	return [][2]string{
		{http.MethodGet, "/v1/me"},
		{http.MethodPut, profilePath(a.profile, "/bookmarks/"+film.String())},
		{http.MethodGet, profilePath(a.profile, "/bookmarks")},
		{http.MethodGet, "/v1/catalog/titles?profile_id=" + a.profile.ID.String()},
	}
}

// routesOK is what sessionRoutes answer a live session.
var routesOK = []int{http.StatusOK, http.StatusNoContent, http.StatusOK, http.StatusOK}

// sendAll sends each route with token and returns the statuses.
func sendAll(f *fixture, token string, routes [][2]string) []int {
	var got []int
	for _, r := range routes {
		var body any
		if r[0] == http.MethodPut {
			body = map[string]int{"position_seconds": 5}
		}
		got = append(got, f.api.As(token).Do(r[0], r[1], body).Status)
	}
	return got
}

func allAre(statuses []int, want int) bool {
	return !slices.ContainsFunc(statuses, func(s int) bool { return s != want })
}

// TestSessions_LogoutKillsItsAccessTokenAtOnce: after logout, the session's
// access token is 401 on the very next request, on every kind of route,
// although the ownership and session caches had vouched for it a moment
// before; the account's other device goes on.
func TestSessions_LogoutKillsItsAccessTokenAtOnce(t *testing.T) {
	t.Parallel()
	f := setup(t)
	waitForLive(t, f)
	a := f.register(t, "Logout")
	other := f.device(t, a)
	routes := sessionRoutes(t, f, a)
	for range 2 { // the second round is answered from the caches
		if got := sendAll(f, a.tokens.AccessToken, routes); !slices.Equal(got, routesOK) {
			t.Fatalf("before logout: %v, want %v", got, routesOK)
		}
	}
	if resp := f.api.Do(http.MethodPost, "/v1/auth/logout", refreshBody{a.tokens.RefreshToken}); resp.Status != http.StatusNoContent {
		t.Fatalf("logout = %d", resp.Status)
	}
	if got := sendAll(f, a.tokens.AccessToken, routes); !allAre(got, http.StatusUnauthorized) {
		t.Fatalf("the logged-out session's access token: %v, want 401 everywhere", got)
	}
	if got := sendAll(f, other.AccessToken, routes[:1]); !allAre(got, http.StatusOK) {
		t.Fatalf("the account's other device: %v", got)
	}
}

// TestSessions_EndedElsewhereIs401OnCachedRoutes: another instance ends a
// session (here, SQL: what any instance's revocation does); this instance,
// whose caches vouch for the session, refuses its token as soon as the
// announcement arrives, on the heartbeat's path too.
func TestSessions_EndedElsewhereIs401OnCachedRoutes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	waitForLive(t, f)
	a := f.register(t, "Elsewhere")
	routes := sessionRoutes(t, f, a)
	for range 2 {
		sendAll(f, a.tokens.AccessToken, routes)
	}
	dbtest.Exec(t, f.conn, "DELETE FROM sessions WHERE user_id = $1", a.user.ID)
	deadline := time.Now().Add(2 * time.Second)
	for {
		got := sendAll(f, a.tokens.AccessToken, routes)
		if allAre(got, http.StatusUnauthorized) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("2 s after its session ended elsewhere, its token still gets %v", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSessions_RefreshTokenReuseEndsTheSession: a spent refresh token
// presented again (a copy, most likely stolen) ends its session: the newest
// access and refresh tokens die at once, the event is audited with the
// account as its actor and logged, and the account's other device goes on.
func TestSessions_RefreshTokenReuseEndsTheSession(t *testing.T) {
	t.Parallel()
	f := setup(t)
	waitForLive(t, f)
	a := f.register(t, "Reuse")
	other := f.device(t, a)
	routes := sessionRoutes(t, f, a)
	var next tokenPair
	resp := f.api.Do(http.MethodPost, "/v1/auth/refresh", refreshBody{a.tokens.RefreshToken})
	if resp.Status != http.StatusOK {
		t.Fatalf("refresh = %d", resp.Status)
	}
	resp.JSON(t, &next)
	for range 2 {
		if got := sendAll(f, next.AccessToken, routes); !slices.Equal(got, routesOK) {
			t.Fatalf("the refreshed session: %v", got)
		}
	}
	if resp := f.api.Do(http.MethodPost, "/v1/auth/refresh", refreshBody{a.tokens.RefreshToken}); resp.Status != http.StatusUnauthorized {
		t.Fatalf("the spent refresh token again = %d, want 401", resp.Status)
	}
	if got := sendAll(f, next.AccessToken, routes); !allAre(got, http.StatusUnauthorized) {
		t.Fatalf("the newest access token after reuse: %v, want 401 everywhere", got)
	}
	if resp := f.api.Do(http.MethodPost, "/v1/auth/refresh", refreshBody{next.RefreshToken}); resp.Status != http.StatusUnauthorized {
		t.Fatalf("the newest refresh token after reuse = %d, want 401", resp.Status)
	}
	if got := sendAll(f, other.AccessToken, routes[:1]); !allAre(got, http.StatusOK) {
		t.Fatalf("the account's other device: %v", got)
	}
	want := "session.reuse session:" + sessionOf(t, a.tokens.AccessToken) + " by " + a.user.ID.String()
	if audit := dbtest.AuditLog(t, f.pool); !slices.Contains(audit, want) {
		t.Fatalf("audit log %q has no %q", audit, want)
	}
	if !strings.Contains(f.logs.String(), "a spent refresh token was presented again") {
		t.Fatal("the reuse was not logged as a security event")
	}
}

// TestSessions_DeviceNameFromBodyOrUserAgent: a login names its device, or
// its User-Agent does (cut to 64 characters), or it is "unknown"; a bad
// device_name is 422.
func TestSessions_DeviceNameFromBodyOrUserAgent(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Devices")
	login := func(body map[string]any, headers ...string) int {
		body["email"], body["password"] = a.user.Email, a.password
		return f.api.Do(http.MethodPost, "/v1/auth/login", body, headers...).Status
	}
	long := strings.Repeat("é", 70)
	for _, c := range []struct {
		body    map[string]any
		headers []string
	}{
		{map[string]any{"device_name": "  Living room TV "}, []string{"User-Agent", "ignored/1.0"}},
		{map[string]any{}, []string{"User-Agent", "Player/2.1 (Android 14)"}},
		{map[string]any{}, []string{"User-Agent", long}},
		{map[string]any{}, []string{"User-Agent", ""}},
	} {
		if s := login(c.body, c.headers...); s != http.StatusOK {
			t.Fatalf("login %v = %d", c.body, s)
		}
	}
	for _, bad := range []any{"", strings.Repeat("x", 65), "tab\there", 12} {
		if s := login(map[string]any{"device_name": bad}); s != http.StatusUnprocessableEntity && s != http.StatusBadRequest {
			t.Fatalf("device_name %q = %d, want 422 (400 for a wrong type)", bad, s)
		}
	}
	got := dbtest.Strings(t, f.conn, "SELECT device FROM sessions WHERE user_id = $1 ORDER BY created_at, device", a.user.ID)
	want := []string{"Go-http-client/1.1", "Living room TV", "Player/2.1 (Android 14)", strings.Repeat("é", 64), "unknown"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("devices %q, want %q", got, want)
	}
}
