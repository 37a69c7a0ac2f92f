package handlers

import (
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"marquee/db/dbtest"
	"marquee/handlers/apitest"
)

// Deleting one's own account: DELETE /v1/me.

func deleteMe(a *account, body any) *apitest.Response {
	return a.api.Do(http.MethodDelete, "/v1/me", body)
}

func password(p string) map[string]string { return map[string]string{"password": p} }

// furnish gives a a second profile and, on each of its profiles, a row in
// every viewing table; it returns the ids of the account and its profiles.
func furnish(t *testing.T, a *account, films [2]uuid.UUID, channel uuid.UUID) []uuid.UUID {
	t.Helper()
	resp := a.api.Do(http.MethodPost, "/v1/profiles", map[string]string{"name": "Second"})
	if resp.Status != http.StatusCreated {
		t.Fatalf("second profile: %d %s", resp.Status, resp.Body)
	}
	var second profile
	resp.JSON(t, &second)
	for _, p := range []profile{a.profile, second} {
		for _, w := range []struct {
			method, path string
			body         any
			want         int
		}{
			{http.MethodPut, "/bookmarks/" + films[0].String(), map[string]int{"position_seconds": 60}, http.StatusNoContent},
			{http.MethodPost, "/history", map[string]string{"title_id": films[1].String()}, http.StatusCreated},
			{http.MethodPut, "/watchlist/" + films[0].String(), nil, http.StatusNoContent},
			{http.MethodPut, "/ratings/" + films[1].String(), map[string]int{"score": 4}, http.StatusNoContent},
			{http.MethodPut, "/epg/favorites/" + channel.String(), nil, http.StatusNoContent},
		} {
			if resp := a.api.Do(w.method, profilePath(p, w.path), w.body); resp.Status != w.want {
				t.Fatalf("%s %s: %d %s", w.method, w.path, resp.Status, resp.Body)
			}
		}
	}
	return []uuid.UUID{a.user.ID, a.profile.ID, second.ID}
}

// rowsIn sums the counts of RowsNaming that are in table.
func rowsIn(counts map[string]int, table string) int {
	n := 0
	for place, c := range counts {
		if strings.HasPrefix(place, table+".") {
			n += c
		}
	}
	return n
}

// TestDeleteMe_EveryRowOfTheAccountGoesAndItsTokensStop: the account's rows
// go from every table that can name it or its profiles (found in the
// catalog, so a table added later is covered); another account's stay. Its
// access token is refused at once on every kind of route, even where its
// ownership was cached and the database's announcements are lost, and its
// refresh token is spent. The audit log keeps the deletion, by the account.
func TestDeleteMe_EveryRowOfTheAccountGoesAndItsTokensStop(t *testing.T) {
	t.Parallel()
	f := setup(t)
	waitForCache(t, f)
	films := [2]uuid.UUID{f.addTitle(t, titleSpec{name: "One"}), f.addTitle(t, titleSpec{name: "Two"})}
	channel := f.addGuide(t, []string{"one"}, nil)["one"]
	a := f.register(t, "Leaver")
	other := f.register(t, "Stayer")
	mine := furnish(t, a, films, channel)
	theirs := furnish(t, other, films, channel)

	before := dbtest.RowsNaming(t, f.conn, mine)
	for _, table := range []string{"users", "user_credentials", "refresh_tokens", "profiles",
		"bookmarks", "history", "watchlist", "ratings", "favorite_channels"} {
		if rowsIn(before, table) == 0 {
			t.Fatalf("no row of the account found in %s (%v): the check below would prove nothing", table, before)
		}
	}
	theirsBefore := dbtest.RowsNaming(t, f.conn, theirs)

	// This instance must refuse the token by itself: no announcement comes.
	dbtest.Exec(t, f.conn, "ALTER TABLE users DISABLE TRIGGER users_announce_change")
	dbtest.Exec(t, f.conn, "ALTER TABLE profiles DISABLE TRIGGER profiles_announce_change")
	if resp := deleteMe(a, password(a.password)); resp.Status != http.StatusNoContent {
		t.Fatalf("DELETE /v1/me = %d %s", resp.Status, resp.Body)
	}
	for _, path := range []string{"/v1/me", "/v1/profiles", profilePath(a.profile, ""),
		profilePath(a.profile, "/bookmarks"), "/v1/catalog/titles?profile_id=" + a.profile.ID.String()} {
		if resp := a.api.Do(http.MethodGet, path, nil); resp.Status != http.StatusUnauthorized {
			t.Errorf("GET %s with the deleted account's token = %d, want 401", path, resp.Status)
		}
	}
	if resp := f.api.Do(http.MethodPost, "/v1/auth/refresh", refreshBody{a.tokens.RefreshToken}); resp.Status != http.StatusUnauthorized {
		t.Errorf("refresh with the deleted account's token = %d, want 401", resp.Status)
	}

	for place, n := range dbtest.RowsNaming(t, f.conn, mine) {
		if n != 0 {
			t.Errorf("%d rows of the deleted account left in %s", n, place)
		}
	}
	if after := dbtest.RowsNaming(t, f.conn, theirs); !maps.Equal(after, theirsBefore) {
		t.Errorf("another account's rows changed: %v, were %v", after, theirsBefore)
	}
	want := "user.delete user:" + a.user.ID.String() + " by " + a.user.ID.String()
	if log := dbtest.AuditLog(t, f.pool); len(log) != 1 || log[0] != want {
		t.Errorf("audit log %q, want [%s]", log, want)
	}
}

