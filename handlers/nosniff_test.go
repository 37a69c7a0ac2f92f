package handlers

import (
	"net/http"
	"testing"

	"marquee/handlers/apitest"
)

// TestEveryAnswer_Nosniff walks the router: every route, with and without
// a token, answers with X-Content-Type-Options: nosniff, and so do the
// answers no route writes (unknown paths, wrong methods, CORS preflights,
// problems of the query string, the probes and the contract).
func TestEveryAnswer_Nosniff(t *testing.T) {
	t.Parallel()
	const app = "https://app.example.com"
	var r *router
	f := setup(t, func(o *options) {
		o.origins = []string{app}
		o.extend = func(rt *router, _ Deps) { r = rt }
	})
	a := f.register(t, "Sniffed")
	check := func(what string, resp *apitest.Response) {
		t.Helper()
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s = %d, X-Content-Type-Options %q, want nosniff", what, resp.Status, got)
		}
	}
	for _, e := range endpoints(t, r.Router) {
		path := fill(e.template, a.profile.ID.String(), nil)
		check(e.method+" "+path, a.api.Do(e.method, path, nil))
		check(e.method+" "+path+" without a token", f.api.Do(e.method, path, nil))
	}
	preflight := []string{"Origin", app, "Access-Control-Request-Method", http.MethodPut}
	for what, resp := range map[string]*apitest.Response{
		"unknown path":                f.api.Do(http.MethodGet, "/v1/nothing-here", nil),
		"wrong method":                f.api.Do(http.MethodDelete, "/livez", nil),
		"malformed query":             a.api.Do(http.MethodGet, "/v1/me?limit=5%", nil),
		"preflight":                   f.api.Do(http.MethodOptions, "/v1/me", nil, preflight...),
		"refused preflight":           f.api.Do(http.MethodOptions, "/v1/me", nil, "Origin", app, "Access-Control-Request-Method", "PATCH"),
		"foreign origin preflight":    f.api.Do(http.MethodOptions, "/v1/me", nil, "Origin", "https://evil.example.net", "Access-Control-Request-Method", http.MethodGet),
		"HEAD /readyz":                f.api.Do(http.MethodHead, "/readyz", nil),
		"GET /openapi.yaml":           f.api.Do(http.MethodGet, "/openapi.yaml", nil),
		"login with a wrong password": f.api.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": a.user.Email, "password": "wrong"}),
	} {
		check(what, resp)
	}
}
