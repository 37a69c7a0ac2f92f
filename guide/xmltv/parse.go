package xmltv

import (
	"encoding/xml"
	"io"
)

// Result counts what Parse did. Channels and Programmes are the number of
// onChannel and onProgramme calls.
type Result struct {
	Channels   int
	Programmes int
	// Skipped counts programmes dropped because they have no length: the
	// last programme of a channel when it has no stop, and programmes whose
	// stop equals their start (placeholders, which would also collide with
	// the next programme's start in an upsert on channel and start).
	Skipped int
}

// Parse streams an XMLTV document, calling onChannel for each channel and
// onProgramme for each programme; a nil callback is not called. Programmes
// of one channel arrive in document order; one with no stop is held back
// until the next programme on its channel gives its end, so across channels
// the order may differ from the document.
//
// Channels usually come first, but Parse does not rely on it, and a
// programme whose channel is not declared is passed on all the same.
//
// An error from a callback stops Parse and is returned as is. A malformed or
// hostile document gives a *SyntaxError saying where; a failing reader gives
// its own error, wrapped. The Result counts what happened before the error.
//
// Memory stays bounded by the largest programme plus one waiting programme
// per channel (at most MaxWaiting of them), however long the document.
func Parse(r io.Reader, opts Options, onChannel func(Channel) error, onProgramme func(Programme) error) (Result, error) {
	p := &parser{
		d:           newDecoder(r, opts.withDefaults()),
		onChannel:   onChannel,
		onProgramme: onProgramme,
		waiting:     make(map[string]parsedProgramme),
	}
	err := p.document()
	return p.res, err
}

type parser struct {
	d           *decoder
	onChannel   func(Channel) error
	onProgramme func(Programme) error
	res         Result
	// waiting holds, per channel, the programme with no stop that waits for
	// the next one on its channel. At most one per channel.
	waiting map[string]parsedProgramme
}

// document reads the <tv> root and checks that nothing but comments,
// processing instructions and whitespace surround it.
func (p *parser) document() error {
	root, err := p.d.outside()
	if err != nil {
		return err
	}
	if root == nil {
		return p.d.errorf(nil, "document has no <tv> element")
	}
	if root.Name.Local != "tv" {
		return p.d.errorf(nil, "root element is <%s>, want <tv>", root.Name.Local)
	}
	if err := p.d.children(p.topLevel); err != nil {
		return err
	}
	extra, err := p.d.outside()
	switch {
	case err != nil:
		return err
	case extra != nil:
		return p.d.errorf(nil, "element <%s> after </tv>", extra.Name.Local)
	}
	p.res.Skipped += len(p.waiting)
	return nil
}

func (p *parser) topLevel(el xml.StartElement) error {
	switch el.Name.Local {
	case "channel":
		ch, err := p.d.channel(el)
		if err != nil {
			return err
		}
		p.res.Channels++
		if p.onChannel == nil {
			return nil
		}
		return p.onChannel(ch)
	case "programme":
		prog, err := p.d.programme(el)
		if err != nil {
			return err
		}
		return p.programme(prog)
	}
	return p.d.skip()
}

// programme completes the stop of the programme waiting on the same channel,
// if any, with this one's start, then passes on or holds this one.
func (p *parser) programme(prog parsedProgramme) error {
	if prev, ok := p.waiting[prog.ChannelID]; ok {
		delete(p.waiting, prog.ChannelID)
		if prog.Start.Before(prev.Start) {
			return errorAt(prev.at, nil, "programme has no stop and the next programme on channel %q starts before it", prev.ChannelID)
		}
		prev.Stop = prog.Start
		if err := p.emit(prev.Programme); err != nil {
			return err
		}
	}
	if !prog.hasStop {
		if len(p.waiting) == p.d.opts.MaxWaiting {
			return errorAt(prog.at, ErrTooLarge, "more than %d channels have a programme without a stop", p.d.opts.MaxWaiting)
		}
		p.waiting[prog.ChannelID] = prog
		return nil
	}
	return p.emit(prog.Programme)
}

func (p *parser) emit(prog Programme) error {
	if !prog.Stop.After(prog.Start) {
		p.res.Skipped++
		return nil
	}
	p.res.Programmes++
	if p.onProgramme == nil {
		return nil
	}
	return p.onProgramme(prog)
}
