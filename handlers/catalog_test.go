package handlers

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/google/uuid"
)

func names(ts []title) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

func search(t *testing.T, a *account, q string, extra string) []title {
	t.Helper()
	return walkList(t, a, "/v1/catalog/search?limit=3&q="+url.QueryEscape(q)+extra)
}

// hasTrigram tells whether s has three letters or digits in a row, a word
// that pg_trgm takes a trigram from.
func hasTrigram(s string) bool {
	run := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			run++
			if run == 3 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

func TestSearch_WildcardsMatchThemselves(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Searcher")
	for _, n := range []string{"100% Pure", "100 Pure", "1000 Pure", "Snake_Case", "SnakeXCase", "Snake Case", `Back\Slash`, "BackSlash", "Back/Slash", `Back\\Double`} {
		f.addTitle(t, titleSpec{name: n})
	}
	for q, want := range map[string][]string{
		"%":      {"100% Pure"},
		"0%":     {"100% Pure"},
		"_":      {"Snake_Case"},
		"e_c":    {"Snake_Case"},
		`\`:      {`Back\\Double`, `Back\Slash`},
		`\\`:     {`Back\\Double`},
		`k\s`:    {`Back\Slash`},
		"pure":   {"100 Pure", "100% Pure", "1000 Pure"},
		"%%":     nil,
		"snake%": nil,
	} {
		if got := names(search(t, a, q, "")); !slices.Equal(got, want) {
			t.Errorf("search %q = %q, want %q", q, got, want)
		}
	}
}

func TestSearch_InjectionIsJustText(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Mallory")
	evil := []string{"'; DROP TABLE titles; --", "%' OR '1'='1", `"quoted" title`, "semi;colon", "/* comment */ title", "-- dash dash"}
	for _, n := range evil {
		f.addTitle(t, titleSpec{name: n})
	}
	f.addTitle(t, titleSpec{name: "Innocent"})
	for _, q := range evil {
		got := names(search(t, a, q, ""))
		if len(got) != 1 || got[0] != q {
			t.Errorf("search %q = %q, want exactly that title", q, got)
		}
	}
	for _, q := range []string{"' OR 1=1 --", "x' UNION SELECT id, email FROM users --", "'", `\'`, ";", "--"} {
		for _, title := range search(t, a, q, "") {
			if !strings.Contains(strings.ToLower(title.Name), strings.ToLower(q)) {
				t.Errorf("search %q returned %q, which does not contain it", q, title.Name)
			}
		}
	}
	// The tables are intact.
	if all := walkList(t, a, "/v1/catalog/titles?limit=100"); len(all) != len(evil)+1 {
		t.Fatalf("%d titles after the injections, want %d", len(all), len(evil)+1)
	}
	var genres list[genre]
	a.api.Do(http.MethodGet, "/v1/catalog/genres", nil).JSON(t, &genres)
	if len(genres.Items) != 13 {
		t.Fatalf("%d genres", len(genres.Items))
	}
	if resp := a.api.Do(http.MethodGet, "/v1/me", nil); resp.Status != http.StatusOK {
		t.Fatalf("users table: %d", resp.Status)
	}
}

func TestSearch_BadQueries(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Fuzzer")
	for _, c := range []struct {
		raw    string // already escaped for the URL
		status int
	}{
		{"q=a%00b", http.StatusBadRequest},
		{"q=%FF%FE", http.StatusBadRequest},
		{"q=abc%C3", http.StatusBadRequest},
		{"q=line%0Abreak", http.StatusBadRequest},
		{"q=" + strings.Repeat("x", 101), http.StatusUnprocessableEntity},
		{"q=" + strings.Repeat("%C3%A9", 101), http.StatusUnprocessableEntity},
		{"q=", http.StatusUnprocessableEntity},
		{"", http.StatusUnprocessableEntity},
		{"q=a&q=b", http.StatusUnprocessableEntity},
		{"q=" + strings.Repeat("%C3%A9", 100), http.StatusOK},
		{"q=a&cursor=forged", http.StatusBadRequest},
	} {
		if resp := a.api.Do(http.MethodGet, "/v1/catalog/search?"+c.raw, nil); resp.Status != c.status {
			t.Errorf("search ?%s = %d %s, want %d", c.raw, resp.Status, resp.Body, c.status)
		}
	}
}

func TestSearch_ExactThenPrefixThenTheRest(t *testing.T) {
	t.Parallel()
	f := setup(t, func(o *options) { o.walk = 3 })
	a := f.register(t, "Ranker")
	for _, n := range []string{"Lone Star", "Stardust", "A Star Is Born", "STAR", "Star Wars", "Starman", "Mustard", "Astra"} {
		f.addTitle(t, titleSpec{name: n})
	}
	want := []string{"STAR", "Star Wars", "Stardust", "Starman", "A Star Is Born", "Lone Star", "Mustard"}
	for _, limit := range []string{"1", "2", "3", "20"} {
		got := names(walkList(t, a, "/v1/catalog/search?q=Star&limit="+limit))
		if !slices.Equal(got, want) {
			t.Errorf("limit %s: search Star = %q, want %q", limit, got, want)
		}
	}
}

// TestSearch_TextWithoutTrigram_InsideNamesAmongFirstTitlesOnly: a text
// with no three letters or digits in a row, which the trigram index cannot
// narrow, finds every exact and prefix match, and the names that merely
// contain it among the first 4 × walk listed titles in name order only, on
// every page, whatever the page size; a text with a longer word finds a
// match past them.
func TestSearch_TextWithoutTrigram_InsideNamesAmongFirstTitlesOnly(t *testing.T) {
	t.Parallel()
	f := setup(t, func(o *options) { o.walk = 2 }) // the first 8 titles
	a := f.register(t, "Shorty")
	show := f.addTitle(t, titleSpec{kind: "series", name: "Bzq Show"})
	f.addTitle(t, titleSpec{kind: "episode", name: "Azq Pilot", series: &show, season: 1, episode: 1}) // never listed, never counted
	for _, n := range []string{
		"Azq", "C Zq", "Filler 1", "Filler 2", "Filler 3", "Filler 4", "Gzq", // with the series, the first 8
		"Mzq Late", "Nzq Later", // beyond them
		"Zq", "Zq Two", "Zqx", // exact and prefix, last in name order
	} {
		f.addTitle(t, titleSpec{name: n})
	}
	inside := []string{"Zq", "Zq Two", "Zqx", "Azq", "Bzq Show", "C Zq", "Gzq"}
	for q, want := range map[string][]string{
		"zq":       inside,
		"ZQ":       inside,
		"z":        inside,
		"c z":      {"C Zq"},
		"q l":      nil, // only in "Mzq Late" and "Nzq Later"
		"zq la":    nil,
		"zq late":  {"Mzq Late", "Nzq Later"},
		"zq later": {"Nzq Later"},
	} {
		for _, limit := range []string{"1", "2", "3", "20"} {
			if got := names(walkList(t, a, "/v1/catalog/search?q="+url.QueryEscape(q)+"&limit="+limit)); !slices.Equal(got, want) {
				t.Errorf("search %q, limit %s = %q, want %q", q, limit, got, want)
			}
		}
	}
}

// TestSearch_PropertySameAsSubstringMatchInGo: for random queries over a
// catalog of random names and ratings, some of them episodes, walking every
// page of the search returns exactly the movies whose lower-cased name
// contains the lower-cased query, in order: exact matches, prefix matches,
// the rest, each by name then id; for a kids profile only those rated 7 or
// under; of a text with no three letters or digits in a row, the rest only
// among the first 4 × walk movies and series in name order, whatever their
// rating. With walks of several sizes, so that every way TitleSearch has of
// finding the rest is taken: the walk, the few matches of the trigram
// index, the farther walk when there are many, all of them sorted, and the
// walk from the start for a text without a trigram.
func TestSearch_PropertySameAsSubstringMatchInGo(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	alphabet := []rune("abcAB %_\\éÉ")
	randomText := func(n int) string {
		r := make([]rune, n)
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(r)
	}
	type entry struct {
		name    string
		minAge  int16
		episode bool // of a series no query finds; never a search result
	}
	var catalog []entry
	seen := map[string]bool{}
	for len(catalog) < 200 {
		n := strings.TrimSpace(randomText(1 + rng.IntN(8)))
		if n != "" && !seen[n] {
			seen[n] = true
			catalog = append(catalog, entry{name: n, minAge: []int16{0, 7, 13, 16, 18}[rng.IntN(5)], episode: rng.IntN(4) == 0})
		}
	}
	queries := []string{"%", "_", `\`, "é", "É", "a", "ab"}
	for len(queries) < 40 {
		if q := randomText(1 + rng.IntN(3)); strings.TrimSpace(q) != "" {
			queries = append(queries, q)
		}
	}

	for _, walk := range []int32{1, 5, 20, 50, 2000} {
		t.Run(fmt.Sprintf("walk %d", walk), func(t *testing.T) {
			t.Parallel()
			f := setup(t, func(o *options) { o.walk = walk })
			a := f.register(t, "Prop")
			var kid profile
			a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "Kid", "kids": true}).JSON(t, &kid)
			show := f.addTitle(t, titleSpec{kind: "series", name: "Show"})
			type movie struct {
				key    string // the lower-cased name
				id     uuid.UUID
				minAge int16
			}
			var movies []movie
			for i, e := range catalog {
				if e.episode {
					f.addTitle(t, titleSpec{kind: "episode", name: e.name, minAge: e.minAge, series: &show, season: 1, episode: int16(i + 1)})
					continue
				}
				id := f.addTitle(t, titleSpec{name: e.name, minAge: e.minAge})
				movies = append(movies, movie{key: strings.ToLower(e.name), id: id, minAge: e.minAge})
			}
			byName := func(x, y movie) int {
				return cmp.Or(strings.Compare(x.key, y.key), strings.Compare(x.id.String(), y.id.String()))
			}
			listed := append(slices.Clone(movies), movie{key: "show", id: show})
			slices.SortFunc(listed, byName)
			head := map[uuid.UUID]bool{}
			for _, m := range listed[:min(len(listed), 4*int(walk))] {
				head[m.id] = true
			}
			for _, q := range queries {
				lq := strings.ToLower(q)
				rank := func(key string) int {
					switch {
					case key == lq:
						return 0
					case strings.HasPrefix(key, lq):
						return 1
					}
					return 2
				}
				var found []movie
				for _, m := range movies {
					if strings.Contains(m.key, lq) && (rank(m.key) < 2 || head[m.id] || hasTrigram(lq)) {
						found = append(found, m)
					}
				}
				slices.SortFunc(found, func(x, y movie) int {
					return cmp.Or(cmp.Compare(rank(x.key), rank(y.key)), byName(x, y))
				})
				for _, viewer := range []struct {
					maxAge int16
					query  string
				}{{18, ""}, {7, "&profile_id=" + kid.ID.String()}} {
					var want []uuid.UUID
					for _, m := range found {
						if m.minAge <= viewer.maxAge {
							want = append(want, m.id)
						}
					}
					var got []uuid.UUID
					for _, ti := range search(t, a, q, viewer.query) {
						got = append(got, ti.ID)
					}
					if !slices.Equal(got, want) {
						t.Fatalf("search %q, max_age %d:\n got %v\nwant %v", q, viewer.maxAge, got, want)
					}
				}
			}
		})
	}
}

func TestBrowse_EveryTitleOnceInOrderAndFilters(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Browser")
	rng := rand.New(rand.NewPCG(1, 2))
	var movies []string
	for i := range 45 {
		name := fmt.Sprintf("%c%s %02d", 'A'+rng.IntN(26), strings.Repeat("a", rng.IntN(3)), i)
		genres := []string{"drama"}
		if i%3 == 0 {
			genres = []string{"comedy", "drama"}
		}
		f.addTitle(t, titleSpec{name: name, genres: genres})
		movies = append(movies, name)
	}
	show := f.addTitle(t, titleSpec{kind: "series", name: "Zz Show", genres: []string{"comedy"}})
	f.addTitle(t, titleSpec{kind: "episode", name: "Pilot", series: &show, season: 1, episode: 1})

	all := walkList(t, a, "/v1/catalog/titles?limit=7")
	if len(all) != 46 {
		t.Fatalf("browse walked %d titles, want 45 movies and 1 series (no episodes)", len(all))
	}
	seen := map[uuid.UUID]bool{}
	for i, ti := range all {
		if seen[ti.ID] {
			t.Fatalf("%q listed twice", ti.Name)
		}
		seen[ti.ID] = true
		if i > 0 && strings.ToLower(all[i-1].Name) > strings.ToLower(ti.Name) {
			t.Fatalf("out of order: %q before %q", all[i-1].Name, ti.Name)
		}
	}
	listed := names(all)
	for _, m := range movies {
		if !slices.Contains(listed, m) {
			t.Errorf("browse never listed %q", m)
		}
	}
	if got := walkList(t, a, "/v1/catalog/titles?genre=comedy&limit=4"); len(got) != 16 {
		t.Fatalf("comedy: %d titles, want 15 movies and the series", len(got))
	}
	if got := walkList(t, a, "/v1/catalog/titles?kind=series"); len(got) != 1 || got[0].ID != show {
		t.Fatalf("kind=series: %v", names(got))
	}
	if got := walkList(t, a, "/v1/catalog/titles?kind=episode"); len(got) != 1 || got[0].Name != "Pilot" || *got[0].SeriesID != show {
		t.Fatalf("kind=episode: %+v", got)
	}
	for _, bad := range []struct {
		q      string
		status int
	}{{"genre=polka", 422}, {"genre=Drama%C3%A9", 422}, {"kind=short", 422}, {"cursor=AAAA", 400}, {"limit=-1", 422}} {
		if resp := a.api.Do(http.MethodGet, "/v1/catalog/titles?"+bad.q, nil); resp.Status != bad.status {
			t.Errorf("?%s = %d, want %d", bad.q, resp.Status, bad.status)
		}
	}
}

func TestCatalog_KidsProfileNeverSeesAnythingAboveItsAge(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Parent")
	var kid profile
	a.api.Do(http.MethodPost, "/v1/profiles", map[string]any{"name": "Kid", "kids": true}).JSON(t, &kid)
	ages := []int16{0, 7, 13, 16, 18}
	byAge := map[int16]uuid.UUID{}
	for _, age := range ages {
		byAge[age] = f.addTitle(t, titleSpec{name: fmt.Sprintf("Movie rated %d", age), minAge: age})
	}
	family := f.addTitle(t, titleSpec{kind: "series", name: "Family Series"})
	f.addTitle(t, titleSpec{kind: "episode", name: "Gentle", series: &family, season: 1, episode: 1})
	f.addTitle(t, titleSpec{kind: "episode", name: "Scary", series: &family, season: 1, episode: 2, minAge: 16})
	grim := f.addTitle(t, titleSpec{kind: "series", name: "Grim Series", minAge: 16})

	kidQ := "profile_id=" + kid.ID.String()
	for _, ti := range walkList(t, a, "/v1/catalog/titles?"+kidQ) {
		if ti.MinAge > 7 {
			t.Errorf("browse shows %q (min_age %d) to a kids profile", ti.Name, ti.MinAge)
		}
	}
	if got := walkList(t, a, "/v1/catalog/titles?"+kidQ); len(got) != 3 {
		t.Errorf("a kids profile browses %q, want the 0 and 7 movies and Family Series", names(got))
	}
	for _, q := range []string{"Movie", "rated 1", "Series"} {
		for _, ti := range search(t, a, q, "&"+kidQ) {
			if ti.MinAge > 7 {
				t.Errorf("search %q shows %q to a kids profile", q, ti.Name)
			}
		}
	}
	if got := names(search(t, a, "rated 1", "&"+kidQ)); len(got) != 0 {
		t.Errorf("search for the 13-18 movies found %q", got)
	}
	for age, id := range byAge {
		want := http.StatusOK
		if age > 7 {
			want = http.StatusNotFound
		}
		if resp := a.api.Do(http.MethodGet, "/v1/catalog/titles/"+id.String()+"?"+kidQ, nil); resp.Status != want {
			t.Errorf("detail of a %d title for a kids profile = %d, want %d", age, resp.Status, want)
		}
	}
	if got := names(walkList(t, a, "/v1/catalog/titles/"+family.String()+"/episodes?"+kidQ)); !slices.Equal(got, []string{"Gentle"}) {
		t.Errorf("episodes for a kids profile = %q", got)
	}
	if resp := a.api.Do(http.MethodGet, "/v1/catalog/titles/"+grim.String()+"/episodes?"+kidQ, nil); resp.Status != http.StatusNotFound {
		t.Errorf("episodes of a 16 series for a kids profile = %d, want 404", resp.Status)
	}
	// Without a profile, an adult sees everything.
	if got := walkList(t, a, "/v1/catalog/titles"); len(got) != 7 {
		t.Errorf("without a profile: %q", names(got))
	}
}

func TestEpisodes_BySeasonThenEpisode(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Binger")
	show := f.addTitle(t, titleSpec{kind: "series", name: "Long Show"})
	var want []string
	for _, se := range [][2]int16{{2, 1}, {1, 10}, {1, 2}, {0, 1}, {1, 1}, {2, 2}} {
		f.addTitle(t, titleSpec{kind: "episode", name: fmt.Sprintf("S%02dE%02d", se[0], se[1]), series: &show, season: se[0], episode: se[1]})
	}
	want = []string{"S00E01", "S01E01", "S01E02", "S01E10", "S02E01", "S02E02"}
	if got := names(walkList(t, a, "/v1/catalog/titles/"+show.String()+"/episodes?limit=4")); !slices.Equal(got, want) {
		t.Fatalf("episodes = %q, want %q", got, want)
	}
	movie := f.addTitle(t, titleSpec{name: "Single"})
	for _, id := range []string{movie.String(), uuid.NewString(), "nope"} {
		if resp := a.api.Do(http.MethodGet, "/v1/catalog/titles/"+id+"/episodes", nil); resp.Status != http.StatusNotFound {
			t.Errorf("episodes of %s = %d, want 404", id, resp.Status)
		}
	}
}