// TestDeleteMe_WrongPassword_403CountedInBothThrottlesNothingDeleted: a
// wrong password is the wrong-password problem and counts against the
// email and the client like a failed login; once the email is locked out,
// even the right password gets 429 with Retry-After. Nothing is deleted.
func TestDeleteMe_WrongPassword_403CountedInBothThrottlesNothingDeleted(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Careful")
	ids := []uuid.UUID{a.user.ID, a.profile.ID}
	before := dbtest.RowsNaming(t, f.conn, ids)

	resp := deleteMe(a, password("not the password at all"))
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
		if resp := deleteMe(a, password("still not the password")); resp.Status != http.StatusForbidden {
			t.Fatalf("wrong password = %d %s", resp.Status, resp.Body)
		}
	}
	retryAfter(t, deleteMe(a, password(a.password)), "the right password once the email is locked out")

	if after := dbtest.RowsNaming(t, f.conn, ids); !maps.Equal(after, before) {
		t.Fatalf("rows changed: %v, were %v", after, before)
	}
	if resp := a.api.Do(http.MethodGet, "/v1/me", nil); resp.Status != http.StatusOK {
		t.Fatalf("GET /v1/me after refused deletions = %d", resp.Status)
	}
}

// TestDeleteMe_LastAdmin_409UntilAnotherAdminExists: the last admin keeps
// its account; once there is another, it may go, and the other is then the
// last. The audit log, as the remaining admin reads it, names the deleted
// account as the actor.
func TestDeleteMe_LastAdmin_409UntilAnotherAdminExists(t *testing.T) {
	t.Parallel()
	f := setup(t)
	first := f.admin(t)
	ids := []uuid.UUID{first.user.ID, first.profile.ID}
	before := dbtest.RowsNaming(t, f.conn, ids)
	if resp := deleteMe(first, password(first.password)); resp.Status != http.StatusConflict {
		t.Fatalf("the last admin deleting itself = %d %s, want 409", resp.Status, resp.Body)
	}
	if after := dbtest.RowsNaming(t, f.conn, ids); !maps.Equal(after, before) {
		t.Fatalf("rows changed: %v, were %v", after, before)
	}

	second := f.admin(t)
	if resp := deleteMe(first, password(first.password)); resp.Status != http.StatusNoContent {
		t.Fatalf("an admin that is not the last deleting itself = %d %s, want 204", resp.Status, resp.Body)
	}
	if resp := deleteMe(second, password(second.password)); resp.Status != http.StatusConflict {
		t.Fatalf("the admin left deleting itself = %d %s, want 409", resp.Status, resp.Body)
	}
	log := auditLog(t, second)
	if len(log) != 1 || log[0].Action != "user.delete" || log[0].Target != "user:"+first.user.ID.String() ||
		log[0].ActorID == nil || *log[0].ActorID != first.user.ID {
		t.Fatalf("audit log %+v, want the deletion of %s by itself", log, first.user.ID)
	}
}

// TestDeleteMe_MalformedBodies_RefusedBeforeAnyCheck: a body that does not
// decode is 400, a missing password 422, and neither is counted or deletes.
func TestDeleteMe_MalformedBodies_RefusedBeforeAnyCheck(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Sloppy")
	for _, c := range []struct {
		name string
		body any
		want int
	}{
		{"no body", nil, http.StatusBadRequest},
		{"unknown field", map[string]string{"password": a.password, "confirm": "yes"}, http.StatusBadRequest},
		{"password of the wrong type", map[string]int{"password": 1}, http.StatusBadRequest},
		{"no password", map[string]string{}, http.StatusUnprocessableEntity},
		{"empty password", password(""), http.StatusUnprocessableEntity},
	} {
		resp := deleteMe(a, c.body)
		if resp.Status != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, resp.Status, resp.Body, c.want)
		}
		if p := resp.Problem(t); c.want == http.StatusUnprocessableEntity && (len(p.Errors) != 1 || p.Errors[0].Field != "password") {
			t.Errorf("%s: %+v, want the password named", c.name, p)
		}
	}
	if n := dbtest.Count(t, f.conn, "SELECT count(*) FROM login_failures"); n != 0 {
		t.Errorf("%d throttle rows: a malformed request was counted", n)
	}
	if resp := a.api.Do(http.MethodGet, "/v1/me", nil); resp.Status != http.StatusOK {
		t.Fatalf("GET /v1/me = %d", resp.Status)
	}
}
