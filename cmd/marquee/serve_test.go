package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool" //nolint:depguard // asks the pool db.Open made whether it pre-pings; sends no SQL

	"marquee/db"
	"marquee/db/dbtest"
)

func TestServe_RefusesToBootWithoutAGoodSecret(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the binary five times")
	}
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
	if testing.Short() {
		t.Skip("starts and stops the binary")
	}
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
	if testing.Short() {
		t.Skip("starts the binary and drains it")
	}
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
	if resp, err := http.Get("http://" + p.addr + "/livez"); err == nil {
		resp.Body.Close()
		t.Fatal("still serving after exit")
	}
}

// TestServe_LogsNeitherSecretNorPassword also checks the metrics listener.
func TestServe_LogsNeitherSecretNorPassword(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a whole server")
	}
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
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the API listener serves /metrics: %d, want 404", resp.StatusCode)
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

func TestEnv_ReachesThePool(t *testing.T) {
	t.Parallel()
	conn := dbtest.NewDatabase(t)
	cfg, err := loadDBConfig(context.Background(), env(dbVars(t, conn,
		"DB_POOL_SIZE", "3", "DB_MAX_OVERFLOW", "5", "DB_POOL_RECYCLE", "7m", "DB_POOL_TIMEOUT", "2500ms", "DB_POOL_PRE_PING", "250ms",
	)...))
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
