package guide

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"marquee/db"
	"marquee/db/dbtest"
	"marquee/guide/xmltv"
	"marquee/guide/xmltv/xmltvtest"
	"marquee/rules"
)

func TestImport_Documents_CountsAndIdempotentReimport(t *testing.T) {
	t.Parallel()
	_, gen := generated.Bytes()
	for _, c := range []struct {
		name string
		want Counts
	}{
		// Nine programmes, of which one is a zero-length placeholder.
		{"latin1.xml", Counts{Channels: 3, Programmes: 8, Skipped: 1}},
		{"bom.xml", Counts{Channels: 1, Programmes: 3}},
		{"languages.xml", Counts{Channels: 1, Programmes: 2}},
		{"channels.xml", Counts{Channels: 7}},
		// Ten programmes: the last of a channel without a stop, a
		// placeholder, one of 24 h 30, one superseded, one on no channel.
		{"schedule.xml", Counts{Channels: 2, Programmes: 5, Skipped: 5}},
		{"generated", Counts{Channels: gen.Channels, Programmes: gen.Programmes, Skipped: gen.Skipped}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			pool, conn := dbtest.NewPool(t)
			if got := importDocument(t, pool, c.name, xmltv.Options{}); got != c.want {
				t.Fatalf("first import: %+v, want %+v", got, c.want)
			}
			if g := readGuide(t, pool); len(g.channels) != c.want.Channels || g.count() != c.want.Programmes {
				t.Fatalf("%d channels and %d programmes stored, want %+v", len(g.channels), g.count(), c.want)
			}
			before := dbtest.Snapshot(t, conn)
			if got := importDocument(t, pool, c.name, xmltv.Options{}); got != c.want {
				t.Fatalf("second import: %+v, want %+v", got, c.want)
			}
			if dbtest.Snapshot(t, conn) != before {
				t.Fatal("importing the same document again changed the database")
			}
		})
	}
}

// Real-world documents, when XMLTV_CORPUS names a folder of them: each
// imports, and again without changing anything; the channels and
// programmes it reports are the rows stored, and with the skipped ones
// they are what the document holds.
func TestImport_Corpus_ImportsReimportsAndCountsAddUp(t *testing.T) {
	t.Parallel()
	for _, file := range xmltvtest.Corpus(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			doc, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			channels, programmes, err := xmltvtest.Tally(bytes.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			pool, conn := dbtest.NewPool(t)
			counts := importReader(t, pool, file, bytes.NewReader(doc), xmltv.Options{})
			if counts.Channels != channels || counts.Programmes+counts.Skipped != programmes {
				t.Errorf("counts %+v; the document holds %d channels and %d programmes", counts, channels, programmes)
			}
			if rows := dbtest.Count(t, conn, "SELECT count(*) FROM channels"); rows != counts.Channels {
				t.Errorf("%d channels stored, %d reported", rows, counts.Channels)
			}
			if rows := dbtest.Count(t, conn, "SELECT count(*) FROM programmes"); rows != counts.Programmes {
				t.Errorf("%d programmes stored, %d reported", rows, counts.Programmes)
			}
			before := dbtest.Snapshot(t, conn)
			if again := importReader(t, pool, file, bytes.NewReader(doc), xmltv.Options{}); again != counts {
				t.Errorf("second import: %+v, first %+v", again, counts)
			}
			if dbtest.Snapshot(t, conn) != before {
				t.Error("importing the same document again changed the database")
			}
		})
	}
}

