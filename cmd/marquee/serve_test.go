package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"marquee/db"
	"marquee/db/dbtest"
)

// The test binary doubles as the marquee binary: with MARQUEE_TEST_MAIN set
// it runs main, so the tests see real exit codes and real signals.
func TestMain(m *testing.M) {
	if os.Getenv("MARQUEE_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is a marquee binary started by a test.
type child struct {
	cmd    *exec.Cmd
	stderr *lockedLines
	exited chan struct{}
	ready  chan struct{} // closed once it logs that it serves the API
	addr   string
}

type lockedLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *lockedLines) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
}

func (l *lockedLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// start runs `marquee args...` with exactly the environment given (plus PATH).
func start(t *testing.T, environ []string, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append([]string{"MARQUEE_TEST_MAIN=1", "PATH=" + os.Getenv("PATH")}, environ...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &child{cmd: cmd, stderr: &lockedLines{}, exited: make(chan struct{}), ready: make(chan struct{})}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			p.stderr.add(line)
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil {
				switch rec.Msg {
				case "listening":
					listening <- rec.Addr
				case "ready":
					close(p.ready)
				}
			}
		}
		close(listening)
	}()
	go func() { _ = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
	})
	select {
	case p.addr = <-listening:
	case <-time.After(30 * time.Second):
		t.Fatalf("marquee did not start:\n%s", p.stderr)
	}
	return p
}

// waitReady waits until the process serves the API.
func (p *child) waitReady(t *testing.T) {
	t.Helper()
	select {
	case <-p.ready:
	case <-time.After(30 * time.Second):
		t.Fatalf("marquee never became ready:\n%s", p.stderr)
	}
}

// exitCode waits for the process to end.
func (p *child) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("marquee did not exit:\n%s", p.stderr)
	}
	return p.cmd.ProcessState.ExitCode()
}

func baseEnv(t *testing.T, conn db.ConnString) []string {
	return []string{
		"DATABASE_URL=" + conn.Value(),
		"DATABASE_DIRECT_URL=" + dbtest.Direct(t, conn).Value(),
		"HTTP_ADDR=127.0.0.1:0",
		"METRICS_ADDR=127.0.0.1:0",
		"DB_POOL_SIZE=2",
		"DB_MAX_OVERFLOW=2",
	}
}

func TestServe_RefusesToBootWithoutAGoodSecret(t *testing.T) {
	t.Parallel()
	conn := dbtest.NewDatabase(t)
	cases := []struct {
		name string
		env  []string
		want string
	}{
		{"missing", nil, "JWT_SECRET is required"},
		{"empty", []string{"JWT_SECRET="}, "JWT_SECRET is required"},
		{"31 characters", []string{"JWT_SECRET=" + strings.Repeat("k", 31)}, "JWT_SECRET is too short: 31 characters, the minimum is 32"},
		{"pool size 0", []string{"JWT_SECRET=" + testSecret, "DB_POOL_SIZE=0"}, "DB_POOL_SIZE must be at least 1"},
		{"readiness over 5s", []string{"JWT_SECRET=" + testSecret, "READINESS_TIMEOUT=10s"}, "READINESS_TIMEOUT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "serve")
			cmd.Env = append(append([]string{"MARQUEE_TEST_MAIN=1"}, baseEnv(t, conn)...), c.env...)
			out, err := cmd.CombinedOutput()
			if err == nil || cmd.ProcessState.ExitCode() != 1 {
				t.Fatalf("exit %d, want 1; output:\n%s", cmd.ProcessState.ExitCode(), out)
			}
			if !strings.Contains(string(out), c.want) {
				t.Fatalf("output does not say %q:\n%s", c.want, out)
			}
			if strings.Contains(string(out), `"msg":"listening"`) {
				t.Fatal("it listened before refusing")
			}
		})
	}
}

