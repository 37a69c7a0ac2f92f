package main

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"marquee/db"
	"marquee/db/dbtest"
	"marquee/schema"
)

// mustWaitForDatabase checks a server that is waiting for its database:
// alive, not ready for the reason want (a prefix of /readyz's output),
// every API route 503 with Retry-After, the contract still served.
func (s *inProcess) mustWaitForDatabase(t *testing.T, want string) {
	t.Helper()
	var output string
	for deadline := time.Now().Add(10 * time.Second); !strings.HasPrefix(output, want); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("/readyz never said %q; last %q\n%s", want, output, s.logs)
		}
		if x := s.do(t, http.MethodGet, "/livez", "", ""); x.status != http.StatusOK {
			t.Fatalf("/livez = %d while waiting for the database", x.status)
		}
		var status int
		status, output = s.readiness(t)
		if status != http.StatusServiceUnavailable {
			t.Fatalf("/readyz = %d %q while waiting for the database", status, output)
		}
	}
	for _, r := range []struct{ method, path, body string }{
		{http.MethodGet, "/v1/catalog/genres", ""},
		{http.MethodPost, "/v1/auth/register", `{"email":"early@example.com","password":"long enough password","display_name":"Early"}`},
	} {
		x := s.do(t, r.method, r.path, "", r.body)
		var p struct{ Status int }
		if x.status != http.StatusServiceUnavailable || x.header.Get("Content-Type") != "application/problem+json" ||
			x.header.Get("Retry-After") == "" || json.Unmarshal([]byte(x.body), &p) != nil || p.Status != http.StatusServiceUnavailable {
			t.Fatalf("%s %s while waiting for the database = %d %v %s, want a 503 problem with Retry-After", r.method, r.path, x.status, x.header, x.body)
		}
	}
	if x := s.do(t, http.MethodHead, "/readyz", "", ""); x.status != http.StatusServiceUnavailable || x.body != "" {
		t.Fatalf("HEAD /readyz = %d %q while waiting for the database", x.status, x.body)
	}
	if x := s.do(t, http.MethodGet, "/openapi.yaml", "", ""); x.status != http.StatusOK || !strings.HasPrefix(x.body, "openapi:") {
		t.Fatalf("/openapi.yaml = %d while waiting for the database", x.status)
	}
}

// TestServe_DatabaseBlackHoledThenRefusingThenBack_MigratesAndServes: a
// server started before its database listens at once, says why it is not
// ready, and once the database answers applies every migration to a
// database that never had one and serves, without a restart.
func TestServe_DatabaseBlackHoledThenRefusingThenBack_MigratesAndServes(t *testing.T) {
	if testing.Short() {
		t.Skip("holds the database away for a few seconds")
	}
	t.Parallel()
	conn := dbtest.NewEmptyDatabase(t)
	proxy := dbtest.NewProxy(t)
	proxy.Stall()
	// Trust authentication ignores the password: it is there to be kept out of the log.
	via := db.NewConnString(strings.Replace(proxy.URL(dbtest.Pooled(t, conn)).Value(), "postgres@", "postgres:"+testPassword+"@", 1))
	retry := backoff{first: 50 * time.Millisecond, most: 400 * time.Millisecond}
	s := serveInProcess(t, retry, dbVars(t, via, "READINESS_TIMEOUT", "300ms", "DB_POOL_SIZE", "2", "DB_MAX_OVERFLOW", "2")...)

	s.mustWaitForDatabase(t, "database unreachable: timeout after 300ms")
	time.Sleep(500 * time.Millisecond)
	proxy.Refuse()
	s.mustWaitForDatabase(t, "database unreachable: connection failed")
	time.Sleep(500 * time.Millisecond)
	proxy.Pass()

	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if x := s.do(t, http.MethodGet, "/livez", "", ""); x.status != http.StatusOK {
			t.Fatalf("/livez = %d while starting", x.status)
		}
		status, output := s.readiness(t)
		if status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d %q 15 s after the database came back:\n%s", status, output, s.logs)
		}
	}

	migrations, err := fs.Glob(schema.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if applied := dbtest.Count(t, conn, "SELECT count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0"); applied != len(migrations) {
		t.Fatalf("%d migrations applied, want all %d", applied, len(migrations))
	}
	if x := s.do(t, http.MethodPost, "/v1/auth/register", "", `{"email":"late@example.com","password":"long enough password","display_name":"Late"}`); x.status != http.StatusCreated {
		t.Fatalf("register once ready = %d %s", x.status, x.body)
	}
	x := s.do(t, http.MethodPost, "/v1/auth/login", "", `{"email":"late@example.com","password":"long enough password"}`)
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	if x.status != http.StatusOK || json.Unmarshal([]byte(x.body), &tokens) != nil {
		t.Fatalf("login once ready = %d %s", x.status, x.body)
	}
	if x := s.do(t, http.MethodGet, "/v1/catalog/genres", tokens.AccessToken, ""); x.status != http.StatusOK {
		t.Fatalf("genres once ready = %d %s", x.status, x.body)
	}

	if err := s.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}

	// One line per failed attempt, each announcing a wait twice the last,
	// up to the cap: no flood however long the database stays away.
	logs := s.logs.String()
	failures := logRecords(t, logs, "database not ready")
	if len(failures) < 4 {
		t.Fatalf("%d failed attempts logged, want several:\n%s", len(failures), logs)
	}
	reasons := map[string]bool{}
	for i, rec := range failures {
		reasons[rec["reason"].(string)] = true
		want := min(retry.first<<i, retry.most)
		if got := time.Duration(rec["retry_in"].(float64)); got != want || int(rec["attempt"].(float64)) != i+1 {
			t.Errorf("failure %d: attempt %v retry_in %s, want attempt %d retry_in %s", i, rec["attempt"], got, i+1, want)
		}
	}
	if !reasons["database unreachable: timeout after 300ms"] || !reasons["database unreachable: connection failed"] {
		t.Errorf("the failures logged %v, want the timeout and the refusal", reasons)
	}
	if n := len(logRecords(t, logs, "ready")); n != 1 {
		t.Errorf("%d ready lines, want 1", n)
	}
	if len(logRecords(t, logs, "migration")) == 0 {
		t.Errorf("no migration step logged:\n%s", logs)
	}
	if strings.Contains(logs, testPassword) || strings.Contains(logs, testSecret) {
		t.Errorf("the log leaks a secret:\n%s", logs)
	}
}

