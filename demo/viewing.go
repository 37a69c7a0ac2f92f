package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"

	"marquee/db"
)

// Demo viewing activity: households of five profiles, each with a taste
// (two favourite genres), watching mostly popular titles of its genres and
// some of everything, rating some, leaving some half-watched. Profile i and
// its events depend on i alone, as titles do.

// Default size of the demo viewing activity.
const (
	DefaultProfiles = 200
	DefaultEvents   = 6000
)

// viewerBatch is how many profiles one transaction writes: whole households.
const viewerBatch = 500

// ProfileID is the id of demo profile i.
func ProfileID(i int) uuid.UUID { return uuid.NewSHA1(namespace, fmt.Appendf(nil, "profile/%d", i)) }

// ViewerID is the id of household i (profiles 5i to 5i+4).
func ViewerID(i int) uuid.UUID { return uuid.NewSHA1(namespace, fmt.Appendf(nil, "viewer/%d", i)) }

// playable is the part of the catalog that viewers play: movies and
// episodes, by genre, in a fixed popularity order.
type playable struct {
	all     []demoTitle
	byGenre map[string][]demoTitle
}

func playableOf(titles int) playable {
	p := playable{byGenre: map[string][]demoTitle{}}
	for i := range titles {
		t := generate(i)
		if t.kind == "series" {
			continue
		}
		p.all = append(p.all, t)
		for _, g := range t.genres {
			p.byGenre[g] = append(p.byGenre[g], t)
		}
	}
	return p
}

// zipf picks an index in [0, n) where low indexes are much more likely, as
// a few titles draw most of the viewing.
func zipf(rng *rand.Rand, n int) int {
	return min(n-1, int(math.Pow(float64(n), rng.Float64()))-1)
}

// viewerEvents is what profile i has done.
type viewerEvents struct {
	history   []demoTitle
	watchedAt []time.Time
	rated     []demoTitle
	scores    []int16
	ratedAt   []time.Time
	partial   []demoTitle
	positions []int32
	maxAge    int16
	kids      bool
}

// eventsOf makes profile i's viewing: n events (watches, ratings and
// bookmarks), fewer if its catalog runs out of titles it may see.
func eventsOf(i, n int, cat playable, now time.Time) viewerEvents {
	rng := rand.New(rand.NewPCG(uint64(i), 0x7669657765727321)) //nolint:gosec // seeded: the demo viewing is the same on every run
	v := viewerEvents{maxAge: 18}
	switch rng.IntN(10) {
	case 0:
		v.maxAge, v.kids = 7, true
	case 1, 2:
		v.maxAge = 13
	}
	favourites := []string{allGenres[rng.IntN(len(allGenres))], allGenres[rng.IntN(len(allGenres))]}
	seen := map[uuid.UUID]bool{}
	for attempts := 0; len(v.history)+len(v.rated)+len(v.partial) < n && attempts < 4*n; attempts++ {
		pool := cat.all
		if rng.IntN(4) > 0 {
			if g := cat.byGenre[favourites[rng.IntN(2)]]; len(g) > 0 {
				pool = g
			}
		}
		if len(pool) == 0 {
			break
		}
		t := pool[zipf(rng, len(pool))]
		if seen[t.id] || t.minAge > v.maxAge {
			continue
		}
		seen[t.id] = true
		at := now.Add(-time.Duration(rng.Int64N(int64(60 * 24 * time.Hour))))
		switch r := rng.IntN(20); r {
		case 0:
			v.partial = append(v.partial, t)
			v.positions = append(v.positions, int32(rng.Int64N(int64(t.runtime)*8/10)))
		default:
			v.history = append(v.history, t)
			v.watchedAt = append(v.watchedAt, at)
			if r < 4 {
				score := int16(1 + rng.IntN(3))
				if slices.ContainsFunc(t.genres, func(g string) bool { return slices.Contains(favourites, g) }) {
					score = int16(4 + rng.IntN(2))
				}
				v.rated = append(v.rated, t)
				v.scores = append(v.scores, score)
				v.ratedAt = append(v.ratedAt, at.Add(time.Minute))
			}
		}
	}
	return v
}

// SeedViewing makes sure demo profiles [0, profiles) exist, with about
// events viewing events in all, over the first `titles` demo titles.
// A batch of profiles whose last one exists was seeded before and is
// skipped. It returns how many profiles it added.
func SeedViewing(ctx context.Context, pool *db.Pool, profiles, events, titles int) (int, error) {
	if profiles == 0 || titles == 0 {
		return 0, nil
	}
	cat := playableOf(titles)
	perProfile := max(1, events/profiles)
	now := time.Now().UTC()
	added := 0
	for start := 0; start < profiles; start += viewerBatch {
		end := min(start+viewerBatch, profiles)
		done, err := pool.ProfileExists(ctx, ProfileID(end-1))
		if err != nil {
			return added, err
		}
		if done {
			continue
		}
		err = pool.InTx(ctx, func(q *db.Queries) error { return writeViewers(ctx, q, start, end, perProfile, cat, now) })
		if err != nil {
			return added, err
		}
		added += end - start
	}
	return added, nil
}

// writeViewers writes profiles [start, end), their households and events.
func writeViewers(ctx context.Context, q *db.Queries, start, end, perProfile int, cat playable, now time.Time) error {
	var users db.UserInsertManyParams
	var profs db.ProfileInsertManyParams
	var hist db.HistoryInsertManyParams
	var rates db.RatingInsertManyParams
	var marks db.BookmarkInsertManyParams
	for i := start; i < end; i++ {
		household := i / 5
		if i%5 == 0 {
			users.Ids = append(users.Ids, ViewerID(household))
			users.Emails = append(users.Emails, fmt.Sprintf("viewer-%05d@marquee.test", household))
			users.DisplayNames = append(users.DisplayNames, fmt.Sprintf("Viewer %d", household))
		}
		v := eventsOf(i, perProfile, cat, now)
		pid := ProfileID(i)
		profs.Ids = append(profs.Ids, pid)
		profs.UserIds = append(profs.UserIds, ViewerID(household))
		profs.Names = append(profs.Names, fmt.Sprintf("Profile %d", i%5+1))
		profs.Kids = append(profs.Kids, v.kids)
		profs.MaxAges = append(profs.MaxAges, v.maxAge)
		for j, t := range v.history {
			hist.ProfileIds, hist.TitleIds, hist.WatchedAts = append(hist.ProfileIds, pid), append(hist.TitleIds, t.id), append(hist.WatchedAts, v.watchedAt[j])
		}
		for j, t := range v.rated {
			rates.ProfileIds, rates.TitleIds = append(rates.ProfileIds, pid), append(rates.TitleIds, t.id)
			rates.Scores, rates.RatedAts = append(rates.Scores, v.scores[j]), append(rates.RatedAts, v.ratedAt[j])
		}
		for j, t := range v.partial {
			marks.ProfileIds, marks.TitleIds = append(marks.ProfileIds, pid), append(marks.TitleIds, t.id)
			marks.Positions, marks.UpdatedAts = append(marks.Positions, v.positions[j]), append(marks.UpdatedAts, now)
		}
	}
	if err := q.UserInsertMany(ctx, users); err != nil {
		return err
	}
	if err := q.ProfileInsertMany(ctx, profs); err != nil {
		return err
	}
	if err := q.HistoryInsertMany(ctx, hist); err != nil {
		return err
	}
	if err := q.RatingInsertMany(ctx, rates); err != nil {
		return err
	}
	return q.BookmarkInsertMany(ctx, marks)
}
