package xmltv

import (
	"encoding/xml"
	"strconv"
)

// Channel is one <channel> reduced to what Marquee keeps.
type Channel struct {
	ID      string // XMLTV id, unique in the file
	Name    string // first non-empty display-name; the id when there is none
	Number  int    // the first purely numeric display-name, e.g. "201"; 0 when none (the caller assigns the next free number)
	LogoURL string // src of the first icon, may be ""
}

// channel reads a <channel> whose start tag was just read. Duplicate ids are
// passed on as they come: the caller upserts by id.
func (d *decoder) channel(el xml.StartElement) (Channel, error) {
	ch := Channel{ID: attr(el, "id")}
	if ch.ID == "" {
		return ch, d.errorf(nil, "channel has no id attribute")
	}
	err := d.children(func(c xml.StartElement) error {
		switch c.Name.Local {
		case "display-name":
			name, err := d.text()
			if ch.Name == "" {
				ch.Name = name
			}
			if ch.Number == 0 {
				ch.Number = channelNumber(name)
			}
			return err
		case "icon":
			if ch.LogoURL == "" {
				ch.LogoURL = attr(c, "src")
			}
		}
		return d.skip()
	})
	if ch.Name == "" {
		ch.Name = ch.ID
	}
	return ch, err
}

// channelNumber reads a display-name made of digits only; "7-1" or "201 CFTO"
// are names, not numbers, and give 0.
func channelNumber(name string) int {
	if !allDigits(name) {
		return 0
	}
	n, err := strconv.Atoi(name)
	if err != nil { // more digits than an int holds
		return 0
	}
	return n
}
