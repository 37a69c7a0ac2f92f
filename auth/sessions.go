package auth

import (
	"context"
	"errors"
	"math"
	"net/netip"
	"strings"
	"time"

	"github.com/google/uuid"

	"marquee/db"
)

// NormaliseEmail is an email as accounts store it: trimmed, lower-cased.
func NormaliseEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Throttle is the login throttle of each email: Threshold attempts for one
// email within Window lock it out for Lock, then each further lock-out of
// the streak lasts twice as long as the one before, up to MaxLock. A
// successful login ends the streak, and so does a Window without attempts
// once the last lock is over: waiting out a lock does not.
type Throttle struct {
	Window    time.Duration
	Threshold int
	Lock      time.Duration
	MaxLock   time.Duration
}

// DefaultThrottle allows five attempts in fifteen minutes.
var DefaultThrottle = Throttle{Window: 15 * time.Minute, Threshold: 5, Lock: 30 * time.Second, MaxLock: 15 * time.Minute}

// lockFor is the length of the n-th lock-out of a streak (n ≥ 1).
func (t Throttle) lockFor(n int) time.Duration {
	d := float64(t.Lock) * math.Pow(2, float64(n-1))
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
	clients    *ClientThrottle
}

// NewSessions wires the session logic.
func NewSessions(pool *db.Pool, tokens *Tokens, passwords *Passwords, refreshTTL time.Duration, throttle Throttle, clients *ClientThrottle) *Sessions {
	return &Sessions{pool: pool, tokens: tokens, passwords: passwords, refreshTTL: refreshTTL, throttle: throttle, clients: clients}
}

// Login checks a normalised email and a password, sent from the address
// client. Unknown emails and wrong passwords fail alike, after the same
// amount of hashing.
func (s *Sessions) Login(ctx context.Context, client netip.Addr, email, password string) (TokenPair, error) {
	creds, err := s.check(ctx, client, email, password, func(ctx context.Context) (db.UserCredentialsRow, error) {
		return s.pool.UserCredentials(ctx, email)
	})
	if err != nil {
		return TokenPair{}, err
	}
	return s.issue(ctx, s.pool.Queries, creds.ID, uuid.New())
}

// CheckPassword checks the password of a signed-in account, sent from the
// address client, before a change that needs it: a wrong one is
// ErrWrongPassword, and counts in both throttles as a failed login would.
func (s *Sessions) CheckPassword(ctx context.Context, client netip.Addr, user db.User, password string) error {
	_, err := s.check(ctx, client, user.Email, password, func(ctx context.Context) (db.UserCredentialsRow, error) {
		hash, err := s.pool.CredentialGet(ctx, user.ID)
		return db.UserCredentialsRow{ID: user.ID, PasswordHash: hash}, err
	})
	if errors.Is(err, ErrBadCredentials) {
		return ErrWrongPassword
	}
	return err
}

// check verifies a password under both throttles, the client's first, so
// that a throttled client costs no hash and no longer counts against the
// emails it tries. Each attempt is counted before its password is checked,
// so that guesses sent in parallel cannot outrun the throttles: past the
// threshold the email is locked out and no password is checked until the
// lock ends. An account that lookup does not find is checked against a
// dummy hash, and fails in the same time. A right password ends the email's
// streak and does not count against the client; an attempt refused by the
// email's lock does, as the failed login it is.
func (s *Sessions) check(ctx context.Context, client netip.Addr, email, password string,
	lookup func(context.Context) (db.UserCredentialsRow, error)) (db.UserCredentialsRow, error) {
	attempt, err := s.clients.Attempt(ctx, client)
	if err != nil {
		return db.UserCredentialsRow{}, err
	}
	if err := s.admit(ctx, email); err != nil {
		return db.UserCredentialsRow{}, err
	}
	creds, err := lookup(ctx)
	ok := false
	switch {
	case errors.Is(err, db.ErrNotFound):
		err = s.passwords.VerifyDummy(ctx, password)
	case err == nil:
		ok, err = s.passwords.Verify(ctx, creds.PasswordHash, password)
	}
	if err != nil {
		return db.UserCredentialsRow{}, err
	}
	if !ok {
		return db.UserCredentialsRow{}, ErrBadCredentials
	}
	if err := s.pool.LoginFailuresClear(ctx, email); err != nil {
		return db.UserCredentialsRow{}, err
	}
	return creds, attempt.Forgive(ctx, s.pool.Queries)
}

// admit counts a login attempt and refuses it while the email is locked
// out, locking it when this attempt is one too many.
func (s *Sessions) admit(ctx context.Context, email string) error {
	a, err := s.pool.LoginAttempt(ctx, db.LoginAttemptParams{Email: email, WindowSeconds: s.throttle.Window.Seconds()})
	if err != nil {
		return err
	}
	if a.LockedUntil != nil && time.Now().Before(*a.LockedUntil) {
		return &ThrottledError{RetryAfter: time.Until(*a.LockedUntil)}
	}
	if int(a.Failures) <= s.throttle.Threshold {
		return nil
	}
	until, err := s.pool.LoginLock(ctx, db.LoginLockParams{Email: email, Seconds: s.throttle.lockFor(int(a.Locks) + 1).Seconds()})
	if errors.Is(err, db.ErrNotFound) { // a concurrent attempt locked it first
		until, err = s.pool.LoginLockedUntil(ctx, email)
	}
	if errors.Is(err, db.ErrNotFound) { // or a concurrent success cleared it
		return &ThrottledError{RetryAfter: time.Second}
	}
	if err != nil {
		return err
	}
	return &ThrottledError{RetryAfter: time.Until(until)}
}

// Refresh spends a refresh token and issues a new pair in the same family.
// A token presented after it was spent has been copied: its whole family is
// revoked, so the thief's copy dies with the victim's. Rotations and
// revocations of one family take turns (lockFamily), so that a revocation
// never misses a token being issued at the same moment.
func (s *Sessions) Refresh(ctx context.Context, refreshToken string) (TokenPair, error) {
	var pair TokenPair
	reused := false
	err := s.pool.InTx(ctx, func(q *db.Queries) error {
		t, err := lockFamily(ctx, q, refreshToken)
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
		t, err := lockFamily(ctx, q, refreshToken)
		if err != nil {
			return err
		}
		return q.RefreshFamilyRevoke(ctx, t.FamilyID)
	})
}

// lockFamily takes, inside a transaction, the family lock and then the row
// lock of a presented refresh token, always in that order.
func lockFamily(ctx context.Context, q *db.Queries, refreshToken string) (db.RefreshTokenLockRow, error) {
	hash := hashRefreshToken(refreshToken)
	family, err := q.RefreshTokenFamily(ctx, hash)
	if errors.Is(err, db.ErrNotFound) {
		return db.RefreshTokenLockRow{}, ErrBadRefreshToken
	}
	if err != nil {
		return db.RefreshTokenLockRow{}, err
	}
	if err := q.RefreshFamilyLock(ctx, family); err != nil {
		return db.RefreshTokenLockRow{}, err
	}
	t, err := q.RefreshTokenLock(ctx, hash)
	if errors.Is(err, db.ErrNotFound) {
		return t, ErrBadRefreshToken
	}
	return t, err
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
