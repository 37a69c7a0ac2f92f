package handlers

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"marquee/db"
)

func TestUnknownRoute_ProblemJSON404(t *testing.T) {
	t.Parallel()
	f := setup(t)
	resp := f.api.Do(http.MethodGet, "/v1/nothing-here", nil)
	if p := resp.Problem(t); resp.Status != http.StatusNotFound || p.Status != http.StatusNotFound || p.Title != "Not Found" {
		t.Fatalf("GET unknown = %d %s", resp.Status, resp.Body)
	}
}

// TestRouter_EveryPathFindsItsOwnRoute: each route's path, filled in, is
// matched by that route's template (the profile group is picked by a plain
// prefix, and must not swallow or lose a path); near misses match nothing.
func TestRouter_EveryPathFindsItsOwnRoute(t *testing.T) {
	t.Parallel()
	r := newRouter(Deps{Health: &Health{}}).Router
	for _, e := range endpoints(t, r) {
		req := httptest.NewRequest(e.method, fill(e.template, uuid.NewString(), nil), nil)
		var m mux.RouteMatch
		if !r.Match(req, &m) || m.MatchErr != nil {
			t.Errorf("%s %s matches no route", e.method, e.template)
			continue
		}
		if tpl, _ := m.Route.GetPathTemplate(); tpl != e.template {
			t.Errorf("%s %s is routed to %s", e.method, e.template, tpl)
		}
	}
	for _, path := range []string{"/v1/profiles/", "/v1/profiles//bookmarks", "/v1/profilesx/" + uuid.NewString(),
		"/v1/catalog", "/v1/catalogs/titles", "/v1/epg", "/v1/admin", "/v1/admins/users", "/profiles/" + uuid.NewString()} {
		var m mux.RouteMatch
		if r.Match(httptest.NewRequest(http.MethodGet, path, nil), &m) && m.MatchErr == nil {
			tpl, _ := m.Route.GetPathTemplate()
			t.Errorf("GET %s matches %s", path, tpl)
		}
	}
}

// TestQueryString_MalformedIs400OnEveryRoute walks the router: a query
// string that does not parse, or holds invalid UTF-8 or NUL, is refused
// with 400 on every route, before the guards and the handler (so never a
// silently ignored parameter, nor a 403 or a 500).
func TestQueryString_MalformedIs400OnEveryRoute(t *testing.T) {
	t.Parallel()
	var r *router
	f := setup(t, func(o *options) { o.extend = func(rt *router, _ Deps) { r = rt } })
	a := f.register(t, "Player")
	for _, e := range endpoints(t, r.Router) {
		for _, query := range []string{"limit=5%", "q=a%00b", "genre=%FF", "profile_id=x;y"} {
			path := fill(e.template, a.profile.ID.String(), nil) + "?" + query
			resp := a.api.Do(e.method, path, nil)
			if e.method == http.MethodHead {
				// No body to read: the status and the type say it.
				if resp.Status != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("%s %s = %d %s, want 400", e.method, path, resp.Status, resp.Header.Get("Content-Type"))
				}
				continue
			}
			if resp.Status != http.StatusBadRequest || resp.Problem(t).Status != http.StatusBadRequest {
				t.Errorf("%s %s = %d %s, want 400", e.method, path, resp.Status, resp.Body)
			}
		}
	}
}

func TestWrongMethod_ProblemJSON405WithAllow(t *testing.T) {
	t.Parallel()
	f := setup(t)
	resp := f.api.Do(http.MethodDelete, "/livez", nil)
	if resp.Status != http.StatusMethodNotAllowed || resp.Problem(t).Status != http.StatusMethodNotAllowed {
		t.Fatalf("DELETE /livez = %d %s", resp.Status, resp.Body)
	}
	if allow := resp.Header.Get("Allow"); allow != "GET, HEAD" {
		t.Fatalf("Allow = %q, want GET, HEAD", allow)
	}
}

