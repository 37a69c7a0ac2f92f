package handlers

import (
	"maps"
	"net/http"
	"slices"
	"testing"

	"marquee/db/dbtest"
)

func TestAdmin_GrantRevokeAndAudit(t *testing.T) {
	t.Parallel()
	f := setup(t)
	root := f.admin(t)
	bob := f.register(t, "Bob")

	path := "/v1/admin/users/" + bob.user.ID.String() + "/admin"
	resp := root.api.Do(http.MethodPut, path, map[string]bool{"is_admin": true})
	var u user
	resp.JSON(t, &u)
	if resp.Status != http.StatusOK || !u.IsAdmin || u.ID != bob.user.ID {
		t.Fatalf("grant = %d %+v", resp.Status, u)
	}
	// Bob's existing token now reaches admin routes: the role is read from
	// the database on each request, not from the token.
	if resp := bob.api.Do(http.MethodGet, "/v1/admin/users", nil); resp.Status != http.StatusOK {
		t.Fatalf("Bob after grant = %d", resp.Status)
	}
	if resp := root.api.Do(http.MethodPut, path, map[string]bool{"is_admin": false}); resp.Status != http.StatusOK {
		t.Fatalf("revoke = %d", resp.Status)
	}
	if resp := bob.api.Do(http.MethodGet, "/v1/admin/users", nil); resp.Status != http.StatusForbidden {
		t.Fatalf("Bob after revoke = %d, want 403 with the same token", resp.Status)
	}

	target := "user:" + bob.user.ID.String()
	if got, want := auditActions(t, root, root), []string{"user.admin.revoke " + target, "user.admin.grant " + target}; !slices.Equal(got, want) {
		t.Fatalf("audit = %q, want %q", got, want)
	}
	if log := auditLog(t, root); log[0].At.Before(log[1].At) {
		t.Fatalf("audit entries out of order: %+v", log)
	}
}

func TestAdmin_Validation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	root := f.admin(t)
	bob := f.register(t, "Bob")
	path := "/v1/admin/users/" + bob.user.ID.String() + "/admin"
	for _, c := range []struct {
		path   string
		body   any
		status int
	}{
		{path, `{}`, http.StatusUnprocessableEntity},
		{path, `{"is_admin":"yes"}`, http.StatusBadRequest},
		{path, `{"is_admin":true,"email":"x@y.z"}`, http.StatusBadRequest},
		{"/v1/admin/users/6b3f8f0e-8a8f-4d50-9d9e-5d2c4b1a0e77/admin", `{"is_admin":true}`, http.StatusNotFound},
		{"/v1/admin/users/not-a-uuid/admin", `{"is_admin":true}`, http.StatusNotFound},
	} {
		if resp := root.api.Do(http.MethodPut, c.path, c.body); resp.Status != c.status {
			t.Errorf("PUT %s %v = %d, want %d", c.path, c.body, resp.Status, c.status)
		}
	}
	if log := auditLog(t, root); len(log) != 0 {
		t.Fatalf("refused writes were audited: %+v", log)
	}
}

func TestAdmin_UserListPagesEveryUserOnceInOrder(t *testing.T) {
	t.Parallel()
	f := setup(t)
	root := f.admin(t)
	for range 6 {
		f.register(t, "U")
	}
	var seen []user
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("too many pages")
		}
		path := "/v1/admin/users?limit=3"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		var page list[user]
		resp := root.api.Do(http.MethodGet, path, nil)
		resp.JSON(t, &page)
		if resp.Status != http.StatusOK || len(page.Items) > 3 {
			t.Fatalf("page = %d %+v", resp.Status, page)
		}
		seen = append(seen, page.Items...)
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	if len(seen) != 7 {
		t.Fatalf("walked %d users, want 7", len(seen))
	}
	ids := map[string]bool{}
	for i, u := range seen {
		if ids[u.ID.String()] {
			t.Fatalf("user %s listed twice", u.ID)
		}
		ids[u.ID.String()] = true
		if i > 0 && u.CreatedAt.Before(seen[i-1].CreatedAt) {
			t.Fatalf("out of order at %d", i)
		}
	}
	for _, bad := range []string{"?cursor=garbage", "?cursor=" + cursor + "x", "?limit=0", "?limit=101", "?limit=ten"} {
		if resp := root.api.Do(http.MethodGet, "/v1/admin/users"+bad, nil); resp.Status != http.StatusBadRequest && resp.Status != http.StatusUnprocessableEntity {
			t.Errorf("GET users%s = %d, want 400 or 422", bad, resp.Status)
		}
	}
	// A cursor of one list is refused by another.
	var audit list[auditEntry]
	if resp := root.api.Do(http.MethodGet, "/v1/admin/audit?cursor="+cursor, nil); resp.Status != http.StatusBadRequest {
		resp.JSON(t, &audit)
		t.Fatalf("a users cursor on the audit log = %d", resp.Status)
	}
}

func TestAdmin_LastAdminKeepsTheirRights(t *testing.T) {
	t.Parallel()
	f := setup(t)
	root := f.admin(t)
	self := "/v1/admin/users/" + root.user.ID.String() + "/admin"
	if resp := root.api.Do(http.MethodPut, self, map[string]bool{"is_admin": false}); resp.Status != http.StatusConflict {
		t.Fatalf("the last admin revoking themselves = %d, want 409", resp.Status)
	}
	other := f.admin(t)
	if resp := root.api.Do(http.MethodPut, self, map[string]bool{"is_admin": false}); resp.Status != http.StatusOK {
		t.Fatalf("with another admin = %d, want 200", resp.Status)
	}
	if resp := other.api.Do(http.MethodPut, "/v1/admin/users/"+other.user.ID.String()+"/admin", map[string]bool{"is_admin": false}); resp.Status != http.StatusConflict {
		t.Fatalf("the new last admin = %d, want 409", resp.Status)
	}
}

// TestAdmin_UserListCountsLiveSessions: each account in the admin list
// shows how many live sessions (signed-in devices) it has; ended and
// expired sessions do not count.
func TestAdmin_UserListCountsLiveSessions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	root := f.admin(t)
	a := f.register(t, "Many")
	f.signIn(t, a, "TV")
	f.signIn(t, a, "Phone")
	ended := f.signIn(t, a, "Ended")
	expired := f.signIn(t, a, "Expired")
	if resp := f.api.Do(http.MethodPost, "/v1/auth/logout", refreshBody{ended.RefreshToken}); resp.Status != http.StatusNoContent {
		t.Fatalf("logout = %d", resp.Status)
	}
	dbtest.Exec(t, f.conn, "UPDATE sessions SET expires_at = now() WHERE id = $1", sessionOf(t, expired.AccessToken))
	quiet := f.register(t, "Quiet")
	dbtest.Exec(t, f.conn, "DELETE FROM sessions WHERE user_id = $1", quiet.user.ID)

	got := map[string]int64{}
	for _, u := range walkPages[adminUser](t, root, "/v1/admin/users?limit=2") {
		got[u.DisplayName] = u.Sessions
	}
	want := map[string]int64{"Admin": 1, "Many": 3, "Quiet": 0}
	if !maps.Equal(got, want) {
		t.Fatalf("sessions per account %v, want %v", got, want)
	}
}
