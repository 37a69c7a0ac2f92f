package handlers

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"marquee"
)

// TestContract_RoutesAndOperationsMatch: every route of the router is an
// operation of openapi.yaml and every operation is a route, so neither can
// grow without the other.
func TestContract_RoutesAndOperationsMatch(t *testing.T) {
	t.Parallel()
	var r *router
	setup(t, func(o *options) { o.extend = func(rt *router, _ Deps) { r = rt } })
	doc, err := openapi3.NewLoader().LoadFromData(marquee.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	var documented []endpoint
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, endpoint{method, path})
		}
	}
	routed := endpoints(t, r.Router)
	for _, e := range routed {
		if !slices.Contains(documented, e) {
			t.Errorf("route %s %s is not in openapi.yaml", e.method, e.template)
		}
	}
	for _, e := range documented {
		if !slices.Contains(routed, e) {
			t.Errorf("openapi.yaml documents %s %s, which no route serves", e.method, e.template)
		}
	}
	for _, e := range routed {
		if e.method == http.MethodOptions || strings.Contains(e.template, ":") {
			t.Errorf("%s %s: routes use plain {name} variables and no OPTIONS handlers (CORS answers preflights)", e.method, e.template)
		}
	}
}
