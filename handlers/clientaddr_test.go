package handlers

import (
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestClientAddr_ForwardedForBelievedOnlyFromTrustedProxies(t *testing.T) {
	t.Parallel()
	trusted, err := ParseTrustedProxies([]string{"10.0.0.0/8", "2001:db8:ffff::/48"})
	if err != nil {
		t.Fatal(err)
	}
	c := newClientAddrs(trusted, slog.Default())
	cases := []struct {
		name, peer string
		xff        []string // header lines, in order
		want       string
	}{
		{"untrusted peer, no header", "198.51.100.1:5000", nil, "198.51.100.1"},
		{"untrusted peer: the header is ignored", "198.51.100.1:5000", []string{"203.0.113.9"}, "198.51.100.1"},
		{"untrusted peer naming a trusted proxy", "198.51.100.1:5000", []string{"10.0.0.1"}, "198.51.100.1"},
		{"trusted peer, no header", "10.0.0.1:5000", nil, "10.0.0.1"},
		{"trusted peer: the client it saw", "10.0.0.1:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"what the client wrote is ignored", "10.0.0.1:5000", []string{"192.0.2.66, 203.0.113.9"}, "203.0.113.9"},
		{"through two trusted proxies", "10.0.0.1:5000", []string{"203.0.113.9, 10.2.3.4"}, "203.0.113.9"},
		{"over header lines, the last is the nearest", "10.0.0.1:5000", []string{"192.0.2.66, 203.0.113.9", "10.2.3.4"}, "203.0.113.9"},
		{"every hop trusted: the farthest", "10.0.0.1:5000", []string{"10.9.9.9, 10.2.3.4"}, "10.9.9.9"},
		{"with a port", "10.0.0.1:5000", []string{"203.0.113.9:4711"}, "203.0.113.9"},
		{"IPv6 in brackets with a port", "10.0.0.1:5000", []string{"[2001:db8::9]:4711"}, "2001:db8::9"},
		{"IPv6 in brackets", "10.0.0.1:5000", []string{"[2001:db8::9]"}, "2001:db8::9"},
		{"IPv4-mapped", "10.0.0.1:5000", []string{"::ffff:203.0.113.9"}, "203.0.113.9"},
		{"IPv6 proxy", "[2001:db8:ffff::1]:443", []string{"2001:db8:1::9"}, "2001:db8:1::9"},
		{"IPv4-mapped peer", "[::ffff:10.0.0.1]:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		// An entry that is not an address was written by the trusted hop
		// right of it: that hop answers for it.
		{"malformed from the peer", "10.0.0.1:5000", []string{"unknown"}, "10.0.0.1"},
		{"malformed from an inner proxy", "10.0.0.1:5000", []string{"_hidden, 10.2.3.4"}, "10.2.3.4"},
		{"empty entry", "10.0.0.1:5000", []string{"203.0.113.9, "}, "10.0.0.1"},
		{"malformed left of the client", "10.0.0.1:5000", []string{"garbage, 203.0.113.9"}, "203.0.113.9"},
		{"no IP address", "@", []string{"203.0.113.9"}, "invalid IP"},
	}
	for _, tc := range cases {
		r := httptest.NewRequest("POST", "/v1/auth/login", nil)
		r.RemoteAddr = tc.peer
		for _, line := range tc.xff {
			r.Header.Add("X-Forwarded-For", line)
		}
		if got := c.of(r).String(); got != tc.want {
			t.Errorf("%s: %s with %q = %s, want %s", tc.name, tc.peer, tc.xff, got, tc.want)
		}
	}
}

func TestParseTrustedProxies(t *testing.T) {
	t.Parallel()
	got, err := ParseTrustedProxies([]string{"10.0.0.0/8", " 192.168.1.7", "", "2001:db8::/32", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.168.1.7/32", "2001:db8::/32", "::1/128"}
	for i, p := range got {
		if p.String() != want[i] {
			t.Errorf("%d: %s, want %s", i, p, want[i])
		}
	}
	if p, err := ParseTrustedProxies(nil); err != nil || len(p) != 0 {
		t.Errorf("empty: %v %v", p, err)
	}
	for bad, why := range map[string]string{
		"10.0.0.1/8":          "did you mean 10.0.0.0/8?",
		"10.0.0.0/33":         "is not a CIDR",
		"proxy.example.com":   "is not a CIDR",
		"fe80::1%eth0":        "is not a CIDR",
		"::ffff:10.0.0.0/104": "as IPv4",
	} {
		if _, err := ParseTrustedProxies([]string{"10.0.0.0/8", bad}); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%q: %v, want an error saying %q", bad, err, why)
		}
	}
}
