package xmltv

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"marquee/guide/xmltv/xmltvtest"
)

// parsed is everything one Parse call produced.
type parsed struct {
	channels   []Channel
	programmes []Programme
	res        Result
	err        error
}

func parseReader(r io.Reader, opts Options) parsed {
	var out parsed
	out.res, out.err = Parse(r, opts,
		func(c Channel) error { out.channels = append(out.channels, c); return nil },
		func(p Programme) error { out.programmes = append(out.programmes, p); return nil })
	return out
}

func parseString(doc string, opts Options) parsed {
	return parseReader(strings.NewReader(doc), opts)
}

// parseDocument parses one of xmltvtest's documents and fails the test on
// any error.
func parseDocument(t *testing.T, name string, opts Options) parsed {
	t.Helper()
	out := parseReader(bytes.NewReader(xmltvtest.Document(t, name)), opts)
	if out.err != nil {
		t.Fatalf("Parse(%s): %v", name, out.err)
	}
	return out
}

// findProgramme returns the programme on channel starting at start (UTC,
// "2006-01-02 15:04").
func findProgramme(t *testing.T, progs []Programme, channel, start string) Programme {
	t.Helper()
	at := utc(t, start)
	for _, p := range progs {
		if p.ChannelID == channel && p.Start.Equal(at) {
			return p
		}
	}
	t.Fatalf("no programme on %s at %s", channel, start)
	return Programme{}
}

// utc builds a UTC time from "2006-01-02 15:04".
func utc(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// syntaxError returns err as a *SyntaxError, failing the test if it is not one.
func syntaxError(t *testing.T, err error) *SyntaxError {
	t.Helper()
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *SyntaxError", err, err)
	}
	return se
}
