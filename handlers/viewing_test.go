package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"marquee/db"
	"marquee/db/dbtest"
)

func TestHeartbeat_PositionsCompletionAndRefusals(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Player")
	movie := f.addTitle(t, titleSpec{name: "Long Film"}) // runtime 5400
	show := f.addTitle(t, titleSpec{kind: "series", name: "Show"})
	episode := f.addTitle(t, titleSpec{kind: "episode", name: "Ep", series: &show, season: 1, episode: 1})
	adult := f.addTitle(t, titleSpec{name: "Adult Film", minAge: 18})
	var teen profile
	a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "Teen", "max_age": 13}).JSON(t, &teen)

	put := func(p profile, title uuid.UUID, body any) int {
		return a.api.Do(http.MethodPut, profilePath(p, "/bookmarks/"+title.String()), body).Status
	}
	for _, c := range []struct {
		name   string
		p      profile
		title  uuid.UUID
		body   any
		status int
	}{
		{"start", a.profile, movie, map[string]int{"position_seconds": 0}, 204},
		{"middle", a.profile, movie, map[string]int{"position_seconds": 1000}, 204},
		{"past the runtime", a.profile, movie, map[string]int{"position_seconds": 5401}, 422},
		{"negative", a.profile, movie, map[string]int{"position_seconds": -1}, 422},
		{"missing", a.profile, movie, map[string]int{}, 422},
		{"as text", a.profile, movie, `{"position_seconds":"10"}`, 400},
		{"unknown title", a.profile, uuid.New(), map[string]int{"position_seconds": 1}, 404},
		{"malformed title", a.profile, uuid.Nil, map[string]int{"position_seconds": 1}, 404},
		{"a series", a.profile, show, map[string]int{"position_seconds": 1}, 404},
		{"above max_age", teen, adult, map[string]int{"position_seconds": 1}, 404},
		{"episode", a.profile, episode, map[string]int{"position_seconds": 60}, 204},
	} {
		if got := put(c.p, c.title, c.body); got != c.status {
			t.Errorf("%s: %d, want %d", c.name, got, c.status)
		}
	}
	var cw list[bookmark]
	a.api.Do(http.MethodGet, profilePath(a.profile, "/bookmarks"), nil).JSON(t, &cw)
	if len(cw.Items) != 2 || cw.Items[0].Title.ID != episode || cw.Items[1].Title.ID != movie || cw.Items[1].PositionSeconds != 1000 {
		t.Fatalf("continue watching = %+v", cw.Items)
	}

	// 90% of 5400 is 4860: the title is watched.
	if got := put(a.profile, movie, map[string]int{"position_seconds": 4859}); got != 204 {
		t.Fatal(got)
	}
	a.api.Do(http.MethodGet, profilePath(a.profile, "/bookmarks"), nil).JSON(t, &cw)
	if len(cw.Items) != 2 {
		t.Fatalf("at 4859 s the movie left continue watching: %+v", cw.Items)
	}
	if got := put(a.profile, movie, map[string]int{"position_seconds": 4860}); got != 204 {
		t.Fatal(got)
	}
	a.api.Do(http.MethodGet, profilePath(a.profile, "/bookmarks"), nil).JSON(t, &cw)
	var hist list[watched]
	a.api.Do(http.MethodGet, profilePath(a.profile, "/history"), nil).JSON(t, &hist)
	if len(cw.Items) != 1 || cw.Items[0].Title.ID != episode || len(hist.Items) != 1 || hist.Items[0].Title.ID != movie {
		t.Fatalf("after 90%%: continue watching %+v, history %+v", cw.Items, hist.Items)
	}
	// Watching it again from the start brings it back to continue watching;
	// the history keeps it.
	put(a.profile, movie, map[string]int{"position_seconds": 30})
	a.api.Do(http.MethodGet, profilePath(a.profile, "/bookmarks"), nil).JSON(t, &cw)
	if len(cw.Items) != 2 || cw.Items[0].Title.ID != movie {
		t.Fatalf("rewatch: %+v", cw.Items)
	}
	if resp := a.api.Do(http.MethodDelete, profilePath(a.profile, "/bookmarks/"+movie.String()), nil); resp.Status != 204 {
		t.Fatal(resp.Status)
	}
	a.api.Do(http.MethodGet, profilePath(a.profile, "/bookmarks"), nil).JSON(t, &cw)
	if len(cw.Items) != 1 {
		t.Fatalf("after delete: %+v", cw.Items)
	}
}