// TestServe_SIGTERMWhileWaitingForTheDatabase_ExitsPromptly: an attempt to
// reach a database that never answers is abandoned, not waited for.
func TestServe_SIGTERMWhileWaitingForTheDatabase_ExitsPromptly(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the binary against a black-holed database")
	}
	t.Parallel()
	conn := dbtest.NewEmptyDatabase(t)
	proxy := dbtest.NewProxy(t)
	proxy.Stall()
	via := proxy.URL(dbtest.Pooled(t, conn))
	// The pool's own attempts to open its connections end within
	// DB_POOL_TIMEOUT, and closing it waits for them: keep that short, to
	// see whether the startup's attempt (up to READINESS_TIMEOUT) is waited for.
	p := start(t, environ(dbVars(t, via, "JWT_SECRET", testSecret,
		"HTTP_ADDR", "127.0.0.1:0", "METRICS_ADDR", "127.0.0.1:0", "READINESS_TIMEOUT", "5s", "DB_POOL_TIMEOUT", "500ms")...), "serve")
	resp, err := http.Get("http://" + p.addr + "/readyz")
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with the database black-holed: %v %v", resp, err)
	}
	resp.Body.Close()
	// An attempt is under way: it would hold the server for up to 5 s.
	stopped := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.exitCode(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM, want 0:\n%s", code, p.stderr)
	}
	if took := time.Since(stopped); took > 3*time.Second {
		t.Fatalf("took %s to stop after SIGTERM while waiting for the database:\n%s", took, p.stderr)
	}
}

// TestServe_ReadyzAnswersWhileRequestsHoldEveryPoolConnection: /readyz
// asks on a connection of its own, so a pool full of slow requests does not
// make a healthy server look dead.
func TestServe_ReadyzAnswersWhileRequestsHoldEveryPoolConnection(t *testing.T) {
	if testing.Short() {
		t.Skip("holds every pool connection with slow requests")
	}
	t.Parallel()
	conn := dbtest.NewDatabase(t)
	s := serveInProcess(t, startupBackoff, dbVars(t, conn, "DB_POOL_SIZE", "1", "DB_MAX_OVERFLOW", "1", "READINESS_TIMEOUT", "2s")...)
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if status, _ := s.readiness(t); status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never ready:\n%s", s.logs)
		}
	}

	// Logins wait on a lock of the throttle's table, each holding one of
	// the pool's two connections.
	var logins sync.WaitGroup
	defer logins.Wait()
	release := dbtest.Hold(t, conn, "LOCK TABLE login_failures IN ACCESS EXCLUSIVE MODE")
	defer release() // before the logins are waited for
	for range 3 {
		logins.Go(func() {
			resp, err := http.Post("http://"+s.addr+"/v1/auth/login", "application/json",
				strings.NewReader(`{"email":"nobody@example.com","password":"whatever it is"}`))
			if err == nil {
				resp.Body.Close()
			}
		})
	}
	poolFull := func() bool {
		return strings.Contains(get(t, "http://"+s.metricsAddr+"/metrics"), "marquee_db_pool_acquired_connections 2\n")
	}
	for deadline := time.Now().Add(10 * time.Second); !poolFull(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the logins never held both connections of the pool")
		}
	}

	// Waiting for the pool, the check would time out after 2 s: a 503.
	start := time.Now()
	status, output := s.readiness(t)
	if status != http.StatusOK {
		t.Fatalf("/readyz with the request pool full = %d %q after %s, want 200", status, output, time.Since(start))
	}
	if !poolFull() {
		t.Fatal("the pool was no longer full when /readyz answered")
	}
}

// TestServe_DatabaseRefusesTheConnection_LogSaysWhyProbeDoesNot: a database
// that answers but refuses (here: it does not exist) is waited for like an
// unreachable one; the log says why, the probe only that the check failed.
func TestServe_DatabaseRefusesTheConnection_LogSaysWhyProbeDoesNot(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for startup retries against a refusing database")
	}
	t.Parallel()
	missing := dbtest.URLFor(dbtest.ServerURL(t), "marquee_never_created")
	withPassword := strings.Replace(missing.Value(), "postgres@", "postgres:"+testPassword+"@", 1)
	s := serveInProcess(t, backoff{first: 50 * time.Millisecond, most: 50 * time.Millisecond}, "DATABASE_URL", withPassword)
	s.mustWaitForDatabase(t, "database check failed")
	for deadline := time.Now().Add(10 * time.Second); len(logRecords(t, s.logs.String(), "database not ready")) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no failed attempt logged:\n%s", s.logs)
		}
	}
	if err := s.stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	logs := s.logs.String()
	failure := logRecords(t, logs, "database not ready")[0]
	if msg, _ := failure["error"].(string); !strings.Contains(msg, "does not exist") {
		t.Errorf("the failed attempt's log line does not say why: %v", failure)
	}
	if strings.Contains(logs, testPassword) {
		t.Errorf("the log leaks the password:\n%s", logs)
	}
}
