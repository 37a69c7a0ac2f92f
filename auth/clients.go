package auth

import (
	"context"
	"math"
	"net/netip"
	"time"

	"marquee/db"
)

// The client throttle's window, and its limit unless configured otherwise
// (LOGIN_CLIENT_LIMIT).
const (
	ClientWindow       = 10 * time.Minute
	DefaultClientLimit = 30
)

// ClientThrottle is the throttle of each client address, beside the one of
// each email (Throttle): at most a limit of failed logins, wrong passwords
// and refused registrations within ClientWindow, a sliding window. The count
// per email cannot see one client trying one password over many emails, nor
// registrations of taken emails; this one does, and refuses them before
// their passwords cost a hash each. An IPv6 client counts by its /64, the
// least a site is given, so that the addresses of one host or network are
// one client. The count lives in PostgreSQL, so that it holds across
// instances.
type ClientThrottle struct {
	pool  *db.Pool
	limit int
}

// NewClientThrottle allows each client limit failures (at least 1) within
// ClientWindow.
func NewClientThrottle(pool *db.Pool, limit int) *ClientThrottle {
	return &ClientThrottle{pool: pool, limit: max(limit, 1)}
}

// ClientAttempt is an attempt that the client throttle has counted.
type ClientAttempt struct {
	client netip.Prefix
	at     time.Time
}

// Attempt counts an attempt from the address addr before anything is
// hashed for it, and refuses it with a ThrottledError, uncounted, when the
// client has used its limit. An attempt that turns out well is forgiven
// (ClientAttempt.Forgive): only failures count in the end, but counting them
// first means that attempts sent in parallel cannot all pass before their
// failures are known.
func (c *ClientThrottle) Attempt(ctx context.Context, addr netip.Addr) (ClientAttempt, error) {
	client := clientOf(addr)
	a, err := c.pool.LoginClientAttempt(ctx, db.LoginClientAttemptParams{
		Client: client, WindowSeconds: ClientWindow.Seconds(), MaxAttempts: int32(min(c.limit, math.MaxInt32)),
	})
	if err != nil {
		return ClientAttempt{}, err
	}
	if !a.Admitted {
		return ClientAttempt{}, &ThrottledError{RetryAfter: time.Until(a.FreesAt)}
	}
	return ClientAttempt{client: client, at: a.AttemptedAt}, nil
}

// Forgive takes back an attempt that did not fail (the right password, an
// account created), through q: the pool's, or the transaction's that makes
// the success, so that both commit together.
func (a ClientAttempt) Forgive(ctx context.Context, q *db.Queries) error {
	return q.LoginClientForgive(ctx, db.LoginClientForgiveParams{Client: a.client, AttemptedAt: a.at})
}

// clientOf is the client an address counts as: an IPv4 address (an
// IPv4-mapped IPv6 one is its IPv4 address), or the /64 of an IPv6 one.
// What has no IP address (a Unix socket's peer) counts as one client, ::/128.
func clientOf(addr netip.Addr) netip.Prefix {
	addr = addr.Unmap().WithZone("")
	switch {
	case addr.Is4():
		return netip.PrefixFrom(addr, 32)
	case addr.Is6():
		p, _ := addr.Prefix(64)
		return p
	}
	return netip.PrefixFrom(netip.IPv6Unspecified(), 128)
}
