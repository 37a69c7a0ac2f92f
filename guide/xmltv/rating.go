package xmltv

import (
	"strconv"
	"strings"
	"unicode"

	"marquee/rules"
)

// Rating is one <rating> of a programme: its value is the text of the
// <value> child; System is informative only, since the same value (TV-14)
// turns up under several system names (USA Parental Rating, VCHIP).
type Rating struct{ System, Value string }

// namedRatings maps US TV and MPAA ratings, normalised, to the minimum age
// they mean. TV-Y7-FV is TV-Y7 with a fantasy-violence flag.
var namedRatings = map[string]int{
	"TVY": 0, "TVG": 0, "TVY7": 7, "TVY7FV": 7, "TVPG": 7, "TV14": 16, "TVMA": 18,
	"G": 0, "PG": 7, "PG13": 13, "R": 18, "NC17": 18,
}

// MinAge turns a programme's ratings into Marquee's minimum age, one of the
// maturity levels (see rules). With several ratings the most restrictive
// wins; with none, unrated (rounded up to a level) applies. A rating that
// cannot be understood, an empty one included, means rules.Adult: a guide
// fails closed for children.
func MinAge(ratings []Rating, unrated int) int {
	if len(ratings) == 0 {
		return rules.MaturityAtLeast(unrated)
	}
	age := 0
	for _, r := range ratings {
		age = max(age, ratingAge(r.Value))
	}
	return age
}

// ratingAge reads one rating value: a named rating, else an age form such as
// "14+", "FSK 12", "12" or "C8" (letters, a number, maybe a plus), else
// rules.Adult.
func ratingAge(value string) int {
	v := normalise(value)
	if age, ok := namedRatings[v]; ok {
		return age
	}
	digits := strings.TrimLeftFunc(strings.TrimSuffix(v, "+"), isUpperASCII)
	if !allDigits(digits) {
		return rules.Adult
	}
	n, err := strconv.Atoi(digits)
	if err != nil { // too many digits to be an age, and surely adult
		return rules.Adult
	}
	return rules.MaturityAtLeast(n)
}

// normalise makes "TV-14", "TV14" and "tv 14" one value.
func normalise(v string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return unicode.ToUpper(r)
	}, v)
}

func isUpperASCII(r rune) bool { return 'A' <= r && r <= 'Z' }
