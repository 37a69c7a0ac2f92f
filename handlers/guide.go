package handlers

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"marquee/auth"
	"marquee/db"
)

// tvGuide serves the live-TV guide (the contract's /epg routes): channels,
// the guide of a time window, and a profile's favourite channels
// (guide_favorites.go). With a profile (?profile_id= or the path), channels
// say whether they are its favourites and the guide hides programmes above
// its max_age.
type tvGuide struct {
	pool    *db.Pool
	cursors cursors
}

// channel is the API's view of a channel.
type channel struct {
	ID       uuid.UUID `json:"id"`
	Number   int32     `json:"number"`
	Name     string    `json:"name"`
	LogoURL  *string   `json:"logo_url"`
	XMLTVID  string    `json:"xmltv_id"`
	Favorite bool      `json:"favorite"`
}

func channelOf(c db.Channel, favorite bool) channel {
	return channel{ID: c.ID, Number: c.Number, Name: c.Name, LogoURL: c.LogoUrl, XMLTVID: c.XmltvID, Favorite: favorite}
}

// programme is the API's view of a programme. Its times are formatted up
// front (its ids come as text from the query): a guide carries thousands of
// programmes, and encoding/json would spend most of its time in the
// marshalling methods of uuid.UUID and time.Time.
type programme struct {
	ID         string   `json:"id"`
	ChannelID  string   `json:"channel_id"`
	Title      string   `json:"title"`
	Synopsis   string   `json:"synopsis"`
	Start      string   `json:"start"`
	End        string   `json:"end"`
	MinAge     int16    `json:"min_age"`
	Categories []string `json:"categories"`
}

func programmeOf(p db.ProgrammeWindowRow) programme {
	categories := []string{}
	if p.Categories != "" {
		categories = strings.Split(p.Categories, "\x1f")
	}
	return programme{ID: p.ID, ChannelID: p.ChannelID, Title: p.Title, Synopsis: p.Synopsis,
		Start: p.StartAt.UTC().Format(time.RFC3339), End: p.EndAt.UTC().Format(time.RFC3339), MinAge: p.MinAge, Categories: categories}
}

// viewerProfileID is the id of the profile the request names, or uuid.Nil,
// which is no profile's: then no channel is a favourite.
func viewerProfileID(ctx context.Context) uuid.UUID {
	if p, ok := auth.ProfileFrom(ctx); ok {
		return p.ID
	}
	return uuid.Nil
}

func (h *tvGuide) channels(w http.ResponseWriter, r *http.Request) error {
	return servePage(w, r, h.cursors, "epg.channels", numberKeyset{},
		func(ctx context.Context, after numberKeyset, limit int32) ([]db.ChannelListRow, error) {
			return h.pool.ChannelList(ctx, db.ChannelListParams{ProfileID: viewerProfileID(ctx), AfterNumber: after.Number, Lim: limit})
		},
		func(c db.ChannelListRow) (channel, numberKeyset) {
			return channelOf(c.Channel, c.Favorite), numberKeyset{Number: c.Channel.Number}
		})
}

// Guide limits (openapi.yaml, getGuide).
const (
	maxWindow        = 48 * time.Hour
	maxGuideChannels = 100 // channel_id values in one request
)

// guideRow is one channel of the guide with its programmes, by start.
type guideRow struct {
	Channel    channel     `json:"channel"`
	Programmes []programme `json:"programmes"`
}

func (h *tvGuide) guide(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	from, to, err := readWindow(q)
	if err != nil {
		return err
	}
	ids, err := channelFilter(q)
	if err != nil {
		return err
	}
	ctx := r.Context()
	chans, err := h.pool.ChannelGuide(ctx, db.ChannelGuideParams{ProfileID: viewerProfileID(ctx), Every: ids == nil, Ids: ids})
	if err != nil {
		return err
	}
	out := struct {
		Channels []guideRow `json:"channels"`
	}{Channels: make([]guideRow, len(chans))}
	for i, c := range chans {
		out.Channels[i] = guideRow{Channel: channelOf(c.Channel, c.Favorite), Programmes: []programme{}}
	}
	if err := h.fillWindow(ctx, out.Channels, from, to); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// fillWindow adds to each row the programmes of [from, to) that the viewer
// may see, by start.
func (h *tvGuide) fillWindow(ctx context.Context, rows []guideRow, from, to time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	index := make(map[string]int, len(rows)) // channel id → row
	ids := make([]string, len(rows))
	for i := range rows {
		ids[i] = rows[i].Channel.ID.String()
		index[ids[i]] = i
	}
	progs, err := h.pool.ProgrammeWindow(ctx, db.ProgrammeWindowParams{ChannelIds: ids, FromAt: from, ToAt: to, MaxAge: viewerMaxAge(ctx)})
	if err != nil {
		return err
	}
	// Each row's programmes are a piece of one array, sized by a first
	// count, rather than a hundred slices grown by thousands of appends.
	counts := make([]int, len(rows))
	for _, p := range progs {
		counts[index[p.ChannelID]]++
	}
	all, start := make([]programme, len(progs)), 0
	for i, n := range counts {
		rows[i].Programmes = all[start : start : start+n]
		start += n
	}
	for _, p := range progs {
		g := &rows[index[p.ChannelID]]
		g.Programmes = append(g.Programmes, programmeOf(p))
	}
	for _, g := range rows {
		// RFC 3339 times in UTC sort as text; the query's rows usually come
		// in this order already.
		slices.SortFunc(g.Programmes, func(a, b programme) int { return strings.Compare(a.Start, b.Start) })
	}
	return nil
}

// readWindow reads ?from= and ?to=: RFC 3339 times, given once each, to
// after from, at most 48 hours apart.
func readWindow(q url.Values) (from, to time.Time, err error) {
	if from, err = timeParam(q, "from"); err != nil {
		return from, to, err
	}
	if to, err = timeParam(q, "to"); err != nil {
		return from, to, err
	}
	switch {
	case !to.After(from):
		return from, to, invalid(FieldError{Field: "to", Message: "must be after from"})
	case to.Sub(from) > maxWindow:
		return from, to, invalid(FieldError{Field: "to", Message: "must be at most 48 hours after from"})
	}
	return from, to, nil
}

// timeParam reads a required RFC 3339 query parameter, in UTC.
func timeParam(q url.Values, name string) (time.Time, error) {
	values, present := q[name]
	if !present || len(values) != 1 {
		return time.Time{}, invalid(FieldError{Field: name, Message: "is required, once: an RFC 3339 time such as 2026-11-27T20:00:00Z"})
	}
	t, err := time.Parse(time.RFC3339, values[0])
	if err != nil {
		return t, badRequest("%s must be an RFC 3339 time such as 2026-11-27T20:00:00Z (the + of an offset travels as %%2B in a URL)", name)
	}
	return t.UTC(), nil
}

// channelFilter reads the repeated ?channel_id=; nil when there is none.
func channelFilter(q url.Values) ([]uuid.UUID, error) {
	values := q["channel_id"]
	if len(values) == 0 {
		return nil, nil
	}
	if len(values) > maxGuideChannels {
		return nil, invalid(FieldError{Field: "channel_id", Message: "at most 100 channels at once"})
	}
	ids := make([]uuid.UUID, len(values))
	for i, v := range values {
		id, err := uuid.Parse(v)
		if err != nil {
			return nil, badRequest("every channel_id must be a channel's id (a UUID)")
		}
		ids[i] = id
	}
	return ids, nil
}
