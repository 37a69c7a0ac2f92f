package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"marquee/db/dbtest"
)

func TestGuide_WindowEdges_EndAtFromAndStartAtToAreOut(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Viewer")
	f.addGuide(t, []string{"one", "two"}, []show{
		{channel: "one", title: "ends-at-from", start: "09:00", minutes: 60},
		{channel: "one", title: "spans-from", start: "09:30", minutes: 60},
		{channel: "one", title: "inside", start: "10:30", minutes: 30},
		{channel: "one", title: "spans-to", start: "11:00", minutes: 90},
		{channel: "one", title: "starts-at-to", start: "12:00", minutes: 30},
		{channel: "two", title: "covers-all", start: "08:00", minutes: 300},
		{channel: "two", title: "later", start: "13:00", minutes: 60},
	})
	got := getGuide(t, a, "10:00", "12:00", "")
	want := []string{"one: spans-from inside spans-to", "two: covers-all"}
	if !slices.Equal(got.titles(), want) {
		t.Fatalf("guide = %q, want %q", got.titles(), want)
	}
	p := got.Channels[0].Programmes[0]
	if p.Start != "2026-11-27T09:30:00Z" || p.End != "2026-11-27T10:30:00Z" || p.ChannelID != got.Channels[0].Channel.ID.String() ||
		!slices.Equal(p.Categories, []string{"Test"}) {
		t.Fatalf("programme %+v", p)
	}
	// A channel with nothing in the window is there, with no programmes.
	if got := getGuide(t, a, "14:00", "15:00", ""); !slices.Equal(got.titles(), []string{"one:", "two:"}) {
		t.Fatalf("empty window = %q", got.titles())
	}
}

func TestGuide_TimesWithOffsetsAreUTC(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Viewer")
	f.addGuide(t, []string{"one"}, []show{{channel: "one", title: "noon", start: "12:00", minutes: 60}})
	// 13:30+02:00 is 11:30Z; the + travels as %2B.
	resp := a.api.Do(http.MethodGet, "/v1/epg/guide?from=2026-11-27T13%3A30%3A00%2B02%3A00&to=2026-11-27T12%3A30%3A00Z", nil)
	var g guideAnswer
	resp.JSON(t, &g)
	if resp.Status != http.StatusOK || !slices.Equal(g.titles(), []string{"one: noon"}) {
		t.Fatalf("%d %s", resp.Status, resp.Body)
	}
	if !strings.Contains(string(resp.Body), `"start":"2026-11-27T12:00:00Z"`) {
		t.Fatalf("times are not UTC RFC 3339: %s", resp.Body)
	}
}

func TestGuide_Window48HoursAtMostAndOtherBadValues(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Viewer")
	from := "2026-11-27T00:00:00Z"
	for _, c := range []struct {
		query  string
		status int
		field  string
	}{
		{"from=" + from + "&to=2026-11-29T00:00:00Z", 200, ""},
		{"from=" + from + "&to=2026-11-29T00:00:01Z", 422, "to"},
		{"from=" + from + "&to=" + from, 422, "to"},
		{"from=" + from + "&to=2026-11-26T23:00:00Z", 422, "to"},
		{"to=" + from, 422, "from"},
		{"from=" + from, 422, "to"},
		{"from=" + from + "&from=" + from + "&to=2026-11-27T01:00:00Z", 422, "from"},
		{"from=yesterday&to=" + from, 400, ""},
		{"from=2026-11-27&to=" + from, 400, ""},
		// An unescaped + arrives as a space.
		{"from=2026-11-27T10:00:00+02:00&to=2026-11-27T12:00:00Z", 400, ""},
		{"from=" + from + "&to=2026-11-27T01:00:00Z&channel_id=not-a-uuid", 400, ""},
		{"from=" + from + "&to=2026-11-27T01:00:00Z" + strings.Repeat("&channel_id="+uuid.NewString(), 101), 422, "channel_id"},
	} {
		resp := a.api.Do(http.MethodGet, "/v1/epg/guide?"+c.query, nil)
		if resp.Status != c.status {
			t.Errorf("?%.120s = %d %s, want %d", c.query, resp.Status, resp.Body, c.status)
			continue
		}
		if c.status == 400 && !strings.Contains(resp.Problem(t).Detail, "must be") {
			t.Errorf("?%.120s: detail %q does not say what is wrong", c.query, resp.Problem(t).Detail)
		}
		if p := resp.Problem(t); c.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != c.field) {
			t.Errorf("?%.120s: errors %+v, want one on %s", c.query, p.Errors, c.field)
		}
	}
}

