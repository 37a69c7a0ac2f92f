package xmltv

import (
	"encoding/xml"
	"time"
)

// Programme is one <programme> reduced to what Marquee keeps.
type Programme struct {
	ChannelID string    // XMLTV channel id; may name no declared channel (the caller decides)
	Start     time.Time // UTC
	// Stop is UTC. When the document gives none it is the start of the next
	// programme on the same channel; a programme with no stop that is the
	// last on its channel has no end, so Parse drops it and counts it in
	// Result.Skipped.
	Stop       time.Time
	Title      string   // in the preferred language; never empty
	Synopsis   string   // desc, in the preferred language; may be ""
	MinAge     int      // from the ratings, see MinAge
	Categories []string // in one language, the preferred one if present; duplicates removed, order kept
}

// parsedProgramme is a Programme with what Parse needs to complete it.
type parsedProgramme struct {
	Programme
	hasStop bool
	at      position // end of the start tag, for errors found later
}

// programme reads a <programme> whose start tag was just read.
//
// It is malformed (an error) when start or channel is missing, a time does
// not parse, stop is before start, or no non-empty title is present: the DTD
// requires a title and a guide entry without one is useless. stop equal to
// start is not an error (real feeds carry such placeholders); Parse drops it.
func (d *decoder) programme(el xml.StartElement) (parsedProgramme, error) {
	p := parsedProgramme{at: d.pos()}
	p.ChannelID = attr(el, "channel")
	if p.ChannelID == "" {
		return p, errorAt(p.at, nil, "programme has no channel attribute")
	}
	start := attr(el, "start")
	if start == "" {
		return p, errorAt(p.at, nil, "programme has no start attribute")
	}
	var err error
	if p.Start, err = ParseTime(start); err != nil {
		return p, errorAt(p.at, nil, "programme start: %v", err)
	}
	if stop := attr(el, "stop"); stop != "" {
		if p.Stop, err = ParseTime(stop); err != nil {
			return p, errorAt(p.at, nil, "programme stop: %v", err)
		}
		if p.Stop.Before(p.Start) {
			return p, errorAt(p.at, nil, "programme stop %q is before its start %q", stop, start)
		}
		p.hasStop = true
	}

	var title, desc best
	var cats []labelled
	var ratings []Rating
	err = d.children(func(c xml.StartElement) error {
		switch c.Name.Local {
		case "title", "desc", "category":
			lang := attr(c, "lang")
			text, err := d.text()
			switch {
			case text == "": // an empty translation is no translation
			case c.Name.Local == "title":
				title.offer(text, langRank(lang, d.opts.Lang))
			case c.Name.Local == "desc":
				desc.offer(text, langRank(lang, d.opts.Lang))
			default:
				cats = append(cats, labelled{lang, text})
			}
			return err
		case "rating":
			r, err := d.rating(c)
			ratings = append(ratings, r)
			return err
		}
		return d.skip()
	})
	if err != nil {
		return p, err
	}
	if title.text == "" {
		return p, errorAt(p.at, nil, "programme has no title")
	}
	p.Title, p.Synopsis = title.text, desc.text
	p.Categories = pickCategories(cats, d.opts.Lang)
	p.MinAge = MinAge(ratings, d.opts.UnratedMinAge)
	return p, nil
}

// rating reads a <rating> whose start tag was just read: its value is the
// first <value> child; a rating without one keeps an empty value, which
// MinAge takes as not understood.
func (d *decoder) rating(el xml.StartElement) (Rating, error) {
	r := Rating{System: attr(el, "system")}
	found := false
	err := d.children(func(c xml.StartElement) error {
		if c.Name.Local != "value" || found {
			return d.skip()
		}
		found = true
		var err error
		r.Value, err = d.text()
		return err
	})
	return r, err
}