func TestImport_Latin1_ChannelsAndProgrammesFieldByField(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewPool(t)
	importDocument(t, pool, "latin1.xml", xmltv.Options{Lang: "fr", UnratedMinAge: 7})
	g := readGuide(t, pool)

	// No display-name is a number ("3-2" is not), so channels are numbered
	// 1 to 3 in document order.
	var got []string
	for _, id := range []string{"tele-sud.example", "kanal-nord.example", "canal-oeste.example"} {
		c := g.channels[id]
		logo := "<nil>"
		if c.LogoUrl != nil {
			logo = *c.LogoUrl
		}
		got = append(got, strings.Join([]string{id, c.Name, logo}, " | "), fmt.Sprint(c.Number))
	}
	want := []string{
		"tele-sud.example | Télé Sud | logos/tele-sud.png", "1",
		"kanal-nord.example | Kanal Nord | https://logos.example/kanal-nord.png", "2",
		"canal-oeste.example | Canal Oeste | <nil>", "3",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("channels:\n got %q\nwant %q", got, want)
	}

	// Times are at +0100 in the document.
	p := g.at(t, "tele-sud.example", "2024-03-11T05:00:00Z")
	if p.Title != "Le Café du matin" || !p.EndAt.Equal(time.Date(2024, 3, 11, 6, 30, 0, 0, time.UTC)) ||
		p.Synopsis != "Les nouvelles de la région, la météo des plages et un invité à la une." ||
		p.Categories != "Actualités" || p.MinAge != 7 {
		t.Errorf("Le Café du matin: %+v", p)
	}
	// Declared ISO-8859-1 and decoded as such (see the xmltv tests).
	if p := g.at(t, "tele-sud.example", "2024-03-11T06:30:00Z"); p.Title != "L'été à Sète" || !strings.Contains(p.Synopsis, "£500 000") {
		t.Errorf("L'été à Sète: %+v", p)
	}
	// Of two programmes at 08:00, the zero-length placeholder was skipped.
	if p := g.at(t, "tele-sud.example", "2024-03-11T08:00:00Z"); p.Title != "Le Journal de 9 h" {
		t.Errorf("08:00 on Télé Sud: %q", p.Title)
	}
	if p := g.at(t, "canal-oeste.example", "2024-03-11T20:30:00Z"); p.Title != "¿Qué pasó mañana?" || !p.EndAt.Equal(time.Date(2024, 3, 11, 21, 0, 0, 0, time.UTC)) {
		t.Errorf("last programme: %+v", p)
	}
}

func TestImport_BOM_NumberFromDisplayNameAndRatingsToMinAge(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewPool(t)
	importDocument(t, pool, "bom.xml", xmltv.Options{UnratedMinAge: 18})
	g := readGuide(t, pool)
	c := g.channels["harbour.example"]
	if c.Number != 12 || c.Name != "Harbour TV" || c.LogoUrl == nil || *c.LogoUrl != "http://logos.example/harbour.png" {
		t.Fatalf("channel %+v", c)
	}
	p := g.at(t, c.XmltvID, "2024-03-06T00:00:00Z")
	if p.Title != "Night Shift — Pier Nine" || p.MinAge != 16 || !p.EndAt.Equal(time.Date(2024, 3, 6, 1, 5, 0, 0, time.UTC)) ||
		p.Categories != "Series\x1fCrime Drama" {
		t.Fatalf("programme %+v", p)
	}
	for start, age := range map[string]int16{"2024-03-06T01:05:00Z": 13, "2024-03-06T02:30:00Z": 18} {
		if p := g.at(t, c.XmltvID, start); p.MinAge != age {
			t.Errorf("%q: min_age %d, want %d", p.Title, p.MinAge, age)
		}
	}
}

// New channels take their numeric display-name when it is free (the first
// of two giving 24 wins), the others the next numbers in document order; of
// the icons, http and https URLs and references without a scheme become
// logos, the rest are dropped.
func TestImport_Channels_NumbersFromDisplayNamesAndLogosByScheme(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewPool(t)
	importDocument(t, pool, "channels.xml", xmltv.Options{})
	g := readGuide(t, pool)
	var got []string
	for _, id := range []string{"news24.example", "seven.example", "sport.example", "five.example", "rival24.example", "nameless.example", "huge.example"} {
		c := g.channels[id]
		logo := "<nil>"
		if c.LogoUrl != nil {
			logo = *c.LogoUrl
		}
		got = append(got, fmt.Sprint(c.Number, " ", c.Name, " ", logo))
	}
	want := []string{
		"24 News 24 https://logos.example/news24.png",
		"25 7-1 http://logos.example/seven.png",
		"26 201 Sport logos/sport.png",
		"5 5 <nil>",
		"27 Rival <nil>",
		"28 nameless.example <nil>",
		"29 99999999999999999999 <nil>",
	}
	if !slices.Equal(got, want) {
		t.Errorf("channels:\n got %q\nwant %q", got, want)
	}
}

