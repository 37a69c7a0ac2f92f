package handlers

import (
	"net/http"
	"slices"
	"testing"
)

// TestShortLists_PagedLikeTheOthers: the lists read whole (genres, a
// caller's profiles) take ?limit= and ?cursor= as every list does; the
// recommendations, one page, refuse a cursor.
func TestShortLists_PagedLikeTheOthers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Pager")
	for _, name := range []string{"Two", "Three"} {
		if resp := a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": name}); resp.Status != http.StatusCreated {
			t.Fatalf("create profile: %d %s", resp.Status, resp.Body)
		}
	}
	var whole list[genre]
	a.api.Do(http.MethodGet, "/v1/catalog/genres?limit=100", nil).JSON(t, &whole)
	if paged := walkPages[genre](t, a, "/v1/catalog/genres?limit=5"); len(whole.Items) != 13 || !slices.Equal(paged, whole.Items) {
		t.Errorf("genres in pages of 5: %v, want %v", paged, whole.Items)
	}
	var names []string
	for _, p := range walkPages[profile](t, a, "/v1/profiles?limit=1") {
		names = append(names, p.Name)
	}
	if !slices.Equal(names, []string{"Pager", "Two", "Three"}) {
		t.Errorf("profiles one by one: %v", names)
	}
	var first list[profile]
	a.api.Do(http.MethodGet, "/v1/profiles?limit=2", nil).JSON(t, &first)
	if len(first.Items) != 2 || first.NextCursor == nil {
		t.Fatalf("first page of 2 profiles: %+v", first)
	}
	for path, want := range map[string]int{
		"/v1/catalog/genres?limit=0":                          http.StatusUnprocessableEntity,
		"/v1/catalog/genres?cursor=bogus":                     http.StatusBadRequest,
		"/v1/catalog/genres?cursor=" + *first.NextCursor:      http.StatusBadRequest, // another list's
		"/v1/profiles?limit=101":                              http.StatusUnprocessableEntity,
		"/v1/profiles?cursor=bogus":                           http.StatusBadRequest,
		profilePath(a.profile, "/recommendations?cursor=abc"): http.StatusBadRequest,
	} {
		if got := a.api.Do(http.MethodGet, path, nil).Status; got != want {
			t.Errorf("GET %s = %d, want %d", path, got, want)
		}
	}
}