func TestViewingLists_NewestFirstPagedAndFilteredByMaxAge(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Lister")
	var titles []uuid.UUID
	for i := range 5 {
		titles = append(titles, f.addTitle(t, titleSpec{name: fmt.Sprintf("Film %d", i), minAge: []int16{0, 7, 13, 16, 18}[i]}))
	}
	for _, id := range titles {
		a.api.Do(http.MethodPut, profilePath(a.profile, "/bookmarks/"+id.String()), map[string]int{"position_seconds": 10})
		a.api.Do(http.MethodPost, profilePath(a.profile, "/history"), map[string]any{"title_id": id})
		a.api.Do(http.MethodPut, profilePath(a.profile, "/watchlist/"+id.String()), nil)
		a.api.Do(http.MethodPut, profilePath(a.profile, "/ratings/"+id.String()), map[string]int{"score": 4})
	}
	newestFirst := slices.Clone(titles)
	slices.Reverse(newestFirst)
	ids := func(path string) []uuid.UUID {
		var out []uuid.UUID
		for _, it := range walkPages[viewItem](t, a, path) {
			out = append(out, it.Title.ID)
		}
		return out
	}
	for _, path := range []string{"/history?limit=2", "/watchlist?limit=2", "/ratings?limit=3"} {
		if got := ids(profilePath(a.profile, path)); !slices.Equal(got, newestFirst) {
			t.Errorf("%s = %v, want newest first %v", path, got, newestFirst)
		}
	}
	// Marking watched took each title out of continue watching.
	if got := ids(profilePath(a.profile, "/bookmarks")); len(got) != 0 {
		t.Errorf("continue watching after marking all watched: %v", got)
	}
	// Lowering the profile's max_age hides what is above it, everywhere.
	a.api.Do(http.MethodPut, profilePath(a.profile, ""), map[string]any{"max_age": 7})
	for _, path := range []string{"/history", "/watchlist", "/ratings"} {
		if got := ids(profilePath(a.profile, path)); !slices.Equal(got, []uuid.UUID{titles[1], titles[0]}) {
			t.Errorf("%s at max_age 7 = %v", path, got)
		}
	}
	if resp := a.api.Do(http.MethodGet, profilePath(a.profile, "/history?cursor=forged"), nil); resp.Status != 400 {
		t.Errorf("forged cursor: %d", resp.Status)
	}
	if resp := a.api.Do(http.MethodDelete, profilePath(a.profile, "/history"), nil); resp.Status != 204 {
		t.Fatal(resp.Status)
	}
	a.api.Do(http.MethodPut, profilePath(a.profile, ""), map[string]any{"max_age": 18})
	if got := ids(profilePath(a.profile, "/history")); len(got) != 0 {
		t.Errorf("history after clear: %v", got)
	}
}

