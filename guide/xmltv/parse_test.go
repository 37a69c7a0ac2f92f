package xmltv

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// programme returns a one-line <programme> for inline documents.
func programme(channel, start, stop, title string) string {
	s := `<programme channel="` + channel + `" start="` + start + `"`
	if stop != "" {
		s += ` stop="` + stop + `"`
	}
	return s + `><title>` + title + `</title></programme>`
}

func tv(body ...string) string {
	return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tv>\n" + strings.Join(body, "\n") + "\n</tv>\n"
}

type slot struct{ channel, title, start, stop string }

func slots(t *testing.T, progs []Programme) []slot {
	t.Helper()
	var out []slot
	for _, p := range progs {
		out = append(out, slot{p.ChannelID, p.Title, p.Start.Format("15:04"), p.Stop.Format("15:04")})
	}
	return out
}

func TestParse_MissingStop_IsNextStartOnChannelAndLastIsSkipped(t *testing.T) {
	out := parseString(tv(
		programme("a", "20240101100000", "", "A1"),
		programme("b", "20240101100000", "20240101103000", "B1"),
		programme("a", "20240101110000", "", "A2"),
		programme("a", "20240101120000", "20240101130000", "A3"),
		programme("a", "20240101130000", "", "A4 last, no stop"),
	), Options{})
	if out.err != nil {
		t.Fatal(out.err)
	}
	want := []slot{
		{"b", "B1", "10:00", "10:30"},
		{"a", "A1", "10:00", "11:00"},
		{"a", "A2", "11:00", "12:00"},
		{"a", "A3", "12:00", "13:00"},
	}
	if got := slots(t, out.programmes); !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %v\nwant %v", got, want)
	}
	if want := (Result{Programmes: 4, Skipped: 1}); out.res != want {
		t.Errorf("result %+v, want %+v", out.res, want)
	}
}

func TestParse_ProgrammeTimes_AreConvertedToUTC(t *testing.T) {
	out := parseString(tv(
		programme("a", "20240101100000 +0200", "20240101113000 -0100", "offsets"),
		programme("b", "202401011000", "", "no zone, no stop"),
		programme("b", "20240101103000 +0000", "20240101110000 +00:00", "next"),
	), Options{})
	if out.err != nil {
		t.Fatal(out.err)
	}
	want := []slot{{"a", "offsets", "08:00", "12:30"}, {"b", "no zone, no stop", "10:00", "10:30"}, {"b", "next", "10:30", "11:00"}}
	if got := slots(t, out.programmes); !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %v\nwant %v", got, want)
	}
	for _, p := range out.programmes {
		if p.Start.Location() != time.UTC || p.Stop.Location() != time.UTC {
			t.Errorf("%q: start %v, stop %v not in UTC", p.Title, p.Start, p.Stop)
		}
	}
}

func TestParse_ZeroLengthProgramme_IsSkipped(t *testing.T) {
	out := parseString(tv(
		programme("a", "20240101100000", "20240101100000", "placeholder"),
		programme("a", "20240101100000", "", "no stop, next starts at the same time"),
		programme("a", "20240101100000", "20240101110000", "real"),
	), Options{})
	if out.err != nil {
		t.Fatal(out.err)
	}
	want := []slot{{"a", "real", "10:00", "11:00"}}
	if got := slots(t, out.programmes); !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %v\nwant %v", got, want)
	}
	if want := (Result{Programmes: 1, Skipped: 2}); out.res != want {
		t.Errorf("result %+v, want %+v", out.res, want)
	}
}

// Programmes may come before channels, and may name a channel the document
// never declares: the caller decides what to do with those.
func TestParse_ProgrammeOnUndeclaredChannel_IsPassedOn(t *testing.T) {
	out := parseString(tv(
		programme("nowhere", "20240101100000", "20240101110000", "orphan"),
		`<channel id="a"><display-name>A</display-name></channel>`,
	), Options{})
	if out.err != nil {
		t.Fatal(out.err)
	}
	if len(out.programmes) != 1 || out.programmes[0].ChannelID != "nowhere" || len(out.channels) != 1 {
		t.Errorf("got channels %+v, programmes %+v", out.channels, out.programmes)
	}
}

