package handlers

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"marquee/auth"
	"marquee/db"
	"marquee/rules"
)

// catalog serves browse, title detail, episodes, search and genres. Every
// answer applies the max_age of the profile named by ?profile_id=, if any.
type catalog struct {
	pool    *db.Pool
	cursors cursors
	walk    int32 // see searchWalk
}

// title is the API's view of a title.
type title struct {
	ID             uuid.UUID  `json:"id"`
	Kind           string     `json:"kind"`
	Name           string     `json:"name"`
	Synopsis       string     `json:"synopsis"`
	ReleaseYear    int16      `json:"release_year"`
	MinAge         int16      `json:"min_age"`
	RuntimeSeconds *int32     `json:"runtime_seconds"`
	Genres         []string   `json:"genres"`
	SeriesID       *uuid.UUID `json:"series_id"`
	Season         *int16     `json:"season"`
	Episode        *int16     `json:"episode"`
}

func titleOf(d db.TitleDetail) title {
	return title{ID: d.ID, Kind: d.Kind, Name: d.Name, Synopsis: d.Synopsis, ReleaseYear: d.ReleaseYear, MinAge: d.MinAge,
		RuntimeSeconds: d.RuntimeSeconds, Genres: d.Genres, SeriesID: d.SeriesID, Season: d.Season, Episode: d.Episode}
}

// adultAge is the max_age of a request without a profile.
const adultAge = rules.Adult

// viewerMaxAge is the max_age of the profile the request names, or 18.
func viewerMaxAge(ctx context.Context) int16 {
	if p, ok := auth.ProfileFrom(ctx); ok {
		return p.MaxAge
	}
	return adultAge
}

func (h *catalog) browse(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	kind := q.Get("kind")
	if kind != "" && kind != "movie" && kind != "series" && kind != "episode" {
		return invalid(FieldError{Field: "kind", Message: "must be movie, series or episode"})
	}
	var genre *string
	if g := q.Get("genre"); g != "" {
		noSuchGenre := invalid(FieldError{Field: "genre", Message: "no such genre; see /v1/catalog/genres"})
		if !genreSlug(g) {
			return noSuchGenre
		}
		known, err := h.pool.GenresKnown(r.Context(), []string{g})
		if err != nil {
			return err
		}
		if len(known) == 0 {
			return noSuchGenre
		}
		genre = &g
	}
	return writePage(w, r, h.cursors, page, "catalog.titles", nameKeyset{},
		func(ctx context.Context, after nameKeyset, limit int32) ([]db.TitleDetail, error) {
			return h.browseRows(ctx, kind, after, genre, limit)
		},
		func(d db.TitleDetail) (title, nameKeyset) { return titleOf(d), nameKeyset{Key: *d.NameKey, ID: d.ID} })
}

// browseRows runs the browse query for kind: movies and series when kind is
// empty, else that kind alone (each has its own index).
func (h *catalog) browseRows(ctx context.Context, kind string, after nameKeyset, genre *string, lim int32) ([]db.TitleDetail, error) {
	maxAge := viewerMaxAge(ctx)
	var rows []db.TitleDetail
	if kind == "" {
		found, err := h.pool.TitleBrowse(ctx, db.TitleBrowseParams{AfterKey: after.Key, AfterID: after.ID, MaxAge: maxAge, Genre: genre, Lim: lim})
		for _, f := range found {
			rows = append(rows, f.TitleDetail)
		}
		return rows, err
	}
	found, err := h.pool.TitleBrowseKind(ctx, db.TitleBrowseKindParams{Kind: kind, AfterKey: after.Key, AfterID: after.ID, MaxAge: maxAge, Genre: genre, Lim: lim})
	for _, f := range found {
		rows = append(rows, f.TitleDetail)
	}
	return rows, err
}

// titleFromPath is the title the path names, if the viewer may see it.
func (h *catalog) titleFromPath(r *http.Request) (db.TitleDetail, error) {
	id, err := uuid.Parse(mux.Vars(r)["titleID"])
	if err != nil {
		return db.TitleDetail{}, notFound("title")
	}
	t, err := h.pool.TitleGet(r.Context(), db.TitleGetParams{ID: id, MaxAge: viewerMaxAge(r.Context())})
	if err != nil {
		return t, titleNotFound(err)
	}
	return t, nil
}

