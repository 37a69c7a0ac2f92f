package handlers

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"marquee/db/dbtest"
)

func waitForCache(t *testing.T, f *fixture) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !f.deps.Cache.On(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the ownership cache never started listening")
		}
	}
}

// TestOwnershipCache_DeletedProfileCannotBeWrittenThroughAStaleEntry: the
// announcement of a deletion is lost (its trigger disabled), so the cache
// still vouches for the profile; the heartbeat's own statement refuses it.
func TestOwnershipCache_DeletedProfileCannotBeWrittenThroughAStaleEntry(t *testing.T) {
	t.Parallel()
	f := setup(t)
	waitForCache(t, f)
	a := f.register(t, "Stale")
	film := f.addTitle(t, titleSpec{name: "Film"})
	path := profilePath(a.profile, "/bookmarks/"+film.String())
	if resp := a.api.Do(http.MethodPut, path, map[string]int{"position_seconds": 1}); resp.Status != http.StatusNoContent {
		t.Fatalf("warming the cache: %d", resp.Status)
	}
	dbtest.Exec(t, f.conn, "ALTER TABLE profiles DISABLE TRIGGER profiles_announce_change")
	dbtest.Exec(t, f.conn, "DELETE FROM profiles WHERE id = $1", a.profile.ID)
	dbtest.Exec(t, f.conn, "ALTER TABLE profiles ENABLE TRIGGER profiles_announce_change")

	// The guard's cached answer lets it through; the statement does not.
	resp := a.api.Do(http.MethodPut, path, map[string]int{"position_seconds": 2})
	if resp.Status != http.StatusNotFound {
		t.Fatalf("heartbeat for a deleted profile through a stale entry = %d, want 404 from the statement", resp.Status)
	}
	if n := dbtest.Count(t, f.conn, "SELECT count(*) FROM bookmarks WHERE profile_id = $1", a.profile.ID); n != 0 {
		t.Fatalf("%d bookmarks written for a deleted profile", n)
	}
}

// TestOwnershipCache_ChangeMadeElsewhereIsSeen: another instance (here, SQL)
// lowers a profile's max_age; the announcement evicts the cached profile,
// and the catalog hides the adult title within moments.
func TestOwnershipCache_ChangeMadeElsewhereIsSeen(t *testing.T) {
	t.Parallel()
	f := setup(t)
	waitForCache(t, f)
	a := f.register(t, "Parent")
	adult := f.addTitle(t, titleSpec{name: "Adult", minAge: 18})
	detail := "/v1/catalog/titles/" + adult.String() + "?profile_id=" + a.profile.ID.String()
	if resp := a.api.Do(http.MethodGet, detail, nil); resp.Status != http.StatusOK {
		t.Fatalf("before: %d", resp.Status)
	}
	dbtest.Exec(t, f.conn, "UPDATE profiles SET max_age = 7 WHERE id = $1", a.profile.ID)
	deadline := time.Now().Add(2 * time.Second)
	for a.api.Do(http.MethodGet, detail, nil).Status != http.StatusNotFound {
		if time.Now().After(deadline) {
			t.Fatal("the cached max_age outlived the change by 2 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// And this instance's own change is seen at once.
	a.api.Do(http.MethodPut, profilePath(a.profile, ""), map[string]any{"max_age": 18})
	if resp := a.api.Do(http.MethodGet, detail, nil); resp.Status != http.StatusOK {
		t.Fatalf("after this instance raised max_age: %d", resp.Status)
	}
	if resp := a.api.Do(http.MethodGet, "/v1/catalog/titles/"+uuid.NewString(), nil); resp.Status != http.StatusNotFound {
		t.Fatal(resp.Status)
	}
}
