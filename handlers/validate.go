package handlers

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"marquee/rules"
)

// checks collects the field errors of one request, to answer them all at once.
type checks []FieldError

// require adds message for field unless ok.
func (c *checks) require(ok bool, field, message string) {
	if !ok {
		*c = append(*c, FieldError{Field: field, Message: message})
	}
}

// maturity requires age, the value of field, to be a maturity level.
func (c *checks) maturity(field string, age int16) {
	c.require(rules.IsMaturityLevel(int(age)), field, "must be one of "+rules.MaturityLevels())
}

// err is nil when every check passed, else a 422 listing the failures.
func (c checks) err() error {
	if len(c) == 0 {
		return nil
	}
	return invalid(c...)
}

// text trims s and reports whether it is between min and max characters and
// free of control characters and of the bidirectional overrides that could
// make a name display as something else.
func text(s string, minLen, maxLen int) (string, bool) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if n < minLen || n > maxLen || !utf8.ValidString(s) {
		return s, false
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return s, false
		}
	}
	return s, true
}

// genreSlug reports whether s could be a genre's slug: 1 to 32 lowercase
// ASCII letters, digits and hyphens. Anything else is no genre, and is not
// sent to the database (which refuses NUL and invalid UTF-8 with an error).
func genreSlug(s string) bool {
	if len(s) < 1 || len(s) > 32 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
