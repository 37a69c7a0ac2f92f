package handlers

import (
	"errors"
	"net/http"
	"slices"

	"github.com/google/uuid"

	"marquee/db"
	"marquee/rules"
)

// titleBody is the body of title create and update: a title without its id.
// In an update every field is optional; series_id, season and episode
// belong to episodes only and runtime_seconds to movies and episodes, so
// changing the kind drops the fields the new kind has no use for.
type titleBody struct {
	Kind           *string    `json:"kind"`
	Name           *string    `json:"name"`
	Synopsis       *string    `json:"synopsis"`
	ReleaseYear    *int16     `json:"release_year"`
	MinAge         *int16     `json:"min_age"`
	RuntimeSeconds *int32     `json:"runtime_seconds"`
	Genres         *[]string  `json:"genres"`
	SeriesID       *uuid.UUID `json:"series_id"`
	Season         *int16     `json:"season"`
	Episode        *int16     `json:"episode"`
}

// Title limits.
const (
	maxTitleName   = 200
	maxSynopsis    = 5000
	maxRuntime     = 24 * 60 * 60
	minReleaseYear = 1870
	maxReleaseYear = 2100
)

// titleFields are a title's writable fields.
type titleFields struct {
	db.TitleCreateParams
	genres []string
}

// fieldsOf is a stored title's writable fields. Its rating is its own, not
// the effective min_age it shows (an episode's is at least its series').
func fieldsOf(d db.TitleDetail) titleFields {
	return titleFields{TitleCreateParams: db.TitleCreateParams{
		Kind: d.Kind, Name: d.Name, Synopsis: d.Synopsis, ReleaseYear: d.ReleaseYear, MinAge: d.OwnMinAge,
		RuntimeSeconds: d.RuntimeSeconds, SeriesID: d.SeriesID, Season: d.Season, Episode: d.Episode,
	}, genres: d.Genres}
}

// apply merges b into base and checks every field of the result, naming
// each one at fault.
func (b titleBody) apply(base titleFields) (titleFields, error) {
	out := base
	var c checks
	if b.Kind != nil {
		out.Kind = *b.Kind
	}
	c.require(out.Kind == "movie" || out.Kind == "series" || out.Kind == "episode", "kind", "must be movie, series or episode")
	if b.Name != nil {
		name, ok := text(*b.Name, 1, maxTitleName)
		c.require(ok, "name", "must be 1 to 200 characters, without control characters")
		out.Name = name
	}
	c.require(out.Name != "", "name", "is required")
	if b.Synopsis != nil {
		synopsis, ok := text(*b.Synopsis, 0, maxSynopsis)
		c.require(ok, "synopsis", "must be at most 5000 characters, without control characters")
		out.Synopsis = synopsis
	}
	if b.ReleaseYear != nil {
		out.ReleaseYear = *b.ReleaseYear
	}
	c.require(out.ReleaseYear >= minReleaseYear && out.ReleaseYear <= maxReleaseYear, "release_year", "must be between 1870 and 2100")
	if b.MinAge != nil {
		out.MinAge = *b.MinAge
		c.maturity("min_age", out.MinAge)
	}
	if b.Genres != nil {
		out.genres = slices.Compact(slices.Sorted(slices.Values(*b.Genres)))
	}

	if b.RuntimeSeconds != nil {
		out.RuntimeSeconds = b.RuntimeSeconds
	}
	if out.Kind == "series" {
		c.require(b.RuntimeSeconds == nil, "runtime_seconds", "a series has no runtime; its episodes do")
		out.RuntimeSeconds = nil
	} else {
		c.require(out.RuntimeSeconds != nil && *out.RuntimeSeconds >= 1 && *out.RuntimeSeconds <= maxRuntime,
			"runtime_seconds", "is required: 1 to 86400 seconds")
	}

	if b.SeriesID != nil {
		out.SeriesID = b.SeriesID
	}
	if b.Season != nil {
		out.Season = b.Season
	}
	if b.Episode != nil {
		out.Episode = b.Episode
	}
	if out.Kind == "episode" {
		c.require(out.SeriesID != nil, "series_id", "is required for an episode")
		c.require(out.Season != nil && *out.Season >= 0 && *out.Season <= 999, "season", "is required for an episode: 0 to 999")
		c.require(out.Episode != nil && *out.Episode >= 1 && *out.Episode <= 9999, "episode", "is required for an episode: 1 to 9999")
	} else {
		for field, given := range map[string]bool{"series_id": b.SeriesID != nil, "season": b.Season != nil, "episode": b.Episode != nil} {
			c.require(!given, field, "only episodes have one")
		}
		out.SeriesID, out.Season, out.Episode = nil, nil, nil
	}
	return out, c.err()
}

