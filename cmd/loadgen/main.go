// Command loadgen is Marquee's load generator (not a server): it signs in
// users, spreads them over profiles and titles, and sends playback
// heartbeats from C concurrent clients for a while, then prints throughput,
// latency percentiles and errors by status, and the longest time no
// heartbeat was acknowledged (an outage as players saw it). With -acks it
// writes what the database must hold afterwards, as CSV for psql's \copy.
//
//	go run ./cmd/loadgen -url http://127.0.0.1:8080 -c 50 -d 20s
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

type options struct {
	url      string
	users    int
	clients  int
	duration time.Duration
	timeout  time.Duration
	out      string // where to write what was acknowledged
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "http://127.0.0.1:8080", "the server")
	flag.IntVar(&o.users, "users", 10, "accounts to sign up (five profiles each)")
	flag.IntVar(&o.clients, "c", 50, "concurrent clients")
	flag.DurationVar(&o.duration, "d", 20*time.Second, "how long to send")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "per-request timeout")
	flag.StringVar(&o.out, "acks", "", "write the last acknowledged position of each profile and title to this CSV file")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// target is one client's stream: a profile of a signed-in user and a title.
type target struct {
	token   string
	profile string
	title   string
}

// ack is what the database must hold for a profile and title once the run
// is over: the last acknowledged position, or one sent after it whose answer
// was lost.
type ack struct {
	profile  string
	title    string
	acked    int   // -1: none acknowledged
	unproven []int // sent after acked, answer not 204
}

// csv is the ack as a line of CSV: profile_id, title_id, acked, and the
// unproven positions as a PostgreSQL array.
func (a ack) csv() string {
	unproven := make([]string, len(a.unproven))
	for i, p := range a.unproven {
		unproven[i] = strconv.Itoa(p)
	}
	return fmt.Sprintf("%s,%s,%d,\"{%s}\"\n", a.profile, a.title, a.acked, strings.Join(unproven, ","))
}

func run(ctx context.Context, o options, stdout io.Writer) error {
	client := &http.Client{Timeout: o.timeout, Transport: &http.Transport{MaxIdleConnsPerHost: o.clients * 2}}
	targets, err := setUp(ctx, client, o)
	if err != nil {
		return err
	}
	type result struct {
		lat      []time.Duration
		statuses map[string]int
		ack      ack
		acked    []time.Time   // when each 204 arrived
		slowFail time.Duration // the slowest answer other than 204
	}
	parsed, err := url.Parse(o.url)
	if err != nil || parsed.Scheme != "http" {
		return fmt.Errorf("-url must be an http:// URL")
	}
	host := parsed.Host
	results := make([]result, o.clients)
	fmt.Fprintf(stdout, "sending: %d clients for %s\n", o.clients, o.duration)
	deadline := time.Now().Add(o.duration)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := targets[c%len(targets)]
			r := result{statuses: map[string]int{}, ack: ack{profile: t.profile, title: t.title, acked: -1}}
			client := newRawClient(host, "/v1/profiles/"+t.profile+"/bookmarks/"+t.title, t.token, o.timeout)
			defer client.close()
			for pos := 0; time.Now().Before(deadline) && ctx.Err() == nil; pos++ {
				position := pos % 4000 // below 90% of any demo movie: it stays a bookmark
				if position == 0 && pos > 0 {
					r.ack.acked, r.ack.unproven = -1, nil // a new cycle: earlier positions are superseded
				}
				began := time.Now()
				status := client.put(position)
				took := time.Since(began)
				r.lat = append(r.lat, took)
				r.statuses[status]++
				if status == "204" {
					r.ack.acked, r.ack.unproven = position, nil
					r.acked = append(r.acked, began.Add(took))
				} else {
					r.ack.unproven = append(r.ack.unproven, position)
					r.slowFail = max(r.slowFail, took)
				}
			}
			results[c] = r
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	var lat []time.Duration
	statuses := map[string]int{}
	var acks strings.Builder
	var acked []time.Time
	var slowFail time.Duration
	for _, r := range results {
		lat = append(lat, r.lat...)
		for s, n := range r.statuses {
			statuses[s] += n
		}
		acks.WriteString(r.ack.csv())
		acked = append(acked, r.acked...)
		slowFail = max(slowFail, r.slowFail)
	}
	if len(lat) == 0 {
		return errors.New("no request was sent")
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	ok := statuses["204"]
	fmt.Fprintf(stdout, "heartbeats: %d sent in %s by %d clients: %.0f req/s (%.0f acknowledged/s) p50 %.2f ms p95 %.2f ms p99 %.2f ms; statuses %s\n",
		len(lat), elapsed.Round(time.Millisecond), o.clients, float64(len(lat))/elapsed.Seconds(), float64(ok)/elapsed.Seconds(),
		pct(0.50), pct(0.95), pct(0.99), formatStatuses(statuses))
	gapFrom, gapTo := longestGap(start, start.Add(elapsed), acked)
	fmt.Fprintf(stdout, "longest time without an acknowledgement: %.3f s, from %d to %d (Unix ms); slowest answer other than 204: %.2f ms\n",
		gapTo.Sub(gapFrom).Seconds(), gapFrom.UnixMilli(), gapTo.UnixMilli(), float64(slowFail.Microseconds())/1000)
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(acks.String()), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// longestGap is the longest stretch of [start, end] in which no player got
// a 204: an outage as the players saw it. acked are the times of the 204s.
func longestGap(start, end time.Time, acked []time.Time) (from, to time.Time) {
	marks := append(append([]time.Time{start}, acked...), end)
	slices.SortFunc(marks, time.Time.Compare)
	from, to = start, start
	for i := 1; i < len(marks); i++ {
		if marks[i].Sub(marks[i-1]) > to.Sub(from) {
			from, to = marks[i-1], marks[i]
		}
	}
	return from, to
}

func formatStatuses(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s:%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}
