package rules

import (
	"strconv"
	"strings"
)

// Two levels have a rule of their own: a kids profile sees nothing above
// KidsMaxAge, and Adult, the highest, is the max_age of a viewer without a
// profile.
const (
	KidsMaxAge = 7
	Adult      = 18
)

// levels are the minimum ages that titles and programmes are rated with and
// the max_age a profile takes, in increasing order (the schema's
// profiles_max_age_level, titles_min_age_level and programmes_min_age_level).
var levels = [...]int{0, KidsMaxAge, 13, 16, Adult}

// IsMaturityLevel reports whether age is one of the levels.
func IsMaturityLevel(age int) bool {
	for _, l := range levels {
		if age == l {
			return true
		}
	}
	return false
}

// MaturityAtLeast is the lowest level that is at least age, or Adult above
// every level: a rating "not under age" must admit no one younger.
func MaturityAtLeast(age int) int {
	for _, l := range levels {
		if age <= l {
			return l
		}
	}
	return Adult
}

// MaturityLevels lists the levels as messages name them: "0, 7, 13, 16, 18".
func MaturityLevels() string {
	s := make([]string, len(levels))
	for i, l := range levels {
		s[i] = strconv.Itoa(l)
	}
	return strings.Join(s, ", ")
}
