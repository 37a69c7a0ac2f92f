package handlers

import (
	"cmp"
	"context"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"marquee/db"
	"marquee/guide"
	"marquee/guide/xmltv"
	"marquee/handlers/apitest"
)

// The fixtures that tests of several areas share: accounts, titles, a
// guide, walking a list, the audit log. A helper only one file uses stays
// in that file.

// account is a registered, signed-in user.
type account struct {
	user     user
	password string
	tokens   tokenPair
	api      *apitest.Client // sends the access token
	profile  profile         // the first profile, made at registration
}

// register signs up a new user with a unique email and logs them in.
func (f *fixture) register(t testing.TB, name string) *account {
	t.Helper()
	a := &account{password: "correct horse battery staple"}
	email := strings.ToLower(name) + "-" + uuid.NewString()[:8] + "@example.com"
	resp := f.api.Do(http.MethodPost, "/v1/auth/register", map[string]string{"email": email, "password": a.password, "display_name": name})
	if resp.Status != http.StatusCreated {
		t.Fatalf("register %s: %d %s", email, resp.Status, resp.Body)
	}
	resp.JSON(t, &a.user)
	a.tokens = f.login(t, email, a.password)
	a.api = f.api.As(a.tokens.AccessToken)
	var profiles list[profile]
	a.api.Do(http.MethodGet, "/v1/profiles", nil).JSON(t, &profiles)
	if len(profiles.Items) != 1 {
		t.Fatalf("a new account has %d profiles, want 1", len(profiles.Items))
	}
	a.profile = profiles.Items[0]
	return a
}

func (f *fixture) login(t testing.TB, email, password string) tokenPair {
	t.Helper()
	resp := f.api.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": email, "password": password})
	if resp.Status != http.StatusOK {
		t.Fatalf("login %s: %d %s", email, resp.Status, resp.Body)
	}
	var p tokenPair
	resp.JSON(t, &p)
	return p
}

// admin registers a user and makes it an admin directly in the database,
// unaudited, so that a test's audit log holds only the writes it makes.
func (f *fixture) admin(t testing.TB) *account {
	t.Helper()
	a := f.register(t, "Admin")
	if _, err := f.pool.UserSetAdmin(context.Background(), db.UserSetAdminParams{ID: a.user.ID, IsAdmin: true}); err != nil {
		t.Fatal(err)
	}
	return a
}

// profilePath is the path of profile p's own routes, followed by rest.
func profilePath(p profile, rest string) string { return "/v1/profiles/" + p.ID.String() + rest }

// titleSpec is a title to put in a test catalog.
type titleSpec struct {
	kind    string
	name    string
	minAge  int16
	genres  []string
	series  *uuid.UUID
	season  int16
	episode int16
}

// addTitle stores a title directly, as an admin would through the API.
func (f *fixture) addTitle(t *testing.T, s titleSpec) uuid.UUID {
	t.Helper()
	p := db.TitleCreateParams{Kind: cmp.Or(s.kind, "movie"), Name: s.name, ReleaseYear: 2020, MinAge: s.minAge}
	if p.Kind != "series" {
		runtime := int32(5400)
		p.RuntimeSeconds = &runtime
	}
	if p.Kind == "episode" {
		p.SeriesID, p.Season, p.Episode = s.series, &s.season, &s.episode
	}
	var id uuid.UUID
	err := f.pool.InTx(context.Background(), func(q *db.Queries) error {
		var err error
		if id, err = q.TitleCreate(context.Background(), p); err != nil {
			return err
		}
		return q.TitleGenresAdd(context.Background(), db.TitleGenresAddParams{TitleID: id, Genres: s.genres})
	})
	if err != nil {
		t.Fatalf("add title %q: %v", s.name, err)
	}
	return id
}

// show is a programme to put in a test guide: title on channel (an XMLTV
// id), from start ("15:04" on 2026-11-27, UTC) for minutes.
type show struct {
	channel, title, start string
	minutes, minAge       int
}

var guideDay = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func at(t testing.TB, hhmm string) time.Time {
	t.Helper()
	d, err := time.Parse("15:04", hhmm)
	if err != nil {
		t.Fatal(err)
	}
	return guideDay.Add(time.Duration(d.Hour())*time.Hour + time.Duration(d.Minute())*time.Minute)
}

