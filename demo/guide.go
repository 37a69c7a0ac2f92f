package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"marquee/db"
	"marquee/guide"
	"marquee/guide/xmltv"
)

// DefaultChannels is the size of the demo guide.
const DefaultChannels = 12

// The demo guide covers whole UTC days: the day before the one seeding runs
// on, that day and the day after, so that every window of up to 48 hours
// around the time of seeding is filled. A day of a channel depends on the
// channel and the date alone, and days tile (each starts at 00:00 and its
// last programme ends at 24:00), so seeding again the same day changes
// nothing, and seeding on a later day adds the days that are new and leaves
// the others as they were. `make run` seeds at every start, which keeps
// the guide alive.
const (
	daysBefore = 1
	daysAfter  = 1
)

// theme is what a demo channel shows: programme lengths in minutes, maturity
// levels and categories to draw from, and how titles look.
type theme struct {
	name       string
	minutes    []int
	ages       []int
	categories []string
	title      func(rng *rand.Rand, start time.Time) string
}

var themes = []theme{
	{"Marquee News", []int{30, 30, 60}, []int{0}, []string{"News"}, newsTitle},
	{"Kids Planet", []int{10, 15, 25, 30}, []int{0, 0, 7}, []string{"Kids", "Animation"}, theTitle},
	{"Cinema One", []int{95, 110, 125, 150}, []int{7, 13, 13, 16, 18}, []string{"Film"}, words(movieName)},
	{"Planet Docs", []int{45, 50, 60}, []int{0, 7}, []string{"Documentary"}, words(func(rng *rand.Rand) string { return "Secrets of " + pick(rng, places) })},
	{"Sport Live", []int{60, 90, 120, 180}, []int{0}, []string{"Sport"}, words(func(rng *rand.Rand) string { return pick(rng, places) + " v " + pick(rng, places) })},
	{"Laugh Track", []int{25, 30, 30}, []int{7, 13}, []string{"Comedy"}, words(func(rng *rand.Rand) string { return properName(rng) + "'s " + pick(rng, nouns) })},
	{"Drama House", []int{45, 60}, []int{13, 16}, []string{"Drama", "Series"}, words(seriesName)},
	{"Night Owl", []int{60, 90}, []int{16, 18}, []string{"Thriller"}, theTitle},
	{"Music Box", []int{30, 60}, []int{0}, []string{"Music"}, words(func(rng *rand.Rand) string { return pick(rng, nouns) + " Live" })},
	{"Family Room", []int{30, 45, 60}, []int{0, 7}, []string{"Family"}, words(func(rng *rand.Rand) string { return pick(rng, nouns) + " and " + pick(rng, nouns) })},
	{"Orbit", []int{45, 60}, []int{7, 13}, []string{"Sci-Fi", "Series"}, words(func(rng *rand.Rand) string { return pick(rng, adjectives) + " Galaxy" })},
	{"Wanderlust", []int{30, 60}, []int{0}, []string{"Travel"}, words(func(rng *rand.Rand) string { return "A Week in " + pick(rng, places) })},
}

func newsTitle(_ *rand.Rand, start time.Time) string { return "News at " + start.Format("15:04") }

func theTitle(rng *rand.Rand, _ time.Time) string {
	return "The " + pick(rng, adjectives) + " " + pick(rng, nouns)
}

// words makes a title that does not depend on the time of day.
func words(f func(*rand.Rand) string) func(*rand.Rand, time.Time) string {
	return func(rng *rand.Rand, _ time.Time) string { return f(rng) }
}

// demoChannel is channel i of the demo guide: its theme, and the channel as
// an XMLTV document would declare it.
func demoChannel(i int) (theme, xmltv.Channel) {
	th := themes[i%len(themes)]
	name := th.name
	if round := i / len(themes); round > 0 {
		name = fmt.Sprintf("%s %d", th.name, round+1)
	}
	id := fmt.Sprintf("ch%d.demo.marquee.test", i+1)
	return th, xmltv.Channel{ID: id, Name: name, Number: i + 1, LogoURL: "https://demo.marquee.test/logos/" + id + ".png"}
}

// demoDay returns the programmes of channel i on the UTC day starting at day.
func demoDay(i int, day time.Time) []xmltv.Programme {
	th, ch := demoChannel(i)
	rng := rand.New(rand.NewPCG(uint64(i), uint64(day.Unix()/86400))) //nolint:gosec // seeded: the demo guide is the same on every run
	end := day.AddDate(0, 0, 1)
	var out []xmltv.Programme
	for start := day; start.Before(end); {
		stop := start.Add(time.Duration(th.minutes[rng.IntN(len(th.minutes))]) * time.Minute)
		if stop.After(end) {
			stop = end
		}
		out = append(out, xmltv.Programme{
			ChannelID: ch.ID, Start: start, Stop: stop,
			Title: th.title(rng, start), Synopsis: synopsis(rng),
			MinAge: th.ages[rng.IntN(len(th.ages))], Categories: th.categories,
		})
		start = stop
	}
	return out
}

// GuideDays is the first day of the demo guide seeded at now, and the day
// after its last.
func GuideDays(now time.Time) (first, end time.Time) {
	today := now.UTC().Truncate(24 * time.Hour)
	return today.AddDate(0, 0, -daysBefore), today.AddDate(0, 0, daysAfter+1)
}

// SeedGuide makes sure the n demo channels exist, with their programmes of
// the days around now (see GuideDays), through the guide's import.
func SeedGuide(ctx context.Context, pool *db.Pool, n int, now time.Time) (guide.Counts, error) {
	first, end := GuideDays(now)
	src := func(onChannel func(xmltv.Channel) error, onProgramme func(xmltv.Programme) error) (int, error) {
		for i := range n {
			_, ch := demoChannel(i)
			if err := onChannel(ch); err != nil {
				return 0, err
			}
		}
		for i := range n {
			for day := first; day.Before(end); day = day.AddDate(0, 0, 1) {
				for _, p := range demoDay(i, day) {
					if err := onProgramme(p); err != nil {
						return 0, err
					}
				}
			}
		}
		return 0, nil
	}
	return guide.Import(ctx, pool, src, nil)
}
