package handlers

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"marquee"
	"marquee/auth"
	"marquee/db"
	"marquee/handlers/apitest"
)

// The catalog benchmarks run against a database seeded with
// `marquee seed --titles N` (make bench-catalog does it), named by
// BENCH_DATABASE_URL. Each reports p50, p95 and p99 latency of a page,
// through HTTP (the whole service) and of the same SQL run directly.

// benchQueries is a mix of what viewers type: common and rare words, word
// starts, fragments from inside words, two-word phrases, and misses; and
// the texts of benchNoTrigram.
var benchQueries = slices.Concat([]string{
	"the", "night", "star", "love", "harbor", "silent", "dragon", "kyoto", "paris", "of the",
	"mid", "sil", "win", "dra", "gla", "arb", "ors", "ight", "ngin", "ola",
	"velvet owl", "frozen river", "the last", "a wolf in", "iron", "queen", "comet", "whale 3",
	"zzq", "qxv", "no such title",
}, benchNoTrigram)

// benchNoTrigram are rare texts that pg_trgm takes no trigram from (one or
// two characters, words shorter than three), which no index can narrow:
// each search of them walks as far as any search may.
var benchNoTrigram = []string{"zq", "xq", "7", "-", "a b"}

type benchWorld struct {
	pool    *db.Pool
	tokens  *auth.Tokens
	api     *apitest.Client
	cat     *catalog
	profile uuid.UUID // a kids profile, max_age 7
	keys    []string  // name keys spread over the catalog, to start pages from
}

func newBenchWorld(b *testing.B) *benchWorld {
	b.Helper()
	conn := os.Getenv("BENCH_DATABASE_URL")
	if conn == "" {
		b.Skip("BENCH_DATABASE_URL is not set: run make bench-catalog")
	}
	ctx := context.Background()
	pool, err := db.Open(ctx, db.NewConnString(conn), db.PoolConfig{Size: 20, Overflow: 10, Recycle: 30 * time.Minute, Timeout: 5 * time.Second, PrePing: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	deps, err := Build(Config{
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Pool: pool, Direct: db.NewConnString(conn),
		Ready: func(context.Context) error { return nil }, ReadinessTimeout: time.Second, Metrics: prometheus.NewRegistry(),
		OpenAPI: marquee.OpenAPI, Secret: testSecret, AccessTTL: time.Hour, RefreshTTL: time.Hour,
		Hashing: cheapHashing, HashConcurrency: 2, Throttle: auth.DefaultThrottle,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(deps.Close)
	srv := httptest.NewServer(NewHandler(deps))
	b.Cleanup(srv.Close)
	f := &fixture{pool: pool, deps: deps, srv: srv, api: apitest.New(b, srv.URL).Unchecked()}
	a := f.register(b, "Bench")
	var kid profile
	a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "Kid", "kids": true}).JSON(b, &kid)
	w := &benchWorld{pool: pool, tokens: deps.Tokens, api: a.api, cat: &catalog{pool: pool, cursors: cursors{key: deps.CursorKey}, walk: searchWalk}, profile: kid.ID}
	for _, c := range "abcdefghijklmnopqrstuvwxyz" {
		w.keys = append(w.keys, string(c))
	}
	return w
}

// latencies collects durations and reports percentiles as benchmark metrics.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	slices.Sort(l)
	at := func(p float64) float64 { return float64(l[int(p*float64(len(l)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

func (w *benchWorld) measure(b *testing.B, one func(i int)) {
	lat := make(latencies, 0, b.N)
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		one(i)
		lat = append(lat, time.Since(start))
	}
	lat.report(b)
}

func (w *benchWorld) get(b *testing.B, path string) {
	if resp := w.api.Do(http.MethodGet, path, nil); resp.Status != http.StatusOK {
		b.Fatalf("GET %s = %d %s", path, resp.Status, resp.Body)
	}
}

func BenchmarkCatalogSearch(b *testing.B) {
	w := newBenchWorld(b)
	b.Run("http", func(b *testing.B) {
		w.measure(b, func(i int) {
			w.get(b, "/v1/catalog/search?q="+url.QueryEscape(benchQueries[i%len(benchQueries)]))
		})
	})
	b.Run("http-no-trigram", func(b *testing.B) {
		w.measure(b, func(i int) {
			w.get(b, "/v1/catalog/search?q="+url.QueryEscape(benchNoTrigram[i%len(benchNoTrigram)]))
		})
	})
	b.Run("sql", func(b *testing.B) {
		w.measure(b, func(i int) {
			q := benchQueries[i%len(benchQueries)]
			_, err := w.pool.TitleSearch(context.Background(), w.cat.searchParams(q, searchKeyset{}, adultAge, defaultLimit+1))
			if err != nil {
				b.Fatal(err)
			}
		})
	})
}

func BenchmarkCatalogBrowse(b *testing.B) {
	w := newBenchWorld(b)
	// A page of each kind a client asks for: the start, a page deep in the
	// alphabet, filtered by genre or kind, for a kids profile.
	paths := func(i int) string {
		key := w.keys[i%len(w.keys)]
		cursor := url.QueryEscape(w.cat.cursors.encode("catalog.titles", nameKeyset{Key: key}))
		switch i % 5 {
		case 0:
			return "/v1/catalog/titles"
		case 1:
			return "/v1/catalog/titles?cursor=" + cursor
		case 2:
			return "/v1/catalog/titles?genre=" + allGenreSlugs[i%len(allGenreSlugs)] + "&cursor=" + cursor
		case 3:
			return "/v1/catalog/titles?kind=series&cursor=" + cursor
		}
		return "/v1/catalog/titles?profile_id=" + w.profile.String() + "&cursor=" + cursor
	}
	b.Run("http", func(b *testing.B) {
		w.measure(b, func(i int) { w.get(b, paths(i)) })
	})
	b.Run("sql", func(b *testing.B) {
		w.measure(b, func(i int) {
			after := nameKeyset{Key: w.keys[i%len(w.keys)]}
			var err error
			switch i % 5 {
			case 0:
				_, err = w.cat.browseRows(context.Background(), "", nameKeyset{}, nil, defaultLimit+1)
			case 1:
				_, err = w.cat.browseRows(context.Background(), "", after, nil, defaultLimit+1)
			case 2:
				g := allGenreSlugs[i%len(allGenreSlugs)]
				_, err = w.cat.browseRows(context.Background(), "", after, &g, defaultLimit+1)
			case 3:
				_, err = w.cat.browseRows(context.Background(), "series", after, nil, defaultLimit+1)
			case 4:
				_, err = w.pool.TitleBrowse(context.Background(), db.TitleBrowseParams{AfterKey: after.Key, MaxAge: 7, Lim: defaultLimit + 1})
			}
			if err != nil {
				b.Fatal(err)
			}
		})
	})
}

var allGenreSlugs = []string{"action", "animation", "comedy", "crime", "documentary", "drama", "family", "fantasy",
	"horror", "kids", "romance", "sci-fi", "thriller"}
