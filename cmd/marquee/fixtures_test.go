package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sethvargo/go-envconfig"

	"marquee/db"
	"marquee/db/dbtest"
)

// The fixtures that tests of several commands share: environments, marquee
// run as a child process or in the test's own, and reading their logs.

const (
	testSecret   = "s3cret-signing-key-0123456789-abcdef"
	testPassword = "pw-hunter2-do-not-log"
)

// env is an environment of the variables kv (name, value pairs).
func env(kv ...string) envconfig.Lookuper {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return envconfig.MapLookuper(m)
}

// dbVars are the variables (name, value pairs) that point a command at
// conn's database, followed by more.
func dbVars(t testing.TB, conn db.ConnString, more ...string) []string {
	return append([]string{"DATABASE_URL", conn.Value(), "DATABASE_DIRECT_URL", dbtest.Direct(t, conn).Value()}, more...)
}

// environ turns name, value pairs into the NAME=value form of os.Environ.
func environ(kv ...string) []string {
	var out []string
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, kv[i]+"="+kv[i+1])
	}
	return out
}

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
	stderr *lockedWriter
	exited chan struct{}
	ready  chan struct{} // closed once it logs that it serves the API
	addr   string
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
	p := &child{cmd: cmd, stderr: &lockedWriter{}, exited: make(chan struct{}), ready: make(chan struct{})}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(p.stderr, line)
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

// baseEnv is the environment of a child server on conn's database, on free
// listeners and a small pool, in the form of os.Environ.
func baseEnv(t *testing.T, conn db.ConnString) []string {
	return environ(dbVars(t, conn, "HTTP_ADDR", "127.0.0.1:0", "METRICS_ADDR", "127.0.0.1:0", "DB_POOL_SIZE", "2", "DB_MAX_OVERFLOW", "2")...)
}

// inProcess is `marquee serve` running in the test's process, which lets a
// test choose how startup retries.
type inProcess struct {
	logs              *lockedWriter
	addr, metricsAddr string
	cancel            context.CancelFunc
	done              chan struct{} // closed when serve has returned err
	err               error
}

// serveInProcess starts serve with the variables kv (name, value pairs) on
// top of free listeners and a signing secret, and waits until it listens.
func serveInProcess(t *testing.T, retry backoff, kv ...string) *inProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &inProcess{logs: &lockedWriter{}, cancel: cancel, done: make(chan struct{})}
	vars := append([]string{"JWT_SECRET", testSecret, "HTTP_ADDR", "127.0.0.1:0", "METRICS_ADDR", "127.0.0.1:0"}, kv...)
	go func() {
		defer close(s.done)
		s.err = serve(ctx, env(vars...), s.logs, retry)
	}()
	t.Cleanup(func() { _ = s.stop() })
	for deadline := time.Now().Add(5 * time.Second); s.addr == ""; time.Sleep(10 * time.Millisecond) {
		select {
		case <-s.done:
			t.Fatalf("serve ended before it listened: %v\n%s", s.err, s.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen within 5 s:\n%s", s.logs)
		}
		s.addr, s.metricsAddr = s.logs.listeningAddr()
	}
	return s
}

// stop shuts the server down as SIGTERM does, and returns what serve did.
func (s *inProcess) stop() error {
	s.cancel()
	<-s.done
	return s.err
}

// exchange is one answer, read in full.
type exchange struct {
	status int
	header http.Header
	body   string
}

func (s *inProcess) do(t *testing.T, method, path, token, body string) exchange {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+s.addr+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return exchange{resp.StatusCode, resp.Header, string(b)}
}

// readiness is /readyz's status and top-level output.
func (s *inProcess) readiness(t *testing.T) (int, string) {
	t.Helper()
	x := s.do(t, http.MethodGet, "/readyz", "", "")
	var body struct{ Output string }
	if err := json.Unmarshal([]byte(x.body), &body); err != nil {
		t.Fatalf("/readyz: %d %q: %v", x.status, x.body, err)
	}
	return x.status, body.Output
}

// logRecords decodes the log lines whose message is msg.
func logRecords(t *testing.T, logs string, msg string) []map[string]any {
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

// get is the body at url.
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

// lockedWriter collects log output written from several goroutines.
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
