package guide

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"marquee/db"
	"marquee/guide/xmltv"
	"marquee/guide/xmltv/xmltvtest"
	"marquee/rules"
)

// The fixtures of the guide's tests: documents to import, importing them,
// and the guide as the database holds it.

// generated is a guide of 5 channels and 2,000 programmes (1.6 MB), about a
// week of a real one.
var generated = xmltvtest.Guide{IDPrefix: "gen-", Channels: 5, Programmes: 400}

// importDocument imports one of xmltvtest's documents, or the generated
// guide when name is "generated".
func importDocument(t *testing.T, pool *db.Pool, name string, opts xmltv.Options) Counts {
	t.Helper()
	var doc []byte
	if name == "generated" {
		doc, _ = generated.Bytes()
	} else {
		doc = xmltvtest.Document(t, name)
	}
	return importReader(t, pool, name, bytes.NewReader(doc), opts)
}

// importReader imports the XMLTV document r reads, named name in a failure.
func importReader(t *testing.T, pool *db.Pool, name string, r io.Reader, opts xmltv.Options) Counts {
	t.Helper()
	counts, err := Import(context.Background(), pool, XMLTV(r, opts), nil)
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	return counts
}

// importString imports doc, an XMLTV document, with the default options.
func importString(pool *db.Pool, doc string) (Counts, error) {
	return Import(context.Background(), pool, XMLTV(strings.NewReader(doc), xmltv.Options{}), nil)
}

// stored is the guide as the database holds it: channels by XMLTV id, and
// their programmes by start.
type stored struct {
	channels   map[string]db.Channel
	programmes map[string][]db.ProgrammeWindowRow
}

// readGuide is the guide the database holds.
func readGuide(t *testing.T, pool *db.Pool) stored {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.ChannelGuide(ctx, db.ChannelGuideParams{Every: true})
	if err != nil {
		t.Fatal(err)
	}
	out := stored{channels: map[string]db.Channel{}, programmes: map[string][]db.ProgrammeWindowRow{}}
	var ids []string
	xmltvID := map[string]string{}
	for _, r := range rows {
		out.channels[r.Channel.XmltvID] = r.Channel
		ids = append(ids, r.Channel.ID.String())
		xmltvID[r.Channel.ID.String()] = r.Channel.XmltvID
	}
	progs, err := pool.ProgrammeWindow(ctx, db.ProgrammeWindowParams{
		ChannelIds: ids, FromAt: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), ToAt: time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), MaxAge: rules.Adult,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range progs {
		out.programmes[xmltvID[p.ChannelID]] = append(out.programmes[xmltvID[p.ChannelID]], p)
	}
	return out
}

// count is how many programmes are stored.
func (s stored) count() int {
	n := 0
	for _, ps := range s.programmes {
		n += len(ps)
	}
	return n
}

// at finds the programme on channel starting at start (RFC 3339).
func (s stored) at(t *testing.T, channel, start string) db.ProgrammeWindowRow {
	t.Helper()
	want, err := time.Parse(time.RFC3339, start)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range s.programmes[channel] {
		if p.StartAt.Equal(want) {
			return p
		}
	}
	t.Fatalf("no programme on %s at %s", channel, start)
	return db.ProgrammeWindowRow{}
}

// doc builds a small XMLTV document.
func doc(body ...string) string {
	return "<?xml version=\"1.0\"?>\n<tv>\n" + strings.Join(body, "\n") + "\n</tv>\n"
}

// prog is a programme of a document of doc's.
func prog(channel, start, stop, title string) string {
	return `<programme channel="` + channel + `" start="` + start + `" stop="` + stop + `"><title>` + title + `</title></programme>`
}
