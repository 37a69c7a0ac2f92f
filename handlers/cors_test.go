package handlers

import (
	"strings"
	"testing"
)

func TestCORS(t *testing.T) {
	t.Parallel()
	const app = "https://app.example.com"
	const evil = "https://evil.example.net"
	single := setup(t, func(o *options) { o.origins = []string{app} })
	double := setup(t, func(o *options) { o.origins = []string{app, "https://tv.example.com"} })
	none := setup(t)

	type want struct {
		status       int
		allowOrigin  string // "" means the header must be absent
		allowMethods string
		allowHeaders string
	}
	preflight := func(method, headers string) []string {
		h := []string{"Access-Control-Request-Method", method}
		if headers != "" {
			h = append(h, "Access-Control-Request-Headers", headers)
		}
		return h
	}
	cases := []struct {
		name    string
		f       *fixture
		method  string
		path    string
		origin  string
		headers []string
		want    want
	}{
		{"simple GET from allowed origin", single, "GET", "/livez", app, nil, want{200, app, "", ""}},
		{"simple GET from foreign origin", single, "GET", "/livez", evil, nil, want{200, "", "", ""}},
		{"GET without Origin", single, "GET", "/livez", "", nil, want{200, "", "", ""}},
		{"preflight GET to /readyz", single, "OPTIONS", "/readyz", app, preflight("GET", ""), want{200, app, "", ""}},
		{"preflight GET to /livez", single, "OPTIONS", "/livez", app, preflight("GET", ""), want{200, app, "", ""}},
		{"preflight POST with Content-Type", single, "OPTIONS", "/v1/auth/login", app, preflight("POST", "Content-Type"), want{200, app, "", "Content-Type"}},
		{"preflight PUT with Authorization and Content-Type", single, "OPTIONS", "/v1/profiles/x", app, preflight("PUT", "authorization, content-type"), want{200, app, "PUT", "Authorization,Content-Type"}},
		{"preflight DELETE with Accept", single, "OPTIONS", "/v1/profiles/x", app, preflight("DELETE", "Accept"), want{200, app, "DELETE", ""}},
		{"preflight TRACE refused", single, "OPTIONS", "/livez", app, preflight("TRACE", ""), want{405, "", "", ""}},
		{"preflight PATCH refused", single, "OPTIONS", "/v1/profiles/x", app, preflight("PATCH", ""), want{405, "", "", ""}},
		{"preflight custom header refused", single, "OPTIONS", "/v1/me", app, preflight("GET", "X-Custom-Header"), want{403, "", "", ""}},
		{"preflight X-Request-ID header refused", single, "OPTIONS", "/v1/me", app, preflight("GET", "X-Request-ID"), want{403, "", "", ""}},
		{"preflight from foreign origin gets no permission", single, "OPTIONS", "/readyz", evil, preflight("GET", "Authorization"), want{200, "", "", ""}},
		{"second configured origin", double, "GET", "/livez", "https://tv.example.com", nil, want{200, "https://tv.example.com", "", ""}},
		{"no origins configured: GET", none, "GET", "/livez", app, nil, want{200, "", "", ""}},
		{"no origins configured: preflight", none, "OPTIONS", "/readyz", app, preflight("GET", ""), want{200, "", "", ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := append([]string{}, c.headers...)
			if c.origin != "" {
				h = append(h, "Origin", c.origin)
			}
			resp := c.f.api.Do(c.method, c.path, nil, h...)
			if resp.Status != c.want.status {
				t.Fatalf("status %d, want %d", resp.Status, c.want.status)
			}
			check := func(name, want string) {
				if got := resp.Header.Get(name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			check("Access-Control-Allow-Origin", c.want.allowOrigin)
			check("Access-Control-Allow-Methods", c.want.allowMethods)
			check("Access-Control-Allow-Headers", c.want.allowHeaders)
			if c.want.allowOrigin != "" && c.method != "OPTIONS" {
				check("Access-Control-Expose-Headers", "Retry-After,Www-Authenticate,X-Request-Id")
			}
			if c.want.allowOrigin != "" && c.method == "OPTIONS" {
				check("Access-Control-Max-Age", "600")
			}
			if vary := resp.Header.Values("Vary"); strings.Join(vary, ",") != "Origin" {
				t.Errorf("Vary = %q, want exactly Origin", vary)
			}
			if resp.Header.Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials must not be allowed: tokens travel in Authorization")
			}
		})
	}
}
