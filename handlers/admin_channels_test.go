package handlers

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"marquee/db/dbtest"
)

func TestAdminChannels_CreateUpdateDeleteAudited(t *testing.T) {
	t.Parallel()
	f := setup(t)
	root := f.admin(t)

	resp := root.api.Do(http.MethodPost, "/v1/admin/channels", map[string]any{
		"number": 101, "name": "  Marquee One ", "logo_url": "https://cdn.example.com/one.png", "xmltv_id": "one.example.com",
	})
	var one channel
	resp.JSON(t, &one)
	if resp.Status != http.StatusCreated || one.Number != 101 || one.Name != "Marquee One" || *one.LogoURL != "https://cdn.example.com/one.png" ||
		one.XMLTVID != "one.example.com" || one.Favorite {
		t.Fatalf("create = %d %+v", resp.Status, one)
	}

	// A partial update keeps what it leaves out; a null logo removes it.
	resp = root.api.Do(http.MethodPut, "/v1/admin/channels/"+one.ID.String(), map[string]any{"name": "Marquee 1"})
	var renamed channel
	resp.JSON(t, &renamed)
	if resp.Status != http.StatusOK || renamed.Name != "Marquee 1" || renamed.Number != 101 || renamed.LogoURL == nil || renamed.XMLTVID != "one.example.com" {
		t.Fatalf("rename = %d %+v", resp.Status, renamed)
	}
	resp = root.api.Do(http.MethodPut, "/v1/admin/channels/"+one.ID.String(), map[string]any{"logo_url": nil, "number": 7})
	var bare channel
	resp.JSON(t, &bare)
	if resp.Status != http.StatusOK || bare.LogoURL != nil || bare.Number != 7 || bare.Name != "Marquee 1" {
		t.Fatalf("drop logo = %d %+v", resp.Status, bare)
	}
	var page list[channel]
	root.api.Do(http.MethodGet, "/v1/epg/channels", nil).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0] != bare {
		t.Fatalf("the guide lists %+v", page.Items)
	}

	if resp := root.api.Do(http.MethodDelete, "/v1/admin/channels/"+one.ID.String(), nil); resp.Status != http.StatusNoContent {
		t.Fatalf("delete = %d", resp.Status)
	}
	if resp := root.api.Do(http.MethodDelete, "/v1/admin/channels/"+one.ID.String(), nil); resp.Status != http.StatusNotFound {
		t.Fatalf("delete again = %d", resp.Status)
	}

	target := "channel:" + one.ID.String()
	if got, want := auditActions(t, root, root), []string{"channel.delete " + target, "channel.update " + target, "channel.update " + target, "channel.create " + target}; !slices.Equal(got, want) {
		t.Fatalf("audit = %q, want %q", got, want)
	}
}

func TestAdminChannels_DeleteTakesItsProgrammes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	root := f.admin(t)
	ids := f.addGuide(t, []string{"one", "two"}, []show{
		{channel: "one", title: "a", start: "10:00", minutes: 60},
		{channel: "two", title: "b", start: "10:00", minutes: 60},
	})
	root.api.Do(http.MethodDelete, "/v1/admin/channels/"+ids["one"].String(), nil)
	if got := getGuide(t, root, "09:00", "12:00", ""); !slices.Equal(got.titles(), []string{"two: b"}) {
		t.Fatalf("guide after delete = %q", got.titles())
	}
}

func TestAdminChannels_ValidationAndConflicts(t *testing.T) {
	t.Parallel()
	f := setup(t)
	root := f.admin(t)
	valid := map[string]any{"number": 5, "name": "Five", "xmltv_id": "five"}
	with := func(k string, v any) map[string]any { return withField(valid, k, v) }
	if resp := root.api.Do(http.MethodPost, "/v1/admin/channels", map[string]any{"number": 1, "name": "One", "xmltv_id": "one"}); resp.Status != http.StatusCreated {
		t.Fatalf("seed channel = %d %s", resp.Status, resp.Body)
	}
	before := dbtest.Snapshot(t, f.conn)
	for _, c := range []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"no number", with("number", nil), 422, "number"},
		{"number 0", with("number", 0), 422, "number"},
		{"number 100000", with("number", 100000), 422, "number"},
		{"no name", with("name", nil), 422, "name"},
		{"blank name", with("name", "   "), 422, "name"},
		{"long name", with("name", strings.Repeat("n", 101)), 422, "name"},
		{"name with a newline", with("name", "a\nb"), 422, "name"},
		{"no xmltv_id", with("xmltv_id", nil), 422, "xmltv_id"},
		{"long xmltv_id", with("xmltv_id", strings.Repeat("x", 256)), 422, "xmltv_id"},
		{"relative logo", with("logo_url", "logo.png"), 422, "logo_url"},
		{"ftp logo", with("logo_url", "ftp://example.com/logo.png"), 422, "logo_url"},
		{"long logo", with("logo_url", "https://example.com/"+strings.Repeat("l", 2048)), 422, "logo_url"},
		{"logo as a number", with("logo_url", 5), 400, ""},
		{"number as text", with("number", "5"), 400, ""},
		{"id in body", with("id", uuid.NewString()), 400, ""},
		{"favorite in body", with("favorite", true), 400, ""},
		{"duplicate number", with("number", 1), 409, ""},
		{"duplicate xmltv_id", with("xmltv_id", "one"), 409, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := root.api.Do(http.MethodPost, "/v1/admin/channels", c.body)
			p := resp.Problem(t)
			if resp.Status != c.status {
				t.Fatalf("%d %+v, want %d", resp.Status, p, c.status)
			}
			if c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field) {
				t.Fatalf("errors %+v do not name %s", p.Errors, c.field)
			}
		})
	}
	var page list[channel]
	root.api.Do(http.MethodGet, "/v1/epg/channels", nil).JSON(t, &page)
	if resp := root.api.Do(http.MethodPut, "/v1/admin/channels/"+page.Items[0].ID.String(), map[string]any{"number": 100000, "name": ""}); resp.Status != 422 || len(resp.Problem(t).Errors) != 2 {
		t.Fatalf("update with two bad fields = %d %s", resp.Status, resp.Body)
	}
	for _, id := range []string{uuid.NewString(), "nope"} {
		if resp := root.api.Do(http.MethodPut, "/v1/admin/channels/"+id, map[string]any{"name": "x"}); resp.Status != http.StatusNotFound {
			t.Fatalf("update %s = %d", id, resp.Status)
		}
	}
	if dbtest.Snapshot(t, f.conn) != before {
		t.Fatal("refused writes changed the database")
	}
	if log := auditLog(t, root); len(log) != 1 {
		t.Fatalf("refused writes were audited: %+v", log)
	}
}
