package handlers

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"marquee/db/dbtest"
)

type readiness struct {
	Status string `json:"status"`
	Output string `json:"output"`
	Checks map[string][]struct {
		Status string `json:"status"`
		Output string `json:"output"`
	} `json:"checks"`
}

func getReady(t *testing.T, f *fixture) (*readiness, int, time.Duration) {
	t.Helper()
	start := time.Now()
	resp := f.api.Do(http.MethodGet, "/readyz", nil)
	took := time.Since(start)
	if ct := resp.Header.Get("Content-Type"); ct != "application/health+json" {
		t.Fatalf("Content-Type = %q, want application/health+json", ct)
	}
	var r readiness
	resp.JSON(t, &r)
	return &r, resp.Status, took
}

func TestLivez_OK(t *testing.T) {
	t.Parallel()
	f := setup(t)
	resp := f.api.Do(http.MethodGet, "/livez", nil)
	if resp.Status != http.StatusOK || strings.TrimSpace(string(resp.Body)) != `{"status":"pass"}` {
		t.Fatalf("GET /livez = %d %s", resp.Status, resp.Body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/health+json" {
		t.Fatalf("Content-Type = %q", ct)
	}
}

func TestReadyz_Healthy(t *testing.T) {
	t.Parallel()
	f := setup(t)
	r, status, _ := getReady(t, f)
	check := r.Checks["postgres:responseTime"]
	if status != http.StatusOK || r.Status != "pass" || len(check) != 1 || check[0].Status != "pass" {
		t.Fatalf("GET /readyz = %d %+v", status, r)
	}
}

func TestReadyz_DatabaseRefusing_FailsFastWhileLivezPasses(t *testing.T) {
	t.Parallel()
	proxy := dbtest.NewProxy(t)
	f := setup(t, func(o *options) { o.proxy = proxy })
	if _, status, _ := getReady(t, f); status != http.StatusOK {
		t.Fatalf("before: /readyz = %d", status)
	}
	proxy.Refuse()
	r, status, took := getReady(t, f)
	if status != http.StatusServiceUnavailable || r.Status != "fail" {
		t.Fatalf("refusing: /readyz = %d %+v", status, r)
	}
	if out := r.Checks["postgres:responseTime"][0].Output; !strings.HasPrefix(out, "database unreachable") {
		t.Fatalf("output = %q", out)
	}
	if took > 5*time.Second {
		t.Fatalf("/readyz took %s, more than 5 s", took)
	}
	if resp := f.api.Do(http.MethodGet, "/livez", nil); resp.Status != http.StatusOK {
		t.Fatalf("/livez = %d while the database refuses", resp.Status)
	}
}

func TestReadyz_DatabaseStalled_FailsWithinTimeoutAndRecovers(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the readiness timeout of a stalled database")
	}
	t.Parallel()
	proxy := dbtest.NewProxy(t)
	f := setup(t, func(o *options) { o.proxy = proxy; o.readiness = time.Second })
	if _, status, _ := getReady(t, f); status != http.StatusOK {
		t.Fatalf("before: /readyz = %d", status)
	}
	proxy.Stall()
	r, status, took := getReady(t, f)
	if status != http.StatusServiceUnavailable {
		t.Fatalf("stalled: /readyz = %d %+v", status, r)
	}
	if out := r.Checks["postgres:responseTime"][0].Output; out != "database unreachable: timeout after 1s" {
		t.Fatalf("output = %q", out)
	}
	if took > 5*time.Second {
		t.Fatalf("/readyz took %s with a stalled database", took)
	}
	if resp := f.api.Do(http.MethodGet, "/livez", nil); resp.Status != http.StatusOK {
		t.Fatalf("/livez = %d while the database stalls", resp.Status)
	}

	proxy.Pass()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, status, _ := getReady(t, f)
		if status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d 10 s after the database came back", status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestReadyz_Draining_ShuttingDown(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.health.Drain()
	r, status, _ := getReady(t, f)
	if status != http.StatusServiceUnavailable || r.Status != "fail" || r.Output != "shutting down" {
		t.Fatalf("draining: /readyz = %d %+v", status, r)
	}
	if resp := f.api.Do(http.MethodGet, "/livez", nil); resp.Status != http.StatusOK {
		t.Fatalf("/livez = %d while draining", resp.Status)
	}
}

