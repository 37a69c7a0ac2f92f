package xmltv

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParse_MalformedDocument_SaysLineAndWhat(t *testing.T) {
	const head = "<?xml version=\"1.0\"?>\n<tv>\n" // lines 1 and 2
	tests := []struct {
		name, doc string
		line      int
		msg       string
	}{
		{"truncated inside an element", head + `<programme channel="a" start="20240101100000">` + "\n<title>Cut",
			4, "unexpected EOF"},
		{"truncated after a complete programme", head + programme("a", "20240101100000", "20240101110000", "T") + "\n",
			4, "unexpected EOF"},
		{"mismatched tags", head + `<programme channel="a" start="20240101100000">` + "\n<title>T</desc>\n</programme></tv>",
			4, "element <title> closed by </desc>"},
		{"unquoted attribute", head + "<channel id=a/>\n</tv>",
			3, "unquoted or missing attribute value"},
		{"undefined entity", head + programme("a", "20240101100000", "", "\n&nbsp;") + "\n</tv>",
			4, "invalid character entity &nbsp;"},
		{"bad start time", head + programme("a", "20241301100000", "", "T") + "\n</tv>",
			3, `programme start: time "20241301100000": month 13 out of range`},
		{"bad stop time", head + programme("a", "20240101100000", "soon", "T") + "\n</tv>",
			3, `programme stop: time "soon"`},
		{"programme missing start", head + `<programme channel="a"><title>T</title></programme>` + "\n</tv>",
			3, "programme has no start attribute"},
		{"programme missing channel", head + `<programme start="20240101100000"><title>T</title></programme>` + "\n</tv>",
			3, "programme has no channel attribute"},
		{"programme without title", head + "\n" + `<programme channel="a" start="20240101100000"><desc>D</desc></programme>` + "\n</tv>",
			4, "programme has no title"},
		{"programme with only empty titles", head + programme("a", "20240101100000", "", " ") + "\n</tv>",
			3, "programme has no title"},
		{"stop before start", head + programme("a", "20240101100000", "20240101095959", "T") + "\n</tv>",
			3, `stop "20240101095959" is before its start "20240101100000"`},
		{"next programme on the channel starts earlier than one with no stop", head +
			programme("a", "20240101100000", "", "first") + "\n" + programme("a", "20240101090000", "20240101093000", "earlier") + "\n</tv>",
			3, `programme has no stop and the next programme on channel "a" starts before it`},
		{"channel missing id", head + "\n\n<channel><display-name>X</display-name></channel>\n</tv>",
			5, "channel has no id attribute"},
		{"root is not tv", "<?xml version=\"1.0\"?>\n<rss></rss>",
			2, "root element is <rss>, want <tv>"},
		{"empty document", "", 1, "document has no <tv> element"},
		{"only a declaration", "<?xml version=\"1.0\"?>\n", 2, "document has no <tv> element"},
		{"text before the root", "<?xml version=\"1.0\"?>\njunk<tv></tv>", 2, "text outside the <tv> element"},
		{"element after the root", head + "</tv>\n<tv></tv>", 4, "element <tv> after </tv>"},
		{"unsupported encoding", "<?xml version=\"1.0\" encoding=\"klingon\"?>\n<tv></tv>", 1, `opening charset "klingon"`},
		{"unsupported XML version", "<?xml version=\"1.1\"?>\n<tv></tv>", 1, `unsupported version "1.1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tt.doc), Options{}, nil, nil)
			se := syntaxError(t, err)
			if se.Line != tt.line || se.Column < 1 || !strings.Contains(se.Msg, tt.msg) {
				t.Errorf("got line %d column %d %q; want line %d, a column, and %q", se.Line, se.Column, se.Msg, tt.line, tt.msg)
			}
			if want := fmt.Sprintf("xmltv: line %d, column %d: ", tt.line, se.Column); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Error() = %q, want it to start with %q", err, want)
			}
			for _, bound := range []error{ErrTooLarge, ErrTooDeep, ErrEntity} {
				if errors.Is(err, bound) {
					t.Errorf("a malformed document is not %v", bound)
				}
			}
		})
	}
}
