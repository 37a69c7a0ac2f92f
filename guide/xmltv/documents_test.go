package xmltv

import (
	"bytes"
	"reflect"
	"testing"
	"unicode/utf8"

	"marquee/guide/xmltv/xmltvtest"
)

// latin1Options are the options latin1.xml is parsed with: its programmes
// are in French, German and Spanish, and it has no ratings.
var latin1Options = Options{Lang: "fr", UnratedMinAge: 7}

func TestParse_Latin1_ThreeChannelsInDocumentOrder(t *testing.T) {
	got := parseDocument(t, "latin1.xml", latin1Options).channels
	want := []Channel{
		{ID: "tele-sud.example", Name: "Télé Sud", LogoURL: "logos/tele-sud.png"}, // "3-2" is not a number
		{ID: "kanal-nord.example", Name: "Kanal Nord", LogoURL: "https://logos.example/kanal-nord.png"},
		{ID: "canal-oeste.example", Name: "Canal Oeste"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("channels:\n got %+v\nwant %+v", got, want)
	}
}

// Nine programmes, of which one is a zero-length placeholder: Parse drops
// it and counts it as skipped.
func TestParse_Latin1_EveryProgrammeReceivedOrSkipped(t *testing.T) {
	out := parseDocument(t, "latin1.xml", latin1Options)
	if want := (Result{Channels: 3, Programmes: 8, Skipped: 1}); out.res != want {
		t.Errorf("result %+v, want %+v", out.res, want)
	}
	if len(out.programmes) != out.res.Programmes {
		t.Errorf("received %d programmes, Result says %d", len(out.programmes), out.res.Programmes)
	}
	for _, p := range out.programmes {
		if !p.Stop.After(p.Start) || p.Title == "À suivre" {
			t.Errorf("programme %q at %v has stop %v: the placeholder was passed on", p.Title, p.Start, p.Stop)
		}
	}
}

// latin1.xml has no ratings at all, so every programme takes UnratedMinAge,
// rounded up to a level.
func TestParse_Latin1_UnratedProgrammesGetUnratedMinAge(t *testing.T) {
	for _, c := range []struct{ unrated, want int }{{7, 7}, {0, 0}, {12, 13}} {
		out := parseDocument(t, "latin1.xml", Options{UnratedMinAge: c.unrated})
		for _, p := range out.programmes {
			if p.MinAge != c.want {
				t.Fatalf("UnratedMinAge %d: %q has MinAge %d, want %d", c.unrated, p.Title, p.MinAge, c.want)
			}
		}
	}
}

// latin1.xml is written in the ISO-8859-1 it declares, so its bytes are not
// UTF-8: its accented text, a pound sign and guillemets come out right
// only if the declaration was honoured.
func TestParse_Latin1_DecodesDeclaredISO88591(t *testing.T) {
	doc := xmltvtest.Document(t, "latin1.xml")
	if utf8.Valid(doc) || !bytes.Contains(doc, []byte("T\xe9l\xe9 Sud")) {
		t.Fatal("latin1.xml is not written in ISO-8859-1")
	}
	p := findProgramme(t, parseDocument(t, "latin1.xml", latin1Options).programmes, "tele-sud.example", "2024-03-11 06:30")
	const title = "L'été à Sète"
	const synopsis = "Un trésor estimé à £500 000 dort sous le môle ; les plongeurs du club « Les Mérous » le cherchent à 30 °C."
	if p.Title != title || p.Synopsis != synopsis {
		t.Errorf("got %q / %q\nwant %q / %q", p.Title, p.Synopsis, title, synopsis)
	}
}

func TestParse_Latin1_ProgrammesFieldByField(t *testing.T) {
	out := parseDocument(t, "latin1.xml", latin1Options)
	tests := []struct {
		name          string
		channel, from string
		want          Programme
	}{
		{"first programme of the file, at +0100", "tele-sud.example", "2024-03-11 05:00", Programme{
			Title:      "Le Café du matin",
			Synopsis:   "Les nouvelles de la région, la météo des plages et un invité à la une.",
			Categories: []string{"Actualités"},
			Stop:       utc(t, "2024-03-11 06:30"),
		}},
		{"first of three titles in the preferred language", "tele-sud.example", "2024-03-11 07:00", Programme{
			Title:      "Cuisine d'hiver - première",
			Synopsis:   "Crêpes, soupe à l'oignon et pâté en croûte.",
			Categories: []string{"Cuisine"},
			Stop:       utc(t, "2024-03-11 08:00"),
		}},
		{"the programme beside a zero-length placeholder", "tele-sud.example", "2024-03-11 08:00", Programme{
			Title:      "Le Journal de 9 h",
			Synopsis:   "Grève à la gare, fête du village et résultats du marché.",
			Categories: []string{"Actualités"},
			Stop:       utc(t, "2024-03-11 09:00"),
		}},
		{"first of two unlabelled titles", "kanal-nord.example", "2024-03-11 06:00", Programme{
			Title:      "Große Fahrt - eins",
			Synopsis:   "Eine Fähre über die Förde, bei Schnee und Glätte.",
			Categories: []string{"Reise"},
			Stop:       utc(t, "2024-03-11 07:00"),
		}},
		{"two categories in another language, in order", "kanal-nord.example", "2024-03-11 07:00", Programme{
			Title:      "Tierärztin Dr. Müller",
			Synopsis:   "Ein Igel mit Übergewicht und ein Hund, der nicht schläft.",
			Categories: []string{"Serie", "Tiere"},
			Stop:       utc(t, "2024-03-11 07:30"),
		}},
		{"last programme of the file", "canal-oeste.example", "2024-03-11 20:30", Programme{
			Title:      "¿Qué pasó mañana?",
			Synopsis:   "Concurso de preguntas sobre el día de ayer.",
			Categories: []string{"Concurso"},
			Stop:       utc(t, "2024-03-11 21:00"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := findProgramme(t, out.programmes, tt.channel, tt.from)
			want := tt.want
			want.ChannelID, want.Start = tt.channel, utc(t, tt.from)
			want.MinAge = latin1Options.UnratedMinAge // the file has no ratings
			if !reflect.DeepEqual(got, want) {
				t.Errorf("\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestParse_BOM_ChannelFromNumericDisplayNameAndIcon(t *testing.T) {
	got := parseDocument(t, "bom.xml", Options{}).channels
	want := []Channel{{ID: "harbour.example", Name: "Harbour TV", Number: 12, LogoURL: "http://logos.example/harbour.png"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
}

// bom.xml starts with a UTF-8 byte-order mark and holds text outside
// Latin-1. Its first programme is rated 14+ (16), then TV-PG and TVPG (7);
// its second PG (7), then FSK 12 (13): the most restrictive wins wherever
// it comes. The third has no rating. Its times are at -0400.
func TestParse_BOM_SkippedRatingsMostRestrictiveTimesInUTC(t *testing.T) {
	if !bytes.HasPrefix(xmltvtest.Document(t, "bom.xml"), []byte("\xef\xbb\xbf")) {
		t.Fatal("bom.xml has no byte-order mark")
	}
	out := parseDocument(t, "bom.xml", Options{UnratedMinAge: 18})
	const channel = "harbour.example"
	want := []Programme{{
		ChannelID:  channel,
		Start:      utc(t, "2024-03-06 00:00"),
		Stop:       utc(t, "2024-03-06 01:05"),
		Title:      "Night Shift — Pier Nine",
		Synopsis:   "Fog closes the port; Mara and Teo search the ferry for the skipper’s missing log.",
		MinAge:     16,
		Categories: []string{"Series", "Crime Drama"},
	}, {
		ChannelID:  channel,
		Start:      utc(t, "2024-03-06 01:05"),
		Stop:       utc(t, "2024-03-06 02:30"),
		Title:      "Snow over Kyōto",
		Synopsis:   "A retired ferry pilot spends one winter in Kyōto.",
		MinAge:     13,
		Categories: []string{"Movie"},
	}, {
		ChannelID:  channel,
		Start:      utc(t, "2024-03-06 02:30"),
		Stop:       utc(t, "2024-03-06 02:40"),
		Title:      "Harbour Weather",
		MinAge:     18,
		Categories: []string{"Weather"},
	}}
	if !reflect.DeepEqual(out.programmes, want) {
		t.Errorf("\n got %+v\nwant %+v", out.programmes, want)
	}
}

// Parse reads numbers and icons as the document gives them; which icons
// become logos, and which number a channel gets when two give the same,
// is the import's business.
func TestParse_Channels_NumericAndNamedDisplayNamesAndEveryIcon(t *testing.T) {
	got := parseDocument(t, "channels.xml", Options{}).channels
	want := []Channel{
		{ID: "news24.example", Name: "News 24", Number: 24, LogoURL: "https://logos.example/news24.png"},
		{ID: "seven.example", Name: "7-1", LogoURL: "http://logos.example/seven.png"},
		{ID: "sport.example", Name: "201 Sport", LogoURL: "logos/sport.png"},
		{ID: "five.example", Name: "5", Number: 5, LogoURL: "javascript:alert(document.cookie)"},
		{ID: "rival24.example", Name: "Rival", Number: 24, LogoURL: "data:image/png;base64,iVBORw0KGgo="},
		{ID: "nameless.example", Name: "nameless.example", LogoURL: "file:///etc/passwd"},
		{ID: "huge.example", Name: "99999999999999999999", LogoURL: "ftp://logos.example/huge.png"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
}

// A programme without a stop is passed on once the next one on its channel
// gives its end, so across channels the order changes; the last one of a
// channel without a stop and the zero-length placeholder are skipped. Parse
// passes on what only the import refuses: a programme of more than a day,
// two at one start, one on an undeclared channel.
func TestParse_Schedule_MissingStopsCompletedPlaceholderAndLastSkipped(t *testing.T) {
	out := parseDocument(t, "schedule.xml", Options{})
	want := []slot{
		{"b.example", "B News", "08:00", "09:00"},
		{"a.example", "Morning", "06:00", "07:00"},
		{"a.example", "Documentary", "07:00", "08:30"},
		{"b.example", "Marathon", "09:00", "09:30"},
		{"a.example", "Film", "08:30", "11:00"},
		{"a.example", "Quiz", "11:00", "11:30"},
		{"a.example", "Quiz (corrected)", "11:00", "11:45"},
		{"nowhere.example", "Orphan", "10:00", "11:00"},
	}
	if got := slots(t, out.programmes); !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %v\nwant %v", got, want)
	}
	if marathon := out.programmes[3]; marathon.Stop.Sub(marathon.Start).Hours() != 24.5 {
		t.Errorf("Marathon lasts %v, want 24h30m", marathon.Stop.Sub(marathon.Start))
	}
	if want := (Result{Channels: 2, Programmes: 8, Skipped: 2}); out.res != want {
		t.Errorf("result %+v, want %+v", out.res, want)
	}
}

func TestParse_Languages_PrefersLanguageThenUnlabelledThenFirst(t *testing.T) {
	type fields struct {
		title, synopsis string
		categories      []string
	}
	var (
		english   = fields{"Market Day", "Traders, cheese and a shower of rain.", []string{"Lifestyle", "Shopping"}}
		unlabeled = fields{"Market Day [empty lang]", "Traders, cheese and a shower of rain [no lang].", []string{"Lifestyle [empty lang]", "Lifestyle [no lang]"}}
		garden    = fields{"Le Jardin", "Potare le rose prima della pioggia.", []string{"Giardinaggio", "Natura"}}
	)
	tests := []struct {
		lang          string
		first, second fields
	}{
		{"en", english, garden},
		{"EN-gb", english, garden},
		{"en-US", fields{"Market Day (another)", english.synopsis, english.categories}, garden},
		{"es", fields{"Día de mercado", unlabeled.synopsis, []string{"Estilo de vida", "Compras"}}, garden},
		{"de", fields{unlabeled.title, "Händler, Käse und ein Regenschauer.", unlabeled.categories}, garden},
		{"fr", unlabeled, fields{"Le Jardin", garden.synopsis, []string{"Jardinage"}}},
		{"it", unlabeled, fields{"Il giardino", garden.synopsis, garden.categories}},
	}
	for _, tt := range tests {
		t.Run("lang "+tt.lang, func(t *testing.T) {
			out := parseDocument(t, "languages.xml", Options{Lang: tt.lang})
			if len(out.programmes) != 2 {
				t.Fatalf("got %d programmes, want 2", len(out.programmes))
			}
			for i, want := range []fields{tt.first, tt.second} {
				p := out.programmes[i]
				got := fields{p.Title, p.Synopsis, p.Categories}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("programme %d:\n got %+v\nwant %+v", i+1, got, want)
				}
			}
		})
	}
}

// A generated guide of 2,400 programmes, a seventh of them without a stop:
// every one is received or skipped, and each channel's programmes come in
// order, back to back, each ending where the next begins.
func TestParse_GeneratedGuide_EveryProgrammeReceivedOrSkippedBackToBack(t *testing.T) {
	doc, want := xmltvtest.Guide{IDPrefix: "gen-", Channels: 8, Programmes: 300}.Bytes()
	out := parseReader(bytes.NewReader(doc), Options{})
	if out.err != nil {
		t.Fatal(out.err)
	}
	if got := (xmltvtest.Counts{Channels: out.res.Channels, Programmes: out.res.Programmes, Skipped: out.res.Skipped}); got != want {
		t.Fatalf("result %+v, want %+v", out.res, want)
	}
	if len(out.channels) != want.Channels || len(out.programmes) != want.Programmes {
		t.Fatalf("received %d channels and %d programmes, want %+v", len(out.channels), len(out.programmes), want)
	}
	last := map[string]Programme{}
	for _, p := range out.programmes {
		if prev, ok := last[p.ChannelID]; ok && !p.Start.Equal(prev.Stop) {
			t.Fatalf("on %s, %q starts at %v, but the one before ends at %v", p.ChannelID, p.Title, p.Start, prev.Stop)
		}
		if !p.Stop.After(p.Start) {
			t.Fatalf("%q at %v has stop %v", p.Title, p.Start, p.Stop)
		}
		last[p.ChannelID] = p
	}
	if len(last) != want.Channels {
		t.Fatalf("programmes on %d channels, want %d", len(last), want.Channels)
	}
}
