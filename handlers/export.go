package handlers

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"

	"marquee/db"
)

// exporter serves an account's data to its owner (GET /v1/me/export, GDPR
// articles 15 and 20).
type exporter struct {
	pool   *db.Pool
	logger *slog.Logger
}

// exportDeadline bounds an export: a client that reads slowly cannot hold a
// connection of the pool, and its snapshot, any longer.
const exportDeadline = 60 * time.Second

// exportPage is how many rows an export reads at a time: what it holds in
// memory, whatever the account's size.
const exportPage = 250

// export streams the document as it reads it: the account, each profile
// with its viewing state, the live sessions. Every read is one page of one
// snapshot, so the parts agree with each other and a history of any length
// costs one page of memory. Once the answer has begun, a failure can no
// longer be a problem+json: the connection is cut, so that the client sees
// a broken transfer rather than a short document that parses.
func (h *exporter) export(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), exportDeadline)
	defer cancel()
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(exportDeadline))
	account := caller(ctx)
	started := false
	err := h.pool.InSnapshot(ctx, func(q *db.Queries) error {
		profiles, err := q.ProfileListByUser(ctx, account.ID)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Disposition", `attachment; filename="marquee-export.json"`)
		w.WriteHeader(http.StatusOK)
		started = true
		out := &jsonStream{w: bufio.NewWriterSize(w, 32<<10)}
		out.raw(`{"account":`)
		out.value(userOf(account))
		out.raw(`,"profiles":[`)
		for i, p := range profiles {
			if i > 0 {
				out.raw(",")
			}
			if err := exportProfile(ctx, q, out, p); err != nil {
				return err
			}
		}
		out.raw(`],"sessions":`)
		current := callerSession(ctx)
		err = streamArray(out, beforeAnyUse(), func(before keyset) ([]db.SessionListRow, error) {
			return q.SessionList(ctx, db.SessionListParams{UserID: account.ID, BeforeUsedAt: before.At, BeforeID: before.ID, Lim: exportPage})
		}, func(s db.SessionListRow) (keyset, any) {
			return keyset{At: s.LastUsedAt, ID: s.ID}, session{ID: s.ID, Device: s.Device, ProfileID: s.ProfileID,
				CreatedAt: s.CreatedAt.UTC(), LastUsedAt: s.LastUsedAt.UTC(), Current: s.ID == current}
		})
		if err != nil {
			return err
		}
		out.raw("}\n")
		return out.flush()
	})
	if err != nil && started {
		h.logger.WarnContext(ctx, "export cut short", "user_id", account.ID, "error", err)
		panic(http.ErrAbortHandler)
	}
	return err
}

