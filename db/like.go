package db

import (
	"strings"
	"unicode/utf8"
)

// likeEscaper escapes the three characters that are special in a LIKE
// pattern written with ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// EscapeLike makes s match itself literally inside a LIKE or ILIKE pattern
// with ESCAPE '\': `\`, `%` and `_` in a search match those characters, not
// "anything".
func EscapeLike(s string) string { return likeEscaper.Replace(s) }

// PrefixEnd returns the smallest string greater than every string that
// starts with prefix, in code point (byte) order: the exclusive upper bound
// of the range of keys prefix starts. ok is false when there is none (the
// prefix is empty or made only of U+10FFFF).
func PrefixEnd(prefix string) (end string, ok bool) {
	for prefix != "" {
		r, size := utf8.DecodeLastRuneInString(prefix)
		prefix = prefix[:len(prefix)-size]
		switch {
		case r == utf8.MaxRune:
			continue // no successor: carry into the previous character
		case r == 0xD7FF:
			return prefix + "\uE000", true // skip the surrogates
		case r == utf8.RuneError && size == 1:
			return prefix + "\uFFFD", true
		}
		return prefix + string(r+1), true
	}
	return "", false
}
