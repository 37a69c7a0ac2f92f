package xmltvtest

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"time"
)

// Guide describes a generated XMLTV document, for tests and benchmarks that
// need a large one: Channels channels, then each channel's programmes back
// to back, channel after channel, as grabbers write them. The same Guide
// always gives the same bytes.
//
// The document is declared ISO-8859-1 and written in it, accented text
// included, with zone offsets, and carries what real guides carry besides
// the parts Marquee reads (credits, episode numbers, video and subtitle
// details), so that parsing it costs about what parsing a real guide of
// the same size does: about 800 bytes a programme.
//
// Each channel has Programmes programmes with a length: one in seven has no
// stop (the next one gives its end; the last always has a stop), and one in
// forty is preceded by a zero-length placeholder at its start, which a
// parse skips. One in five is rated.
type Guide struct {
	// IDPrefix starts every channel id ("bench-" gives "bench-0.example",
	// "bench-1.example", ...), so that tests can tell the channels apart.
	IDPrefix   string
	Channels   int
	Programmes int // per channel, each with a length
}

// Counts is what the document holds, as a parse reports it: the channels,
// the programmes with a length and the skipped placeholders. An import
// into a guide without those channels reports the same.
type Counts struct{ Channels, Programmes, Skipped int }

// Bytes returns the document and its counts.
func (g Guide) Bytes() ([]byte, Counts) {
	var buf bytes.Buffer
	counts, _ := g.Write(&buf) // a bytes.Buffer does not fail
	return buf.Bytes(), counts
}

// Write writes the document to w and returns its counts.
func (g Guide) Write(w io.Writer) (Counts, error) {
	gw := &guideWriter{w: bufio.NewWriter(w)}
	gw.raw("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<!DOCTYPE tv SYSTEM \"xmltv.dtd\">\n")
	gw.raw("<tv generator-info-name=\"marquee xmltvtest\">\n")
	for c := range g.Channels {
		gw.channel(g.channelID(c), c)
	}
	var counts Counts
	counts.Channels = g.Channels
	for c := range g.Channels {
		rnd := lcg(c + 1)
		at := generatedStart.Add(time.Duration(c%12) * 5 * time.Minute)
		for i := range g.Programmes {
			length := durations[rnd.intn(len(durations))]
			p := programme{channel: g.channelID(c), start: at, stop: at.Add(length), rnd: &rnd}
			if i%40 == 39 {
				gw.placeholder(p)
				counts.Skipped++
			}
			if i%7 == 3 && i != g.Programmes-1 {
				p.stop = time.Time{}
			}
			gw.programme(p, i)
			counts.Programmes++
			at = at.Add(length)
		}
	}
	gw.raw("</tv>\n")
	if gw.err != nil {
		return counts, gw.err
	}
	return counts, gw.w.Flush()
}

func (g Guide) channelID(c int) string { return g.IDPrefix + strconv.Itoa(c) + ".example" }

// generatedStart is when each channel's day begins, give or take an hour.
var generatedStart = time.Date(2024, 1, 1, 6, 0, 0, 0, time.UTC)

// The times are written at +0100, so that every one is converted.
var zone = time.FixedZone("", 3600)

var durations = []time.Duration{
	5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 25 * time.Minute, 30 * time.Minute,
	45 * time.Minute, 60 * time.Minute, 90 * time.Minute, 120 * time.Minute, 180 * time.Minute,
}

// The words programmes are made of; all of them are in Latin-1.
var (
	titleWords = []string{"Evening", "Große", "Petit", "Señor", "Old", "Café", "Northern", "Midnight", "Último", "Fish & Chips"}
	titleNouns = []string{"News", "Kitchen", "Fährte", "Garçon", "Quiz", "Harbour", "Journal", "Rêves", "Niños", "Weather"}
	sentences  = []string{
		"A family from the coast looks for a house with room for a boat and a garden.",
		"The presenters cook a three-course dinner for under £20 in half an hour.",
		"Detectives reopen a case after a letter arrives from a man thought dead.",
		"Highlights of the day's play, with interviews from the players' tunnel.",
		"Résumé of the week's news, with the weather for the weekend ahead.",
		"A journey along the Förde by ferry, in snow, wind and the odd ray of sun.",
		"Two teams answer questions on history, science and the art of the niño.",
		"The expedition reaches the glacier and finds the camp of 1923 intact.",
		"An antiques dealer, a café owner and a baker compete for the crown.",
		"Live coverage of the opening ceremony, with commentary and analysis.",
		"A documentary on the lighthouse keepers who stayed until the very end.",
		"Neighbours disagree over a hedge; the council sends an inspector.",
	}
	people     = []string{"Ana Ibáñez", "Bjørn Olsen", "Chloé Dubois", "Dieter Groß", "Emma Hart", "Farid Nasser", "Greta Lind"}
	categories = []string{"News", "Documentary", "Drama", "Sport", "Entertainment", "Property", "Cookery", "Children's"}
	ratings    = [][2]string{{"VCHIP", "TV-PG"}, {"MPAA", "PG-13"}, {"FSK", "FSK 12"}, {"Canadian Parental Rating", "14+"}, {"BBFC", "U"}}
)

