package guide

import (
	"context"

	"marquee/guide/xmltv"
)

// Batch bounds: a batch is handed over when it holds batchRows items or
// batchBytes of text, whichever comes first, so that programmes with long
// descriptions cannot pile up in memory.
const (
	batchRows  = 5000
	batchBytes = 8 << 20
)

// batch is a stretch of the source: channels declared, then programmes, in
// document order. A channel declared after programmes starts a new batch,
// so that writing a batch's channels before its programmes keeps that order.
type batch struct {
	channels   []xmltv.Channel
	programmes []xmltv.Programme
	bytes      int
}

// readCounts is what the source side saw.
type readCounts struct {
	channels int // distinct XMLTV ids declared
	skipped  int // dropped by the source, or longer than MaxProgrammeLength
}

// pipe runs src in a goroutine and hands its batches, in order, to write.
// If write fails, the source is stopped at its next channel or programme.
// pipe returns only once the source has stopped, so that nothing reads the
// source's input after the import is over.
func pipe(ctx context.Context, src Source, write func(batch) error) (readCounts, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan batch, 1)
	c := &cutter{ctx: ctx, out: batches, declared: map[string]bool{}}
	var read readCounts
	done := make(chan error, 1)
	go func() {
		defer close(batches)
		skipped, err := src(c.channel, c.programme)
		if err == nil {
			err = c.send()
		}
		read = readCounts{channels: len(c.declared), skipped: skipped + c.overlong}
		done <- err
	}()
	var writeErr error
	for b := range batches {
		if writeErr == nil {
			if writeErr = write(b); writeErr != nil {
				cancel()
			}
		}
	}
	readErr := <-done
	if writeErr != nil {
		return read, writeErr
	}
	return read, readErr
}

// cutter cuts what the source yields into batches.
type cutter struct {
	ctx      context.Context
	out      chan<- batch
	cur      batch
	declared map[string]bool
	overlong int
}

func (c *cutter) channel(ch xmltv.Channel) error {
	ch, err := checkChannel(ch)
	if err != nil {
		return err
	}
	if !c.declared[ch.ID] {
		if len(c.declared) == MaxChannels {
			return &InvalidError{Msg: "the document declares more than 10000 channels"}
		}
		c.declared[ch.ID] = true
	}
	if len(c.cur.programmes) > 0 {
		if err := c.send(); err != nil {
			return err
		}
	}
	c.cur.channels = append(c.cur.channels, ch)
	c.cur.bytes += len(ch.ID) + len(ch.Name) + len(ch.LogoURL)
	return c.sendIfFull()
}

func (c *cutter) programme(p xmltv.Programme) error {
	if p.Stop.Sub(p.Start) > MaxProgrammeLength {
		c.overlong++
		return nil
	}
	c.cur.programmes = append(c.cur.programmes, p)
	c.cur.bytes += len(p.ChannelID) + len(p.Title) + len(p.Synopsis)
	for _, cat := range p.Categories {
		c.cur.bytes += len(cat)
	}
	return c.sendIfFull()
}

func (c *cutter) sendIfFull() error {
	if len(c.cur.channels)+len(c.cur.programmes) < batchRows && c.cur.bytes < batchBytes {
		return nil
	}
	return c.send()
}

// send hands the current batch over, unless it is empty or the import is
// being called off.
func (c *cutter) send() error {
	if len(c.cur.channels) == 0 && len(c.cur.programmes) == 0 {
		return nil
	}
	select {
	case c.out <- c.cur:
		c.cur = batch{}
		return nil
	case <-c.ctx.Done():
		return c.ctx.Err()
	}
}
