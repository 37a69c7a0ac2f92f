package handlers

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gorilla/mux"
)

// BenchmarkRouteMatch: finding the route of a playback heartbeat, the
// busiest request, which the profile group's plain prefix keeps to one
// regular expression (go test ./handlers -run '^$' -bench RouteMatch).
func BenchmarkRouteMatch(b *testing.B) {
	r := newRouter(Deps{Health: &Health{}}).Router
	req := httptest.NewRequest(http.MethodPut, "/v1/profiles/0b6f3c1e-5a4d-4a8e-9f1e-2d3c4b5a6f70/bookmarks/1b6f3c1e-5a4d-4a8e-9f1e-2d3c4b5a6f71", nil)
	b.ReportAllocs()
	for b.Loop() {
		var m mux.RouteMatch
		if !r.Match(req, &m) {
			b.Fatal("no route")
		}
	}
}