// titleNotFound words a missing title: unknown and above the viewer's
// max_age read the same.
func titleNotFound(err error) error {
	if errors.Is(err, db.ErrNotFound) {
		return notFound("title")
	}
	return err
}

func (h *catalog) detail(w http.ResponseWriter, r *http.Request) error {
	t, err := h.titleFromPath(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, titleOf(t))
	return nil
}

func (h *catalog) episodes(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	series, err := h.titleFromPath(r)
	if err == nil && series.Kind != "series" {
		err = notFound("series")
	}
	if err != nil {
		return err
	}
	return writePage(w, r, h.cursors, page, "catalog.episodes:"+series.ID.String(), episodeKeyset{Season: -1},
		func(ctx context.Context, after episodeKeyset, limit int32) ([]db.TitleDetail, error) {
			return h.pool.TitleEpisodes(ctx, db.TitleEpisodesParams{
				SeriesID: &series.ID, AfterSeason: after.Season, AfterEpisode: after.Episode, MaxAge: viewerMaxAge(ctx), Lim: limit,
			})
		},
		func(d db.TitleDetail) (title, episodeKeyset) {
			return titleOf(d), episodeKeyset{Season: *d.Season, Episode: *d.Episode}
		})
}

// maxQuery is the longest search text, in characters.
const maxQuery = 100

// searchWalk is how many titles in name order the search reads at most
// after its cursor before it turns to the trigram index (see TitleSearch):
// where a query matches more than about 1 title in 500, the page is found
// there, usually long before the end of the walk. A text that the trigram
// index finds in a fifth of that many titles or more is common: rather than
// sort every match, the search walks again, four times as far (see
// searchParams). That farther walk is the longest any search takes: a text
// with no three letters or digits in a row, which the trigram index cannot
// narrow, looks for the names that contain it (past its exact and prefix
// matches) among that many titles from the start of name order only, so
// that no text costs a search more.
const searchWalk = 10000

// searchText checks ?q=: 1 to 100 characters of valid UTF-8 without NUL or
// other control characters.
func searchText(r *http.Request) (string, error) {
	q, present := r.URL.Query()["q"]
	if !present || len(q) != 1 {
		return "", invalid(FieldError{Field: "q", Message: "is required, once"})
	}
	s := q[0]
	if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "", badRequest("q must be valid UTF-8 text without control characters")
	}
	if n := utf8.RuneCountInString(s); n < 1 || n > maxQuery {
		return "", invalid(FieldError{Field: "q", Message: "must be 1 to 100 characters"})
	}
	return s, nil
}

func (h *catalog) search(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	q, err := searchText(r)
	if err != nil {
		return err
	}
	return writePage(w, r, h.cursors, page, "catalog.search:"+q, searchKeyset{},
		func(ctx context.Context, after searchKeyset, limit int32) ([]db.TitleSearchRow, error) {
			return h.pool.TitleSearch(ctx, h.searchParams(q, after, viewerMaxAge(ctx), limit))
		},
		func(s db.TitleSearchRow) (title, searchKeyset) {
			return titleOf(s.TitleDetail), searchKeyset{Rank: s.Rank, Key: *s.TitleDetail.NameKey, ID: s.TitleDetail.ID}
		})
}

// searchParams is TitleSearch's arguments for the page of up to limit
// matches of q after the position after, for a viewer of maxAge.
func (h *catalog) searchParams(q string, after searchKeyset, maxAge int16, limit int32) db.TitleSearchParams {
	lo := strings.ToLower(q)
	hi, ok := db.PrefixEnd(lo)
	if !ok {
		hi = lo // no range: every match is ranked with the rest
	}
	p := db.TitleSearchParams{
		Rank: after.Rank, AfterKey: after.Key, AfterID: after.ID,
		Walk: h.walk, Probe: max(h.walk/5, 1), Far: int32(min(4*int64(h.walk), math.MaxInt32)),
		Lo: lo, Hi: hi, Pattern: db.EscapeLike(q), MaxAge: maxAge, Lim: limit,
	}
	if after.Rank == 2 {
		p.RestKey, p.RestID = after.Key, after.ID
	}
	return p
}

// genre is the API's view of a genre.
type genre struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func (h *catalog) genres(w http.ResponseWriter, r *http.Request) error {
	return serveAll(w, r, h.cursors, "catalog.genres", h.pool.GenreList, func(g db.Genre) genre {
		return genre{Slug: g.Slug, Name: g.Name}
	})
}
