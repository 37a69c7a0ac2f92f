package handlers

import (
	"net/http"
	"sync"
	"testing"
)

func TestProfiles_CreateReadUpdateDelete(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Family")

	resp := a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "Kid", "kids": true})
	var kid profile
	resp.JSON(t, &kid)
	if resp.Status != http.StatusCreated || kid.Name != "Kid" || !kid.Kids || kid.MaxAge != 7 {
		t.Fatalf("create kids profile = %d %+v, want max_age 7 by default", resp.Status, kid)
	}
	resp = a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "Teen", "max_age": 13})
	var teen profile
	resp.JSON(t, &teen)
	if resp.Status != http.StatusCreated || teen.Kids || teen.MaxAge != 13 {
		t.Fatalf("create teen = %d %+v", resp.Status, teen)
	}

	path := "/v1/profiles/" + teen.ID.String()
	var got profile
	a.api.Do(http.MethodGet, path, nil).JSON(t, &got)
	if got != teen {
		t.Fatalf("GET = %+v, want %+v", got, teen)
	}
	resp = a.api.Do(http.MethodPut, path, map[string]any{"name": "Teenager"})
	resp.JSON(t, &got)
	if resp.Status != http.StatusOK || got.Name != "Teenager" || got.MaxAge != 13 {
		t.Fatalf("rename = %d %+v: other fields must keep their value", resp.Status, got)
	}
	resp = a.api.Do(http.MethodPut, path, map[string]any{"kids": true})
	resp.JSON(t, &got)
	if resp.Status != http.StatusOK || !got.Kids || got.MaxAge != 7 {
		t.Fatalf("make kids = %d %+v, want max_age 7", resp.Status, got)
	}
	resp = a.api.Do(http.MethodPut, path, map[string]any{"kids": false, "max_age": 18})
	resp.JSON(t, &got)
	if resp.Status != http.StatusOK || got.Kids || got.MaxAge != 18 {
		t.Fatalf("grow up = %d %+v", resp.Status, got)
	}

	if resp := a.api.Do(http.MethodDelete, path, nil); resp.Status != http.StatusNoContent {
		t.Fatalf("delete = %d", resp.Status)
	}
	if resp := a.api.Do(http.MethodGet, path, nil); resp.Status != http.StatusForbidden {
		t.Fatalf("GET after delete = %d, want 403 (gone is the same as not yours)", resp.Status)
	}
	var all list[profile]
	a.api.Do(http.MethodGet, "/v1/profiles", nil).JSON(t, &all)
	if len(all.Items) != 2 || all.Items[0].ID != a.profile.ID || all.Items[1].ID != kid.ID || all.NextCursor != nil {
		t.Fatalf("list = %+v", all)
	}
}

func TestProfiles_InvalidValues(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Rules")
	path := "/v1/profiles/" + a.profile.ID.String()
	cases := []struct {
		name, method, path string
		body               any
		status             int
		field              string
	}{
		{"kids above 7", http.MethodPost, "/v1/profiles", map[string]any{"name": "K", "kids": true, "max_age": 13}, 422, "max_age"},
		{"odd level", http.MethodPost, "/v1/profiles", map[string]any{"name": "K", "max_age": 12}, 422, "max_age"},
		{"negative level", http.MethodPost, "/v1/profiles", map[string]any{"name": "K", "max_age": -1}, 422, "max_age"},
		{"no name", http.MethodPost, "/v1/profiles", map[string]any{"kids": true}, 422, "name"},
		{"empty name", http.MethodPost, "/v1/profiles", map[string]any{"name": " "}, 422, "name"},
		{"kids on an adult level", http.MethodPut, path, map[string]any{"kids": true, "max_age": 18}, 422, "max_age"},
		{"level as a string", http.MethodPut, path, `{"max_age":"18"}`, 400, ""},
		{"unknown field", http.MethodPost, "/v1/profiles", map[string]any{"name": "K", "user_id": a.user.ID}, 400, ""},
		{"id in the body", http.MethodPut, path, map[string]any{"id": a.profile.ID}, 400, ""},
		{"bidi override in the name", http.MethodPut, path, map[string]any{"name": "\u202egnp.exe"}, 422, "name"},
		{"null body", http.MethodPut, path, `null`, 400, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := a.api.Do(c.method, c.path, c.body)
			p := resp.Problem(t)
			if resp.Status != c.status || (c.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != c.field)) {
				t.Fatalf("%d %+v, want %d on %q", resp.Status, p, c.status, c.field)
			}
		})
	}
	var all list[profile]
	a.api.Do(http.MethodGet, "/v1/profiles", nil).JSON(t, &all)
	if len(all.Items) != 1 || all.Items[0] != a.profile {
		t.Fatalf("refused requests changed the profiles: %+v", all.Items)
	}
}

func TestProfiles_TenConcurrentCreations_EndAtExactlyFive(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Crowd") // one profile already
	var wg sync.WaitGroup
	statuses := make(chan int, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "P"}).Status
		}()
	}
	wg.Wait()
	close(statuses)
	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	if counts[http.StatusCreated] != 4 || counts[http.StatusConflict] != 6 {
		t.Fatalf("statuses %v, want 4 created and 6 conflicts", counts)
	}
	var all list[profile]
	a.api.Do(http.MethodGet, "/v1/profiles", nil).JSON(t, &all)
	if len(all.Items) != 5 {
		t.Fatalf("%d profiles, want 5", len(all.Items))
	}
}

func TestProfiles_OnlyTheCallersAreListed(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a, b := f.register(t, "A"), f.register(t, "B")
	var la, lb list[profile]
	a.api.Do(http.MethodGet, "/v1/profiles", nil).JSON(t, &la)
	b.api.Do(http.MethodGet, "/v1/profiles", nil).JSON(t, &lb)
	if len(la.Items) != 1 || la.Items[0].ID != a.profile.ID || len(lb.Items) != 1 || lb.Items[0].ID != b.profile.ID {
		t.Fatalf("A sees %+v, B sees %+v", la.Items, lb.Items)
	}
}