// TestWrongMethod_Every405NamesTheMethodsOfItsRoute walks the router: each
// route, asked with a method it does not take, answers 405 with Allow.
func TestWrongMethod_Every405NamesTheMethodsOfItsRoute(t *testing.T) {
	t.Parallel()
	var r *router
	f := setup(t, func(o *options) { o.extend = func(rt *router, _ Deps) { r = rt } })
	byPath := map[string][]string{}
	for _, e := range endpoints(t, r.Router) {
		byPath[e.template] = append(byPath[e.template], e.method)
	}
	for tpl, methods := range byPath {
		path := fill(tpl, uuid.NewString(), nil)
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			if slices.Contains(methods, m) {
				continue
			}
			resp := f.api.Do(m, path, nil)
			allow := strings.Split(resp.Header.Get("Allow"), ", ")
			slices.Sort(allow)
			slices.Sort(methods)
			if resp.Status != http.StatusMethodNotAllowed || !slices.Equal(allow, methods) {
				t.Errorf("%s %s = %d, Allow %q; want 405 and Allow %v", m, tpl, resp.Status, resp.Header.Get("Allow"), methods)
			}
		}
	}
}

func TestRequestID_EchoedWhenValidAndGeneratedOtherwise(t *testing.T) {
	t.Parallel()
	f := setup(t)
	if got := f.api.Do(http.MethodGet, "/livez", nil, "X-Request-ID", "trace-42.a:b_c").Header.Get("X-Request-ID"); got != "trace-42.a:b_c" {
		t.Errorf("valid ID echoed as %q", got)
	}
	for _, bad := range []string{"", "has space", "new\"line", strings.Repeat("x", 129)} {
		got := f.api.Do(http.MethodGet, "/livez", nil, "X-Request-ID", bad).Header.Get("X-Request-ID")
		if got == bad || !validRequestID(got) {
			t.Errorf("X-Request-ID %q answered with %q, want a fresh valid ID", bad, got)
		}
	}
}