// TestProbes_HEADAnswersLikeGETWithoutABody: the same status and headers,
// no body, whatever state readiness is in.
func TestProbes_HEADAnswersLikeGETWithoutABody(t *testing.T) {
	t.Parallel()
	f := setup(t)
	compare := func(state, path string) {
		t.Helper()
		get := f.api.Do(http.MethodGet, path, nil)
		head := f.api.Do(http.MethodHead, path, nil)
		if head.Status != get.Status || len(head.Body) != 0 {
			t.Errorf("%s: HEAD %s = %d with %d bytes, GET = %d", state, path, head.Status, len(head.Body), get.Status)
		}
		if len(get.Body) == 0 || head.Header.Get("Content-Length") == "" {
			t.Errorf("%s: %s: GET has %d bytes, HEAD announces Content-Length %q", state, path, len(get.Body), head.Header.Get("Content-Length"))
		}
		for _, name := range []string{"Content-Type", "Cache-Control", "Content-Length"} {
			// A check's body says how long it took: its length may vary.
			if name == "Content-Length" && strings.Contains(string(get.Body), "observedValue") {
				continue
			}
			if head.Header.Get(name) != get.Header.Get(name) {
				t.Errorf("%s: %s: HEAD has %s %q, GET %q", state, path, name, head.Header.Get(name), get.Header.Get(name))
			}
		}
		if head.Header.Get("X-Request-ID") == "" {
			t.Errorf("%s: HEAD %s has no X-Request-ID", state, path)
		}
	}
	compare("ready", "/livez")
	compare("ready", "/readyz")
	f.health.Wait("migrating")
	compare("waiting", "/livez")
	compare("waiting", "/readyz")
	f.health.Drain()
	compare("draining", "/readyz")
}

// TestStartup_UntilStarted_EveryV1Route503WithRetryAfter walks the router:
// until the server has reached its database, every route under /v1 answers
// 503 with Retry-After before any guard or handler runs, /readyz says why,
// and the probes and the contract still answer.
func TestStartup_UntilStarted_EveryV1Route503WithRetryAfter(t *testing.T) {
	t.Parallel()
	var r *router
	f := setup(t, func(o *options) { o.extend = func(rt *router, _ Deps) { r = rt } })
	a := f.register(t, "Early")
	before := dbtest.Snapshot(t, f.conn)
	f.health.Wait("database unreachable: connection failed")

	// Bodies are left out: the gate answers before anything reads them (and
	// the contract would refuse most such requests, hence no contract check).
	api := a.api.Unchecked()
	for _, e := range endpoints(t, r.Router) {
		path := fill(e.template, a.profile.ID.String(), nil)
		if !strings.HasPrefix(e.template, "/v1/") {
			continue
		}
		resp := api.Do(e.method, path, nil)
		if resp.Status != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
			resp.Header.Get("Content-Type") != "application/problem+json" || resp.Problem(t).Status != http.StatusServiceUnavailable {
			t.Errorf("%s %s while starting = %d Retry-After %q %s, want 503 with Retry-After", e.method, path, resp.Status, resp.Header.Get("Retry-After"), resp.Body)
		}
	}
	if after := dbtest.Snapshot(t, f.conn); after != before {
		t.Error("requests refused while starting changed the database")
	}
	r1, status, _ := getReady(t, f)
	if status != http.StatusServiceUnavailable || r1.Status != "fail" || r1.Output != "database unreachable: connection failed" {
		t.Errorf("/readyz while starting = %d %+v", status, r1)
	}
	if resp := f.api.Do(http.MethodGet, "/livez", nil); resp.Status != http.StatusOK {
		t.Errorf("/livez while starting = %d", resp.Status)
	}
	if resp := f.api.Do(http.MethodGet, "/openapi.yaml", nil); resp.Status != http.StatusOK {
		t.Errorf("/openapi.yaml while starting = %d", resp.Status)
	}

	f.health.Started()
	if _, status, _ := getReady(t, f); status != http.StatusOK {
		t.Errorf("/readyz once started = %d", status)
	}
	if resp := a.api.Do(http.MethodGet, profilePath(a.profile, ""), nil); resp.Status != http.StatusOK {
		t.Errorf("a profile once started = %d %s", resp.Status, resp.Body)
	}
}
