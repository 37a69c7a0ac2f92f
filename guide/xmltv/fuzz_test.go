package xmltv

import (
	"bytes"
	"testing"

	"marquee/guide/xmltv/xmltvtest"
	"marquee/rules"
)

// FuzzParse checks that no input makes Parse panic, that the Result counts
// match the callbacks, and that whatever is passed on keeps the promises of
// Channel and Programme.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"latin1.xml", "bom.xml", "languages.xml", "channels.xml", "schedule.xml"} {
		f.Add(xmltvtest.Document(f, name))
	}
	f.Add([]byte(tv(
		programme("a", "20240101100000", "", "no stop"),
		programme("a", "20240101110000 +0100", "20240101120000", "T&amp;J"),
		`<channel id="a"><display-name>7</display-name><icon src="x"/></channel>`,
	)))
	f.Add([]byte("\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><tv><!DOCTYPE tv SYSTEM \"x\"></tv>"))
	f.Add([]byte(`<tv><programme channel="a" start="2024"><title>x</title><rating><value>TV-14</value></rating></programme></tv>`))

	opts := Options{MaxDepth: 16, MaxElements: 10_000, MaxTokenBytes: 4096}
	f.Fuzz(func(t *testing.T, doc []byte) {
		var channels, programmes int
		res, err := Parse(bytes.NewReader(doc), opts,
			func(c Channel) error {
				channels++
				if c.ID == "" || c.Name == "" {
					t.Errorf("channel without id or name: %+v", c)
				}
				return nil
			},
			func(p Programme) error {
				programmes++
				if p.ChannelID == "" || p.Title == "" || !p.Stop.After(p.Start) {
					t.Errorf("programme breaks its promises: %+v", p)
				}
				if !rules.IsMaturityLevel(p.MinAge) {
					t.Errorf("MinAge %d is not a level", p.MinAge)
				}
				return nil
			})
		if res.Channels != channels || res.Programmes != programmes {
			t.Errorf("Result %+v, callbacks saw %d channels and %d programmes (error %v)", res, channels, programmes, err)
		}
	})
}