// exportProfile writes one profile: its fields, then each list of its
// viewing state.
func exportProfile(ctx context.Context, q *db.Queries, out *jsonStream, p db.Profile) error {
	fields, err := json.Marshal(profileOf(p))
	if err != nil {
		return err
	}
	out.raw(string(fields[:len(fields)-1])) // the object, left open
	out.raw(`,"bookmarks":`)
	err = streamArray(out, uuid.Nil, func(after uuid.UUID) ([]db.ExportBookmarksRow, error) {
		return q.ExportBookmarks(ctx, db.ExportBookmarksParams{ProfileID: p.ID, After: after, Lim: exportPage})
	}, func(b db.ExportBookmarksRow) (uuid.UUID, any) {
		return b.TitleID, exportedBookmark{TitleID: b.TitleID, Title: b.Title, PositionSeconds: b.PositionSeconds, UpdatedAt: b.UpdatedAt.UTC()}
	})
	if err != nil {
		return err
	}
	out.raw(`,"history":`)
	err = streamArray(out, uuid.Nil, func(after uuid.UUID) ([]db.ExportHistoryRow, error) {
		return q.ExportHistory(ctx, db.ExportHistoryParams{ProfileID: p.ID, After: after, Lim: exportPage})
	}, func(h db.ExportHistoryRow) (uuid.UUID, any) {
		return h.TitleID, exportedWatch{TitleID: h.TitleID, Title: h.Title, WatchedAt: h.WatchedAt.UTC()}
	})
	if err != nil {
		return err
	}
	out.raw(`,"watchlist":`)
	err = streamArray(out, uuid.Nil, func(after uuid.UUID) ([]db.ExportWatchlistRow, error) {
		return q.ExportWatchlist(ctx, db.ExportWatchlistParams{ProfileID: p.ID, After: after, Lim: exportPage})
	}, func(w db.ExportWatchlistRow) (uuid.UUID, any) {
		return w.TitleID, exportedListed{TitleID: w.TitleID, Title: w.Title, AddedAt: w.AddedAt.UTC()}
	})
	if err != nil {
		return err
	}
	out.raw(`,"ratings":`)
	err = streamArray(out, uuid.Nil, func(after uuid.UUID) ([]db.ExportRatingsRow, error) {
		return q.ExportRatings(ctx, db.ExportRatingsParams{ProfileID: p.ID, After: after, Lim: exportPage})
	}, func(r db.ExportRatingsRow) (uuid.UUID, any) {
		return r.TitleID, exportedRating{TitleID: r.TitleID, Title: r.Title, Score: r.Score, RatedAt: r.RatedAt.UTC()}
	})
	if err != nil {
		return err
	}
	out.raw(`,"favorite_channels":`)
	err = streamArray(out, uuid.Nil, func(after uuid.UUID) ([]db.ExportFavoriteChannelsRow, error) {
		return q.ExportFavoriteChannels(ctx, db.ExportFavoriteChannelsParams{ProfileID: p.ID, After: after, Lim: exportPage})
	}, func(f db.ExportFavoriteChannelsRow) (uuid.UUID, any) {
		return f.ChannelID, exportedChannel{ChannelID: f.ChannelID, Name: f.Channel, AddedAt: f.AddedAt.UTC()}
	})
	if err != nil {
		return err
	}
	out.raw("}")
	return out.err
}

// streamArray writes a JSON array of the rows that page reads, a page at a
// time, the first after start and each next after the key of the one
// before; item gives a row's key and what to write of it.
func streamArray[R, K any](out *jsonStream, start K, page func(after K) ([]R, error), item func(R) (K, any)) error {
	out.raw("[")
	after, first := start, true
	for {
		rows, err := page(after)
		if err != nil {
			return err
		}
		for _, row := range rows {
			if !first {
				out.raw(",")
			}
			first = false
			var v any
			after, v = item(row)
			out.value(v)
		}
		if out.err != nil {
			return out.err
		}
		if len(rows) < exportPage {
			break
		}
	}
	out.raw("]")
	return out.err
}

// jsonStream writes a JSON document piece by piece; the first error sticks
// and ends the writing.
type jsonStream struct {
	w   *bufio.Writer
	err error
}

func (s *jsonStream) raw(text string) {
	if s.err == nil {
		_, s.err = s.w.WriteString(text)
	}
}

func (s *jsonStream) value(v any) {
	if s.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		s.err = err
		return
	}
	_, s.err = s.w.Write(b)
}

func (s *jsonStream) flush() error {
	if s.err != nil {
		return s.err
	}
	return s.w.Flush()
}

// The items of an export's lists.
type (
	exportedBookmark struct {
		TitleID         uuid.UUID `json:"title_id"`
		Title           string    `json:"title"`
		PositionSeconds int32     `json:"position_seconds"`
		UpdatedAt       time.Time `json:"updated_at"`
	}
	exportedWatch struct {
		TitleID   uuid.UUID `json:"title_id"`
		Title     string    `json:"title"`
		WatchedAt time.Time `json:"watched_at"`
	}
	exportedListed struct {
		TitleID uuid.UUID `json:"title_id"`
		Title   string    `json:"title"`
		AddedAt time.Time `json:"added_at"`
	}
	exportedRating struct {
		TitleID uuid.UUID `json:"title_id"`
		Title   string    `json:"title"`
		Score   int16     `json:"score"`
		RatedAt time.Time `json:"rated_at"`
	}
	exportedChannel struct {
		ChannelID uuid.UUID `json:"channel_id"`
		Name      string    `json:"name"`
		AddedAt   time.Time `json:"added_at"`
	}
)
