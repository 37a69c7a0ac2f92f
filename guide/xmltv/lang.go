package xmltv

import "strings"

// Language ranks: a text in the preferred language beats one with no
// language, which beats one in any other language.
const (
	rankOther = iota
	rankUnlabelled
	rankPreferred
)

func langRank(lang, want string) int {
	switch {
	case lang == "":
		return rankUnlabelled
	case langMatches(lang, want):
		return rankPreferred
	default:
		return rankOther
	}
}

// langMatches compares language tags case-insensitively, letting either be
// a prefix of the other at a subtag boundary: "en" matches "en-GB" and
// "en-GB" matches "en", but "en-GB" does not match "en-US".
func langMatches(a, b string) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	if !strings.EqualFold(a[:len(b)], b) {
		return false
	}
	return len(a) == len(b) || a[len(b)] == '-' || a[len(b)] == '_'
}

// best keeps, while streaming, the text a single-valued field (title, desc)
// will show: the first non-empty one of the highest rank seen so far. That
// way no translation has to be kept once a better one arrives.
type best struct {
	text string
	rank int
}

func (b *best) offer(text string, rank int) {
	if text != "" && (b.text == "" || rank > b.rank) {
		b.text, b.rank = text, rank
	}
}

// labelled is a text with the language it was given in.
type labelled struct{ lang, text string }

// pickCategories returns the categories in the best-ranked language present,
// duplicates removed and order kept. When only other languages are present,
// the first category's language is the one used, so the list is never a
// mix of languages.
func pickCategories(cats []labelled, want string) []string {
	top, first := -1, ""
	for _, c := range cats {
		if r := langRank(c.lang, want); r > top {
			top, first = r, c.lang
		}
	}
	var out []string
	seen := make(map[string]bool, len(cats)) // a map, since a hostile programme may carry millions
	for _, c := range cats {
		if langRank(c.lang, want) != top || (top == rankOther && !strings.EqualFold(c.lang, first)) || seen[c.text] {
			continue
		}
		seen[c.text] = true
		out = append(out, c.text)
	}
	return out
}
