package handlers

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"marquee/db"
	"marquee/db/dbtest"
)

// The service under load and faults: the database goes away and comes back,
// a pool far smaller than the load, a database slowed to 200 ms a round
// trip. Each test logs its figures on a line that starts "resilience:"
// (make resilience prints them).

// player is one client playing one title on one profile: it sends
// heartbeats with a rising position, and with reads set it asks for its
// continue-watching list between them. It remembers what it was told.
type player struct {
	token   string
	profile uuid.UUID
	title   uuid.UUID
	reads   bool

	acked    int   // the last position answered 204; -1: none
	unproven []int // positions sent after acked whose answer was not 204
	shots    []shot
}

// shot is one request and its answer.
type shot struct {
	start     time.Time
	took      time.Duration
	heartbeat bool
	status    int    // 0: no answer at all
	err       string // the transport's error, or what was wrong with a 503
}

func (s shot) end() time.Time { return s.start.Add(s.took) }

// newPlayers signs up accounts of five profiles each, one player per
// profile, all playing title.
func newPlayers(t *testing.T, f *fixture, n int, title uuid.UUID, reads bool) []*player {
	t.Helper()
	var out []*player
	for len(out) < n {
		a := f.register(t, "Household")
		ids := []uuid.UUID{a.profile.ID}
		for range 4 {
			var p profile
			a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "P"}).JSON(t, &p)
			ids = append(ids, p.ID)
		}
		for _, id := range ids[:min(5, n-len(out))] {
			out = append(out, &player{token: a.tokens.AccessToken, profile: id, title: title, reads: reads, acked: -1})
		}
	}
	return out
}

// play runs the players against base until stop is closed, and returns once
// every one has had its last answer.
func play(base string, players []*player, stop <-chan struct{}) {
	transport := &http.Transport{MaxIdleConnsPerHost: len(players)}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	for _, p := range players {
		wg.Go(func() {
			bookmarks := base + "/v1/profiles/" + p.profile.String() + "/bookmarks"
			for position := 1; ; position++ {
				select {
				case <-stop:
					return
				default:
				}
				s := p.send(client, http.MethodPut, bookmarks+"/"+p.title.String(), fmt.Sprintf(`{"position_seconds":%d}`, position))
				if s.status == http.StatusNoContent {
					p.acked, p.unproven = position, nil
				} else {
					p.unproven = append(p.unproven, position)
				}
				if p.reads {
					p.send(client, http.MethodGet, bookmarks, "")
				}
			}
		})
	}
	wg.Wait()
}

// send makes one request and records it.
func (p *player) send(client *http.Client, method, url, body string) shot {
	s := shot{start: time.Now(), heartbeat: method == http.MethodPut}
	defer func() { p.shots = append(p.shots, s) }()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		s.took, s.err = time.Since(s.start), err.Error()
		return s
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	s.took, s.status = time.Since(s.start), resp.StatusCode
	switch {
	case err != nil:
		s.err = err.Error()
	case s.status == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") == "":
		s.err = "503 without Retry-After"
	case s.status == http.StatusServiceUnavailable && resp.Header.Get("Content-Type") != "application/problem+json":
		s.err = "503 that is not problem+json"
	}
	return s
}

// tally is what a set of shots came to.
type tally struct {
	count    int
	statuses map[int]int
	faults   []string // answers that should not be
	slowest  time.Duration
	lat      []time.Duration
}

func tallyOf(players []*player, keep func(shot) bool, ok ...int) tally {
	t := tally{statuses: map[int]int{}}
	for _, p := range players {
		for _, s := range p.shots {
			if !keep(s) {
				continue
			}
			t.count++
			t.statuses[s.status]++
			t.slowest = max(t.slowest, s.took)
			t.lat = append(t.lat, s.took)
			if s.err != "" || !slices.Contains(ok, s.status) {
				t.faults = append(t.faults, fmt.Sprintf("%d after %s: %s", s.status, s.took, s.err))
			}
		}
	}
	slices.Sort(t.lat)
	return t
}

func (t tally) percentile(p float64) time.Duration {
	if len(t.lat) == 0 {
		return 0
	}
	return t.lat[int(p*float64(len(t.lat)-1))]
}

func (t tally) mustBeClean(tb testing.TB, what string) {
	tb.Helper()
	if len(t.faults) > 0 {
		tb.Fatalf("%s: %d of %d answers are wrong, such as %s (statuses %v)", what, len(t.faults), t.count, t.faults[0], t.statuses)
	}
}

func all(shot) bool { return true }