// adminTitles serves the admin writes of the catalog, each audited.
type adminTitles struct {
	pool *db.Pool
}

// checkGenres refuses slugs that are not genres.
func (h *adminTitles) checkGenres(r *http.Request, slugs []string) error {
	known, err := h.pool.GenresKnown(r.Context(), slices.DeleteFunc(slices.Clone(slugs), func(s string) bool { return !genreSlug(s) }))
	if err != nil {
		return err
	}
	var c checks
	for _, s := range slugs {
		c.require(slices.Contains(known, s), "genres", "unknown genre "+quote(s)+"; see /v1/catalog/genres")
	}
	return c.err()
}

func quote(s string) string { return `"` + s + `"` }

// save writes f as title id (uuid.Nil: a new title), its genres and the
// audit row in one transaction, and returns the title as stored.
func (h *adminTitles) save(r *http.Request, id uuid.UUID, f titleFields, action rules.Action) (db.TitleDetail, error) {
	var saved db.TitleDetail
	err := h.pool.InTx(r.Context(), func(q *db.Queries) error {
		var err error
		if id == uuid.Nil {
			id, err = q.TitleCreate(r.Context(), f.TitleCreateParams)
		} else {
			p := f.TitleCreateParams
			id, err = q.TitleUpdate(r.Context(), db.TitleUpdateParams{ID: id, Kind: p.Kind, Name: p.Name, Synopsis: p.Synopsis,
				ReleaseYear: p.ReleaseYear, MinAge: p.MinAge, RuntimeSeconds: p.RuntimeSeconds, SeriesID: p.SeriesID, Season: p.Season, Episode: p.Episode})
		}
		if err != nil {
			return err
		}
		if err := q.TitleGenresClear(r.Context(), id); err != nil {
			return err
		}
		if err := q.TitleGenresAdd(r.Context(), db.TitleGenresAddParams{TitleID: id, Genres: f.genres}); err != nil {
			return err
		}
		if err := rules.Audit(r.Context(), q, actor(r.Context()), action, id.String()); err != nil {
			return err
		}
		saved, err = q.TitleGet(r.Context(), db.TitleGetParams{ID: id, MaxAge: adultAge})
		return err
	})
	return saved, titleWriteError(err, f.Kind)
}

// titleWriteError words the constraint failures of a title write.
func titleWriteError(err error, kind string) error {
	var ce *db.ConstraintError
	if !errors.As(err, &ce) {
		return err
	}
	switch {
	case ce.Constraint == "titles_episode_key":
		return &Error{Status: http.StatusConflict, Detail: "the series already has an episode with this season and episode number"}
	case ce.Constraint == "titles_series_fkey" && kind == "episode":
		return invalid(FieldError{Field: "series_id", Message: "no such series"})
	case ce.Constraint == "titles_series_fkey":
		return &Error{Status: http.StatusConflict, Detail: "the series has episodes: delete them or keep it a series"}
	}
	return err
}

func (h *adminTitles) create(w http.ResponseWriter, r *http.Request) error {
	var in titleBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	var c checks
	c.require(in.Kind != nil, "kind", "is required")
	c.require(in.Name != nil, "name", "is required")
	c.require(in.ReleaseYear != nil, "release_year", "is required")
	if err := c.err(); err != nil {
		return err
	}
	f, err := in.apply(titleFields{genres: []string{}})
	if err == nil {
		err = h.checkGenres(r, f.genres)
	}
	if err != nil {
		return err
	}
	saved, err := h.save(r, uuid.Nil, f, rules.TitleCreated)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, titleOf(saved))
	return nil
}

func (h *adminTitles) update(w http.ResponseWriter, r *http.Request) error {
	id, err := titleParam(r)
	if err != nil {
		return err
	}
	var in titleBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	current, err := h.pool.TitleGet(r.Context(), db.TitleGetParams{ID: id, MaxAge: adultAge})
	if err != nil {
		return titleNotFound(err)
	}
	f, err := in.apply(fieldsOf(current))
	if err == nil {
		err = h.checkGenres(r, f.genres)
	}
	if err != nil {
		return err
	}
	saved, err := h.save(r, id, f, rules.TitleUpdated)
	if err != nil {
		return titleNotFound(err)
	}
	writeJSON(w, http.StatusOK, titleOf(saved))
	return nil
}

func (h *adminTitles) delete(w http.ResponseWriter, r *http.Request) error {
	id, err := titleParam(r)
	if err != nil {
		return err
	}
	return auditedDelete(w, r, h.pool, "title", id, rules.DeleteTitle)
}
