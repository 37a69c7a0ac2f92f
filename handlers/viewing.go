package handlers

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"marquee/db"
)

// viewing serves a profile's viewing state: bookmarks (the playback
// heartbeat and "continue watching"), history, watchlist and ratings. Every
// route sits behind the viewing routes' guard (Guard.Profile); every write
// also checks, in its own statement, that the profile is the caller's and
// the title within the profile's max_age.
type viewing struct {
	pool       *db.Pool
	heartbeats *db.HeartbeatWriter
	cursors    cursors
}

// The entries of the profile's lists.
type (
	// bookmark is an entry of "continue watching".
	bookmark struct {
		Title           title     `json:"title"`
		PositionSeconds int32     `json:"position_seconds"`
		UpdatedAt       time.Time `json:"updated_at"`
	}
	// watched is an entry of the history.
	watched struct {
		Title     title     `json:"title"`
		WatchedAt time.Time `json:"watched_at"`
	}
	// listed is an entry of the watchlist.
	listed struct {
		Title   title     `json:"title"`
		AddedAt time.Time `json:"added_at"`
	}
	// rating is an entry of the ratings.
	rating struct {
		Title   title     `json:"title"`
		Score   int16     `json:"score"`
		RatedAt time.Time `json:"rated_at"`
	}
)

// titleParam is the {titleID} of the path; a malformed one names no title.
func titleParam(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(mux.Vars(r)["titleID"])
	if err != nil {
		return id, notFound("title")
	}
	return id, nil
}

// newestFirstParams are the arguments of the newest-first lists of a
// profile's: BookmarkList, HistoryList, WatchlistList and RatingList.
type newestFirstParams interface {
	~struct {
		ProfileID uuid.UUID
		BeforeAt  time.Time
		BeforeID  uuid.UUID
		MaxAge    int16
		Lim       int32
	}
}

// newestFirst serves a page of a list of the profile's, newest first, that
// query reads: its cursors are the profile's own, and its first page starts
// after every row.
func newestFirst[Q newestFirstParams, R, T any](w http.ResponseWriter, r *http.Request, c cursors, listName string,
	query func(context.Context, Q) ([]R, error), row func(R) (T, keyset)) error {
	p := ownedProfile(r.Context())
	return servePage(w, r, c, listName+":"+p.ID.String(), keyset{At: time.Now().AddDate(100, 0, 0), ID: uuid.Max},
		func(ctx context.Context, before keyset, limit int32) ([]R, error) {
			return query(ctx, Q{ProfileID: p.ID, BeforeAt: before.At, BeforeID: before.ID, MaxAge: p.MaxAge, Lim: limit})
		}, row)
}