func TestImport_Schedule_WhatHasNoPlaceIsSkipped(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewPool(t)
	importDocument(t, pool, "schedule.xml", xmltv.Options{})
	g := readGuide(t, pool)
	var got []string
	for _, id := range []string{"a.example", "b.example"} {
		for _, p := range g.programmes[id] {
			got = append(got, fmt.Sprintf("%s %s %s-%s", id, p.Title, p.StartAt.UTC().Format("15:04"), p.EndAt.UTC().Format("15:04")))
		}
	}
	// Morning and Film end where the next programme starts; the placeholder,
	// Late (no end), Marathon (more than 24 hours), Quiz (superseded) and
	// Orphan (no channel) are not there.
	want := []string{
		"a.example Morning 06:00-07:00",
		"a.example Documentary 07:00-08:30",
		"a.example Film 08:30-11:00",
		"a.example Quiz (corrected) 11:00-11:45",
		"b.example B News 08:00-09:00",
	}
	if !slices.Equal(got, want) || len(g.channels) != 2 {
		t.Errorf("guide of %d channels:\n got %q\nwant %q", len(g.channels), got, want)
	}
}

func TestImport_Languages_HonoursTheLanguage(t *testing.T) {
	t.Parallel()
	for lang, want := range map[string][2]string{
		"en": {"Market Day", "Lifestyle\x1fShopping"},
		"es": {"Día de mercado", "Estilo de vida\x1fCompras"},
		"de": {"Market Day [empty lang]", "Lifestyle [empty lang]\x1fLifestyle [no lang]"},
	} {
		pool, _ := dbtest.NewPool(t)
		importDocument(t, pool, "languages.xml", xmltv.Options{Lang: lang})
		p := readGuide(t, pool).at(t, "polyglot.example", "2024-04-02T10:00:00Z")
		if p.Title != want[0] || p.Categories != want[1] {
			t.Errorf("lang %s: %q %q, want %q", lang, p.Title, p.Categories, want)
		}
	}
}

func TestImport_SameStartTwice_LaterWinsAndCountsAsSkipped(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewPool(t)
	counts, err := importString(pool, doc(`<channel id="a"/>`,
		prog("a", "20240101100000 +0100", "20240101110000 +0100", "first"),
		prog("a", "20240101100000 +0100", "20240101103000 +0100", "second"),
		prog("a", "20240101110000 +0100", "20240101120000 +0100", "next"),
	))
	if want := (Counts{Channels: 1, Programmes: 2, Skipped: 1}); err != nil || counts != want {
		t.Fatalf("%+v %v, want %+v", counts, err, want)
	}
	p := readGuide(t, pool).at(t, "a", "2024-01-01T09:00:00Z")
	if p.Title != "second" || !p.EndAt.Equal(time.Date(2024, 1, 1, 9, 30, 0, 0, time.UTC)) {
		t.Fatalf("kept %+v, want the later one, in UTC", p)
	}
}

// A duplicate in a later batch replaces the earlier one like any other; a
// programme whose channel is declared only after it is on no known channel.
func TestImport_ManyBatches_DuplicateAcrossBatchesAndChannelDeclaredAfter(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a guide of many batches")
	}
	t.Parallel()
	pool, _ := dbtest.NewPool(t)
	parts := []string{`<channel id="a"/>`}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 2*batchRows + 10
	for i := range n {
		at := start.Add(time.Duration(i) * time.Minute)
		parts = append(parts, prog("a", at.Format("20060102150405"), at.Add(time.Minute).Format("20060102150405"), "P"))
	}
	parts = append(parts,
		prog("a", "20240101000000", "20240101000100", "again"),
		prog("late", "20240101000000", "20240101010000", "before its channel"),
		`<channel id="late"><display-name>Late</display-name></channel>`,
		prog("late", "20240101010000", "20240101020000", "after its channel"),
	)
	counts, err := importString(pool, doc(parts...))
	if want := (Counts{Channels: 2, Programmes: n + 1, Skipped: 2}); err != nil || counts != want {
		t.Fatalf("%+v %v, want %+v", counts, err, want)
	}
	g := readGuide(t, pool)
	if p := g.at(t, "a", "2024-01-01T00:00:00Z"); p.Title != "again" {
		t.Fatalf("first slot is %q, want the later duplicate", p.Title)
	}
	if len(g.programmes["late"]) != 1 || g.programmes["late"][0].Title != "after its channel" {
		t.Fatalf("late channel: %+v", g.programmes["late"])
	}
}