func TestParse_DeclaredCharset_IsDecoded(t *testing.T) {
	tests := []struct {
		name, charset, raw, want string
	}{
		{"ISO-8859-1 pound and e-acute", "ISO-8859-1", "\xa3100 caf\xe9", "£100 café"},
		{"lower-case label", "iso-8859-1", "caf\xe9", "café"},
		{"windows-1252 euro", "windows-1252", "\x80 5", "€ 5"},
		{"ISO-8859-15 euro", "ISO-8859-15", "\xa4 5", "€ 5"},
		{"UTF-8 spelled utf8", "utf8", "caf\xc3\xa9", "café"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := `<?xml version="1.0" encoding="` + tt.charset + `"?>` + "\n<tv>" +
				programme("a", "20240101100000", "20240101110000", tt.raw) + "</tv>"
			out := parseString(doc, Options{})
			if out.err != nil {
				t.Fatal(out.err)
			}
			if len(out.programmes) != 1 || out.programmes[0].Title != tt.want {
				t.Errorf("got %+v, want title %q", out.programmes, tt.want)
			}
		})
	}
}

func TestParse_Channel_NameNumberAndLogo(t *testing.T) {
	tests := []struct {
		name, xml string
		want      Channel
	}{
		{"numeric display-name after names", `<channel id="c"><display-name>CFTO</display-name><display-name>201 CFTO</display-name><display-name>201</display-name></channel>`,
			Channel{ID: "c", Name: "CFTO", Number: 201}},
		{"only a number is both name and number", `<channel id="c"><display-name> 7 </display-name></channel>`,
			Channel{ID: "c", Name: "7", Number: 7}},
		{"first numeric display-name wins", `<channel id="c"><display-name>5</display-name><display-name>6</display-name></channel>`,
			Channel{ID: "c", Name: "5", Number: 5}},
		{"hyphenated number is a name", `<channel id="c"><display-name>7-1</display-name></channel>`,
			Channel{ID: "c", Name: "7-1"}},
		{"number too big for an int is a name", `<channel id="c"><display-name>99999999999999999999</display-name></channel>`,
			Channel{ID: "c", Name: "99999999999999999999"}},
		{"empty display-name is passed over", `<channel id="c"><display-name/><display-name>Two</display-name></channel>`,
			Channel{ID: "c", Name: "Two"}},
		{"no display-name falls back to the id", `<channel id="c"><icon src="x.png"/></channel>`,
			Channel{ID: "c", Name: "c", LogoURL: "x.png"}},
		{"first icon with a src is the logo", `<channel id="c"><display-name>C</display-name><icon/><icon src="a.png"/><icon src="b.png"/></channel>`,
			Channel{ID: "c", Name: "C", LogoURL: "a.png"}},
		{"nested display-name is not the channel's", `<channel id="c"><url><display-name>No</display-name></url><display-name>Yes</display-name></channel>`,
			Channel{ID: "c", Name: "Yes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := parseString(tv(tt.xml), Options{})
			if out.err != nil {
				t.Fatal(out.err)
			}
			if want := []Channel{tt.want}; !reflect.DeepEqual(out.channels, want) {
				t.Errorf("\n got %+v\nwant %+v", out.channels, want)
			}
		})
	}
}

