// Package demo owns Marquee's demo data: a deterministic catalog of any
// size, demo accounts, and (as the platform grows) a guide and viewing
// activity, so that a newcomer sees a real service at once and benchmarks
// have realistic data. Seeding twice changes nothing.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/google/uuid"

	"marquee/db"
)

// DefaultTitles is the size of the demo catalog.
const DefaultTitles = 2400

// The catalog is laid out in blocks of blockSize titles: a series, its
// episodes (seasons × perSeason), then movies. Title i's kind and content
// depend on i alone, so a catalog of N titles is the first N of any larger
// one, and reseeding with another size never contradicts what is there.
const (
	blockSize = 50
	seasons   = 3
	perSeason = 4
)

// namespace makes demo ids: a UUID v5 of the title's index.
var namespace = uuid.MustParse("8f0c2c1e-6a4b-4d5e-9b7a-3c2d1e0f4a5b")

func titleID(i int) uuid.UUID { return uuid.NewSHA1(namespace, fmt.Appendf(nil, "title/%d", i)) }

var (
	allGenres = []string{"action", "animation", "comedy", "crime", "documentary", "drama", "family", "fantasy",
		"horror", "kids", "romance", "sci-fi", "thriller"}
	// Maturity levels, weighted: most titles are for everyone or teenagers.
	ageLevels  = []int16{0, 0, 0, 7, 7, 13, 13, 13, 16, 18}
	kidsGenres = map[string]bool{"animation": true, "family": true, "kids": true}
)

// demoTitle is one generated title and its genres.
type demoTitle struct {
	id, series     uuid.UUID
	kind, name     string
	synopsis       string
	year, minAge   int16
	runtime        int32
	season, number int16
	genres         []string
}

// generate returns title i of the demo catalog.
func generate(i int) demoTitle {
	rng := rand.New(rand.NewPCG(uint64(i), 0x6d61727175656521)) //nolint:gosec // seeded: the demo catalog is the same on every run
	block, pos := i/blockSize, i%blockSize
	seriesIndex := block * blockSize
	t := demoTitle{id: titleID(i), year: int16(1950 + rng.IntN(76)), minAge: ageLevels[rng.IntN(len(ageLevels))]}
	t.genres = pickGenres(rng, t.minAge)
	switch {
	case pos == 0:
		t.kind, t.name = "series", seriesName(rng)
		t.synopsis = "A series in " + fmt.Sprint(seasons) + " seasons: " + synopsis(rng)
	case pos <= seasons*perSeason:
		// An episode shares its series' maturity and genres.
		series := generate(seriesIndex)
		t.kind, t.series = "episode", series.id
		t.season, t.number = int16((pos-1)/perSeason+1), int16((pos-1)%perSeason+1)
		t.name = episodeWords[(pos-1+block)%len(episodeWords)]
		t.minAge, t.genres, t.year = series.minAge, series.genres, series.year+t.season-1
		t.runtime = int32(1200 + rng.IntN(40)*60)
		t.synopsis = synopsis(rng)
	default:
		t.kind, t.name = "movie", movieName(rng)
		t.runtime = int32(4800 + rng.IntN(90)*60)
		t.synopsis = synopsis(rng)
	}
	return t
}

func pickGenres(rng *rand.Rand, minAge int16) []string {
	n := 1 + rng.IntN(3)
	var out []string
	for len(out) < n {
		g := allGenres[rng.IntN(len(allGenres))]
		if minAge > 7 && kidsGenres[g] || minAge <= 7 && (g == "horror" || g == "thriller") {
			continue
		}
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

func pick(rng *rand.Rand, words []string) string { return words[rng.IntN(len(words))] }

// movieName draws a name from patterns weighted like real catalogs: most
// names are unique, and no leading word ("The") takes more than about a
// sixth of them, so that names of every shape are spread over the alphabet.
func movieName(rng *rand.Rand) string {
	switch rng.IntN(12) {
	case 0, 1:
		return pick(rng, adjectives) + " " + pick(rng, nouns)
	case 2, 3:
		return pick(rng, nouns) + " of the " + pick(rng, nouns)
	case 4:
		return pick(rng, nouns) + " in " + properName(rng)
	case 5:
		return properName(rng)
	case 6:
		return properName(rng) + "'s " + pick(rng, nouns)
	case 7:
		return "The " + pick(rng, adjectives) + " " + pick(rng, nouns)
	case 8:
		return pick(rng, nouns) + " and " + pick(rng, nouns)
	case 9:
		return "The " + properName(rng) + " " + pick(rng, nouns)
	case 10:
		return properName(rng) + " " + pick(rng, nouns)
	}
	return pick(rng, adjectives) + " " + pick(rng, nouns) + " " + fmt.Sprint(2+rng.IntN(4))
}

// properName makes up a name of two or three syllables, capitalised.
func properName(rng *rand.Rand) string {
	n := 2 + rng.IntN(2)
	var b strings.Builder
	for range n {
		b.WriteString(pick(rng, syllables))
	}
	name := b.String()
	return strings.ToUpper(name[:1]) + name[1:]
}

func seriesName(rng *rand.Rand) string {
	if rng.IntN(2) == 0 {
		return pick(rng, places) + " " + pick(rng, nouns)
	}
	return "The " + properName(rng) + " " + pick(rng, nouns) + "s"
}

func synopsis(rng *rand.Rand) string {
	return fmt.Sprintf("A %s %s finds a %s %s in %s.", lower(pick(rng, adjectives)), lower(pick(rng, nouns)),
		lower(pick(rng, adjectives)), lower(pick(rng, nouns)), pick(rng, places))
}

func lower(s string) string { return strings.ToLower(s) }

// batchSize is how many titles one statement inserts.
const batchSize = 5000

// SeedCatalog makes sure the first n demo titles exist, inserting in
// batches, and returns how many it added. A batch whose last title exists
// was seeded before (batches go in order, in one transaction each) and is
// skipped, so that reseeding a large catalog is quick.
func SeedCatalog(ctx context.Context, pool *db.Pool, n int, progress func(done int)) (int64, error) {
	var added int64
	for start := 0; start < n; start += batchSize {
		end := min(start+batchSize, n)
		done, err := pool.TitleExists(ctx, titleID(end-1))
		if err != nil {
			return added, err
		}
		if done {
			continue
		}
		var p db.TitleInsertManyParams
		var g db.TitleGenresInsertManyParams
		for i := start; i < end; i++ {
			t := generate(i)
			p.Ids = append(p.Ids, t.id)
			p.Kinds = append(p.Kinds, t.kind)
			p.Names = append(p.Names, t.name)
			p.Synopses = append(p.Synopses, t.synopsis)
			p.ReleaseYears = append(p.ReleaseYears, t.year)
			p.MinAges = append(p.MinAges, t.minAge)
			p.Runtimes = append(p.Runtimes, t.runtime)
			p.SeriesIds = append(p.SeriesIds, t.series)
			season := t.season
			if t.kind != "episode" {
				season = -1
			}
			p.Seasons = append(p.Seasons, season)
			p.Episodes = append(p.Episodes, t.number)
			for _, genre := range t.genres {
				g.TitleIds = append(g.TitleIds, t.id)
				g.Genres = append(g.Genres, genre)
			}
		}
		err = pool.InTx(ctx, func(q *db.Queries) error {
			n, err := q.TitleInsertMany(ctx, p)
			added += n
			if err != nil {
				return err
			}
			return q.TitleGenresInsertMany(ctx, g)
		})
		if err != nil {
			return added, err
		}
		if progress != nil {
			progress(end)
		}
	}
	return added, nil
}