func TestImport_UnknownChannelAndOverlongProgramme_Skipped(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewPool(t)
	counts, err := importString(pool, doc(`<channel id="a"/>`,
		prog("a", "20240101000000", "20240102000000", "a whole day"),
		prog("a", "20240102000000", "20240103000001", "a day and a second"),
		prog("nowhere", "20240101000000", "20240101010000", "orphan"),
	))
	if want := (Counts{Channels: 1, Programmes: 1, Skipped: 2}); err != nil || counts != want {
		t.Fatalf("%+v %v, want %+v", counts, err, want)
	}
	// A channel the guide already knows needs no declaration.
	counts, err = importString(pool, doc(prog("a", "20240105000000", "20240105010000", "later")))
	if want := (Counts{Programmes: 1}); err != nil || counts != want {
		t.Fatalf("%+v %v, want %+v", counts, err, want)
	}
}

func TestImport_Reimport_UpdatesChangedProgrammesAndChannels(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewPool(t)
	first := doc(`<channel id="a"><display-name>Old</display-name><icon src="a.png"/></channel>`,
		prog("a", "20240101100000", "20240101110000", "before"))
	if _, err := importString(pool, first); err != nil {
		t.Fatal(err)
	}
	id := readGuide(t, pool).at(t, "a", "2024-01-01T10:00:00Z").ID
	// No icon this time: the logo stays.
	second := doc(`<channel id="a"><display-name>New</display-name></channel>`,
		prog("a", "20240101100000", "20240101103000", "after"))
	if _, err := importString(pool, second); err != nil {
		t.Fatal(err)
	}
	g := readGuide(t, pool)
	p := g.at(t, "a", "2024-01-01T10:00:00Z")
	if c := g.channels["a"]; c.Name != "New" || c.Number != 1 || *c.LogoUrl != "a.png" {
		t.Fatalf("channel %+v", c)
	}
	if p.ID != id || p.Title != "after" || !p.EndAt.Equal(time.Date(2024, 1, 1, 10, 30, 0, 0, time.UTC)) {
		t.Fatalf("programme %+v, want id %s updated", p, id)
	}
}

// TestImport_IconWithAnotherSchemeOrTooLong_IsDropped: an icon becomes a logo when
// it is an http or https URL, or a reference without a scheme as real feeds
// have; javascript:, data: and the like, and icons longer than the schema
// takes, are dropped, and the import goes on.
func TestImport_IconWithAnotherSchemeOrTooLong_IsDropped(t *testing.T) {
	t.Parallel()
	pool, _ := dbtest.NewPool(t)
	icons := map[string]string{
		"web":       "https://logos.example/web.png",
		"plain":     "http://logos.example/plain.png",
		"script":    "javascript:alert(document.cookie)",
		"relative":  "logos/relative.png",
		"no host":   "https:///x.png",
		"data":      "data:image/png;base64,AAAA",
		"bidi":      "https://logos.example/&#x202E;gnp.x",
		"long data": "data:image/png;base64," + strings.Repeat("A", 3000),
		"long web":  "https://logos.example/" + strings.Repeat("a", 2100) + ".png",
	}
	var channels []string
	for id, src := range icons {
		channels = append(channels, `<channel id="`+id+`"><display-name>`+id+`</display-name><icon src="`+src+`"/></channel>`)
	}
	if _, err := importString(pool, doc(channels...)); err != nil {
		t.Fatal(err)
	}
	g := readGuide(t, pool)
	for id, src := range icons {
		c := g.channels[id]
		kept := id == "web" || id == "plain" || id == "relative"
		switch {
		case kept && (c.LogoUrl == nil || *c.LogoUrl != src):
			t.Errorf("%s: logo %v, want %q", id, c.LogoUrl, src)
		case !kept && c.LogoUrl != nil:
			t.Errorf("%s: logo %q, want none", id, *c.LogoUrl)
		}
	}
}