// addGuide stores channels (XMLTV ids, numbered 1, 2, ... in order) and
// shows through the import, and returns the channels' ids by XMLTV id.
func (f *fixture) addGuide(t testing.TB, channels []string, shows []show) map[string]uuid.UUID {
	t.Helper()
	src := func(onChannel func(xmltv.Channel) error, onProgramme func(xmltv.Programme) error) (int, error) {
		for i, c := range channels {
			if err := onChannel(xmltv.Channel{ID: c, Name: strings.ToUpper(c), Number: i + 1}); err != nil {
				return 0, err
			}
		}
		for _, s := range shows {
			start := at(t, s.start)
			p := xmltv.Programme{ChannelID: s.channel, Title: s.title, Start: start, Stop: start.Add(time.Duration(s.minutes) * time.Minute),
				MinAge: s.minAge, Categories: []string{"Test"}}
			if err := onProgramme(p); err != nil {
				return 0, err
			}
		}
		return 0, nil
	}
	if _, err := guide.Import(context.Background(), f.pool, src, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := f.pool.ChannelGuide(context.Background(), db.ChannelGuideParams{Every: true})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]uuid.UUID{}
	for _, r := range rows {
		ids[r.Channel.XmltvID] = r.Channel.ID
	}
	return ids
}

type guideAnswer struct {
	Channels []guideRow `json:"channels"`
}

// getGuide asks for the guide of [from, to) ("15:04" on the test day) with
// extra query parameters, expecting 200.
func getGuide(t *testing.T, a *account, from, to, extra string) guideAnswer {
	t.Helper()
	path := "/v1/epg/guide?from=" + at(t, from).Format(time.RFC3339) + "&to=" + at(t, to).Format(time.RFC3339) + extra
	resp := a.api.Do(http.MethodGet, path, nil)
	if resp.Status != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, resp.Status, resp.Body)
	}
	var g guideAnswer
	resp.JSON(t, &g)
	return g
}

// titles lists the guide as "channel: title title ...", channel by channel.
func (g guideAnswer) titles() []string {
	var out []string
	for _, row := range g.Channels {
		line := row.Channel.XMLTVID + ":"
		for _, p := range row.Programmes {
			line += " " + p.Title
		}
		out = append(out, line)
	}
	return out
}

// walkPages follows a list's cursors from path to its last page.
func walkPages[T any](t *testing.T, a *account, path string) []T {
	t.Helper()
	var all []T
	next := path
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("too many pages")
		}
		resp := a.api.Do(http.MethodGet, next, nil)
		if resp.Status != http.StatusOK {
			t.Fatalf("GET %s = %d %s", next, resp.Status, resp.Body)
		}
		var page list[T]
		resp.JSON(t, &page)
		all = append(all, page.Items...)
		if page.NextCursor == nil {
			return all
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		next = path + sep + "cursor=" + url.QueryEscape(*page.NextCursor)
	}
}

// walkList is walkPages of a list of titles.
func walkList(t *testing.T, a *account, path string) []title {
	t.Helper()
	return walkPages[title](t, a, path)
}

// viewItem is the part of every viewing list entry that tests compare.
type viewItem struct {
	Title title `json:"title"`
}

// auditLog is the first page of the audit log, newest first, as admin a
// reads it.
func auditLog(t *testing.T, a *account) []auditEntry {
	t.Helper()
	resp := a.api.Do(http.MethodGet, "/v1/admin/audit", nil)
	if resp.Status != http.StatusOK {
		t.Fatalf("GET /v1/admin/audit = %d %s", resp.Status, resp.Body)
	}
	var log list[auditEntry]
	resp.JSON(t, &log)
	return log.Items
}

// auditActions is the audit log as "action target" lines, newest first,
// each checked to have been written by actor.
func auditActions(t *testing.T, a, actor *account) []string {
	t.Helper()
	var out []string
	for _, e := range auditLog(t, a) {
		if e.ActorID == nil || *e.ActorID != actor.user.ID {
			t.Errorf("%s %s by %v, want %s", e.Action, e.Target, e.ActorID, actor.user.ID)
		}
		out = append(out, e.Action+" "+e.Target)
	}
	return out
}

// withField is body with key set to value, or left out when value is nil:
// a valid request body made invalid one field at a time.
func withField(body map[string]any, key string, value any) map[string]any {
	out := maps.Clone(body)
	if value == nil {
		delete(out, key)
	} else {
		out[key] = value
	}
	return out
}