// verifyAcks checks that the database holds, for every player, its last
// acknowledged position or one sent after it, and returns how many
// heartbeats were acknowledged in all.
func verifyAcks(t *testing.T, f *fixture, players []*player) int {
	t.Helper()
	acks := 0
	for _, p := range players {
		for _, s := range p.shots {
			if s.heartbeat && s.status == http.StatusNoContent {
				acks++
			}
		}
		stored := dbtest.Count(t, f.conn, "SELECT coalesce(max(position_seconds), -1) FROM bookmarks WHERE profile_id = $1 AND title_id = $2", p.profile, p.title)
		if stored != p.acked && !slices.Contains(p.unproven, stored) {
			t.Errorf("profile %s: the database holds position %d; the last acknowledged was %d, then %d unacknowledged", p.profile, stored, p.acked, len(p.unproven))
		}
	}
	return acks
}

func TestResilience_DatabaseGoneUnderLoad_FastRefusalsRecoveryNoLostAck(t *testing.T) {
	if testing.Short() {
		t.Skip("takes the database away under load for seconds")
	}
	t.Parallel()
	const poolTimeout = 2 * time.Second
	proxy := dbtest.NewProxy(t)
	f := setup(t, func(o *options) {
		o.proxy = proxy
		o.pool = db.PoolConfig{Size: 4, Overflow: 4, Recycle: 30 * time.Minute, Timeout: poolTimeout, PrePing: time.Second}
	})
	film := f.addTitle(t, titleSpec{name: "Film"})
	players := newPlayers(t, f, 50, film, false)

	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { play(f.srv.URL, players, stop); close(done) }()
	time.Sleep(time.Second)
	down := time.Now()
	proxy.Refuse() // every connection cut, every new one refused
	time.Sleep(2 * time.Second)
	up := time.Now()
	proxy.Pass()
	time.Sleep(3 * time.Second)
	close(stop)
	<-done

	// Only 204 and clean 503s, none of them slow.
	whole := tallyOf(players, all, http.StatusNoContent, http.StatusServiceUnavailable)
	whole.mustBeClean(t, "under load with the database gone for 2 s")
	if whole.slowest >= poolTimeout {
		t.Errorf("an answer took %s, past DB_POOL_TIMEOUT (%s)", whole.slowest, poolTimeout)
	}
	during := tallyOf(players, func(s shot) bool { return s.start.After(down) && s.end().Before(up) })
	if during.statuses[http.StatusServiceUnavailable] == 0 || during.statuses[http.StatusNoContent] != 0 {
		t.Fatalf("while the database was gone: %v", during.statuses)
	}
	// Every player is served again within 5 s of the database's return.
	var recovery time.Duration
	for _, p := range players {
		i := slices.IndexFunc(p.shots, func(s shot) bool { return s.start.After(up) && s.status == http.StatusNoContent })
		if i < 0 {
			t.Fatalf("profile %s got no 204 in the 3 s after the database came back", p.profile)
		}
		recovery = max(recovery, p.shots[i].end().Sub(up))
	}
	if recovery > 5*time.Second {
		t.Errorf("a player waited %s after the database came back", recovery)
	}
	acks := verifyAcks(t, f, players)
	t.Logf("resilience: database gone 2 s under 50 players: %d requests, %d answered 503 while it was gone, the slowest answer %s (DB_POOL_TIMEOUT %s); "+
		"every player served again within %s of its return; %d acknowledged heartbeats, the last of each player stored",
		whole.count, during.statuses[http.StatusServiceUnavailable], whole.slowest.Round(time.Millisecond), poolTimeout, recovery.Round(time.Millisecond), acks)
}