func TestParse_ProgrammeChildren_TextRatingsAndCategories(t *testing.T) {
	const open = `<programme channel="a" start="20240101100000" stop="20240101110000">`
	tests := []struct {
		name, children string
		want           Programme
	}{
		{"rating from its value child", `<title>T</title><rating system="VCHIP"><value>TV-MA</value><icon src="x"/></rating>`,
			Programme{Title: "T", MinAge: 18}},
		{"rating without a value fails closed", `<title>T</title><rating system="MPAA"><icon src="x"/></rating>`,
			Programme{Title: "T", MinAge: 18}},
		{"first value of a rating counts", `<title>T</title><rating><value>G</value><value>R</value></rating>`,
			Programme{Title: "T", MinAge: 0}},
		{"no rating takes UnratedMinAge", `<title>T</title>`,
			Programme{Title: "T", MinAge: 7}},
		{"entities, CDATA and whitespace in text", "<title>\n  Tom &amp; Jerry <![CDATA[<live>]]> &#163;1 \n</title>",
			Programme{Title: "Tom & Jerry <live> £1", MinAge: 7}},
		{"duplicate and empty categories dropped, order kept", `<title>T</title><category>News</category><category/><category>Weather</category><category>News</category>`,
			Programme{Title: "T", MinAge: 7, Categories: []string{"News", "Weather"}}},
		{"categories only in other languages use the first one's", `<title>T</title><category lang="fr">Actualités</category><category lang="de">Nachrichten</category><category lang="FR">Météo</category>`,
			Programme{Title: "T", MinAge: 7, Categories: []string{"Actualités", "Météo"}}},
		{"empty title in the preferred language loses to a filled one", `<title lang="en"></title><title lang="fr">Le titre</title>`,
			Programme{Title: "Le titre", MinAge: 7}},
		{"element lang en-GB matches en", `<title lang="fr">Titre</title><title lang="en-GB">Title</title>`,
			Programme{Title: "Title", MinAge: 7}},
		{"element lang en_US beats an unlabelled title", `<title>Plain</title><title lang="en_US">US</title>`,
			Programme{Title: "US", MinAge: 7}},
		{"nested title is not the programme's", `<credits><title>No</title></credits><title>Yes</title>`,
			Programme{Title: "Yes", MinAge: 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := parseString(tv(open+tt.children+`</programme>`), Options{UnratedMinAge: 7})
			if out.err != nil {
				t.Fatal(out.err)
			}
			if len(out.programmes) != 1 {
				t.Fatalf("got %d programmes", len(out.programmes))
			}
			got, want := out.programmes[0], tt.want
			want.ChannelID, want.Start, want.Stop = "a", utc(t, "2024-01-01 10:00"), utc(t, "2024-01-01 11:00")
			if !reflect.DeepEqual(got, want) {
				t.Errorf("\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestLangMatches_CaseInsensitiveAtSubtagBoundary(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"en", "en", true}, {"EN", "en", true}, {"en-GB", "en", true}, {"en", "en-gb", true},
		{"en_GB", "en", true}, {"en-GB", "en-US", false}, {"eng", "en", false}, {"de", "en", false},
	}
	for _, tt := range tests {
		if got := langMatches(tt.a, tt.b); got != tt.want {
			t.Errorf("langMatches(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestParse_CallbackError_StopsAndIsReturned(t *testing.T) {
	stop := errors.New("database down")
	calls := 0
	res, err := Parse(strings.NewReader(tv(
		programme("a", "20240101100000", "20240101110000", "one"),
		programme("a", "20240101110000", "20240101120000", "two"),
	)), Options{}, nil, func(Programme) error { calls++; return stop })
	if err != stop {
		t.Errorf("error %v, want the callback's own error", err)
	}
	if calls != 1 || res.Programmes != 1 {
		t.Errorf("callback called %d times, Result %+v; want one call", calls, res)
	}
}

func TestParse_ReaderError_IsWrappedNotASyntaxError(t *testing.T) {
	cause := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader("<tv>\n<channel id=\"a\">"), iotest.ErrReader(cause))
	_, err := Parse(r, Options{}, nil, nil)
	var se *SyntaxError
	if !errors.Is(err, cause) || errors.As(err, &se) {
		t.Errorf("error %v (%T): want the reader's error, not a *SyntaxError", err, err)
	}
}

func TestParse_NilCallbacks_StillCount(t *testing.T) {
	res, err := Parse(strings.NewReader(tv(
		`<channel id="a"/>`,
		programme("a", "20240101100000", "20240101110000", "one"),
	)), Options{}, nil, nil)
	if want := (Result{Channels: 1, Programmes: 1}); err != nil || res != want {
		t.Errorf("got %+v, %v; want %+v", res, err, want)
	}
}

// Real files reference the DTD; encoding/xml never fetches it, so even a
// path that does not exist is harmless.
func TestParse_DoctypeWithExternalDTDOnly_IsAccepted(t *testing.T) {
	for _, doctype := range []string{
		`<!DOCTYPE tv SYSTEM "xmltv.dtd">`,
		`<!DOCTYPE tv SYSTEM "file:///nonexistent/xmltv.dtd">`,
		`<!DOCTYPE tv [<!ELEMENT tv ANY>]>`,
	} {
		doc := "<?xml version=\"1.0\"?>\n" + doctype + "\n<tv>" + programme("a", "20240101100000", "20240101110000", "one") + "</tv>"
		if out := parseString(doc, Options{}); out.err != nil || len(out.programmes) != 1 {
			t.Errorf("%s: got %d programmes, error %v", doctype, len(out.programmes), out.err)
		}
	}
}