// logLines decodes the JSON log lines that carry msg.
func logLines(t *testing.T, logs string, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

func TestAccessLog_OneLinePerRequestWithoutHeadersOrTokens(t *testing.T) {
	t.Parallel()
	f := setup(t)
	const token = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJl"
	f.api.Do(http.MethodGet, "/readyz?password=hunter2", nil, "X-Request-ID", "req-1", "Authorization", "Bearer "+token, "Cookie", "session=s3cr3t")
	f.api.Do(http.MethodGet, "/no/such/route", nil, "X-Request-ID", "req-2")

	lines := logLines(t, f.logs.String(), "request")
	if len(lines) != 2 {
		t.Fatalf("%d request log lines, want 2:\n%s", len(lines), f.logs.String())
	}
	want := []struct{ id, route, status string }{{"req-1", "/readyz", "200"}, {"req-2", "unmatched", "404"}}
	for i, w := range want {
		l := lines[i]
		if l["request_id"] != w.id || l["route"] != w.route || l["method"] != "GET" || jsonNum(l["status"]) != w.status {
			t.Errorf("log line %d = %v, want id %s route %s status %s", i, l, w.id, w.route, w.status)
		}
		if _, ok := l["duration_ms"].(float64); !ok {
			t.Errorf("log line %d has no duration_ms: %v", i, l)
		}
	}
	for _, leak := range []string{token, "hunter2", "s3cr3t", "Bearer"} {
		if strings.Contains(f.logs.String(), leak) {
			t.Errorf("the log contains %q:\n%s", leak, f.logs.String())
		}
	}
}

// TestAccessLog_QuietRouteLogsOnlyFailuresAndSlowAnswers: a heartbeat that
// succeeds is counted, not logged; one that fails is logged, and so is a
// success on a quiet route that took slowRequest or longer.
func TestAccessLog_QuietRouteLogsOnlyFailuresAndSlowAnswers(t *testing.T) {
	t.Parallel()
	f := setup(t, func(o *options) {
		o.extend = func(r *router, _ Deps) {
			r.Handle("/v1/test/slow", quiet(func(w http.ResponseWriter, _ *http.Request) error {
				time.Sleep(slowRequest)
				w.WriteHeader(http.StatusNoContent)
				return nil
			}))
		}
	})
	a := f.register(t, "Player")
	movie := f.addTitle(t, titleSpec{name: "Film"})
	path := profilePath(a.profile, "/bookmarks/"+movie.String())
	if got := a.api.Do(http.MethodPut, path, map[string]int{"position_seconds": 10}, "X-Request-ID", "hb-ok").Status; got != http.StatusNoContent {
		t.Fatalf("heartbeat = %d", got)
	}
	if got := a.api.Do(http.MethodPut, path, map[string]int{"position_seconds": -1}, "X-Request-ID", "hb-bad").Status; got != http.StatusUnprocessableEntity {
		t.Fatalf("negative heartbeat = %d", got)
	}
	if got := f.api.Do(http.MethodPut, path, map[string]int{"position_seconds": 10}, "X-Request-ID", "hb-anon").Status; got != http.StatusUnauthorized {
		t.Fatalf("heartbeat without a token = %d", got)
	}
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/v1/test/slow", nil)
	req.Header.Set("X-Request-ID", "slow-ok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	logged := map[string]bool{}
	for _, l := range logLines(t, f.logs.String(), "request") {
		if id, _ := l["request_id"].(string); id != "" {
			logged[id] = true
		}
	}
	for id, want := range map[string]bool{"hb-ok": false, "hb-bad": true, "hb-anon": true, "slow-ok": true} {
		if logged[id] != want {
			t.Errorf("request %s logged: %v, want %v\n%s", id, logged[id], want, f.logs.String())
		}
	}
}

func jsonNum(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestPanic_LoggedAs500WithoutDetails(t *testing.T) {
	t.Parallel()
	f := setup(t, func(o *options) {
		o.extend = func(r *router, _ Deps) {
			r.HandleFunc("/v1/test/panic", func(http.ResponseWriter, *http.Request) { panic("secret internal state") })
		}
	})
	// Not in the contract: a plain client.
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/v1/test/panic", nil)
	req.Header.Set("X-Request-ID", "boom-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusInternalServerError || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("panic answered %d %s", resp.StatusCode, body)
	}
	if strings.Contains(string(body), "secret internal state") || strings.Contains(string(body), "goroutine") {
		t.Fatalf("the 500 leaks internals: %s", body)
	}
	panics := logLines(t, f.logs.String(), "panic")
	if len(panics) != 1 || panics[0]["request_id"] != "boom-1" || !strings.Contains(panics[0]["stack"].(string), "goroutine") {
		t.Fatalf("panic not logged with its request ID and stack:\n%s", f.logs.String())
	}
}

func TestPool_ConcurrentRequestsQueueOnASmallPool(t *testing.T) {
	t.Parallel()
	f := setup(t, func(o *options) {
		o.pool = db.PoolConfig{Size: 2, Overflow: 0, Recycle: time.Hour, Timeout: 5 * time.Second, PrePing: time.Second}
	})
	var wg sync.WaitGroup
	statuses := make(chan int, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- f.api.Do(http.MethodGet, "/readyz", nil).Status
		}()
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != http.StatusOK {
			t.Fatalf("a request through a pool of 2 got %d, want every one 200", s)
		}
	}
	if n := f.pool.Stat().TotalConns(); n > 2 {
		t.Fatalf("pool opened %d connections, its maximum is 2", n)
	}
}

func TestPool_WaitTimeout_503WithRetryAfter(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the pool's timeout")
	}
	t.Parallel()
	f := setup(t, func(o *options) {
		o.pool = db.PoolConfig{Size: 1, Overflow: 0, Recycle: time.Hour, Timeout: 100 * time.Millisecond, PrePing: time.Second}
	})
	a := f.register(t, "Waiter")
	held := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- f.pool.InTx(context.Background(), func(*db.Queries) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held

	start := time.Now()
	resp := a.api.Do(http.MethodGet, "/v1/me", nil)
	if p := resp.Problem(t); resp.Status != http.StatusServiceUnavailable || p.Status != 503 {
		t.Fatalf("with the pool held: %d %s", resp.Status, resp.Body)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("the 503 took %s with a 100ms pool timeout", took)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if resp := a.api.Do(http.MethodGet, "/v1/me", nil); resp.Status != http.StatusOK {
		t.Fatalf("after release: %d", resp.Status)
	}
}

func TestOpenAPI_ServedAsEmbedded(t *testing.T) {
	t.Parallel()
	f := setup(t)
	resp := f.api.Do(http.MethodGet, "/openapi.yaml", nil)
	if resp.Status != http.StatusOK || string(resp.Body) != string(f.deps.OpenAPI) || !strings.HasPrefix(string(resp.Body), "openapi: 3.1") {
		t.Fatalf("GET /openapi.yaml = %d, %d bytes", resp.Status, len(resp.Body))
	}
}
