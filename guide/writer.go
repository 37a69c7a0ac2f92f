package guide

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"marquee/db"
	"marquee/guide/xmltv"
)

// writer is the database side of an import, inside its transaction.
type writer struct {
	ctx     context.Context
	q       *db.Queries
	numbers numbering
	ids     map[string]uuid.UUID // channels by XMLTV id: the guide's, then the import's
	// slots holds every (channel, start) written, and where it went: a
	// programme given again replaces the earlier one in its batch (a
	// statement may not upsert a row twice) or follows it in a later one.
	slots      map[slot]place
	batches    int32
	unknown    int // programmes on a channel nobody knows
	duplicates int // programmes replaced by a later one with the same slot
}

type slot struct {
	channel uuid.UUID
	start   int64 // Unix microseconds, PostgreSQL's precision
}

type place struct {
	batch, row int32
}

func newWriter(ctx context.Context, q *db.Queries) (*writer, error) {
	keys, err := q.ChannelKeys(ctx)
	if err != nil {
		return nil, err
	}
	w := &writer{ctx: ctx, q: q, numbers: newNumbering(keys), ids: make(map[string]uuid.UUID, len(keys)), slots: map[slot]place{}}
	for _, k := range keys {
		w.ids[k.XmltvID] = k.ID
	}
	return w, nil
}

func (w *writer) write(b batch) error {
	if err := w.channels(b.channels); err != nil {
		return err
	}
	return w.programmes(b.programmes)
}

// channels upserts a batch's channels, numbering new ones.
func (w *writer) channels(chans []xmltv.Channel) error {
	if len(chans) == 0 {
		return nil
	}
	chans = lastOfEach(chans)
	numbers, err := w.numbers.assign(chans)
	if err != nil {
		return err
	}
	p := db.ChannelUpsertManyParams{Numbers: numbers}
	for _, c := range chans {
		p.XmltvIds = append(p.XmltvIds, c.ID)
		p.Names = append(p.Names, c.Name)
		p.LogoUrls = append(p.LogoUrls, c.LogoURL)
	}
	rows, err := w.q.ChannelUpsertMany(w.ctx, p)
	for _, r := range rows {
		w.ids[r.XmltvID] = r.ID
	}
	return err
}

// lastOfEach keeps one channel per XMLTV id, where it was first declared,
// with its last declaration.
func lastOfEach(chans []xmltv.Channel) []xmltv.Channel {
	at := make(map[string]int, len(chans))
	var out []xmltv.Channel
	for _, c := range chans {
		if i, ok := at[c.ID]; ok {
			out[i] = c
			continue
		}
		at[c.ID] = len(out)
		out = append(out, c)
	}
	return out
}

// programmes upserts a batch's programmes on known channels.
func (w *writer) programmes(progs []xmltv.Programme) error {
	w.batches++
	var p db.ProgrammeUpsertManyParams
	for _, pr := range progs {
		id, ok := w.ids[pr.ChannelID]
		if !ok {
			w.unknown++
			continue
		}
		key := slot{id, pr.Start.UnixMicro()}
		row := int32(len(p.ChannelIds))
		if earlier, ok := w.slots[key]; ok {
			w.duplicates++
			if earlier.batch == w.batches {
				row = earlier.row
			}
		}
		w.slots[key] = place{w.batches, row}
		put(&p, int(row), id, pr)
	}
	if len(p.ChannelIds) == 0 {
		return nil
	}
	return w.q.ProgrammeUpsertMany(w.ctx, p)
}

// put writes pr as row i of p: a new row when i is past the end.
func put(p *db.ProgrammeUpsertManyParams, i int, channel uuid.UUID, pr xmltv.Programme) {
	if i == len(p.ChannelIds) {
		p.ChannelIds = append(p.ChannelIds, uuid.Nil)
		p.Starts = append(p.Starts, pr.Start)
		p.Ends = append(p.Ends, pr.Stop)
		p.Titles = append(p.Titles, "")
		p.Synopses = append(p.Synopses, "")
		p.MinAges = append(p.MinAges, 0)
		p.Categories = append(p.Categories, "")
	}
	p.ChannelIds[i], p.Starts[i], p.Ends[i] = channel, pr.Start, pr.Stop
	p.Titles[i], p.Synopses[i], p.MinAges[i] = pr.Title, pr.Synopsis, int16(pr.MinAge)
	p.Categories[i] = strings.Join(pr.Categories, "\x1f")
}
