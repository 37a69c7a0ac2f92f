package demo

import (
	"cmp"
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"marquee/db"
	"marquee/db/dbtest"
	"marquee/rules"
)

func TestDemoDay_TilesTheDaySameEveryTime(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	for i := range 2 * len(themes) {
		for d := range 3 {
			start := day.AddDate(0, 0, d)
			progs := demoDay(i, start)
			if !reflect.DeepEqual(progs, demoDay(i, start)) {
				t.Fatalf("channel %d, %s: differs between two generations", i, start)
			}
			at := start
			for _, p := range progs {
				if !p.Start.Equal(at) || !p.Stop.After(p.Start) || p.Stop.Sub(p.Start) > 4*time.Hour || p.Title == "" ||
					!rules.IsMaturityLevel(p.MinAge) {
					t.Fatalf("channel %d: programme %+v after %s", i, p, at)
				}
				at = p.Stop
			}
			if !at.Equal(start.AddDate(0, 0, 1)) {
				t.Fatalf("channel %d, %s: the day ends at %s", i, start, at)
			}
		}
	}
	if _, a := demoChannel(0); a.Name != "Marquee News" || a.Number != 1 {
		t.Fatalf("channel 0 = %+v", a)
	}
	if _, b := demoChannel(len(themes)); b.Name != "Marquee News 2" || b.Number != len(themes)+1 {
		t.Fatalf("channel %d = %+v", len(themes), b)
	}
}

// slots lists the demo guide's programmes between from and to as stored.
func slots(t *testing.T, pool *db.Pool, from, to time.Time) []db.ProgrammeWindowRow {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.ChannelGuide(ctx, db.ChannelGuideParams{Every: true})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.Channel.ID.String())
	}
	progs, err := pool.ProgrammeWindow(ctx, db.ProgrammeWindowParams{ChannelIds: ids, FromAt: from, ToAt: to, MaxAge: 18})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(progs, func(a, b db.ProgrammeWindowRow) int {
		return cmp.Or(strings.Compare(a.ChannelID, b.ChannelID), a.StartAt.Compare(b.StartAt))
	})
	return progs
}

func TestSeedGuide_SameDayChangesNothingLaterDayAddsOnlyTheNewDay(t *testing.T) {
	t.Parallel()
	pool, conn := dbtest.NewPool(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	first, err := SeedGuide(ctx, pool, 3, now)
	if err != nil || first.Channels != 3 || first.Skipped != 0 || first.Programmes == 0 {
		t.Fatalf("first seed: %+v %v", first, err)
	}
	if from, end := GuideDays(now); !from.Equal(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)) || !end.Equal(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("days %s to %s", from, end)
	}
	// Every 48-hour window around now is filled.
	if got := slots(t, pool, now.Add(-24*time.Hour), now.Add(24*time.Hour)); len(got) < 3*2*24 {
		t.Fatalf("%d programmes around now", len(got))
	}
	snapshot := dbtest.Snapshot(t, conn)
	if again, err := SeedGuide(ctx, pool, 3, now.Add(13*time.Hour)); err != nil || again != first {
		t.Fatalf("second seed the same day: %+v %v", again, err)
	}
	if dbtest.Snapshot(t, conn) != snapshot {
		t.Fatal("a second seed the same day changed the database")
	}

	kept := slots(t, pool, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC))
	if _, err := SeedGuide(ctx, pool, 3, now.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	if got := slots(t, pool, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)); !reflect.DeepEqual(got, kept) {
		t.Fatal("seeding the next day changed the days it shares with the day before")
	}
	if got := slots(t, pool, time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)); len(got) == 0 {
		t.Fatal("the new day is missing")
	}
}
