package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"marquee/db"
	"marquee/db/dbtest"
)

// An episode written while its series is re-rated ends up rated as the
// series, whichever of the two transactions takes the series row first:
// the schema's triggers hold no matter how the writes interleave.
func TestTitles_EpisodeWrittenWhileItsSeriesIsRerated_NoneEscapes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := dbtest.NewPool(t)
	runtime, season := int32(1800), int16(1)
	newSeries := func() uuid.UUID {
		t.Helper()
		id, err := pool.TitleCreate(ctx, db.TitleCreateParams{Kind: "series", Name: "Series", ReleaseYear: 2024})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	episode := func(series uuid.UUID, n int16) db.TitleCreateParams {
		return db.TitleCreateParams{Kind: "episode", Name: "Episode", ReleaseYear: 2024, RuntimeSeconds: &runtime,
			SeriesID: &series, Season: &season, Episode: &n}
	}
	rerate := func(q *db.Queries, series uuid.UUID, minAge int16) error {
		_, err := q.TitleUpdate(ctx, db.TitleUpdateParams{ID: series, Kind: "series", Name: "Series", ReleaseYear: 2024, MinAge: minAge})
		return err
	}
	// during runs first in a transaction held open while then runs in
	// another; then is given a second to finish (it waits for first's lock,
	// if it takes one) before first commits.
	during := func(first, then func(*db.Queries) error) {
		t.Helper()
		done := make(chan error, 1)
		err := pool.InTx(ctx, func(q *db.Queries) error {
			if err := first(q); err != nil {
				return err
			}
			go func() { done <- pool.InTx(ctx, then) }()
			select {
			case err := <-done:
				done <- err
			case <-time.After(time.Second):
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	effective := func(id uuid.UUID) int16 {
		t.Helper()
		d, err := pool.TitleGet(ctx, db.TitleGetParams{ID: id, MaxAge: 18})
		if err != nil {
			t.Fatal(err)
		}
		return d.MinAge
	}

	// The episode's insert is uncommitted when the series is re-rated.
	series := newSeries()
	var inserted uuid.UUID
	during(func(q *db.Queries) (err error) {
		inserted, err = q.TitleCreate(ctx, episode(series, 1))
		return err
	}, func(q *db.Queries) error { return rerate(q, series, 18) })
	if got := effective(inserted); got != 18 {
		t.Errorf("an episode inserted while its series was re-rated 18 is rated %d", got)
	}

	// The re-rating is uncommitted when the episode is inserted.
	series = newSeries()
	during(func(q *db.Queries) error { return rerate(q, series, 18) }, func(q *db.Queries) (err error) {
		inserted, err = q.TitleCreate(ctx, episode(series, 1))
		return err
	})
	if got := effective(inserted); got != 18 {
		t.Errorf("an episode inserted while its series was being re-rated 18 is rated %d", got)
	}
}
