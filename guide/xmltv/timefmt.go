package xmltv

import (
	"fmt"
	"strings"
	"time"
)

// maxOffset is the widest zone offset in use (UTC+14, Line Islands); a wider
// one is a typo, not a zone.
const maxOffset = 14 * time.Hour

// ParseTime reads an XMLTV time: YYYYMMDDhhmmss or a leading part of it
// (YYYY, YYYYMM, YYYYMMDD, YYYYMMDDhh, YYYYMMDDhhmm), optionally followed by
// whitespace and a numeric zone offset (+0300, -0500, or +03:00). Missing
// parts take their lowest value; no zone means UTC. The result is in UTC.
//
// Named zones such as "BST", which the DTD shows in an example, are refused:
// they are ambiguous, and real feeds write offsets.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	digits, zone := s[:n], strings.TrimSpace(s[n:])
	if n < 4 || n > 14 || n%2 != 0 {
		return time.Time{}, fmt.Errorf("time %q: want YYYYMMDDhhmmss or a leading part of it", s)
	}
	// year, month, day, hour, minute, second; absent parts keep these values.
	f := [6]int{0, 1, 1, 0, 0, 0}
	f[0] = atoi(digits[:4])
	for i, at := 1, 4; at < n; i, at = i+1, at+2 {
		f[i] = atoi(digits[at : at+2])
	}
	if err := checkFields(f); err != nil {
		return time.Time{}, fmt.Errorf("time %q: %w", s, err)
	}
	offset, err := parseOffset(zone)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: %w", s, err)
	}
	t := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], 0, time.UTC)
	return t.Add(-offset), nil
}

// checkFields refuses out-of-range parts instead of letting time.Date roll
// 20151332 over into the next year.
func checkFields(f [6]int) error {
	switch {
	case f[1] < 1 || f[1] > 12:
		return fmt.Errorf("month %02d out of range", f[1])
	case f[2] < 1 || f[2] > daysIn(f[0], time.Month(f[1])):
		return fmt.Errorf("day %02d out of range", f[2])
	case f[3] > 23:
		return fmt.Errorf("hour %02d out of range", f[3])
	case f[4] > 59:
		return fmt.Errorf("minute %02d out of range", f[4])
	case f[5] > 59:
		return fmt.Errorf("second %02d out of range", f[5])
	}
	return nil
}

func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// parseOffset reads "", "+hhmm", "-hhmm", "+hh:mm" or "-hh:mm".
func parseOffset(zone string) (time.Duration, error) {
	if zone == "" {
		return 0, nil
	}
	sign, hhmm := zone[0], zone[1:]
	if len(hhmm) == 5 && hhmm[2] == ':' {
		hhmm = hhmm[:2] + hhmm[3:]
	}
	if (sign != '+' && sign != '-') || len(hhmm) != 4 || !allDigits(hhmm) {
		return 0, fmt.Errorf("zone %q: want an offset such as +0300 or -05:00", zone)
	}
	h, m := atoi(hhmm[:2]), atoi(hhmm[2:])
	offset := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if m > 59 || offset > maxOffset {
		return 0, fmt.Errorf("zone %q out of range", zone)
	}
	if sign == '-' {
		offset = -offset
	}
	return offset, nil
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func allDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// atoi reads a short run of ASCII digits already checked by the caller.
func atoi(s string) int {
	n := 0
	for i := range len(s) {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
