package handlers

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"marquee/db/dbtest"
	"marquee/handlers/apitest"
)

// Changing one's password: PUT /v1/me/password.

func changePassword(a *account, body any) *apitest.Response {
	return a.api.Do(http.MethodPut, "/v1/me/password", body)
}

func passwords(current, next string) map[string]string {
	return map[string]string{"current_password": current, "new_password": next}
}

// credentials is what the database holds of a's password and sessions.
func credentials(t *testing.T, f *fixture, a *account) []string {
	t.Helper()
	return append(dbtest.Strings(t, f.conn, "SELECT password_hash FROM user_credentials WHERE user_id = $1", a.user.ID),
		dbtest.Strings(t, f.conn, "SELECT id::text FROM sessions WHERE user_id = $1 ORDER BY id", a.user.ID)...)
}

// TestPasswordChange_KeepsOnlyTheCallersSession: a password change ends
// every other session of the account at once (their access tokens 401 on
// every route, cached ones too, with no announcement from the database;
// their refresh tokens refused), while the caller's session goes on; the
// new password logs in and the old one no longer does.
func TestPasswordChange_KeepsOnlyTheCallersSession(t *testing.T) {
	t.Parallel()
	f := setup(t)
	waitForLive(t, f)
	silenceSessions(t, f)
	a := f.register(t, "Changer")
	other := f.register(t, "Bystander")
	routes := sessionRoutes(t, f, a)
	tv := f.signIn(t, a, "TV")
	works(t, f, tv, routes, "the TV")
	works(t, f, a.tokens, routes, "the caller")

	const next = "a brand new passphrase"
	if resp := changePassword(a, passwords(a.password, next)); resp.Status != http.StatusNoContent {
		t.Fatalf("PUT /v1/me/password = %d %s, want 204", resp.Status, resp.Body)
	}
	refused(t, f, tv, routes, "the TV")
	works(t, f, a.tokens, routes, "the caller")
	if resp := f.api.Do(http.MethodPost, "/v1/auth/refresh", refreshBody{a.tokens.RefreshToken}); resp.Status != http.StatusOK {
		t.Fatalf("the caller's refresh = %d, want 200", resp.Status)
	}
	if resp := f.api.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": a.user.Email, "password": a.password}); resp.Status != http.StatusUnauthorized {
		t.Fatalf("login with the old password = %d, want 401", resp.Status)
	}
	f.login(t, a.user.Email, next)
	if resp := other.api.Do(http.MethodGet, "/v1/me", nil); resp.Status != http.StatusOK {
		t.Fatalf("another account's session: %d", resp.Status)
	}
}

// TestPasswordChange_WrongCurrentPassword_403CountedInBothThrottles: a
// wrong current password is the wrong-password problem and counts against
// the email and the client like a failed login; once the email is locked
// out even the right one gets 429 with Retry-After. Nothing changes: the
// password, and every session.
func TestPasswordChange_WrongCurrentPassword_403CountedInBothThrottles(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Guesser")
	f.signIn(t, a, "TV")
	before := credentials(t, f, a)

	resp := changePassword(a, passwords("not the password at all", "a brand new passphrase"))
	if p := resp.Problem(t); resp.Status != http.StatusForbidden || p.Type != "/problems/wrong-password" {
		t.Fatalf("wrong password = %d %+v, want 403 /problems/wrong-password", resp.Status, p)
	}
	if n := dbtest.Count(t, f.conn, "SELECT failures FROM login_failures WHERE email = $1", a.user.Email); n != 1 {
		t.Errorf("the email's throttle counted %d failures, want 1", n)
	}
	if n := dbtest.Count(t, f.conn, "SELECT coalesce(sum(cardinality(attempts)), 0) FROM login_client_failures"); n != 1 {
		t.Errorf("the client's throttle counted %d failures, want 1", n)
	}
	for range 4 {
		if resp := changePassword(a, passwords("still not the password", "a brand new passphrase")); resp.Status != http.StatusForbidden {
			t.Fatalf("wrong password = %d %s", resp.Status, resp.Body)
		}
	}
	retryAfter(t, changePassword(a, passwords(a.password, "a brand new passphrase")), "the right password once the email is locked out")
	if after := credentials(t, f, a); !slices.Equal(after, before) {
		t.Fatalf("the password or the sessions changed: %q, were %q", after, before)
	}
}

// TestPasswordChange_InvalidBodies_RefusedBeforeAnyCheck: a new password
// outside registration's rule (12 to 128 characters) or a missing current
// one is 422 naming the field, a body that does not decode 400; none is
// counted in a throttle or changes anything.
func TestPasswordChange_InvalidBodies_RefusedBeforeAnyCheck(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Sloppy")
	f.signIn(t, a, "TV")
	before := credentials(t, f, a)
	for _, c := range []struct {
		name  string
		body  any
		want  int
		field string
	}{
		{"new password of 11 characters", passwords(a.password, strings.Repeat("é", 11)), http.StatusUnprocessableEntity, "new_password"},
		{"new password of 129 characters", passwords(a.password, strings.Repeat("x", 129)), http.StatusUnprocessableEntity, "new_password"},
		{"no new password", map[string]string{"current_password": a.password}, http.StatusUnprocessableEntity, "new_password"},
		{"no current password", map[string]string{"new_password": "a brand new passphrase"}, http.StatusUnprocessableEntity, "current_password"},
		{"no body", nil, http.StatusBadRequest, ""},
		{"unknown field", withField(map[string]any{"current_password": a.password, "new_password": "a brand new passphrase"}, "password", "x"), http.StatusBadRequest, ""},
		{"new password of the wrong type", map[string]any{"current_password": a.password, "new_password": 123456789012}, http.StatusBadRequest, ""},
	} {
		resp := changePassword(a, c.body)
		if resp.Status != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, resp.Status, resp.Body, c.want)
		}
		if p := resp.Problem(t); c.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != c.field) {
			t.Errorf("%s: %+v, want %s named", c.name, p, c.field)
		}
	}
	if n := dbtest.Count(t, f.conn, "SELECT count(*) FROM login_failures"); n != 0 {
		t.Errorf("%d throttle rows: a refused request was counted", n)
	}
	if after := credentials(t, f, a); !slices.Equal(after, before) {
		t.Fatalf("the password or the sessions changed: %q, were %q", after, before)
	}
}
