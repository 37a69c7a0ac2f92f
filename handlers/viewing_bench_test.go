package handlers

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"marquee/auth"
	"marquee/db"
	"marquee/demo"
)

// The viewing benchmarks run on a database seeded with demo viewing activity
// (make bench-viewing: `marquee seed --profiles 10000 --events 500000`).

// demoTokens holds the access token of each demo household, by number.
var demoTokens sync.Map

// demoToken is an access token for demo household i, which has no password:
// a session of its own, started once.
func demoToken(b *testing.B, w *benchWorld, household int) string {
	if tok, ok := demoTokens.Load(household); ok {
		return tok.(string)
	}
	user := demo.ViewerID(household)
	session, err := w.pool.SessionStart(context.Background(), db.SessionStartParams{
		UserID: user, Device: "benchmark", ExpiresAt: time.Now().Add(time.Hour),
	})
	if err != nil {
		b.Fatal(err)
	}
	tok, err := w.tokens.Issue(auth.Claims{User: user, Session: session})
	if err != nil {
		b.Fatal(err)
	}
	demoTokens.Store(household, tok)
	return tok
}

func BenchmarkRecommendations(b *testing.B) {
	w := newBenchWorld(b)
	const profiles = 10000
	b.Run("http", func(b *testing.B) {
		w.measure(b, func(i int) {
			p := (i * 7919) % profiles // spread over households
			api := w.api.As(demoToken(b, w, p/5))
			if resp := api.Do(http.MethodGet, "/v1/profiles/"+demo.ProfileID(p).String()+"/recommendations", nil); resp.Status != http.StatusOK {
				b.Fatalf("%d %s", resp.Status, resp.Body)
			}
		})
	})
	b.Run("sql", func(b *testing.B) {
		w.measure(b, func(i int) {
			n := (i * 7919) % profiles
			p := demo.ProfileID(n)
			rows, err := w.pool.RecommendationTaste(context.Background(), db.RecommendationTasteParams{ProfileID: p, MaxAge: adultAge})
			if err != nil {
				b.Fatal(err)
			}
			t := tasteOf(rows)
			_, err = w.pool.RecommendationList(context.Background(), db.RecommendationListParams{
				UserID: demo.ViewerID(n / 5), Liked: t.liked, LikedListed: t.likedListed, Seen: t.seen, MaxAge: adultAge,
				Fanout: recFanout, Depth: recDepth, MinBackers: recBackers, Lim: defaultLimit,
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	})
}

// BenchmarkHeartbeat sends heartbeats from 50 concurrent clients, each for a
// profile of its own, and reports throughput and latency.
func BenchmarkHeartbeat(b *testing.B) {
	w := newBenchWorld(b)
	titles, err := w.pool.TitleBrowseKind(context.Background(), db.TitleBrowseKindParams{Kind: "movie", MaxAge: 0, Lim: 50})
	if err != nil || len(titles) == 0 {
		b.Fatalf("no movies to play: %v", err)
	}
	const clients = 50
	var mu sync.Mutex
	var lat latencies
	next := make(chan int, clients)
	for i := range clients {
		next <- i
	}
	b.SetParallelism((clients + 1) / 2) // GOMAXPROCS is 2 here: 50 goroutines
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		c := <-next
		api := w.api.As(demoToken(b, w, c))
		path := "/v1/profiles/" + demo.ProfileID(c*5).String() + "/bookmarks/" + titles[c%len(titles)].TitleDetail.ID.String()
		var mine latencies
		for pos := 0; pb.Next(); pos++ {
			t := time.Now()
			if resp := api.Do(http.MethodPut, path, map[string]int{"position_seconds": pos % 600}); resp.Status != http.StatusNoContent {
				b.Errorf("%d %s", resp.Status, resp.Body)
				return
			}
			mine = append(mine, time.Since(t))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	lat.report(b)
}
