package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// An episode is rated at least as its series: these tests attack the
// catalog, the viewing writes and lists, and the recommendations of a kids
// profile with episodes whose own rating is below their series'.

// saveTitle creates (id uuid.Nil) or updates a title as admin a, expecting
// success, and returns the title as the answer shows it.
func saveTitle(t *testing.T, a *account, id uuid.UUID, body map[string]any) title {
	t.Helper()
	method, path, want := http.MethodPost, "/v1/admin/titles", http.StatusCreated
	if id != uuid.Nil {
		method, path, want = http.MethodPut, "/v1/admin/titles/"+id.String(), http.StatusOK
	}
	resp := a.api.Do(method, path, body)
	if resp.Status != want {
		t.Fatalf("%s %s = %d %s", method, path, resp.Status, resp.Body)
	}
	var out title
	resp.JSON(t, &out)
	return out
}

// newEpisode is the body that creates episode n of season 1 of series.
func newEpisode(series uuid.UUID, name string, n, minAge int) map[string]any {
	return map[string]any{"kind": "episode", "name": name, "release_year": 2024, "min_age": minAge,
		"runtime_seconds": 1800, "series_id": series, "season": 1, "episode": n}
}

// reach lists every read through which profile p of account a reaches
// series or any of its episodes ("detail Pilot", "history Pilot",
// "reason Because you watched ..."): the catalog's lists, search and
// details, the profile's viewing lists, and its recommendations, which
// must neither offer these titles nor name them as a reason.
func reach(t *testing.T, a *account, p profile, series title, episodes ...title) []string {
	t.Helper()
	name := map[uuid.UUID]string{series.ID: series.Name}
	for _, e := range episodes {
		name[e.ID] = e.Name
	}
	var out []string
	found := func(where string, ts ...title) {
		for _, ti := range ts {
			if n, ok := name[ti.ID]; ok {
				out = append(out, where+" "+n)
			}
		}
	}
	q := "profile_id=" + p.ID.String()
	for _, path := range []string{"/v1/catalog/titles?", "/v1/catalog/titles?kind=episode&", "/v1/catalog/titles?kind=series&",
		"/v1/catalog/search?q=" + url.QueryEscape(series.Name) + "&"} {
		found(strings.TrimPrefix(path, "/v1/catalog/"), walkList(t, a, path+q)...)
	}
	for id := range name {
		resp := a.api.Do(http.MethodGet, "/v1/catalog/titles/"+id.String()+"?"+q, nil)
		if resp.Status == http.StatusOK {
			out = append(out, "detail "+name[id])
		} else if resp.Status != http.StatusNotFound {
			t.Fatalf("detail of %s = %d %s", name[id], resp.Status, resp.Body)
		}
	}
	resp := a.api.Do(http.MethodGet, "/v1/catalog/titles/"+series.ID.String()+"/episodes?"+q, nil)
	if resp.Status == http.StatusOK {
		var l list[title]
		resp.JSON(t, &l)
		found("episodes", l.Items...)
	} else if resp.Status != http.StatusNotFound {
		t.Fatalf("episodes of %s = %d %s", series.Name, resp.Status, resp.Body)
	}
	for _, l := range []string{"bookmarks", "history", "watchlist", "ratings"} {
		for _, it := range walkPages[viewItem](t, a, profilePath(p, "/"+l)) {
			found(l, it.Title)
		}
	}
	for _, r := range recommend(t, a, p) {
		found("recommended", r.Title)
		for _, n := range name {
			if strings.Contains(r.Reason, n) {
				out = append(out, "reason "+r.Reason)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// writes lists the viewing writes about title id that profile p of account
// a is allowed (each 404 otherwise, and any other answer fails the test).
func writes(t *testing.T, a *account, p profile, id uuid.UUID) []string {
	t.Helper()
	var out []string
	for _, w := range []struct {
		name, method, path string
		body               any
	}{
		{"history", http.MethodPost, "/history", map[string]any{"title_id": id}},
		{"bookmark", http.MethodPut, "/bookmarks/" + id.String(), map[string]int{"position_seconds": 60}},
		{"watchlist", http.MethodPut, "/watchlist/" + id.String(), nil},
		{"rating", http.MethodPut, "/ratings/" + id.String(), map[string]int{"score": 5}},
	} {
		resp := a.api.Do(w.method, profilePath(p, w.path), w.body)
		switch resp.Status {
		case http.StatusNoContent, http.StatusCreated:
			out = append(out, w.name)
		case http.StatusNotFound:
		default:
			t.Fatalf("%s %s = %d %s", w.method, w.path, resp.Status, resp.Body)
		}
	}
	return out
}

// minAgeOf is title id's min_age as an adult's catalog shows it.
func minAgeOf(t *testing.T, a *account, id uuid.UUID) int16 {
	t.Helper()
	var ti title
	if resp := a.api.Do(http.MethodGet, "/v1/catalog/titles/"+id.String(), nil); resp.Status != http.StatusOK {
		t.Fatalf("detail = %d %s", resp.Status, resp.Body)
	} else {
		resp.JSON(t, &ti)
	}
	return ti.MinAge
}

// TestEpisodeRating_SeriesReratedUp_KidsProfileLosesItsEpisodes: a series
// a kids profile has been watching is re-rated 18. From then on the
// profile reaches neither the series nor its episodes (own rating 0) by any
// read or write, nor is told "Because you watched" it; a profile that has
// seen none of it is not recommended it. Re-rated down, all of it is back.
func TestEpisodeRating_SeriesReratedUp_KidsProfileLosesItsEpisodes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	root := f.admin(t)
	show := saveTitle(t, root, uuid.Nil, map[string]any{"kind": "series", "name": "Night Shift", "release_year": 2024, "min_age": 0})
	pilot := saveTitle(t, root, uuid.Nil, newEpisode(show.ID, "Night Shift: Pilot", 1, 0))
	second := saveTitle(t, root, uuid.Nil, newEpisode(show.ID, "Night Shift: Rounds", 2, 0))
	daylight := f.addTitle(t, titleSpec{name: "Daylight"})
	// Three households watched the pilot, then Daylight.
	for range 3 {
		v := f.register(t, "Viewer")
		watch(t, v, v.profile, pilot.ID, daylight)
	}
	parent := f.register(t, "Parent")
	var kid, other profile
	parent.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "Kid", "kids": true}).JSON(t, &kid)
	parent.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "Other kid", "kids": true}).JSON(t, &other)
	if got := writes(t, parent, kid, second.ID); len(got) != 4 {
		t.Fatalf("a kids profile writes %q about a 0 episode, want every write", got)
	}
	watch(t, parent, kid, pilot.ID)

	everything := []string{
		"bookmarks Night Shift: Rounds", "detail Night Shift", "detail Night Shift: Pilot", "detail Night Shift: Rounds",
		"episodes Night Shift: Pilot", "episodes Night Shift: Rounds", "history Night Shift: Pilot",
		"history Night Shift: Rounds", "ratings Night Shift: Rounds", "reason Because you watched Night Shift", "search?q=Night+Shift& Night Shift",
		"titles? Night Shift", "titles?kind=episode& Night Shift: Pilot", "titles?kind=episode& Night Shift: Rounds",
		"titles?kind=series& Night Shift", "watchlist Night Shift: Rounds",
	}
	if got := reach(t, parent, kid, show, pilot, second); !slices.Equal(got, everything) {
		t.Fatalf("before the series is re-rated, the kids profile reaches\n%q\nwant\n%q", got, everything)
	}
	if got := reach(t, parent, other, show); !slices.Contains(got, "recommended Night Shift") {
		t.Fatalf("before the series is re-rated, a kids profile that saw none of it reaches %q, want it recommended", got)
	}

	if got := saveTitle(t, root, show.ID, map[string]any{"min_age": 18}); got.MinAge != 18 {
		t.Fatalf("re-rated series shows min_age %d", got.MinAge)
	}
	for _, e := range []title{pilot, second} {
		if got := minAgeOf(t, root, e.ID); got != 18 {
			t.Errorf("%s shows min_age %d under a series rated 18, want 18", e.Name, got)
		}
		if got := writes(t, parent, kid, e.ID); len(got) != 0 {
			t.Errorf("the kids profile still writes %q about %s", got, e.Name)
		}
	}
	if got := reach(t, parent, kid, show, pilot, second); len(got) != 0 {
		t.Errorf("after the series is re-rated 18, the kids profile still reaches %q", got)
	}
	if got := reach(t, parent, other, show, pilot, second); len(got) != 0 {
		t.Errorf("after the series is re-rated 18, another kids profile reaches %q", got)
	}

	saveTitle(t, root, show.ID, map[string]any{"min_age": 0})
	if got := reach(t, parent, kid, show, pilot, second); !slices.Equal(got, everything) {
		t.Errorf("re-rated 0 again, the series reaches the kids profile as\n%q\nwant\n%q", got, everything)
	}
	if got := minAgeOf(t, root, pilot.ID); got != 0 {
		t.Errorf("the pilot shows min_age %d under a series re-rated 0, want its own 0", got)
	}
}

