package main

import (
	"testing"
	"time"
)

func TestLongestGap(t *testing.T) {
	start := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return start.Add(time.Duration(ms) * time.Millisecond) }
	for _, c := range []struct {
		name     string
		end      int
		acked    []time.Time
		from, to int
	}{
		{"none acknowledged: the whole run", 1000, nil, 0, 1000},
		{"an outage in the middle, acks out of order", 1000, []time.Time{at(700), at(100), at(150), at(900)}, 150, 700},
		{"before the first ack", 1000, []time.Time{at(600), at(700)}, 0, 600},
		{"after the last ack", 1000, []time.Time{at(10), at(20)}, 20, 1000},
	} {
		from, to := longestGap(start, at(c.end), c.acked)
		if !from.Equal(at(c.from)) || !to.Equal(at(c.to)) {
			t.Errorf("%s: %s to %s, want %d ms to %d ms", c.name, from.Sub(start), to.Sub(start), c.from, c.to)
		}
	}
}

func TestAckCSV(t *testing.T) {
	for _, c := range []struct {
		a    ack
		want string
	}{
		{ack{profile: "p", title: "t", acked: 41, unproven: []int{42, 43}}, "p,t,41,\"{42,43}\"\n"},
		{ack{profile: "p", title: "t", acked: -1}, "p,t,-1,\"{}\"\n"},
	} {
		if got := c.a.csv(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.a, got, c.want)
		}
	}
}