func TestGuide_ChannelFilter_OnlyThoseByNumberUnknownIgnored(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Viewer")
	ids := f.addGuide(t, []string{"one", "two", "three"}, []show{
		{channel: "one", title: "a", start: "10:00", minutes: 60},
		{channel: "two", title: "b", start: "10:00", minutes: 60},
		{channel: "three", title: "c", start: "10:00", minutes: 60},
	})
	q := "&channel_id=" + ids["three"].String() + "&channel_id=" + ids["one"].String() + "&channel_id=" + uuid.NewString() + "&channel_id=" + ids["one"].String()
	if got := getGuide(t, a, "10:00", "11:00", q); !slices.Equal(got.titles(), []string{"one: a", "three: c"}) {
		t.Fatalf("filtered guide = %q", got.titles())
	}
	if got := getGuide(t, a, "10:00", "11:00", "&channel_id="+uuid.NewString()); len(got.Channels) != 0 {
		t.Fatalf("unknown channel only = %q", got.titles())
	}
	if got := getGuide(t, a, "10:00", "11:00", ""); !slices.Equal(got.titles(), []string{"one: a", "two: b", "three: c"}) {
		t.Fatalf("whole guide = %q", got.titles())
	}
}

func TestGuide_ProfileMaxAgeHidesProgrammesAbove(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Parent")
	var kid, teen profile
	a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "Kid", "kids": true}).JSON(t, &kid)
	a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "Teen", "max_age": 13}).JSON(t, &teen)
	f.addGuide(t, []string{"one"}, []show{
		{channel: "one", title: "all", start: "10:00", minutes: 30, minAge: 0},
		{channel: "one", title: "seven", start: "10:30", minutes: 30, minAge: 7},
		{channel: "one", title: "thirteen", start: "11:00", minutes: 30, minAge: 13},
		{channel: "one", title: "sixteen", start: "11:30", minutes: 30, minAge: 16},
		{channel: "one", title: "adults", start: "12:00", minutes: 30, minAge: 18},
	})
	for who, want := range map[string]string{
		"":                                     "one: all seven thirteen sixteen adults",
		"&profile_id=" + a.profile.ID.String(): "one: all seven thirteen sixteen adults",
		"&profile_id=" + teen.ID.String():      "one: all seven thirteen",
		"&profile_id=" + kid.ID.String():       "one: all seven",
	} {
		if got := getGuide(t, a, "09:00", "13:00", who); !slices.Equal(got.titles(), []string{want}) {
			t.Errorf("%s: %q, want %q", who, got.titles(), want)
		}
	}
}

func TestGuideChannels_ByNumberPagedWithFavoriteOfTheProfile(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Viewer")
	names := []string{"c1", "c2", "c3", "c4", "c5"}
	ids := f.addGuide(t, names, nil)
	if resp := a.api.Do(http.MethodPut, "/v1/profiles/"+a.profile.ID.String()+"/epg/favorites/"+ids["c4"].String(), nil); resp.Status != http.StatusNoContent {
		t.Fatalf("favorite = %d", resp.Status)
	}
	list := func(query string) ([]string, []string) {
		var got, favorites []string
		next := "/v1/epg/channels?limit=2" + query
		for range 10 {
			var page list[channel]
			resp := a.api.Do(http.MethodGet, next, nil)
			resp.JSON(t, &page)
			if resp.Status != http.StatusOK {
				t.Fatalf("GET %s = %d", next, resp.Status)
			}
			for _, c := range page.Items {
				got = append(got, c.XMLTVID)
				if c.Favorite {
					favorites = append(favorites, c.XMLTVID)
				}
			}
			if page.NextCursor == nil {
				return got, favorites
			}
			next = "/v1/epg/channels?limit=2" + query + "&cursor=" + url.QueryEscape(*page.NextCursor)
		}
		t.Fatal("too many pages")
		return nil, nil
	}
	got, favorites := list("")
	if !slices.Equal(got, names) || len(favorites) != 0 {
		t.Fatalf("without a profile: %q, favorites %q", got, favorites)
	}
	got, favorites = list("&profile_id=" + a.profile.ID.String())
	if !slices.Equal(got, names) || !slices.Equal(favorites, []string{"c4"}) {
		t.Fatalf("with the profile: %q, favorites %q", got, favorites)
	}
	if resp := a.api.Do(http.MethodGet, "/v1/epg/channels?cursor=forged", nil); resp.Status != http.StatusBadRequest {
		t.Fatalf("forged cursor = %d", resp.Status)
	}
}

// The guide reads; nothing it answers changes the database.
func TestGuide_ReadsChangeNothing(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Viewer")
	f.addGuide(t, []string{"one"}, []show{{channel: "one", title: "a", start: "10:00", minutes: 60}})
	before := dbtest.Snapshot(t, f.conn)
	getGuide(t, a, "00:00", "23:00", "&profile_id="+a.profile.ID.String())
	a.api.Do(http.MethodGet, "/v1/epg/channels?profile_id="+a.profile.ID.String(), nil)
	if dbtest.Snapshot(t, f.conn) != before {
		t.Fatal("reading the guide changed the database")
	}
}