func TestWatchlistAndRatings_IdempotentAndBounded(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Critic")
	film := f.addTitle(t, titleSpec{name: "Film"})
	path := profilePath(a.profile, "/watchlist/"+film.String())
	a.api.Do(http.MethodPut, path, nil)
	var first list[listed]
	a.api.Do(http.MethodGet, profilePath(a.profile, "/watchlist"), nil).JSON(t, &first)
	time.Sleep(10 * time.Millisecond)
	if resp := a.api.Do(http.MethodPut, path, nil); resp.Status != 204 {
		t.Fatal(resp.Status)
	}
	var again list[listed]
	a.api.Do(http.MethodGet, profilePath(a.profile, "/watchlist"), nil).JSON(t, &again)
	if len(again.Items) != 1 || !again.Items[0].AddedAt.Equal(first.Items[0].AddedAt) {
		t.Fatalf("adding twice: %+v then %+v", first.Items, again.Items)
	}
	for range 2 {
		if resp := a.api.Do(http.MethodDelete, path, nil); resp.Status != 204 {
			t.Fatal(resp.Status)
		}
	}
	if resp := a.api.Do(http.MethodPut, profilePath(a.profile, "/watchlist/"+uuid.NewString()), nil); resp.Status != 404 {
		t.Fatalf("unknown title: %d", resp.Status)
	}

	rate := profilePath(a.profile, "/ratings/"+film.String())
	for _, c := range []struct{ score, want int }{{0, 422}, {6, 422}, {-3, 422}, {1, 204}, {5, 204}} {
		if resp := a.api.Do(http.MethodPut, rate, map[string]int{"score": c.score}); resp.Status != c.want {
			t.Errorf("score %d: %d, want %d", c.score, resp.Status, c.want)
		}
	}
	var ratings list[rating]
	a.api.Do(http.MethodGet, profilePath(a.profile, "/ratings"), nil).JSON(t, &ratings)
	if len(ratings.Items) != 1 || ratings.Items[0].Score != 5 {
		t.Fatalf("ratings = %+v", ratings.Items)
	}
	a.api.Do(http.MethodDelete, rate, nil)
	a.api.Do(http.MethodGet, profilePath(a.profile, "/ratings"), nil).JSON(t, &ratings)
	if len(ratings.Items) != 0 {
		t.Fatalf("after delete: %+v", ratings.Items)
	}
}

func TestViewing_ProfilesOfOneAccountAreIsolated(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Family")
	var other profile
	a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "Other"}).JSON(t, &other)
	film := f.addTitle(t, titleSpec{name: "Film"})
	a.api.Do(http.MethodPut, profilePath(a.profile, "/bookmarks/"+film.String()), map[string]int{"position_seconds": 5})
	a.api.Do(http.MethodPost, profilePath(a.profile, "/history"), map[string]any{"title_id": film})
	a.api.Do(http.MethodPut, profilePath(a.profile, "/watchlist/"+film.String()), nil)
	a.api.Do(http.MethodPut, profilePath(a.profile, "/ratings/"+film.String()), map[string]int{"score": 2})
	for _, path := range []string{"/bookmarks", "/history", "/watchlist", "/ratings"} {
		if got := walkPages[viewItem](t, a, profilePath(other, path)); len(got) != 0 {
			t.Errorf("the other profile's %s shows %d items", path, len(got))
		}
		if got := walkPages[viewItem](t, a, profilePath(a.profile, path)); path != "/bookmarks" && len(got) != 1 {
			t.Errorf("the profile's own %s shows %d items", path, len(got))
		}
	}
}