// TestEpisodeRating_EpisodeBelowItsSeries_HiddenAsTheSeries: an episode
// rated 0 created under a series rated 18, and one moved there from a
// series rated 0, show min_age 18 and reach a kids profile by no read or
// write. An admin's later edit of the episode keeps its own rating, which
// shows again once the series is re-rated 0.
func TestEpisodeRating_EpisodeBelowItsSeries_HiddenAsTheSeries(t *testing.T) {
	t.Parallel()
	f := setup(t)
	root := f.admin(t)
	dark := saveTitle(t, root, uuid.Nil, map[string]any{"kind": "series", "name": "Dark Harbour", "release_year": 2024, "min_age": 18})
	bright := saveTitle(t, root, uuid.Nil, map[string]any{"kind": "series", "name": "Bright Harbour", "release_year": 2024, "min_age": 0})
	inside := saveTitle(t, root, uuid.Nil, newEpisode(dark.ID, "Dark Harbour: Arrival", 1, 0))
	if inside.MinAge != 18 {
		t.Errorf("an episode rated 0 under a series rated 18 shows min_age %d, want 18", inside.MinAge)
	}
	moved := saveTitle(t, root, uuid.Nil, newEpisode(bright.ID, "Harbour Crossing", 1, 0))
	if moved.MinAge != 0 {
		t.Fatalf("an episode rated 0 under a series rated 0 shows min_age %d", moved.MinAge)
	}
	if moved = saveTitle(t, root, moved.ID, map[string]any{"series_id": dark.ID, "episode": 2}); moved.MinAge != 18 {
		t.Errorf("an episode moved under a series rated 18 shows min_age %d, want 18", moved.MinAge)
	}
	// Everyone else watches it: the series is popular.
	for range 3 {
		v := f.register(t, "Viewer")
		watch(t, v, v.profile, inside.ID, moved.ID)
	}
	parent := f.register(t, "Parent")
	var kid profile
	parent.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "Kid", "kids": true}).JSON(t, &kid)
	for _, e := range []title{inside, moved} {
		if got := writes(t, parent, kid, e.ID); len(got) != 0 {
			t.Errorf("the kids profile writes %q about %s", got, e.Name)
		}
	}
	if got := reach(t, parent, kid, dark, inside, moved); len(got) != 0 {
		t.Errorf("the kids profile reaches %q", got)
	}

	// An edit that leaves min_age out keeps the episode's own 0, not the 18 it shows.
	saveTitle(t, root, inside.ID, map[string]any{"name": "Dark Harbour: Landfall"})
	saveTitle(t, root, dark.ID, map[string]any{"min_age": 0})
	for _, e := range []title{inside, moved} {
		if got := minAgeOf(t, root, e.ID); got != 0 {
			t.Errorf("%s shows min_age %d once its series is re-rated 0, want its own 0", e.Name, got)
		}
	}
	if got := reach(t, parent, kid, dark); !slices.Contains(got, "detail Dark Harbour") {
		t.Errorf("re-rated 0, the series reaches the kids profile as %q", got)
	}
}
