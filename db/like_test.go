package db

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// like is LIKE with ESCAPE '\', as PostgreSQL evaluates it, for checking EscapeLike.
func like(s, pattern string) bool {
	if pattern == "" {
		return s == ""
	}
	switch c, size := utf8.DecodeRuneInString(pattern); c {
	case '%':
		for i := 0; ; {
			if like(s[i:], pattern[size:]) {
				return true
			}
			if i == len(s) {
				return false
			}
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
		}
	case '_':
		if s == "" {
			return false
		}
		_, n := utf8.DecodeRuneInString(s)
		return like(s[n:], pattern[size:])
	case '\\':
		pattern = pattern[size:]
		if pattern == "" {
			return false // PostgreSQL refuses a pattern ending in the escape
		}
		c, size = utf8.DecodeRuneInString(pattern)
		fallthrough
	default:
		r, n := utf8.DecodeRuneInString(s)
		return s != "" && r == c && like(s[n:], pattern[size:])
	}
}

func TestEscapeLike(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"100% Pure":  `100\% Pure`,
		"Snake_Case": `Snake\_Case`,
		`Back\Slash`: `Back\\Slash`,
		`\%_`:        `\\\%\_`,
		"plain":      "plain",
		"":           "",
	} {
		if got := EscapeLike(in); got != want {
			t.Errorf("EscapeLike(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct {
		name, q string
		want    bool
	}{
		{"100% Pure", "%", true}, {"100 Pure", "%", false},
		{"Snake_Case", "_", true}, {"SnakeXCase", "_", false},
		{`Back\Slash`, `\`, true}, {"BackSlash", `\`, false},
		{"Snake_Case", "e_C", true}, {"SnakeXCase", "e_C", false},
	} {
		if got := like(c.name, "%"+EscapeLike(c.q)+"%"); got != c.want {
			t.Errorf("%q LIKE %%%s%% = %v, want %v", c.name, EscapeLike(c.q), got, c.want)
		}
	}
}

// FuzzEscapeLike: for any text and any name, the escaped pattern matches
// exactly when the name contains the text.
func FuzzEscapeLike(f *testing.F) {
	for _, seed := range [][2]string{{"%", "100% Pure"}, {"_", "Snake_Case"}, {`\`, `Back\Slash`}, {"a%b", "xa%by"}, {`\%`, `a\%b`}, {"", "x"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, q, name string) {
		if !utf8.ValidString(q) || !utf8.ValidString(name) {
			return
		}
		pattern := EscapeLike(q)
		if got, want := like(name, "%"+pattern+"%"), strings.Contains(name, q); got != want {
			t.Fatalf("%q LIKE '%%%s%%' = %v, but Contains = %v", name, pattern, got, want)
		}
		if !like(q, pattern) {
			t.Fatalf("the pattern %q does not match its own text %q", pattern, q)
		}
	})
}

func TestPrefixEnd(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"abc":                   "abd",
		"a":                     "b",
		"é":                     "ê",
		"z\U0010FFFF":           "{",
		"\uD7FF":                "\uE000",
		"x\U0010FFFF\U0010FFFF": "y",
	} {
		if got, ok := PrefixEnd(in); !ok || got != want {
			t.Errorf("PrefixEnd(%q) = %q, %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "\U0010FFFF"} {
		if _, ok := PrefixEnd(in); ok {
			t.Errorf("PrefixEnd(%q) has an end", in)
		}
	}
}

// FuzzPrefixEnd: every string that starts with the prefix sorts below the
// end, and the end is valid UTF-8 that does not itself start with the prefix.
func FuzzPrefixEnd(f *testing.F) {
	f.Add("abc", "def")
	f.Add("z\U0010FFFF", "\U0010FFFF")
	f.Fuzz(func(t *testing.T, prefix, rest string) {
		if !utf8.ValidString(prefix) || !utf8.ValidString(rest) {
			return
		}
		end, ok := PrefixEnd(prefix)
		if !ok {
			return
		}
		if s := prefix + rest; s >= end {
			t.Fatalf("%q starts with %q but is not below the end %q", s, prefix, end)
		}
		if !utf8.ValidString(end) {
			t.Fatalf("the end %q is not valid UTF-8", end)
		}
		if strings.HasPrefix(end, prefix) {
			t.Fatalf("the end %q itself starts with %q", end, prefix)
		}
	})
}
