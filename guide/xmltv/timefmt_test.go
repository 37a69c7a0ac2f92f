package xmltv

import (
	"strings"
	"testing"
	"time"
)

func TestParseTime_AcceptsFullAndLeadingForms(t *testing.T) {
	tests := []struct {
		name, in string
		want     time.Time
	}{
		{"full with zero offset", "20151126060000 +0000", time.Date(2015, 11, 26, 6, 0, 0, 0, time.UTC)},
		{"full without zone is UTC", "20151126060005", time.Date(2015, 11, 26, 6, 0, 5, 0, time.UTC)},
		{"positive offset is subtracted", "19880523083000 +0300", time.Date(1988, 5, 23, 5, 30, 0, 0, time.UTC)},
		{"negative offset is added", "20200728220000 -0500", time.Date(2020, 7, 29, 3, 0, 0, 0, time.UTC)},
		{"offset with colon", "20200729010000 +05:30", time.Date(2020, 7, 28, 19, 30, 0, 0, time.UTC)},
		{"offset without space", "20200729010000+0100", time.Date(2020, 7, 29, 0, 0, 0, 0, time.UTC)},
		{"offset after several spaces", "20200729010000  \t+0100", time.Date(2020, 7, 29, 0, 0, 0, 0, time.UTC)},
		{"year only", "2015", time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"year and month", "200209", time.Date(2002, 9, 1, 0, 0, 0, 0, time.UTC)},
		{"date", "20151126", time.Date(2015, 11, 26, 0, 0, 0, 0, time.UTC)},
		{"date and hour", "2015112606", time.Date(2015, 11, 26, 6, 0, 0, 0, time.UTC)},
		{"to the minute with offset", "200007281733 +0100", time.Date(2000, 7, 28, 16, 33, 0, 0, time.UTC)},
		{"leap day", "20160229", time.Date(2016, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"offset crosses the year", "20160101003000 +0100", time.Date(2015, 12, 31, 23, 30, 0, 0, time.UTC)},
		{"surrounding whitespace", " 20151126060000 +0000 ", time.Date(2015, 11, 26, 6, 0, 0, 0, time.UTC)},
		{"widest offset", "20151126060000 +1400", time.Date(2015, 11, 25, 16, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTime(tt.in)
			if err != nil {
				t.Fatalf("ParseTime(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("ParseTime(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseTime_RejectsGarbage(t *testing.T) {
	tests := []struct {
		name, in, why string
	}{
		{"empty", "", "leading part"},
		{"odd number of digits", "2015112", "leading part"},
		{"too short", "201", "leading part"},
		{"too many digits", "201511260600001", "leading part"},
		{"letters", "yesterday", "leading part"},
		{"named zone", "200007281733 BST", "zone"},
		{"zone without sign", "20151126060000 0300", "zone"},
		{"short zone", "20151126060000 +03", "zone"},
		{"zone with trailing junk", "20151126060000 +0300x", "zone"},
		{"colon in the wrong place", "20151126060000 +030:0", "zone"},
		{"offset beyond 14 hours", "20151126060000 +1500", "out of range"},
		{"offset minutes beyond 59", "20151126060000 +0160", "out of range"},
		{"month 13", "20151326", "month"},
		{"month 00", "201500", "month"},
		{"day 00", "20151100", "day"},
		{"February 30", "20150230", "day"},
		{"February 29 in a common year", "20150229", "day"},
		{"hour 24", "2015112624", "hour"},
		{"minute 60", "201511260660", "minute"},
		{"second 60", "20151126065960", "second"},
		{"date separators", "2015-11-26", "zone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTime(tt.in)
			if err == nil {
				t.Fatalf("ParseTime(%q) = %v, want an error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.why) || !strings.Contains(err.Error(), tt.in) {
				t.Errorf("ParseTime(%q) error %q should quote the input and mention %q", tt.in, err, tt.why)
			}
		})
	}
}
