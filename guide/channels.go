package guide

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"marquee/db"
	"marquee/guide/xmltv"
	"marquee/rules"
)

// InvalidError is a source that is well-formed but holds a channel the guide
// cannot store; the import writes nothing.
type InvalidError struct {
	Msg string
}

func (e *InvalidError) Error() string { return "guide: " + e.Msg }

// MaxChannels bounds the channels one import may declare, which it holds in
// memory: far more than any real guide has.
const MaxChannels = 10000

// checkChannel refuses a channel the schema or the admin API would: a name
// with control characters or bidirectional formatting (which could make it
// display as another) is refused. An icon with a scheme other than http or
// https (javascript:, data:, file:...), with such characters, or longer
// than the schema takes, is dropped, as if the channel had none: a feed's
// odd icon must not fail its guide, nor reach players. Icons without a
// scheme stay as the feed gives them (real feeds name logos that way:
// "Logo_UK_RT_2667", "s10108_dark.png").
func checkChannel(c xmltv.Channel) (xmltv.Channel, error) {
	switch {
	case utf8.RuneCountInString(c.ID) > rules.MaxXMLTVID:
		return c, &InvalidError{Msg: fmt.Sprintf("a channel id is longer than %d characters", rules.MaxXMLTVID)}
	case utf8.RuneCountInString(c.Name) > rules.MaxChannelName:
		return c, &InvalidError{Msg: fmt.Sprintf("channel %q: its name is longer than %d characters", c.ID, rules.MaxChannelName)}
	case strings.IndexFunc(c.Name, formatting) >= 0:
		return c, &InvalidError{Msg: fmt.Sprintf("channel %q: its name holds control or bidirectional formatting characters", c.ID)}
	}
	if u, err := url.Parse(c.LogoURL); err != nil || strings.IndexFunc(c.LogoURL, formatting) >= 0 ||
		u.Scheme != "" && (u.Scheme != "http" && u.Scheme != "https" || u.Host == "") ||
		utf8.RuneCountInString(c.LogoURL) > rules.MaxLogoURL {
		c.LogoURL = ""
	}
	return c, nil
}

// formatting: a control character or a bidirectional formatting mark.
func formatting(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }

// numbering hands out channel numbers during an import.
type numbering struct {
	of      map[string]int32 // channels' numbers by XMLTV id
	taken   map[int32]bool
	highest int32
}

func newNumbering(known []db.ChannelKeysRow) numbering {
	n := numbering{of: make(map[string]int32, len(known)), taken: make(map[int32]bool, len(known))}
	for _, k := range known {
		n.of[k.XmltvID] = k.Number
		n.taken[k.Number] = true
		n.highest = max(n.highest, k.Number)
	}
	return n
}

// assign gives each of chans its number. A channel the guide knows (by
// XMLTV id) keeps its own. A new one takes its numeric display-name if that
// is a valid number no other channel has, the first such in document order
// winning; the rest take the next numbers above every channel's, in
// document order.
func (n *numbering) assign(chans []xmltv.Channel) ([]int32, error) {
	out := make([]int32, len(chans))
	for i, c := range chans {
		if num, ok := n.of[c.ID]; ok {
			out[i] = num
			continue
		}
		if c.Number >= 1 && c.Number <= rules.MaxChannelNumber && !n.taken[int32(c.Number)] {
			out[i] = int32(c.Number)
			n.claim(c.ID, out[i])
		}
	}
	for i, c := range chans {
		if out[i] != 0 {
			continue
		}
		if n.highest == rules.MaxChannelNumber {
			return nil, &InvalidError{Msg: fmt.Sprintf("channel %q: no channel number is left above %d", c.ID, rules.MaxChannelNumber)}
		}
		out[i] = n.highest + 1
		n.claim(c.ID, out[i])
	}
	return out, nil
}

func (n *numbering) claim(xmltvID string, num int32) {
	n.of[xmltvID] = num
	n.taken[num] = true
	n.highest = max(n.highest, num)
}
