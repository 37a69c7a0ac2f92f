package handlers

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

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

// signIn is another login of account a, on the device it names.
func (f *fixture) signIn(t *testing.T, a *account, device string) tokenPair {
	t.Helper()
	resp := f.api.Do(http.MethodPost, "/v1/auth/login",
		map[string]string{"email": a.user.Email, "password": a.password, "device_name": device})
	if resp.Status != http.StatusOK {
		t.Fatalf("login on %s: %d %s", device, resp.Status, resp.Body)
	}
	var p tokenPair
	resp.JSON(t, &p)
	return p
}

// silenceSessions stops the database from announcing ended sessions, so
// that what the test then sees of an ending is this instance's own doing.
func silenceSessions(t *testing.T, f *fixture) {
	t.Helper()
	dbtest.Exec(t, f.conn, "ALTER TABLE sessions DISABLE TRIGGER sessions_announce_change")
}

// works checks that a session's access token reaches every route, twice:
// the second round is answered from the caches.
func works(t *testing.T, f *fixture, pair tokenPair, routes [][2]string, who string) {
	t.Helper()
	for range 2 {
		if got := sendAll(f, pair.AccessToken, routes); !slices.Equal(got, routesOK) {
			t.Fatalf("%s: %v, want %v", who, got, routesOK)
		}
	}
}

// refused checks that an ended session's access token is 401 on every
// route and its refresh token is refused.
func refused(t *testing.T, f *fixture, pair tokenPair, routes [][2]string, who string) {
	t.Helper()
	if got := sendAll(f, pair.AccessToken, routes); !allAre(got, http.StatusUnauthorized) {
		t.Errorf("%s, its access token: %v, want 401 everywhere", who, got)
	}
	if resp := f.api.Do(http.MethodPost, "/v1/auth/refresh", refreshBody{pair.RefreshToken}); resp.Status != http.StatusUnauthorized {
		t.Errorf("%s, its refresh token: %d, want 401", who, resp.Status)
	}
}

func endSession(a *account, id string) int {
	return a.api.Do(http.MethodDelete, "/v1/me/sessions/"+id, nil).Status
}

// TestSessions_SigningADeviceOutKillsItsTokensAtOnce: DELETE
// /v1/me/sessions/{id} ends that device's session: its access token is 401
// on the very next request on every kind of route, the heartbeat's cached
// path too, with no announcement from the database (this instance forgets
// it by itself), and its refresh token is refused. The caller goes on, and
// may end its own session the same way.
func TestSessions_SigningADeviceOutKillsItsTokensAtOnce(t *testing.T) {
	t.Parallel()
	f := setup(t)
	waitForLive(t, f)
	silenceSessions(t, f)
	a := f.register(t, "Owner")
	phone := f.signIn(t, a, "Phone")
	routes := sessionRoutes(t, f, a)
	works(t, f, phone, routes, "the phone before it is signed out")

	if s := endSession(a, sessionOf(t, phone.AccessToken)); s != http.StatusNoContent {
		t.Fatalf("signing the phone out = %d, want 204", s)
	}
	refused(t, f, phone, routes, "the signed-out phone")
	works(t, f, a.tokens, routes, "the caller")
	if s := endSession(a, sessionOf(t, phone.AccessToken)); s != http.StatusNotFound {
		t.Fatalf("signing the phone out again = %d, want 404", s)
	}

	if s := endSession(a, sessionOf(t, a.tokens.AccessToken)); s != http.StatusNoContent {
		t.Fatalf("the caller signing itself out = %d, want 204", s)
	}
	refused(t, f, a.tokens, routes, "the caller signed out by itself")
}

// TestSessions_AnotherAccountsSession_404LikeAnUnknownOne: naming another
// account's session, an unknown one or a malformed id gets one and the same
// 404, and the other account's session goes on.
func TestSessions_AnotherAccountsSession_404LikeAnUnknownOne(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Prober")
	victim := f.register(t, "Victim")
	var bodies []string
	for _, id := range []string{sessionOf(t, victim.tokens.AccessToken), uuid.NewString(), "not-a-uuid"} {
		resp := a.api.Do(http.MethodDelete, "/v1/me/sessions/"+id, nil)
		if resp.Status != http.StatusNotFound {
			t.Fatalf("DELETE /v1/me/sessions/%s = %d, want 404", id, resp.Status)
		}
		bodies = append(bodies, string(resp.Body))
	}
	if bodies[1] != bodies[0] || bodies[2] != bodies[0] {
		t.Fatalf("the 404s differ: %q", bodies)
	}
	if resp := victim.api.Do(http.MethodGet, "/v1/me", nil); resp.Status != http.StatusOK {
		t.Fatalf("the other account's session: %d", resp.Status)
	}
}

