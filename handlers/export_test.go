package handlers

import (
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"marquee/db/dbtest"
)

// exportDocument is GET /v1/me/export's answer, as a client reads it.
type exportDocument struct {
	Account  map[string]any `json:"account"`
	Profiles []struct {
		ID        uuid.UUID `json:"id"`
		Name      string    `json:"name"`
		Bookmarks []struct {
			TitleID         uuid.UUID `json:"title_id"`
			Title           string    `json:"title"`
			PositionSeconds int       `json:"position_seconds"`
		} `json:"bookmarks"`
		History []struct {
			Title string `json:"title"`
		} `json:"history"`
		Watchlist []struct {
			Title string `json:"title"`
		} `json:"watchlist"`
		Ratings []struct {
			Title string `json:"title"`
			Score int    `json:"score"`
		} `json:"ratings"`
		FavoriteChannels []struct {
			Name string `json:"name"`
		} `json:"favorite_channels"`
	} `json:"profiles"`
	Sessions []exportedSessionDoc `json:"sessions"`
}

// exportedSessionDoc is a session in the export.
type exportedSessionDoc struct {
	ID      uuid.UUID `json:"id"`
	Device  string    `json:"device"`
	Current bool      `json:"current"`
}

// TestExport_TheWholeAccountAndNothingElse: the export holds the account
// (no password hash), each of its profiles with bookmarks, history,
// watchlist, ratings and favourite channels, and its live sessions; nothing
// of another account's; as an attachment.
func TestExport_TheWholeAccountAndNothingElse(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Exporter")
	other := f.register(t, "Other")
	film := f.addTitle(t, titleSpec{name: "Exported Film"})
	watched := f.addTitle(t, titleSpec{name: "Watched Film"})
	secret := f.addTitle(t, titleSpec{name: "Other's Film"})
	channels := f.addGuide(t, []string{"c1"}, nil)
	var kid profile
	a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "Kid", "kids": true}).JSON(t, &kid)
	for _, req := range []struct {
		api  *account
		path string
		body any
	}{
		{a, profilePath(a.profile, "/bookmarks/"+film.String()), map[string]int{"position_seconds": 42}},
		{a, profilePath(a.profile, "/history"), map[string]any{"title_id": watched}},
		{a, profilePath(a.profile, "/watchlist/"+film.String()), nil},
		{a, profilePath(a.profile, "/ratings/"+film.String()), map[string]int{"score": 4}},
		{a, profilePath(a.profile, "/epg/favorites/"+channels["c1"].String()), nil},
		{other, profilePath(other.profile, "/bookmarks/"+secret.String()), map[string]int{"position_seconds": 7}},
	} {
		method := http.MethodPut
		if strings.HasSuffix(req.path, "/history") {
			method = http.MethodPost
		}
		if resp := req.api.api.Do(method, req.path, req.body); resp.Status >= 300 {
			t.Fatalf("%s %s = %d %s", method, req.path, resp.Status, resp.Body)
		}
	}
	f.login(t, a.user.Email, a.password) // a second device

	resp := a.api.Do(http.MethodGet, "/v1/me/export", nil)
	if resp.Status != http.StatusOK {
		t.Fatalf("export = %d %s", resp.Status, resp.Body)
	}
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="marquee-export.json"` {
		t.Fatalf("Content-Disposition %q", cd)
	}
	if strings.Contains(string(resp.Body), "argon2") || strings.Contains(string(resp.Body), "Other's Film") {
		t.Fatalf("the export holds a hash or another account's data: %s", resp.Body)
	}
	var doc exportDocument
	resp.JSON(t, &doc)
	if doc.Account["email"] != a.user.Email || len(doc.Profiles) != 2 || doc.Profiles[0].ID != a.profile.ID || doc.Profiles[1].ID != kid.ID {
		t.Fatalf("account and profiles: %+v", doc)
	}
	p := doc.Profiles[0]
	if len(p.Bookmarks) != 1 || p.Bookmarks[0].TitleID != film || p.Bookmarks[0].PositionSeconds != 42 ||
		len(p.History) != 1 || p.History[0].Title != "Watched Film" ||
		len(p.Watchlist) != 1 || p.Watchlist[0].Title != "Exported Film" ||
		len(p.Ratings) != 1 || p.Ratings[0].Score != 4 ||
		len(p.FavoriteChannels) != 1 {
		t.Fatalf("the first profile's viewing state: %+v", p)
	}
	if k := doc.Profiles[1]; k.Bookmarks == nil || len(k.Bookmarks)+len(k.History)+len(k.Watchlist)+len(k.Ratings)+len(k.FavoriteChannels) != 0 {
		t.Fatalf("the kid's empty lists: %+v", k)
	}
	own := sessionOf(t, a.tokens.AccessToken)
	currents := slices.DeleteFunc(slices.Clone(doc.Sessions), func(s exportedSessionDoc) bool { return !s.Current })
	if len(doc.Sessions) != 2 || len(currents) != 1 || currents[0].ID.String() != own {
		t.Fatalf("sessions %+v: want both devices, the caller's (%s) current", doc.Sessions, own)
	}
}

// TestExport_LargeHistoryStreamsInABoundedHeap: an account with 100,000
// history rows exports a document of 13 MB while the process's live heap
// grows by less than half of it (about 2.4 MB measured: pages of rows, the
// buffers of the connections): the rows are encoded as they are read, a
// page at a time, where reading them all first would hold the whole
// document's worth and more. Half leaves room for a loaded machine without
// letting that through. The live heap is sampled right after forced
// collections while the client reads; the test runs alone (not parallel),
// so that no other test's allocations are counted.
func TestExport_LargeHistoryStreamsInABoundedHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("exports 100,000 history rows")
	}
	f := setup(t)
	a := f.register(t, "Binge")
	dbtest.Exec(t, f.conn, `
		WITH t AS (
			INSERT INTO titles (kind, name, release_year, own_min_age, runtime_seconds)
			SELECT 'movie', 'Long history title number ' || n, 2000, 0, 3600 FROM generate_series(1, 100000) n
			RETURNING id)
		INSERT INTO history (profile_id, title_id, watched_at) SELECT $1, id, now() FROM t`, a.profile.ID)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
		}
	}()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/v1/me/export", nil)
	req.Header.Set("Authorization", "Bearer "+a.tokens.AccessToken)
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	// Read as a client would, token by token, counting the rows rather
	// than keeping them: the client's side holds nothing either.
	dec := json.NewDecoder(resp.Body)
	rows := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the export is not JSON: %v", err)
		}
		if tok == "watched_at" {
			rows++
		}
	}
	close(done)
	<-sampled
	resp.Body.Close()
	size := dec.InputOffset()
	if resp.StatusCode != http.StatusOK || rows != 100000 {
		t.Fatalf("export: %d, %d history rows, want 100,000", resp.StatusCode, rows)
	}
	growth := int64(peak.Load()) - int64(before.HeapAlloc)
	t.Logf("document %d bytes, live heap grew by at most %d bytes", size, growth)
	if growth > size/2 {
		t.Fatalf("the live heap grew by %d bytes for a %d-byte document: the export is held in memory", growth, size)
	}
}
