package handlers

import (
	"context"
	"net/url"
	"testing"
	"time"

	"marquee/db"
)

// BenchmarkGuide: the guide of every channel over 24 hours, on the database
// BENCH_DATABASE_URL names, seeded with `marquee seed --channels 100` (make
// bench-guide does it): 100 channels of programmes from 10 minutes to
// 3 hours long, yesterday to tomorrow. Windows start every 30 minutes over
// the 12 hours before now, so each ends within the seeded days. Reports
// p50, p95 and p99 through HTTP (the whole service) and of the same two
// queries run directly.
func BenchmarkGuide(b *testing.B) {
	w := newBenchWorld(b)
	ctx := context.Background()
	chans, err := w.pool.ChannelGuide(ctx, db.ChannelGuideParams{Every: true})
	if err != nil {
		b.Fatal(err)
	}
	if len(chans) < 100 {
		b.Fatalf("%d channels: seed the benchmark database with --channels 100", len(chans))
	}
	ids := make([]string, len(chans))
	for i, c := range chans {
		ids[i] = c.Channel.ID.String()
	}
	now := time.Now().UTC().Truncate(30 * time.Minute)
	window := func(i int) (time.Time, time.Time) {
		from := now.Add(-time.Duration(i%24) * 30 * time.Minute)
		return from, from.Add(24 * time.Hour)
	}
	from, to := window(0)
	progs, err := w.pool.ProgrammeWindow(ctx, db.ProgrammeWindowParams{ChannelIds: ids, FromAt: from, ToAt: to, MaxAge: adultAge})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d channels; the window from %s holds %d programmes", len(chans), from.Format(time.RFC3339), len(progs))

	b.Run("http", func(b *testing.B) {
		w.measure(b, func(i int) {
			from, to := window(i)
			w.get(b, "/v1/epg/guide?from="+url.QueryEscape(from.Format(time.RFC3339))+"&to="+url.QueryEscape(to.Format(time.RFC3339)))
		})
	})
	b.Run("http-kids", func(b *testing.B) {
		w.measure(b, func(i int) {
			from, to := window(i)
			w.get(b, "/v1/epg/guide?profile_id="+w.profile.String()+"&from="+url.QueryEscape(from.Format(time.RFC3339))+"&to="+url.QueryEscape(to.Format(time.RFC3339)))
		})
	})
	b.Run("sql", func(b *testing.B) {
		w.measure(b, func(i int) {
			from, to := window(i)
			if _, err := w.pool.ChannelGuide(ctx, db.ChannelGuideParams{Every: true}); err != nil {
				b.Fatal(err)
			}
			if _, err := w.pool.ProgrammeWindow(ctx, db.ProgrammeWindowParams{ChannelIds: ids, FromAt: from, ToAt: to, MaxAge: adultAge}); err != nil {
				b.Fatal(err)
			}
		})
	})
}