func TestImport_BadDocuments_ChangeNothing(t *testing.T) {
	t.Parallel()
	pool, conn := dbtest.NewPool(t)
	importDocument(t, pool, "bom.xml", xmltv.Options{})
	before := dbtest.Snapshot(t, conn)
	valid := prog("harbour.example", "20240101100000", "20240101110000", "T")
	for _, c := range []struct {
		name, doc string
		check     func(error) bool
	}{
		{"truncated", doc(`<channel id="x"/>`, valid)[:120], isSyntax(nil)},
		{"bad time after good programmes", doc(valid, prog("harbour.example", "2024-01-01", "20240101110000", "T")), isSyntax(nil)},
		{"billion laughs", `<?xml version="1.0"?><!DOCTYPE tv [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><tv>` + valid + `<programme channel="x" start="2024"><title>&b;</title></programme></tv>`, isSyntax(xmltv.ErrEntity)},
		{"deep nesting", "<tv>" + valid + strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100) + "</tv>", isSyntax(xmltv.ErrTooDeep)},
		{"huge attribute", `<tv>` + valid + `<channel id="` + strings.Repeat("x", 2<<20) + `"/></tv>`, isSyntax(xmltv.ErrTooLarge)},
		{"channel name too long", doc(`<channel id="x"><display-name>`+strings.Repeat("n", 101)+`</display-name></channel>`, valid), isInvalid},
		{"channel name reversed by a bidi override", doc(`<channel id="x"><display-name>&#x202E;lanigirO</display-name></channel>`, valid), isInvalid},
		{"channel name with a control character", doc(`<channel id="x"><display-name>a&#x9F;b</display-name></channel>`, valid), isInvalid},
	} {
		_, err := importString(pool, c.doc)
		if !c.check(err) {
			t.Errorf("%s: error %v (%T)", c.name, err, err)
		}
		if dbtest.Snapshot(t, conn) != before {
			t.Fatalf("%s: the failed import changed the database", c.name)
		}
	}
}

// isSyntax accepts a *xmltv.SyntaxError with a line, carrying bound (nil: any).
func isSyntax(bound error) func(error) bool {
	return func(err error) bool {
		var se *xmltv.SyntaxError
		return errors.As(err, &se) && se.Line >= 1 && (bound == nil || errors.Is(err, bound))
	}
}

func isInvalid(err error) bool {
	var ie *InvalidError
	return errors.As(err, &ie)
}

func TestImport_FailingAudit_RollsBack(t *testing.T) {
	if testing.Short() {
		t.Skip("imports and rolls back a generated guide")
	}
	t.Parallel()
	pool, conn := dbtest.NewPool(t)
	before := dbtest.Snapshot(t, conn)
	boom := errors.New("audit failed")
	doc, _ := generated.Bytes()
	if _, err := Import(context.Background(), pool, XMLTV(bytes.NewReader(doc), xmltv.Options{}), func(*db.Queries) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("error %v", err)
	}
	if dbtest.Snapshot(t, conn) != before {
		t.Fatal("the import stayed although its audit failed")
	}
}

func TestImport_ReaderFails_ChangesNothing(t *testing.T) {
	t.Parallel()
	pool, conn := dbtest.NewPool(t)
	before := dbtest.Snapshot(t, conn)
	cut := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader(doc(`<channel id="a"/>`, prog("a", "20240101100000", "20240101110000", "T"))[:90]), &failing{cut})
	if _, err := Import(context.Background(), pool, XMLTV(r, xmltv.Options{}), nil); !errors.Is(err, cut) {
		t.Fatalf("error %v", err)
	}
	if dbtest.Snapshot(t, conn) != before {
		t.Fatal("a failed read changed the database")
	}
}

type failing struct{ err error }

func (f *failing) Read([]byte) (int, error) { return 0, f.err }

func TestNumbering_KnownKeepTheirsNewTakeTheirOwnOrTheNextFree(t *testing.T) {
	t.Parallel()
	n := newNumbering([]db.ChannelKeysRow{{XmltvID: "k", Number: 7}, {XmltvID: "j", Number: 3}})
	got, err := n.assign([]xmltv.Channel{
		{ID: "k", Number: 50},    // known: keeps 7
		{ID: "a"},                // no number: after the highest
		{ID: "b", Number: 7},     // taken by k
		{ID: "c", Number: 20},    // free
		{ID: "d", Number: 20},    // taken by c, earlier in the document
		{ID: "e", Number: 0},     // none
		{ID: "f", Number: 10000}, // free
		{ID: "g", Number: 100000},
	})
	if want := []int32{7, 10001, 10002, 20, 10003, 10004, 10000, 10005}; err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v %v, want %v", got, err, want)
	}
	// A later batch sees what the earlier ones took.
	if got, err := n.assign([]xmltv.Channel{{ID: "a"}, {ID: "h", Number: 20}}); err != nil || !reflect.DeepEqual(got, []int32{10001, 10006}) {
		t.Fatalf("second batch: %v %v", got, err)
	}
	full := newNumbering([]db.ChannelKeysRow{{XmltvID: "top", Number: rules.MaxChannelNumber}})
	if _, err := full.assign([]xmltv.Channel{{ID: "x"}}); !isInvalid(err) {
		t.Fatalf("no number left: %v", err)
	}
}