// TestSessions_SignOutEverywhereElse_KeepsOnlyTheCallers: DELETE
// /v1/me/sessions ends every other session of the account at once, with no
// announcement needed; the caller's session and other accounts' go on.
func TestSessions_SignOutEverywhereElse_KeepsOnlyTheCallers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	waitForLive(t, f)
	silenceSessions(t, f)
	a := f.register(t, "Everywhere")
	other := f.register(t, "Bystander")
	routes := sessionRoutes(t, f, a)
	devices := map[string]tokenPair{"TV": f.signIn(t, a, "TV"), "Phone": f.signIn(t, a, "Phone")}
	for name, pair := range devices {
		works(t, f, pair, routes, name)
	}

	if resp := a.api.Do(http.MethodDelete, "/v1/me/sessions", nil); resp.Status != http.StatusNoContent {
		t.Fatalf("DELETE /v1/me/sessions = %d %s, want 204", resp.Status, resp.Body)
	}
	for name, pair := range devices {
		refused(t, f, pair, routes, name)
	}
	works(t, f, a.tokens, routes, "the caller")
	left := walkPages[session](t, a, "/v1/me/sessions")
	if len(left) != 1 || left[0].ID.String() != sessionOf(t, a.tokens.AccessToken) || !left[0].Current {
		t.Fatalf("sessions left %+v, want only the caller's, current", left)
	}
	if resp := other.api.Do(http.MethodGet, "/v1/me", nil); resp.Status != http.StatusOK {
		t.Fatalf("another account's session: %d", resp.Status)
	}
}

// TestSessions_ListMostRecentlyUsedFirst: GET /v1/me/sessions lists the
// account's live sessions, by last use, newest first (a refresh is a use),
// on one page or many; current marks the caller's own; expired and ended
// sessions and other accounts' are left out.
func TestSessions_ListMostRecentlyUsedFirst(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Lister") // its device: the test client's User-Agent
	f.register(t, "Neighbour")
	sid := map[string]string{sessionOf(t, a.tokens.AccessToken): "Go-http-client/1.1"}
	tokens := map[string]tokenPair{}
	for _, device := range []string{"TV", "Phone", "Laptop", "Expired", "Ended"} {
		tokens[device] = f.signIn(t, a, device)
		sid[sessionOf(t, tokens[device].AccessToken)] = device
	}
	dbtest.Exec(t, f.conn, "UPDATE sessions SET expires_at = now() WHERE id = $1", sessionOf(t, tokens["Expired"].AccessToken))
	if resp := f.api.Do(http.MethodPost, "/v1/auth/logout", refreshBody{tokens["Ended"].RefreshToken}); resp.Status != http.StatusNoContent {
		t.Fatalf("logout = %d", resp.Status)
	}
	if resp := f.api.Do(http.MethodPost, "/v1/auth/refresh", refreshBody{tokens["TV"].RefreshToken}); resp.Status != http.StatusOK {
		t.Fatalf("refresh = %d", resp.Status)
	}

	want := []string{"TV", "Laptop", "Phone", "Go-http-client/1.1"}
	for _, path := range []string{"/v1/me/sessions", "/v1/me/sessions?limit=1", "/v1/me/sessions?limit=3"} {
		got := walkPages[session](t, a, path)
		var devices []string
		for i, s := range got {
			devices = append(devices, s.Device)
			if sid[s.ID.String()] != s.Device {
				t.Errorf("%s: session %s is %q, want %q", path, s.ID, s.Device, sid[s.ID.String()])
			}
			if s.Current != (s.ID.String() == sessionOf(t, a.tokens.AccessToken)) {
				t.Errorf("%s: %s current = %v", path, s.Device, s.Current)
			}
			if s.ProfileID != nil || s.LastUsedAt.Before(s.CreatedAt) {
				t.Errorf("%s: %+v", path, s)
			}
			if i > 0 && s.LastUsedAt.After(got[i-1].LastUsedAt) {
				t.Errorf("%s: %s used after %s but listed below it", path, s.Device, got[i-1].Device)
			}
		}
		if !slices.Equal(devices, want) {
			t.Errorf("%s: devices %q, want %q", path, devices, want)
		}
	}
}

// TestSessions_ListShowsWhatASessionIsNarrowedTo: a session narrowed to a
// profile lists that profile; the account's other sessions list none.
func TestSessions_ListShowsWhatASessionIsNarrowedTo(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Family")
	kids := f.narrowedDevice(t, a, a.profile, "")
	for _, s := range walkPages[session](t, a, "/v1/me/sessions") {
		narrowed := s.ID.String() == sessionOf(t, kids.tokens.AccessToken)
		if narrowed && (s.ProfileID == nil || *s.ProfileID != a.profile.ID) || !narrowed && s.ProfileID != nil {
			t.Errorf("session %s (narrowed: %v) lists profile_id %v", s.ID, narrowed, s.ProfileID)
		}
	}
}