// lcg is a small linear congruential generator: deterministic on every
// platform and Go version, which math/rand does not promise.
type lcg uint64

func (r *lcg) intn(n int) int {
	*r = *r*6364136223846793005 + 1442695040888963407
	return int(uint64(*r>>33) % uint64(n))
}

type programme struct {
	channel     string
	start, stop time.Time // stop zero: none written
	rnd         *lcg
}

// guideWriter writes XML in ISO-8859-1 and keeps the first error.
type guideWriter struct {
	w   *bufio.Writer
	err error
	buf []byte
}

func (gw *guideWriter) raw(s string) {
	if gw.err == nil {
		_, gw.err = gw.w.WriteString(s)
	}
}

// text writes s escaped, each character as its Latin-1 byte (a character
// reference beyond Latin-1).
func (gw *guideWriter) text(s string) {
	b := gw.buf[:0]
	for _, r := range s {
		switch {
		case r == '&':
			b = append(b, "&amp;"...)
		case r == '<':
			b = append(b, "&lt;"...)
		case r == '"':
			b = append(b, "&quot;"...)
		case r < 0x100:
			b = append(b, byte(r))
		default:
			b = append(b, "&#"...)
			b = strconv.AppendInt(b, int64(r), 10)
			b = append(b, ';')
		}
	}
	gw.buf = b
	if gw.err == nil {
		_, gw.err = gw.w.Write(b)
	}
}

func (gw *guideWriter) element(indent, name, attrs, text string) {
	gw.raw(indent + "<" + name + attrs + ">")
	gw.text(text)
	gw.raw("</" + name + ">\n")
}

func (gw *guideWriter) channel(id string, c int) {
	gw.raw(`  <channel id="`)
	gw.text(id)
	gw.raw("\">\n")
	gw.element("    ", "display-name", ` lang="en"`, "Channel "+strconv.Itoa(c+1))
	if c%2 == 0 {
		gw.element("    ", "display-name", "", strconv.Itoa(1000+c))
	}
	gw.raw(`    <icon src="https://logos.example/`)
	gw.text(id)
	gw.raw(".png\" />\n  </channel>\n")
}

func (gw *guideWriter) times(p programme) {
	gw.raw(`  <programme start="` + p.start.In(zone).Format("20060102150405 -0700") + `"`)
	if !p.stop.IsZero() {
		gw.raw(` stop="` + p.stop.In(zone).Format("20060102150405 -0700") + `"`)
	}
	gw.raw(` channel="`)
	gw.text(p.channel)
	gw.raw("\">\n")
}

func (gw *guideWriter) placeholder(p programme) {
	p.stop = p.start
	gw.times(p)
	gw.element("    ", "title", ` lang="en"`, "To be announced")
	gw.raw("  </programme>\n")
}

func (gw *guideWriter) programme(p programme, i int) {
	r := p.rnd
	gw.times(p)
	gw.element("    ", "title", ` lang="en"`, titleWords[r.intn(len(titleWords))]+" "+titleNouns[r.intn(len(titleNouns))])
	desc := sentences[r.intn(len(sentences))]
	for range 1 + r.intn(3) {
		desc += " " + sentences[r.intn(len(sentences))]
	}
	gw.element("    ", "desc", ` lang="en"`, desc)
	gw.raw("    <credits>\n")
	for range 1 + r.intn(3) {
		gw.element("      ", "actor", "", "Presenter - "+people[r.intn(len(people))])
	}
	gw.raw("    </credits>\n")
	gw.element("    ", "category", ` lang="en"`, categories[r.intn(len(categories))])
	if r.intn(3) == 0 {
		gw.element("    ", "category", ` lang="en"`, categories[r.intn(len(categories))])
	}
	if !p.stop.IsZero() {
		gw.element("    ", "length", ` units="minutes"`, strconv.Itoa(int(p.stop.Sub(p.start).Minutes())))
	}
	gw.element("    ", "episode-num", ` system="xmltv_ns"`, strconv.Itoa(i/10)+"."+strconv.Itoa(i%10)+"/10.")
	gw.raw("    <video>\n      <aspect>16:9</aspect>\n    </video>\n")
	gw.raw("    <subtitles type=\"teletext\">\n      <language lang=\"en\">English</language>\n    </subtitles>\n")
	if i%5 == 0 {
		rating := ratings[r.intn(len(ratings))]
		gw.raw(`    <rating system="` + rating[0] + "\">\n")
		gw.element("      ", "value", "", rating[1])
		gw.raw("    </rating>\n")
	}
	gw.raw("  </programme>\n")
}
