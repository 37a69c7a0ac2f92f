package auth

import (
	"context"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"

	"marquee/db"
)

// NormaliseEmail is an email as accounts store it: trimmed, lower-cased.
func NormaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Throttle is the login throttle: Threshold failures for one email within
// Window lock it out for Lock, doubling with each further failure up to MaxLock.
type Throttle struct {
	Window    time.Duration
	Threshold int
	Lock      time.Duration
	MaxLock   time.Duration
}

// DefaultThrottle allows five wrong passwords in fifteen minutes.
var DefaultThrottle = Throttle{Window: 15 * time.Minute, Threshold: 5, Lock: 30 * time.Second, MaxLock: 15 * time.Minute}

// lockFor is the lock-out after the given number of failures.
func (t Throttle) lockFor(failures int) time.Duration {
	if failures < t.Threshold {
		return 0
	}
	d := float64(t.Lock) * math.Pow(2, float64(failures-t.Threshold))
	return time.Duration(min(d, float64(t.MaxLock)))
}

// TokenPair is what login and refresh hand out.
type TokenPair struct {
	AccessToken  string
	ExpiresIn    time.Duration
	RefreshToken string
}

// Sessions signs users in and out: login, refresh-token rotation with reuse
// detection, logout.
type Sessions struct {
	pool       *db.Pool
	tokens     *Tokens
	passwords  *Passwords
	refreshTTL time.Duration
	throttle   Throttle
}

// NewSessions wires the session logic.
func NewSessions(pool *db.Pool, tokens *Tokens, passwords *Passwords, refreshTTL time.Duration, throttle Throttle) *Sessions {
	return &Sessions{pool: pool, tokens: tokens, passwords: passwords, refreshTTL: refreshTTL, throttle: throttle}
}

// Login checks a normalised email and a password. Unknown emails and wrong
// passwords fail alike, after the same amount of hashing; a locked-out email
// fails before any password is checked.
func (s *Sessions) Login(ctx context.Context, email, password string) (TokenPair, error) {
	until, err := s.pool.LoginLockedUntil(ctx, email)
	switch {
	case err == nil:
		return TokenPair{}, &ThrottledError{RetryAfter: time.Until(until)}
	case !errors.Is(err, db.ErrNotFound):
		return TokenPair{}, err
	}

	creds, err := s.pool.UserCredentials(ctx, email)
	ok := false
	switch {
	case errors.Is(err, db.ErrNotFound):
		err = s.passwords.VerifyDummy(ctx, password)
	case err == nil:
		ok, err = s.passwords.Verify(ctx, creds.PasswordHash, password)
	}
	if err != nil {
		return TokenPair{}, err
	}
	if !ok {
		return TokenPair{}, s.recordFailure(ctx, email)
	}
	if err := s.pool.LoginFailuresClear(ctx, email); err != nil {
		return TokenPair{}, err
	}
	return s.issue(ctx, s.pool.Queries, creds.ID, uuid.New())
}

// recordFailure counts a failed login, locks the email out past the
// threshold, and returns the error for the client.
func (s *Sessions) recordFailure(ctx context.Context, email string) error {
	failures, err := s.pool.LoginFailureRecord(ctx, db.LoginFailureRecordParams{Email: email, WindowSeconds: s.throttle.Window.Seconds()})
	if err != nil {
		return err
	}
	if lock := s.throttle.lockFor(int(failures)); lock > 0 {
		if err := s.pool.LoginLock(ctx, db.LoginLockParams{Email: email, Seconds: lock.Seconds()}); err != nil {
			return err
		}
	}
	if err := s.pool.LoginFailuresPurge(ctx); err != nil {
		return err
	}
	return ErrBadCredentials
}

// Refresh spends a refresh token and issues a new pair in the same family.
// A token presented after it was spent has been copied: its whole family is
// revoked, so the thief's copy dies with the victim's.
func (s *Sessions) Refresh(ctx context.Context, refreshToken string) (TokenPair, error) {
	var pair TokenPair
	reused := false
	err := s.pool.InTx(ctx, func(q *db.Queries) error {
		t, err := q.RefreshTokenLock(ctx, hashRefreshToken(refreshToken))
		if errors.Is(err, db.ErrNotFound) {
			return ErrBadRefreshToken
		}
		if err != nil {
			return err
		}
		switch {
		case t.RevokedAt != nil, !time.Now().Before(t.ExpiresAt):
			return ErrBadRefreshToken
		case t.SpentAt != nil:
			reused = true
			return q.RefreshFamilyRevoke(ctx, t.FamilyID) // committed: the refusal must stick
		}
		if err := q.RefreshTokenSpend(ctx, t.ID); err != nil {
			return err
		}
		pair, err = s.issue(ctx, q, t.UserID, t.FamilyID)
		return err
	})
	if err != nil {
		return TokenPair{}, err
	}
	if reused {
		return TokenPair{}, ErrBadRefreshToken
	}
	return pair, nil
}

// Logout revokes the family of a refresh token, spent or not.
func (s *Sessions) Logout(ctx context.Context, refreshToken string) error {
	return s.pool.InTx(ctx, func(q *db.Queries) error {
		t, err := q.RefreshTokenLock(ctx, hashRefreshToken(refreshToken))
		if errors.Is(err, db.ErrNotFound) {
			return ErrBadRefreshToken
		}
		if err != nil {
			return err
		}
		return q.RefreshFamilyRevoke(ctx, t.FamilyID)
	})
}

func (s *Sessions) issue(ctx context.Context, q *db.Queries, user, family uuid.UUID) (TokenPair, error) {
	access, err := s.tokens.Issue(user)
	if err != nil {
		return TokenPair{}, err
	}
	refresh, hash := newRefreshToken()
	err = q.RefreshTokenCreate(ctx, db.RefreshTokenCreateParams{
		TokenHash: hash, FamilyID: family, UserID: user, ExpiresAt: time.Now().Add(s.refreshTTL),
	})
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, ExpiresIn: s.tokens.TTL(), RefreshToken: refresh}, nil
}