// Not parallel: it counts the process's goroutines before and after.
func TestResilience_TwoHundredClientsOnAPoolOfFive_QueueThenCleanRefusalsNoLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("two hundred clients wait out the pool's timeout")
	}
	run := func(t *testing.T, pool db.PoolConfig, latency time.Duration, ok ...int) tally {
		proxy := dbtest.NewProxy(t)
		f := setup(t, func(o *options) { o.proxy = proxy; o.pool = pool })
		film := f.addTitle(t, titleSpec{name: "Film"})
		players := newPlayers(t, f, 200, film, true)
		waitFor(t, "a warm pool", func() bool { return f.pool.Stat().IdleConns() == int32(pool.Size) })
		proxy.SetLatency(latency)
		goroutines := runtime.NumGoroutine()

		stop := make(chan struct{})
		time.AfterFunc(3*time.Second, func() { close(stop) })
		play(f.srv.URL, players, stop)

		got := tallyOf(players, all, ok...)
		got.mustBeClean(t, "200 clients on a pool of 5")
		verifyAcks(t, f, players)
		// Nothing left behind: no connection held or opened beyond the pool,
		// no goroutine beyond those of before.
		waitFor(t, "the pool released", func() bool {
			s := f.pool.Stat()
			return s.AcquiredConns() == 0 && s.TotalConns() <= int32(pool.Size)
		})
		if n := dbtest.Count(t, f.conn, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'marquee'"); n > pool.Size {
			t.Errorf("%d connections to the database, more than the pool's %d", n, pool.Size)
		}
		waitFor(t, "goroutines back", func() bool { return runtime.NumGoroutine() <= goroutines })
		return got
	}

	t.Run("waits under DB_POOL_TIMEOUT: all served", func(t *testing.T) {
		pool := db.PoolConfig{Size: 5, Overflow: 0, Recycle: 30 * time.Minute, Timeout: 5 * time.Second, PrePing: time.Second}
		got := run(t, pool, 0, http.StatusOK, http.StatusNoContent)
		t.Logf("resilience: 200 clients on a pool of 5 + 0 (DB_POOL_TIMEOUT 5s): %d requests in 3 s, all served, p50 %s p99 %s slowest %s; afterwards no connection or goroutine left over",
			got.count, got.percentile(0.5).Round(time.Microsecond), got.percentile(0.99).Round(time.Microsecond), got.slowest.Round(time.Millisecond))
	})
	t.Run("waits past DB_POOL_TIMEOUT: clean 503s", func(t *testing.T) {
		// Every statement held 30 ms: 200 clients queue for far longer than 100 ms.
		pool := db.PoolConfig{Size: 5, Overflow: 0, Recycle: 30 * time.Minute, Timeout: 100 * time.Millisecond, PrePing: time.Second}
		got := run(t, pool, 30*time.Millisecond, http.StatusOK, http.StatusNoContent, http.StatusServiceUnavailable)
		refused := got.statuses[http.StatusServiceUnavailable]
		if refused == 0 || refused == got.count {
			t.Fatalf("statuses %v: want some served and some refused", got.statuses)
		}
		if got.slowest > time.Second {
			t.Errorf("an answer took %s with DB_POOL_TIMEOUT at 100 ms", got.slowest)
		}
		t.Logf("resilience: 200 clients on a pool of 5 + 0 (DB_POOL_TIMEOUT 100ms, 30 ms a round trip): %d requests in 3 s, %d served, %d refused 503 with Retry-After, slowest answer %s; afterwards no connection or goroutine left over",
			got.count, got.count-refused, refused, got.slowest.Round(time.Millisecond))
	})
}

func TestResilience_DatabaseSlowedTo200msARoundTrip_ReadyAndServedSlowly(t *testing.T) {
	if testing.Short() {
		t.Skip("serves through a database slowed to 200 ms a round trip")
	}
	t.Parallel()
	proxy := dbtest.NewProxy(t)
	f := setup(t, func(o *options) {
		o.proxy = proxy
		o.pool = db.PoolConfig{Size: 4, Overflow: 4, Recycle: 30 * time.Minute, Timeout: 5 * time.Second, PrePing: time.Second}
	})
	film := f.addTitle(t, titleSpec{name: "Film"})
	players := newPlayers(t, f, 50, film, false)
	// The probe keeps its connection between checks, as it does when a
	// load balancer asks every few seconds: open it before the slowdown.
	if _, status, _ := getReady(t, f); status != http.StatusOK {
		t.Fatalf("/readyz = %d before the slowdown", status)
	}
	proxy.SetLatency(200 * time.Millisecond)

	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { play(f.srv.URL, players, stop); close(done) }()
	var slowestReady time.Duration
	for range 3 {
		time.Sleep(time.Second)
		r, status, took := getReady(t, f)
		if status != http.StatusOK || took > 5*time.Second {
			t.Errorf("/readyz = %d %+v after %s", status, r, took)
		}
		slowestReady = max(slowestReady, took)
	}
	close(stop)
	<-done

	got := tallyOf(players, all, http.StatusNoContent)
	got.mustBeClean(t, "heartbeats with the database 200 ms away")
	if p50 := got.percentile(0.5); p50 < 200*time.Millisecond {
		t.Fatalf("p50 %s: the latency did not apply", p50)
	}
	acks := verifyAcks(t, f, players)
	t.Logf("resilience: database 200 ms a round trip away, 50 players: %d heartbeats in 3 s, all 204, p50 %s p99 %s; /readyz 200 in at most %s",
		acks, got.percentile(0.5).Round(time.Millisecond), got.percentile(0.99).Round(time.Millisecond), slowestReady.Round(time.Millisecond))
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s after 5 s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
