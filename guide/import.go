// Package guide owns the live-TV programme guide's bulk writes: an XMLTV
// document (read through guide/xmltv), or any other source of channels and
// programmes such as the demo guide, stored in one transaction. It knows
// nothing of HTTP; the admin route and `marquee import-xmltv` both call it.
package guide

import (
	"context"
	"io"
	"time"

	"marquee/db"
	"marquee/guide/xmltv"
)

// MaxProgrammeLength is the longest programme the guide stores (the schema's
// programmes_length, which keeps the guide's window query to one index range
// per channel). Real ones last minutes to hours; longer ones are skipped.
const MaxProgrammeLength = 24 * time.Hour

// Counts is what an import did. Programmes + Skipped is the number of
// programmes in the source.
type Counts struct {
	// Channels the source declares, created or matched by XMLTV id.
	Channels int
	// Programmes of the source now in the guide, one per channel and start:
	// written, or found already there as they are.
	Programmes int
	// Skipped programmes: without an end or of zero length (see
	// xmltv.Result), longer than MaxProgrammeLength, on a channel that the
	// guide does not know and the source has not declared before them, or
	// followed in the source by another with the same channel and start
	// (the later one wins).
	Skipped int
}

// Source hands channels and programmes to an import, in the order of a
// document, as xmltv.Parse does, and reports how many programmes it dropped
// itself. No text it yields holds U+001F, which XML cannot carry either.
type Source func(onChannel func(xmltv.Channel) error, onProgramme func(xmltv.Programme) error) (skipped int, err error)

// XMLTV is the Source of an XMLTV document. Its errors are xmltv's: a
// *xmltv.SyntaxError for a malformed or hostile document, or the reader's.
func XMLTV(r io.Reader, opts xmltv.Options) Source {
	return func(onChannel func(xmltv.Channel) error, onProgramme func(xmltv.Programme) error) (int, error) {
		res, err := xmltv.Parse(r, opts, onChannel, onProgramme)
		return res.Skipped, err
	}
}

// importLockKey names the advisory lock that imports take turns under, so
// that two never hand out the same free channel number.
const importLockKey = 7_312_445_002

// Import stores what src yields in one transaction: channels upserted by
// XMLTV id (new ones numbered by numbering.assign), programmes upserted by
// channel and start. A source that fails, a channel that cannot be stored
// (*InvalidError) or a failing audit leaves the guide as it was. Importing
// the same source again changes nothing. audit, if not nil, runs last in the
// same transaction.
//
// The source runs in a goroutine of its own and hands over batches of a few
// thousand programmes, each written with one statement while it reads on,
// so that parsing a large document and the database's work overlap. Memory
// stays bounded by three batches, the channels, and a small key per
// programme (to tell programmes given twice).
func Import(ctx context.Context, pool *db.Pool, src Source, audit func(*db.Queries) error) (Counts, error) {
	var counts Counts
	err := pool.InTx(ctx, func(q *db.Queries) error {
		if err := q.GuideImportLock(ctx, importLockKey); err != nil {
			return err
		}
		w, err := newWriter(ctx, q)
		if err != nil {
			return err
		}
		read, err := pipe(ctx, src, w.write)
		if err != nil {
			return err
		}
		counts = Counts{
			Channels:   read.channels,
			Programmes: len(w.slots),
			Skipped:    read.skipped + w.unknown + w.duplicates,
		}
		if audit == nil {
			return nil
		}
		return audit(q)
	})
	if err != nil {
		return Counts{}, err
	}
	return counts, nil
}
