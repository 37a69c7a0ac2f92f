package handlers

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestAdminTitles_CreateUpdateDeleteAudited(t *testing.T) {
	t.Parallel()
	f := setup(t)
	root := f.admin(t)

	resp := root.api.Do(http.MethodPost, "/v1/admin/titles", map[string]any{
		"kind": "series", "name": "  The Long Night ", "synopsis": "Winter.", "release_year": 2019, "min_age": 16, "genres": []string{"drama", "fantasy", "drama"},
	})
	var show title
	resp.JSON(t, &show)
	if resp.Status != http.StatusCreated || show.Name != "The Long Night" || show.RuntimeSeconds != nil || !slices.Equal(show.Genres, []string{"drama", "fantasy"}) || show.MinAge != 16 {
		t.Fatalf("create series = %d %+v", resp.Status, show)
	}
	resp = root.api.Do(http.MethodPost, "/v1/admin/titles", map[string]any{
		"kind": "episode", "name": "Pilot", "release_year": 2019, "min_age": 16, "runtime_seconds": 3300, "series_id": show.ID, "season": 1, "episode": 1,
	})
	var pilot title
	resp.JSON(t, &pilot)
	if resp.Status != http.StatusCreated || *pilot.SeriesID != show.ID || *pilot.Season != 1 || *pilot.Episode != 1 || *pilot.RuntimeSeconds != 3300 {
		t.Fatalf("create episode = %d %+v", resp.Status, pilot)
	}

	resp = root.api.Do(http.MethodPut, "/v1/admin/titles/"+pilot.ID.String(), map[string]any{"name": "Pilot (Extended)", "genres": []string{"drama"}})
	var updated title
	resp.JSON(t, &updated)
	if resp.Status != http.StatusOK || updated.Name != "Pilot (Extended)" || *updated.RuntimeSeconds != 3300 || *updated.Season != 1 || !slices.Equal(updated.Genres, []string{"drama"}) {
		t.Fatalf("update = %d %+v", resp.Status, updated)
	}
	var detail title
	root.api.Do(http.MethodGet, "/v1/catalog/titles/"+pilot.ID.String(), nil).JSON(t, &detail)
	if detail.Name != "Pilot (Extended)" {
		t.Fatalf("the catalog shows %+v", detail)
	}

	// Deleting the series takes its episodes.
	if resp := root.api.Do(http.MethodDelete, "/v1/admin/titles/"+show.ID.String(), nil); resp.Status != http.StatusNoContent {
		t.Fatalf("delete = %d", resp.Status)
	}
	if resp := root.api.Do(http.MethodGet, "/v1/catalog/titles/"+pilot.ID.String(), nil); resp.Status != http.StatusNotFound {
		t.Fatalf("the episode outlived its series: %d", resp.Status)
	}
	if resp := root.api.Do(http.MethodDelete, "/v1/admin/titles/"+show.ID.String(), nil); resp.Status != http.StatusNotFound {
		t.Fatalf("delete again = %d", resp.Status)
	}

	want := []string{"title.delete title:" + show.ID.String(), "title.update title:" + pilot.ID.String(),
		"title.create title:" + pilot.ID.String(), "title.create title:" + show.ID.String()}
	if got := auditActions(t, root, root); !slices.Equal(got, want) {
		t.Fatalf("audit = %q, want %q", got, want)
	}
}

func TestAdminTitles_Validation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	root := f.admin(t)
	movie := map[string]any{"kind": "movie", "name": "M", "release_year": 2000, "runtime_seconds": 100}
	with := func(k string, v any) map[string]any { return withField(movie, k, v) }
	series := f.addTitle(t, titleSpec{kind: "series", name: "S"})
	other := f.addTitle(t, titleSpec{name: "Not a series"})
	f.addTitle(t, titleSpec{kind: "episode", name: "E1", series: &series, season: 1, episode: 1})
	episode := func(seriesID uuid.UUID, s, e int) map[string]any {
		return map[string]any{"kind": "episode", "name": "E", "release_year": 2000, "runtime_seconds": 100, "series_id": seriesID, "season": s, "episode": e}
	}
	for _, c := range []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"no kind", with("kind", nil), 422, "kind"},
		{"odd kind", with("kind", "short"), 422, "kind"},
		{"no name", with("name", nil), 422, "name"},
		{"long name", with("name", strings.Repeat("n", 201)), 422, "name"},
		{"no year", with("release_year", nil), 422, "release_year"},
		{"year 1800", with("release_year", 1800), 422, "release_year"},
		{"min_age 12", with("min_age", 12), 422, "min_age"},
		{"no runtime", with("runtime_seconds", nil), 422, "runtime_seconds"},
		{"runtime 0", with("runtime_seconds", 0), 422, "runtime_seconds"},
		{"runtime of a day and a second", with("runtime_seconds", 86401), 422, "runtime_seconds"},
		{"unknown genre", with("genres", []string{"drama", "polka"}), 422, "genres"},
		{"genre with NUL", with("genres", []string{"drama\x00"}), 422, "genres"},
		{"genre that is no slug", with("genres", []string{"Drama; DROP TABLE genres"}), 422, "genres"},
		{"series with a runtime", map[string]any{"kind": "series", "name": "S", "release_year": 2000, "runtime_seconds": 10}, 422, "runtime_seconds"},
		{"movie with a season", with("season", 1), 422, "season"},
		{"episode without series", map[string]any{"kind": "episode", "name": "E", "release_year": 2000, "runtime_seconds": 100, "season": 1, "episode": 2}, 422, "series_id"},
		{"episode of an unknown series", episode(uuid.New(), 1, 2), 422, "series_id"},
		{"episode of a movie", episode(other, 1, 2), 422, "series_id"},
		{"episode 0", episode(series, 1, 0), 422, "episode"},
		{"duplicate episode", episode(series, 1, 1), 409, ""},
		{"id in body", with("id", uuid.NewString()), 400, ""},
		{"year as text", with("release_year", "2000"), 400, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := root.api.Do(http.MethodPost, "/v1/admin/titles", c.body)
			p := resp.Problem(t)
			if resp.Status != c.status {
				t.Fatalf("%d %+v, want %d", resp.Status, p, c.status)
			}
			if c.field != "" && !slices.ContainsFunc(p.Errors, func(e struct {
				Field   string `json:"field"`
				Message string `json:"message"`
			}) bool {
				return e.Field == c.field
			}) {
				t.Fatalf("errors %+v do not name %s", p.Errors, c.field)
			}
		})
	}
	// A series with episodes cannot stop being a series.
	if resp := root.api.Do(http.MethodPut, "/v1/admin/titles/"+series.String(), map[string]any{"kind": "movie", "runtime_seconds": 10}); resp.Status != http.StatusConflict {
		t.Fatalf("series with episodes made a movie: %d %s", resp.Status, resp.Body)
	}
	if resp := root.api.Do(http.MethodPut, "/v1/admin/titles/"+uuid.NewString(), map[string]any{"name": "x"}); resp.Status != http.StatusNotFound {
		t.Fatalf("update unknown = %d", resp.Status)
	}
	if log := auditLog(t, root); len(log) != 0 {
		t.Fatalf("refused writes were audited: %+v", log)
	}
}
