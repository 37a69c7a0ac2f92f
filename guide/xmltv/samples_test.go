package xmltv

import (
	"os"
	"reflect"
	"sync"
	"testing"
)

// ukOptions are the options ukData was parsed with.
var ukOptions = Options{Lang: "en", UnratedMinAge: 7}

// ukData parses UK_Data.xml once for all the tests that only read it: the
// file is large enough for repeated parses to slow the race-enabled run.
var ukData = sync.OnceValue(func() parsed {
	f, err := os.Open(samples + "UK_Data.xml")
	if err != nil {
		return parsed{err: err}
	}
	defer f.Close()
	return parseReader(f, ukOptions)
})

func sharedUKData(t *testing.T) parsed {
	t.Helper()
	out := ukData()
	if out.err != nil {
		t.Fatalf("Parse(UK_Data.xml): %v", out.err)
	}
	return out
}

func TestParse_UKData_FiveChannelsInDocumentOrder(t *testing.T) {
	got := sharedUKData(t).channels
	want := []Channel{
		{ID: "UK_RT_2667", Name: "BBC1 HD", LogoURL: "Logo_UK_RT_2667"}, // "7-1" is not a number
		{ID: "UK_RT_105", Name: "BBC2", LogoURL: "Logo_UK_RT_105"},
		{ID: "UK_RT_2118", Name: "ITV1 HD", LogoURL: "Logo_UK_RT_2118"},
		{ID: "UK_RT_2056", Name: "Channel 4 HD", LogoURL: "Logo_UK_RT_2056"},
		{ID: "UK_RT_134", Name: "Channel 5"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("channels:\n got %+v\nwant %+v", got, want)
	}
}

// Every programme in UK_Data.xml has a stop; 49 of them are zero-length
// placeholders (stop == start), which Parse drops and counts as skipped.
func TestParse_UKData_EveryProgrammeReceivedOrSkipped(t *testing.T) {
	out := sharedUKData(t)
	if got := len(out.programmes) + out.res.Skipped; got != 1964 {
		t.Errorf("received %d + skipped %d = %d, want 1964", len(out.programmes), out.res.Skipped, got)
	}
	if out.res.Skipped != 49 {
		t.Errorf("skipped %d, want the 49 zero-length programmes", out.res.Skipped)
	}
	want := Result{Channels: 5, Programmes: len(out.programmes), Skipped: out.res.Skipped}
	if out.res != want {
		t.Errorf("result %+v, want %+v", out.res, want)
	}
	for _, p := range out.programmes {
		if !p.Stop.After(p.Start) {
			t.Fatalf("programme %q at %v has stop %v, not after start", p.Title, p.Start, p.Stop)
		}
	}
}

// UK_Data.xml has no ratings at all, so every programme takes UnratedMinAge.
func TestParse_UKData_UnratedProgrammesGetUnratedMinAge(t *testing.T) {
	for _, run := range []struct {
		unrated    int
		programmes []Programme
	}{
		{ukOptions.UnratedMinAge, sharedUKData(t).programmes},
		{0, parseSample(t, "UK_Data.xml", Options{}).programmes},
	} {
		for _, p := range run.programmes {
			if p.MinAge != run.unrated {
				t.Fatalf("UnratedMinAge %d: %q has MinAge %d", run.unrated, p.Title, p.MinAge)
			}
		}
	}
}

// UK_Data.xml declares ISO-8859-1, but its pound signs were already mangled
// upstream into the bytes EF BF BD (U+FFFD in UTF-8). Read as the declared
// ISO-8859-1, those bytes are "ï¿½": that exact text proves the declared
// charset was honoured (a UTF-8 reading would give "\uFFFD").
func TestParse_UKData_DecodesDeclaredISO88591(t *testing.T) {
	p := findProgramme(t, sharedUKData(t).programmes, "UK_RT_2667", "2015-11-26 15:00")
	want := "Nicki Chapman helps a couple of keen walkers with a budget of ï¿½500,000 locate the perfect rural property in North Yorkshire. She also meets a jet jeweller in Whitby and discovers the natural gem's historic links with the county."
	if p.Title != "Escape to the Country" || p.Synopsis != want {
		t.Errorf("got %q / %q\nwant %q / %q", p.Title, p.Synopsis, "Escape to the Country", want)
	}
}

func TestParse_UKData_ProgrammesFieldByField(t *testing.T) {
	out := sharedUKData(t)
	tests := []struct {
		name          string
		channel, from string
		want          Programme
	}{
		{"first programme of the file", "UK_RT_2667", "2015-11-26 06:00", Programme{
			Title:      "Breakfast",
			Synopsis:   "Round-up of national and international news, plus the latest from the money markets.",
			Categories: []string{"News"},
			Stop:       utc(t, "2015-11-26 09:15"),
		}},
		{"apos entity decoded", "UK_RT_2667", "2015-11-26 09:15", Programme{
			Title:      "Fake Britain",
			Synopsis:   "The 'edible' glitter that no one would want to eat, the people posing as bailiffs to threaten small businesses and the fake breathalysers that could cost drivers their licence.",
			Categories: []string{"Documentary"},
			Stop:       utc(t, "2015-11-26 10:00"),
		}},
		{"first of three titles in the preferred language", "UK_RT_2667", "2015-11-26 10:00", Programme{
			Title:      "Homes Under the Hammer - Title 1",
			Synopsis:   "Lucy Alexander, Martin Roberts and Dion Dublin explore a semi in Chingford, London, a one-bedroom flat in Brighton and a Victorian terrace in Normanton, Derby.",
			Categories: []string{"Property"},
			Stop:       utc(t, "2015-11-26 11:00"),
		}},
		{"first of three unlabelled titles", "UK_RT_2667", "2015-11-26 11:00", Programme{
			Title:      "Oxford Street Revealed - Title 1",
			Synopsis:   "Undercover police set out to catch shoplifters red-handed, the John Lewis staff celebrate Burns Night and the Dominion Theatre gets ready for the opening of The Lord of the Dance.",
			Categories: []string{"Documentary"},
			Stop:       utc(t, "2015-11-26 11:45"),
		}},
		{"last programme of the file", "UK_RT_134", "2015-12-09 05:35", Programme{
			Title:      "House Doctor",
			Synopsis:   "Californian interior designer and estate agent Ann Maurice visits a house on the market, and offers advice on making it more attractive to would-be buyers.",
			Categories: []string{"Property"},
			Stop:       utc(t, "2015-12-09 06:00"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := findProgramme(t, out.programmes, tt.channel, tt.from)
			want := tt.want
			want.ChannelID, want.Start = tt.channel, utc(t, tt.from)
			want.MinAge = ukOptions.UnratedMinAge // the file has no ratings
			if !reflect.DeepEqual(got, want) {
				t.Errorf("\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestParse_Custom_ChannelFromNumericDisplayNameAndIcon(t *testing.T) {
	got := parseSample(t, "custom.xml", Options{}).channels
	want := []Channel{{ID: "EPG123.10108.schedulesdirect.org", Name: "CFTO", Number: 201, LogoURL: "s10108_dark_360w_270h.png"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
}

// custom.xml starts with a UTF-8 byte-order mark and rates its programme
// 14+, TV14 and TV-14 at once: all mean 16 in Marquee's levels.
func TestParse_Custom_BOMSkippedAndThreeRatingsGive16(t *testing.T) {
	out := parseSample(t, "custom.xml", Options{UnratedMinAge: 18})
	want := []Programme{{
		ChannelID:  "EPG123.10108.schedulesdirect.org",
		Start:      utc(t, "2020-07-29 01:00"),
		Stop:       utc(t, "2020-07-29 02:01"),
		Title:      "Unforgettable",
		Synopsis:   "When a second murder occurs at an active crime scene, Al and Carrie wade through hundreds of bystanders to uncover if it was retribution or an unrelated attack.",
		MinAge:     16,
		Categories: []string{"Series", "Crime Drama"},
	}}
	if !reflect.DeepEqual(out.programmes, want) {
		t.Errorf("\n got %+v\nwant %+v", out.programmes, want)
	}
}

func TestParse_Multilanguage_PrefersLanguageThenUnlabelledThenFirst(t *testing.T) {
	const (
		english = "Lucy Alexander, Martin Roberts and Dion Dublin explore a semi in Chingford, London, a one-bedroom flat in Brighton and a Victorian terrace in Normanton, Derby."
		prefix  = "Homes Under the Hammer - "
		cat     = "Property - "
	)
	type fields struct {
		title, synopsis string
		categories      []string
	}
	tests := []struct {
		lang   string
		first  fields
		second fields
	}{
		{"en",
			fields{prefix + "English", english, []string{cat + "English"}},
			fields{prefix + "English", english, []string{cat + "English"}}},
		{"EN-gb",
			fields{prefix + "English", english, []string{cat + "English"}},
			fields{prefix + "English", english, []string{cat + "English"}}},
		{"es",
			fields{prefix + "Spanish", english, []string{cat + "Spanish"}},
			fields{prefix + "No Language", english, []string{cat + "Empty Language"}}},
		{"de",
			fields{prefix + "Empty Language", english, []string{cat + "Empty Language", cat + "No Language"}},
			fields{prefix + "No Language", english, []string{cat + "Empty Language"}}},
	}
	for _, tt := range tests {
		t.Run("lang "+tt.lang, func(t *testing.T) {
			out := parseSample(t, "MultilanguageData.xml", Options{Lang: tt.lang})
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
