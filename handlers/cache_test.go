package handlers

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"marquee/db/dbtest"
	"marquee/handlers/apitest"
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

// TestOwnershipCache_RenamingAProfileKeepsOthersChecks: while one account's
// ownership check is reading the database (held on a lock of users),
// another account renames its profile, which evicts that profile. The
// check in flight concerns neither: its answer is still remembered, as an
// edit made behind the cache's back then shows.
func TestOwnershipCache_RenamingAProfileKeepsOthersChecks(t *testing.T) {
	t.Parallel()
	f := setup(t)
	waitForCache(t, f)
	a := f.register(t, "Reader")
	b := f.register(t, "Renamer")
	// b's ownership is remembered, so that its rename needs no users row.
	if resp := b.api.Do(http.MethodGet, profilePath(b.profile, ""), nil); resp.Status != http.StatusOK {
		t.Fatalf("warming the cache: %d", resp.Status)
	}

	release := dbtest.Hold(t, f.conn, "LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
	checked := make(chan *apitest.Response, 1)
	go func() { checked <- a.api.Do(http.MethodGet, profilePath(a.profile, ""), nil) }()
	for deadline := time.Now().Add(10 * time.Second); dbtest.Count(t, f.conn, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%ProfileGetOwnedBySession%'`) == 0; {
		if time.Now().After(deadline) {
			release()
			t.Fatal("the ownership check never waited for the users lock")
		}
		time.Sleep(5 * time.Millisecond)
	}
	renamed := make(chan *apitest.Response, 1)
	go func() {
		renamed <- b.api.Do(http.MethodPut, profilePath(b.profile, ""), map[string]string{"name": "Renamed"})
	}()
	select {
	case resp := <-renamed:
		if resp.Status != http.StatusOK {
			t.Fatalf("rename: %d %s", resp.Status, resp.Body)
		}
	case <-time.After(10 * time.Second):
		release()
		t.Fatal("the rename waited for the users lock: its ownership was not remembered")
	}
	release()
	if resp := <-checked; resp.Status != http.StatusOK {
		t.Fatalf("the check in flight: %d %s", resp.Status, resp.Body)
	}

	// Renamed behind the cache's back (its announcement suppressed): a
	// remembered ownership still answers with the name it read.
	dbtest.Exec(t, f.conn, "ALTER TABLE profiles DISABLE TRIGGER profiles_announce_change")
	dbtest.Exec(t, f.conn, "UPDATE profiles SET name = 'Unannounced' WHERE id = $1", a.profile.ID)
	dbtest.Exec(t, f.conn, "ALTER TABLE profiles ENABLE TRIGGER profiles_announce_change")
	var got profile
	a.api.Do(http.MethodGet, profilePath(a.profile, ""), nil).JSON(t, &got)
	if got.Name != a.profile.Name {
		t.Fatalf("name %q: the check that overlapped another profile's eviction was not remembered", got.Name)
	}
}