// titleWritten answers a write of the path's title to a list of the
// profile's: found is false when the statement found no such title for the
// profile (unknown, or above its max_age).
func titleWritten(w http.ResponseWriter, found bool, err error) error {
	if err == nil && !found {
		err = notFound("title")
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// titleKey is a title's key in a list of the profile's: the arguments of
// BookmarkDelete, WatchlistRemove and RatingDelete.
type titleKey interface {
	~struct {
		ProfileID uuid.UUID
		TitleID   uuid.UUID
	}
}

// removeTitle takes the path's title off a list of the profile's with
// remove, and answers 204 whether or not it was there.
func removeTitle[K titleKey](w http.ResponseWriter, r *http.Request, remove func(context.Context, K) error) error {
	titleID, err := titleParam(r)
	if err != nil {
		return err
	}
	if err := remove(r.Context(), K{ProfileID: ownedProfile(r.Context()).ID, TitleID: titleID}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// heartbeat is the playback heartbeat: every player, every 10 to 30 s, by
// far the most frequent request. It is the one handler tuned by hand: its
// route is quiet (a success writes no access-log line) and positionBody
// reads the body players send without encoding/json. It returns its error
// like any other, as handlerFunc costs nothing until there is one to write.
func (h *viewing) heartbeat(w http.ResponseWriter, r *http.Request) error {
	titleID, err := titleParam(r)
	if err != nil {
		return err
	}
	position, err := positionBody(w, r)
	if err != nil {
		return err
	}
	if position == nil || *position < 0 {
		return invalid(FieldError{Field: "position_seconds", Message: "is required: 0 up to the title's runtime"})
	}
	p := ownedProfile(r.Context())
	res, err := h.heartbeats.Write(r.Context(), db.Heartbeat{
		ProfileID: p.ID, UserID: p.UserID, TitleID: titleID, Position: *position,
	})
	switch {
	case err != nil:
		return err
	case res.Runtime < 0:
		return notFound("playable title")
	case !res.Written:
		return invalid(FieldError{Field: "position_seconds", Message: "is past the title's runtime of " + strconv.Itoa(int(res.Runtime)) + " seconds"})
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// positionBody reads the heartbeat's body, {"position_seconds": N}. It is
// the platform's most frequent request, and encoding/json (twice over, with
// checkKeys) showed in its CPU profile, so the form players send is read by
// plainPosition; any other body goes through decode's rules and errors.
func positionBody(w http.ResponseWriter, r *http.Request) (*int32, error) {
	body, err := readBody(w, r, maxBodyBytes)
	if err != nil {
		return nil, err
	}
	if n, ok := plainPosition(body); ok {
		return &n, nil
	}
	var in struct {
		PositionSeconds *int32 `json:"position_seconds"`
	}
	if err := decodeBytes(body, &in); err != nil {
		return nil, err
	}
	return in.PositionSeconds, nil
}

// plainPosition reads {"position_seconds":N}, N an integer from 0 to
// MaxInt32 without sign, fraction or exponent, with JSON whitespace anywhere
// between the tokens. ok is false for anything else, which decode reads.
func plainPosition(b []byte) (n int32, ok bool) {
	token := func(t string) bool {
		b = bytes.TrimLeft(b, " \t\r\n")
		if !bytes.HasPrefix(b, []byte(t)) {
			return false
		}
		b = b[len(t):]
		return true
	}
	if !token("{") || !token(`"position_seconds"`) || !token(":") {
		return 0, false
	}
	b = bytes.TrimLeft(b, " \t\r\n")
	digits := 0
	for digits < len(b) && b[digits] >= '0' && b[digits] <= '9' {
		digits++
	}
	if digits == 0 || digits > 10 || (digits > 1 && b[0] == '0') {
		return 0, false
	}
	v, err := strconv.ParseInt(string(b[:digits]), 10, 32)
	if err != nil {
		return 0, false
	}
	b = b[digits:]
	if !token("}") || len(bytes.TrimLeft(b, " \t\r\n")) > 0 {
		return 0, false
	}
	return int32(v), true
}

func (h *viewing) continueWatching(w http.ResponseWriter, r *http.Request) error {
	return newestFirst(w, r, h.cursors, "bookmarks", h.pool.BookmarkList, func(b db.BookmarkListRow) (bookmark, keyset) {
		return bookmark{Title: titleOf(b.TitleDetail), PositionSeconds: b.PositionSeconds, UpdatedAt: b.UpdatedAt.UTC()}, keyset{At: b.UpdatedAt, ID: b.TitleDetail.ID}
	})
}

func (h *viewing) deleteBookmark(w http.ResponseWriter, r *http.Request) error {
	return removeTitle(w, r, h.pool.BookmarkDelete)
}

func (h *viewing) history(w http.ResponseWriter, r *http.Request) error {
	return newestFirst(w, r, h.cursors, "history", h.pool.HistoryList, func(e db.HistoryListRow) (watched, keyset) {
		return watched{Title: titleOf(e.TitleDetail), WatchedAt: e.WatchedAt.UTC()}, keyset{At: e.WatchedAt, ID: e.TitleDetail.ID}
	})
}

func (h *viewing) markWatched(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		TitleID *uuid.UUID `json:"title_id"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.TitleID == nil {
		return invalid(FieldError{Field: "title_id", Message: "is required"})
	}
	p := ownedProfile(r.Context())
	res, err := h.pool.HistoryMark(r.Context(), db.HistoryMarkParams{ProfileID: p.ID, UserID: p.UserID, TitleID: *in.TitleID})
	if err == nil && !res.Found {
		err = notFound("title")
	}
	var t db.TitleDetail
	if err == nil {
		t, err = h.pool.TitleGet(r.Context(), db.TitleGetParams{ID: *in.TitleID, MaxAge: p.MaxAge})
	}
	if err != nil {
		return titleNotFound(err)
	}
	writeJSON(w, http.StatusCreated, watched{Title: titleOf(t), WatchedAt: res.WatchedAt.UTC()})
	return nil
}

func (h *viewing) clearHistory(w http.ResponseWriter, r *http.Request) error {
	if err := h.pool.HistoryClear(r.Context(), ownedProfile(r.Context()).ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *viewing) watchlist(w http.ResponseWriter, r *http.Request) error {
	return newestFirst(w, r, h.cursors, "watchlist", h.pool.WatchlistList, func(e db.WatchlistListRow) (listed, keyset) {
		return listed{Title: titleOf(e.TitleDetail), AddedAt: e.AddedAt.UTC()}, keyset{At: e.AddedAt, ID: e.TitleDetail.ID}
	})
}

func (h *viewing) addToWatchlist(w http.ResponseWriter, r *http.Request) error {
	titleID, err := titleParam(r)
	if err != nil {
		return err
	}
	p := ownedProfile(r.Context())
	found, err := h.pool.WatchlistAdd(r.Context(), db.WatchlistAddParams{ProfileID: p.ID, UserID: p.UserID, TitleID: titleID})
	return titleWritten(w, found, err)
}

func (h *viewing) removeFromWatchlist(w http.ResponseWriter, r *http.Request) error {
	return removeTitle(w, r, h.pool.WatchlistRemove)
}

func (h *viewing) ratings(w http.ResponseWriter, r *http.Request) error {
	return newestFirst(w, r, h.cursors, "ratings", h.pool.RatingList, func(e db.RatingListRow) (rating, keyset) {
		return rating{Title: titleOf(e.TitleDetail), Score: e.Score, RatedAt: e.RatedAt.UTC()}, keyset{At: e.RatedAt, ID: e.TitleDetail.ID}
	})
}

func (h *viewing) rate(w http.ResponseWriter, r *http.Request) error {
	titleID, err := titleParam(r)
	if err != nil {
		return err
	}
	var in struct {
		Score *int16 `json:"score"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Score == nil || *in.Score < 1 || *in.Score > 5 {
		return invalid(FieldError{Field: "score", Message: "is required: 1 to 5"})
	}
	p := ownedProfile(r.Context())
	found, err := h.pool.RatingSet(r.Context(), db.RatingSetParams{ProfileID: p.ID, UserID: p.UserID, TitleID: titleID, Score: *in.Score})
	return titleWritten(w, found, err)
}

func (h *viewing) unrate(w http.ResponseWriter, r *http.Request) error {
	return removeTitle(w, r, h.pool.RatingDelete)
}
