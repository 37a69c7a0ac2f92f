package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
)

// ParseTrustedProxies reads TRUSTED_PROXIES: CIDRs such as 10.0.0.0/8, or
// single addresses; empty entries name nothing. A CIDR with bits set past
// its prefix is refused rather than guessed at, and so are IPv4 ranges
// written as IPv6 (::ffff:...), which no peer would match: peers are
// compared by their IPv4 address.
func ParseTrustedProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil || a.Zone() != "" {
				return nil, fmt.Errorf("TRUSTED_PROXIES: %q is not a CIDR such as 10.0.0.0/8 or an address", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		switch {
		case p.Addr().Is4In6():
			return nil, fmt.Errorf("TRUSTED_PROXIES: write %q as IPv4", s)
		case p != p.Masked():
			return nil, fmt.Errorf("TRUSTED_PROXIES: %q has bits set past its prefix length; did you mean %s?", s, p.Masked())
		}
		out = append(out, p)
	}
	return out, nil
}

// clientAddrs finds the address of the client behind a request, for the
// throttles of logins: the TCP peer, or, when the peer is a trusted proxy,
// the address the proxies say they received the request from.
type clientAddrs struct {
	trusted []netip.Prefix
	logger  *slog.Logger
	warned  atomic.Bool
}

func newClientAddrs(trusted []netip.Prefix, logger *slog.Logger) *clientAddrs {
	return &clientAddrs{trusted: trusted, logger: logger}
}

// of is the client of r. Each proxy appends to X-Forwarded-For the address
// it received the request from, so the list is read from the right, from
// the entry the peer wrote: while an entry is a trusted proxy, the entry
// before it was written by that proxy and is believed too. The first
// address that is not a trusted proxy is the client; anything left of it
// was written by the client and is ignored, so a client cannot choose its
// address by sending the header itself. An entry that is not an address
// (empty, "unknown", an obfuscated name) ends the walk at the trusted proxy
// that wrote it, which then counts as the client: no one can rotate it to
// slip past the throttle, at the price of sharing one count. When every
// entry is a trusted proxy, the leftmost, the farthest, is the client.
func (c *clientAddrs) of(r *http.Request) netip.Addr {
	client := peerAddr(r.RemoteAddr)
	if !c.isTrusted(client) {
		return client
	}
	lines := r.Header.Values("X-Forwarded-For")
	for i := len(lines) - 1; i >= 0; i-- {
		rest := lines[i]
		for more := true; more; {
			var entry string
			if j := strings.LastIndexByte(rest, ','); j >= 0 {
				entry, rest = rest[j+1:], rest[:j]
			} else {
				entry, more = rest, false
			}
			hop, ok := parseHop(strings.TrimSpace(entry))
			if !ok {
				return client
			}
			client = hop
			if !c.isTrusted(hop) {
				return client
			}
		}
	}
	return client
}

func (c *clientAddrs) isTrusted(a netip.Addr) bool {
	return slices.ContainsFunc(c.trusted, func(p netip.Prefix) bool { return p.Contains(a) })
}

// peerAddr is the address of a request's TCP peer; none (the zero Addr)
// when it has no IP address.
func peerAddr(remote string) netip.Addr {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}

// parseHop reads an entry of X-Forwarded-For: an address, which some
// proxies write with a port, IPv6 in brackets.
func parseHop(s string) (netip.Addr, bool) {
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		s = s[1 : len(s)-1]
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, perr := netip.ParseAddrPort(s)
		if perr != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	}
	return a.Unmap().WithZone(""), true
}

// warnForwarded logs once, as a configuration warning, a request that
// carries X-Forwarded-For while no proxy is trusted: behind a proxy, every
// client would count as the proxy in the throttles of logins, and a few
// attackers would lock everyone out.
func (c *clientAddrs) warnForwarded(next http.Handler) http.Handler {
	if len(c.trusted) > 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !c.warned.Load() && r.Header.Get("X-Forwarded-For") != "" && c.warned.CompareAndSwap(false, true) {
			c.logger.Warn("configuration: a request carries X-Forwarded-For but TRUSTED_PROXIES is empty, "+
				"so clients are told apart by their TCP peer; behind a proxy, set TRUSTED_PROXIES to its addresses",
				slog.String("peer", peerAddr(r.RemoteAddr).String()))
		}
		next.ServeHTTP(w, r)
	})
}
