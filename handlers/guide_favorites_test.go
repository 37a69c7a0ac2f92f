package handlers

import (
	"net/http"
	"slices"
	"testing"

	"github.com/google/uuid"

	"marquee/db/dbtest"
)

// favoriteIDs lists a profile's favourites' XMLTV ids, checking that each
// says favorite.
func favoriteIDs(t *testing.T, a *account, p profile) []string {
	t.Helper()
	var page list[channel]
	resp := a.api.Do(http.MethodGet, profilePath(p, "/epg/favorites?limit=100"), nil)
	resp.JSON(t, &page)
	if resp.Status != http.StatusOK {
		t.Fatalf("favorites = %d %s", resp.Status, resp.Body)
	}
	out := []string{}
	for _, c := range page.Items {
		if !c.Favorite {
			t.Fatalf("%s is listed as a favourite with favorite false", c.XMLTVID)
		}
		out = append(out, c.XMLTVID)
	}
	return out
}

func TestFavorites_AddListRemove_IdempotentByNumber(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Viewer")
	ids := f.addGuide(t, []string{"c1", "c2", "c3"}, nil)
	put := func(c string) {
		t.Helper()
		if resp := a.api.Do(http.MethodPut, profilePath(a.profile, "/epg/favorites/"+ids[c].String()), nil); resp.Status != http.StatusNoContent {
			t.Fatalf("PUT %s = %d %s", c, resp.Status, resp.Body)
		}
	}
	put("c3")
	put("c1")
	if got := favoriteIDs(t, a, a.profile); !slices.Equal(got, []string{"c1", "c3"}) {
		t.Fatalf("favorites = %q", got)
	}
	before := dbtest.Snapshot(t, f.conn)
	put("c3")
	if dbtest.Snapshot(t, f.conn) != before {
		t.Fatal("adding a favourite again changed the database")
	}
	for range 2 {
		if resp := a.api.Do(http.MethodDelete, profilePath(a.profile, "/epg/favorites/"+ids["c3"].String()), nil); resp.Status != http.StatusNoContent {
			t.Fatalf("DELETE = %d", resp.Status)
		}
	}
	if got := favoriteIDs(t, a, a.profile); !slices.Equal(got, []string{"c1"}) {
		t.Fatalf("after removal: %q", got)
	}
}

func TestFavorites_UnknownChannel_404AndNothingStored(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Viewer")
	f.addGuide(t, []string{"c1"}, nil)
	before := dbtest.Snapshot(t, f.conn)
	for _, id := range []string{uuid.NewString(), "not-a-uuid"} {
		resp := a.api.Do(http.MethodPut, profilePath(a.profile, "/epg/favorites/"+id), nil)
		if resp.Status != http.StatusNotFound || resp.Problem(t).Detail != "channel not found" {
			t.Errorf("PUT %s = %d %s", id, resp.Status, resp.Body)
		}
	}
	if resp := a.api.Do(http.MethodDelete, profilePath(a.profile, "/epg/favorites/"+uuid.NewString()), nil); resp.Status != http.StatusNoContent {
		t.Errorf("DELETE of an unknown channel = %d, want 204", resp.Status)
	}
	if resp := a.api.Do(http.MethodDelete, profilePath(a.profile, "/epg/favorites/not-a-uuid"), nil); resp.Status != http.StatusNotFound {
		t.Errorf("DELETE of a malformed id = %d, want 404", resp.Status)
	}
	if dbtest.Snapshot(t, f.conn) != before {
		t.Fatal("refused favourites changed the database")
	}
}

func TestFavorites_TwoProfilesOfOneAccountAreIsolated(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Family")
	var second profile
	a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "Second"}).JSON(t, &second)
	ids := f.addGuide(t, []string{"c1", "c2"}, nil)
	a.api.Do(http.MethodPut, profilePath(a.profile, "/epg/favorites/"+ids["c1"].String()), nil)
	a.api.Do(http.MethodPut, profilePath(second, "/epg/favorites/"+ids["c2"].String()), nil)
	if got := favoriteIDs(t, a, a.profile); !slices.Equal(got, []string{"c1"}) {
		t.Fatalf("first profile: %q", got)
	}
	if got := favoriteIDs(t, a, second); !slices.Equal(got, []string{"c2"}) {
		t.Fatalf("second profile: %q", got)
	}
	// Removing from one leaves the other's alone.
	a.api.Do(http.MethodDelete, profilePath(second, "/epg/favorites/"+ids["c1"].String()), nil)
	if got := favoriteIDs(t, a, a.profile); !slices.Equal(got, []string{"c1"}) {
		t.Fatalf("first profile after the second removed c1: %q", got)
	}
	// The guide's favorite flag follows the profile named.
	for p, want := range map[uuid.UUID]string{a.profile.ID: "c1", second.ID: "c2"} {
		var page list[channel]
		a.api.Do(http.MethodGet, "/v1/epg/channels?profile_id="+p.String(), nil).JSON(t, &page)
		var favorites []string
		for _, c := range page.Items {
			if c.Favorite {
				favorites = append(favorites, c.XMLTVID)
			}
		}
		if !slices.Equal(favorites, []string{want}) {
			t.Errorf("profile %s: favorites %q, want %s", p, favorites, want)
		}
	}
}

func TestFavorites_GoWithTheirChannel(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Viewer")
	root := f.admin(t)
	ids := f.addGuide(t, []string{"c1", "c2"}, nil)
	a.api.Do(http.MethodPut, profilePath(a.profile, "/epg/favorites/"+ids["c1"].String()), nil)
	a.api.Do(http.MethodPut, profilePath(a.profile, "/epg/favorites/"+ids["c2"].String()), nil)
	if resp := root.api.Do(http.MethodDelete, "/v1/admin/channels/"+ids["c1"].String(), nil); resp.Status != http.StatusNoContent {
		t.Fatalf("delete channel = %d", resp.Status)
	}
	if got := favoriteIDs(t, a, a.profile); !slices.Equal(got, []string{"c2"}) {
		t.Fatalf("favorites = %q", got)
	}
}