func TestViewing_DeletingAProfileOrATitleTakesItsViewingState(t *testing.T) {
	t.Parallel()
	f := setup(t)
	root := f.admin(t)
	a := f.register(t, "Leaver")
	var spare profile
	a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "Spare"}).JSON(t, &spare)
	film, other := f.addTitle(t, titleSpec{name: "Film"}), f.addTitle(t, titleSpec{name: "Other"})
	for _, p := range []profile{a.profile, spare} {
		for _, id := range []uuid.UUID{film, other} {
			a.api.Do(http.MethodPut, profilePath(p, "/bookmarks/"+id.String()), map[string]int{"position_seconds": 5})
			a.api.Do(http.MethodPost, profilePath(p, "/history"), map[string]any{"title_id": id})
			a.api.Do(http.MethodPut, profilePath(p, "/watchlist/"+id.String()), nil)
			a.api.Do(http.MethodPut, profilePath(p, "/ratings/"+id.String()), map[string]int{"score": 3})
		}
	}
	rows := func(profileID uuid.UUID) int {
		return dbtest.Count(t, f.conn, `SELECT (SELECT count(*) FROM bookmarks WHERE profile_id = $1) + (SELECT count(*) FROM history WHERE profile_id = $1)
			+ (SELECT count(*) FROM watchlist WHERE profile_id = $1) + (SELECT count(*) FROM ratings WHERE profile_id = $1)`, profileID)
	}
	if n := rows(spare.ID); n != 6 { // history took both out of the bookmarks
		t.Fatalf("spare profile has %d rows before", n)
	}
	a.api.Do(http.MethodDelete, profilePath(spare, ""), nil)
	if n := rows(spare.ID); n != 0 {
		t.Fatalf("a deleted profile left %d viewing rows", n)
	}
	root.api.Do(http.MethodDelete, "/v1/admin/titles/"+film.String(), nil)
	if n := dbtest.Count(t, f.conn, `SELECT (SELECT count(*) FROM history WHERE title_id = $1) + (SELECT count(*) FROM watchlist WHERE title_id = $1)
		+ (SELECT count(*) FROM ratings WHERE title_id = $1)`, film); n != 0 {
		t.Fatalf("a deleted title left %d viewing rows", n)
	}
	if n := rows(a.profile.ID); n != 3 {
		t.Fatalf("the other title's rows: %d, want 3", n)
	}
}

func TestHeartbeat_FiftyAtOnceForOneProfileAndTitle_OneConsistentRow(t *testing.T) {
	if testing.Short() {
		t.Skip("fifty concurrent heartbeats")
	}
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Spammer")
	film := f.addTitle(t, titleSpec{name: "Film"})
	var wg sync.WaitGroup
	statuses := make(chan int, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- a.api.Do(http.MethodPut, profilePath(a.profile, "/bookmarks/"+film.String()), map[string]int{"position_seconds": 100 + i}).Status
		}()
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != 204 {
			t.Fatalf("a concurrent heartbeat got %d", s)
		}
	}
	if n := dbtest.Count(t, f.conn, "SELECT count(*) FROM bookmarks WHERE profile_id = $1", a.profile.ID); n != 1 {
		t.Fatalf("%d bookmark rows, want 1", n)
	}
	pos := dbtest.Count(t, f.conn, "SELECT position_seconds FROM bookmarks WHERE profile_id = $1", a.profile.ID)
	if pos < 100 || pos > 149 {
		t.Fatalf("position %d is none of those sent", pos)
	}
}

func TestHeartbeat_FiftyProfilesAtOnceWithTheDefaultPool(t *testing.T) {
	if testing.Short() {
		t.Skip("fifty concurrent heartbeats")
	}
	t.Parallel()
	f := setup(t, func(o *options) {
		o.pool = db.PoolConfig{Size: 20, Overflow: 10, Recycle: 30 * time.Minute, Timeout: 5 * time.Second, PrePing: time.Second}
	})
	film := f.addTitle(t, titleSpec{name: "Film"})
	type viewer struct {
		a *account
		p profile
	}
	var viewers []viewer
	for range 10 {
		a := f.register(t, "Household")
		viewers = append(viewers, viewer{a, a.profile})
		for range 4 {
			var p profile
			a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "P"}).JSON(t, &p)
			viewers = append(viewers, viewer{a, p})
		}
	}
	var wg sync.WaitGroup
	statuses := make(chan int, len(viewers))
	for _, v := range viewers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- v.a.api.Do(http.MethodPut, profilePath(v.p, "/bookmarks/"+film.String()), map[string]int{"position_seconds": 42}).Status
		}()
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != 204 {
			t.Fatalf("a heartbeat got %d", s)
		}
	}
	if n := dbtest.Count(t, f.conn, "SELECT count(*) FROM bookmarks WHERE title_id = $1 AND position_seconds = 42", film); n != 50 {
		t.Fatalf("%d bookmarks, want 50", n)
	}
}