func TestServe_BootsWith32CharacterSecretAndExitsZeroOnSIGTERM(t *testing.T) {
	t.Parallel()
	conn := dbtest.NewDatabase(t)
	p := start(t, append(baseEnv(t, conn), "JWT_SECRET="+strings.Repeat("k", 32)), "serve")
	resp, err := http.Get("http://" + p.addr + "/livez")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /livez: %v %v", resp, err)
	}
	resp.Body.Close()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.exitCode(t); code != 0 {
		t.Fatalf("exit %d after SIGTERM, want 0:\n%s", code, p.stderr)
	}
}

func TestServe_InFlightRequestFinishesAfterSIGTERMWhileReadyzFails(t *testing.T) {
	t.Parallel()
	conn := dbtest.NewDatabase(t)
	p := start(t, append(baseEnv(t, conn), "JWT_SECRET="+testSecret), "serve")
	p.waitReady(t)

	// A registration whose body arrives slowly: its handler is running,
	// waiting for the rest, when SIGTERM comes.
	body, writer := io.Pipe()
	type result struct {
		status int
		err    error
	}
	inflight := make(chan result, 1)
	go func() {
		resp, err := http.Post("http://"+p.addr+"/v1/auth/register", "application/json", body)
		if err != nil {
			inflight <- result{err: err}
			return
		}
		resp.Body.Close()
		inflight <- result{status: resp.StatusCode}
	}()
	if _, err := io.WriteString(writer, `{"email":"late@example.com",`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	// Meanwhile readiness fails, so that load balancers move traffic away.
	var ready struct{ Status, Output string }
	deadline := time.Now().Add(5 * time.Second)
	for ready.Output != "shutting down" {
		if time.Now().After(deadline) {
			t.Fatalf("/readyz never said shutting down: %+v", ready)
		}
		resp, err := http.Get("http://" + p.addr + "/readyz")
		if err != nil {
			t.Fatalf("/readyz during shutdown: %v", err)
		}
		_ = json.NewDecoder(resp.Body).Decode(&ready)
		resp.Body.Close()
		if ready.Output == "shutting down" && resp.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("/readyz during shutdown = %d", resp.StatusCode)
		}
	}

	if _, err := io.WriteString(writer, `"password":"long enough password","display_name":"Late"}`); err != nil {
		t.Fatal(err)
	}
	writer.Close()
	if r := <-inflight; r.err != nil || r.status != http.StatusCreated {
		t.Fatalf("the in-flight registration: %d %v, want 201", r.status, r.err)
	}
	if code := p.exitCode(t); code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, p.stderr)
	}
	if _, err := http.Get("http://" + p.addr + "/livez"); err == nil {
		t.Fatal("still serving after exit")
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestServe_LogsNeitherSecretNorPassword also checks the metrics listener.
func TestServe_LogsNeitherSecretNorPassword(t *testing.T) {
	t.Parallel()
	conn := dbtest.NewDatabase(t)
	// Trust authentication ignores the password, and sslmode=disable the
	// client key's: the URLs still connect. Each secret holds testPassword.
	withPassword := func(c db.ConnString, which string) string {
		u := strings.Replace(c.Value(), "postgres@", "postgres:"+testPassword+which+"@", 1)
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		return u + sep + "sslpassword=" + testPassword + which + "-ssl&passfile=/run/" + testPassword + which
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedWriter{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, env(
			"JWT_SECRET", testSecret, "DATABASE_URL", withPassword(conn, "-pool"), "DATABASE_DIRECT_URL", withPassword(dbtest.Direct(t, conn), "-direct"),
			"HTTP_ADDR", "127.0.0.1:0", "METRICS_ADDR", "127.0.0.1:0", "DB_POOL_SIZE", "2",
		), io.Discard, logs)
	}()
	var addr, metricsAddr string
	for deadline := time.Now().Add(30 * time.Second); addr == ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("did not start:\n%s", logs)
		}
		addr, metricsAddr = logs.listeningAddr()
	}
	for _, path := range []string{"/livez", "/readyz", "/nope?token=" + testSecret} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
		req.Header.Set("Authorization", "Bearer "+testSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// Metrics live on their own listener, not on the API's.
	metrics := get(t, "http://"+metricsAddr+"/metrics")
	for _, want := range []string{
		`marquee_http_request_duration_seconds_count{method="GET",route="/livez",status="200"} 1`,
		`marquee_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"} 1`,
		"marquee_db_pool_max_connections 12", "marquee_db_pool_connections ", "marquee_db_pool_idle_connections ",
		"marquee_db_pool_acquired_connections ", "marquee_db_pool_acquires_total ", "marquee_db_pool_acquire_wait_seconds_total ",
		"marquee_db_pool_empty_acquires_total ", "marquee_db_pool_canceled_acquires_total ",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if resp, err := http.Get("http://" + addr + "/metrics"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("the API listener serves /metrics: %v %v", resp, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	out := logs.String()
	if strings.Contains(out, testSecret) || strings.Contains(out, testPassword) {
		t.Fatalf("the log leaks a secret:\n%s", out)
	}
	for _, want := range []string{`"JWT_SECRET":"[REDACTED]"`, `"DATABASE_URL":"postgres://postgres:xxxxx@`, `"DATABASE_DIRECT_URL":"postgres://postgres:xxxxx@`,
		`sslpassword=xxxxx&passfile=xxxxx"`, `"DB_POOL_SIZE":2`, `"msg":"request"`, `"msg":"stopped"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %s:\n%s", want, out)
		}
	}
}

type lockedWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// listeningAddr is the API and metrics addresses once serve has logged them.
func (w *lockedWriter) listeningAddr() (api, metrics string) {
	for _, line := range strings.Split(w.String(), "\n") {
		var rec struct {
			Msg, Addr   string
			MetricsAddr string `json:"metrics_addr"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
			return rec.Addr, rec.MetricsAddr
		}
	}
	return "", ""
}

func TestEnv_ReachesThePool(t *testing.T) {
	t.Parallel()
	conn := dbtest.NewDatabase(t)
	cfg, err := loadDBConfig(context.Background(), env(
		"DATABASE_URL", conn.Value(), "DATABASE_DIRECT_URL", dbtest.Direct(t, conn).Value(), "DB_POOL_SIZE", "3", "DB_MAX_OVERFLOW", "5",
		"DB_POOL_RECYCLE", "7m", "DB_POOL_TIMEOUT", "2500ms", "DB_POOL_PRE_PING", "250ms",
	))
	if err != nil {
		t.Fatal(err)
	}
	pool, err := db.Open(context.Background(), cfg.DatabaseURL, cfg.Pool())
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	c := pool.Config()
	if c.MinConns != 3 || c.MaxConns != 8 || c.MaxConnLifetime != 7*time.Minute || c.ConnConfig.ConnectTimeout != 2500*time.Millisecond {
		t.Fatalf("pool min %d max %d lifetime %s connect timeout %s", c.MinConns, c.MaxConns, c.MaxConnLifetime, c.ConnConfig.ConnectTimeout)
	}
	for idle, want := range map[time.Duration]bool{249 * time.Millisecond: false, 250 * time.Millisecond: true} {
		if got := c.ShouldPing(context.Background(), pgxpool.ShouldPingParams{IdleDuration: idle}); got != want {
			t.Errorf("DB_POOL_PRE_PING=250ms, idle %s: pinged %t, want %t", idle, got, want)
		}
	}
}

// TestTuneGC_DefaultsToGCPercentUnlessGOGCIsSet: the runtime has already
// read GOGC when the operator set it, and serve leaves that alone.
func TestTuneGC_DefaultsToGCPercentUnlessGOGCIsSet(t *testing.T) {
	current := func() int {
		p := debug.SetGCPercent(100)
		debug.SetGCPercent(p)
		return p
	}
	defer debug.SetGCPercent(current())

	debug.SetGCPercent(100)
	tuneGC(env())
	if p := current(); p != gcPercent {
		t.Fatalf("without GOGC: %d, want %d", p, gcPercent)
	}
	debug.SetGCPercent(150) // as the runtime would have set GOGC=150
	tuneGC(env("GOGC", "150"))
	if p := current(); p != 150 {
		t.Fatalf("with GOGC=150: %d, want it left at 150", p)
	}
}
