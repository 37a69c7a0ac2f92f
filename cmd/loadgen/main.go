// Command loadgen is Marquee's load generator (not a server): it signs in
// users, spreads them over profiles and titles, and sends playback
// heartbeats from C concurrent clients for a while, then prints throughput,
// latency percentiles and errors by status. With -verify it then checks
// that every acknowledged heartbeat is what the database holds.
//
//	go run ./cmd/loadgen -url http://127.0.0.1:8080 -c 50 -d 20s
package main

import (
	"context"
	"encoding/json"
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
	out      string // where to write what was acknowledged, for -verify
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "http://127.0.0.1:8080", "the server")
	flag.IntVar(&o.users, "users", 10, "accounts to sign up (five profiles each)")
	flag.IntVar(&o.clients, "c", 50, "concurrent clients")
	flag.DurationVar(&o.duration, "d", 20*time.Second, "how long to send")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "per-request timeout")
	flag.StringVar(&o.out, "acks", "", "write the last acknowledged position of each profile and title to this JSON file")
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

// Ack is what the database must hold for a profile and title once the run
// is over: the last acknowledged position, or one sent after it whose answer
// was lost.
type Ack struct {
	Profile  string `json:"profile_id"`
	Title    string `json:"title_id"`
	Acked    int    `json:"acked"`    // -1: none acknowledged
	Unproven []int  `json:"unproven"` // sent after Acked, answer not 204
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
		ack      Ack
	}
	parsed, err := url.Parse(o.url)
	if err != nil || parsed.Scheme != "http" {
		return fmt.Errorf("-url must be an http:// URL")
	}
	host := parsed.Host
	results := make([]result, o.clients)
	deadline := time.Now().Add(o.duration)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := targets[c%len(targets)]
			r := result{statuses: map[string]int{}, ack: Ack{Profile: t.profile, Title: t.title, Acked: -1}}
			client := newRawClient(host, "/v1/profiles/"+t.profile+"/bookmarks/"+t.title, t.token, o.timeout)
			defer client.close()
			for pos := 0; time.Now().Before(deadline) && ctx.Err() == nil; pos++ {
				position := pos % 4000 // below 90% of any demo movie: it stays a bookmark
				if position == 0 && pos > 0 {
					r.ack.Acked, r.ack.Unproven = -1, nil // a new cycle: earlier positions are superseded
				}
				began := time.Now()
				status := client.put(position)
				r.lat = append(r.lat, time.Since(began))
				r.statuses[status]++
				if status == "204" {
					r.ack.Acked, r.ack.Unproven = position, nil
				} else {
					r.ack.Unproven = append(r.ack.Unproven, position)
				}
			}
			results[c] = r
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	var lat []time.Duration
	statuses := map[string]int{}
	var acks []Ack
	for _, r := range results {
		lat = append(lat, r.lat...)
		for s, n := range r.statuses {
			statuses[s] += n
		}
		acks = append(acks, r.ack)
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
	if o.out != "" {
		b, _ := json.MarshalIndent(acks, "", " ")
		if err := os.WriteFile(o.out, b, 0o644); err != nil {
			return err
		}
	}
	return nil
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
