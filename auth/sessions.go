package auth

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/netip"
	"strings"
	"time"

	"github.com/google/uuid"

	"marquee/db"
	"marquee/rules"
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
// detection, logout. Each login starts a session (one signed-in device); its
// refresh tokens are the session's family, and its access tokens name it.
type Sessions struct {
	SessionsConfig
}

// SessionsConfig is what Sessions works with.
type SessionsConfig struct {
	Pool       *db.Pool
	Tokens     *Tokens
	Passwords  *Passwords
	Clients    *ClientThrottle // the throttle of each client address
	Live       *LiveSessions   // evicted at once when this instance ends a session; may be nil
	Logger     *slog.Logger    // security events
	RefreshTTL time.Duration
	Throttle   Throttle // of each email
}

// NewSessions wires the session logic.
func NewSessions(c SessionsConfig) *Sessions {
	return &Sessions{SessionsConfig: c}
}

// Login checks a normalised email and a password, sent from the address
// client, and starts a session on device. Unknown emails and wrong
// passwords fail alike, after the same amount of hashing.
func (s *Sessions) Login(ctx context.Context, client netip.Addr, email, password, device string) (TokenPair, error) {
	creds, err := s.check(ctx, client, email, password, func(ctx context.Context) (db.UserCredentialsRow, error) {
		return s.Pool.UserCredentials(ctx, email)
	})
	if err != nil {
		return TokenPair{}, err
	}
	var pair TokenPair
	err = s.Pool.InTx(ctx, func(q *db.Queries) error {
		// A password change may have committed since the check: then the
		// password is wrong now. Otherwise one waits for this session, and
		// ends it (setPassword).
		hash, err := q.CredentialHold(ctx, creds.ID)
		if errors.Is(err, db.ErrNotFound) || err == nil && hash != creds.PasswordHash {
			return ErrBadCredentials
		}
		if err != nil {
			return err
		}
		expires := time.Now().Add(s.RefreshTTL)
		id, err := q.SessionStart(ctx, db.SessionStartParams{UserID: creds.ID, Device: device, ExpiresAt: expires})
		if err != nil {
			return err
		}
		pair, err = s.issue(ctx, q, Claims{User: creds.ID, Session: id}, expires)
		return err
	})
	return pair, err
}

// CheckPassword checks the password of a signed-in account, sent from the
// address client, before a change that needs it: a wrong one is
// ErrWrongPassword, and counts in both throttles as a failed login would.
func (s *Sessions) CheckPassword(ctx context.Context, client netip.Addr, user db.User, password string) error {
	_, err := s.check(ctx, client, user.Email, password, func(ctx context.Context) (db.UserCredentialsRow, error) {
		hash, err := s.Pool.CredentialGet(ctx, user.ID)
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
	attempt, err := s.Clients.Attempt(ctx, client)
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
		err = s.Passwords.VerifyDummy(ctx, password)
	case err == nil:
		ok, err = s.Passwords.Verify(ctx, creds.PasswordHash, password)
	}
	if err != nil {
		return db.UserCredentialsRow{}, err
	}
	if !ok {
		return db.UserCredentialsRow{}, ErrBadCredentials
	}
	if err := s.Pool.LoginFailuresClear(ctx, email); err != nil {
		return db.UserCredentialsRow{}, err
	}
	return creds, attempt.Forgive(ctx, s.Pool.Queries)
}

// admit counts a login attempt and refuses it while the email is locked
// out, locking it when this attempt is one too many.
func (s *Sessions) admit(ctx context.Context, email string) error {
	a, err := s.Pool.LoginAttempt(ctx, db.LoginAttemptParams{Email: email, WindowSeconds: s.Throttle.Window.Seconds()})
	if err != nil {
		return err
	}
	if a.LockedUntil != nil && time.Now().Before(*a.LockedUntil) {
		return &ThrottledError{RetryAfter: time.Until(*a.LockedUntil)}
	}
	if int(a.Failures) <= s.Throttle.Threshold {
		return nil
	}
	until, err := s.Pool.LoginLock(ctx, db.LoginLockParams{Email: email, Seconds: s.Throttle.lockFor(int(a.Locks) + 1).Seconds()})
	if errors.Is(err, db.ErrNotFound) { // a concurrent attempt locked it first
		until, err = s.Pool.LoginLockedUntil(ctx, email)
	}
	if errors.Is(err, db.ErrNotFound) { // or a concurrent success cleared it
		return &ThrottledError{RetryAfter: time.Second}
	}
	if err != nil {
		return err
	}
	return &ThrottledError{RetryAfter: time.Until(until)}
}

// Refresh spends a refresh token and issues a new pair in the same session.
// A token presented after it was spent has been copied: the session ends,
// so the thief's copy dies with the victim's, and the event is logged and
// audited. Rotations and endings of one session take turns (lockSession),
// so that an ending never misses a token being issued at the same moment.
func (s *Sessions) Refresh(ctx context.Context, refreshToken string) (TokenPair, error) {
	var pair TokenPair
	var reused *db.SessionLockRow
	err := s.Pool.InTx(ctx, func(q *db.Queries) error {
		t, session, err := lockSession(ctx, q, refreshToken)
		if err != nil {
			return err
		}
		switch {
		case !time.Now().Before(t.ExpiresAt):
			return ErrBadRefreshToken
		case t.SpentAt != nil:
			reused = &session
			return s.endReused(ctx, q, session) // committed: the refusal must stick
		}
		if err := q.RefreshTokenSpend(ctx, t.ID); err != nil {
			return err
		}
		expires := time.Now().Add(s.RefreshTTL)
		if err := q.SessionExtend(ctx, db.SessionExtendParams{ID: session.ID, ExpiresAt: expires}); err != nil {
			return err
		}
		pair, err = s.issue(ctx, q, Claims{User: session.UserID, Session: session.ID, Profile: session.ProfileID}, expires)
		return err
	})
	if err != nil {
		return TokenPair{}, err
	}
	if reused != nil {
		s.Live.Forget(reused.ID)
		s.Logger.Warn("security: a spent refresh token was presented again; its session is ended",
			"user_id", reused.UserID, "session_id", reused.ID)
		return TokenPair{}, ErrBadRefreshToken
	}
	return pair, nil
}

// endReused ends a session whose spent refresh token came back, and records
// it in the audit log.
func (s *Sessions) endReused(ctx context.Context, q *db.Queries, session db.SessionLockRow) error {
	if _, err := q.SessionEnd(ctx, db.SessionEndParams{ID: session.ID, UserID: session.UserID}); err != nil {
		return err
	}
	return rules.Audit(ctx, q, &session.UserID, rules.SessionReused, session.ID.String())
}

// Logout ends the session of a refresh token, spent or not.
func (s *Sessions) Logout(ctx context.Context, refreshToken string) error {
	var ended uuid.UUID
	err := s.Pool.InTx(ctx, func(q *db.Queries) error {
		_, session, err := lockSession(ctx, q, refreshToken)
		if err != nil {
			return err
		}
		ended = session.ID
		_, err = q.SessionEnd(ctx, db.SessionEndParams{ID: session.ID, UserID: session.UserID})
		return err
	})
	if err == nil {
		s.Live.Forget(ended)
	}
	return err
}

// lockSession takes, inside a transaction, the lock of a presented refresh
// token's session and then the token's own, always in that order.
func lockSession(ctx context.Context, q *db.Queries, refreshToken string) (db.RefreshTokenLockRow, db.SessionLockRow, error) {
	hash := hashRefreshToken(refreshToken)
	id, err := q.RefreshTokenSession(ctx, hash)
	if errors.Is(err, db.ErrNotFound) {
		return db.RefreshTokenLockRow{}, db.SessionLockRow{}, ErrBadRefreshToken
	}
	if err != nil {
		return db.RefreshTokenLockRow{}, db.SessionLockRow{}, err
	}
	session, err := q.SessionLock(ctx, id)
	if errors.Is(err, db.ErrNotFound) { // ended meanwhile, its tokens with it
		return db.RefreshTokenLockRow{}, db.SessionLockRow{}, ErrBadRefreshToken
	}
	if err != nil {
		return db.RefreshTokenLockRow{}, db.SessionLockRow{}, err
	}
	t, err := q.RefreshTokenLock(ctx, hash)
	if errors.Is(err, db.ErrNotFound) {
		return t, session, ErrBadRefreshToken
	}
	return t, session, err
}

// issue signs an access token for c and adds a refresh token, expiring at
// expires, to its session.
func (s *Sessions) issue(ctx context.Context, q *db.Queries, c Claims, expires time.Time) (TokenPair, error) {
	access, err := s.Tokens.Issue(c)
	if err != nil {
		return TokenPair{}, err
	}
	refresh, hash := newRefreshToken()
	err = q.RefreshTokenCreate(ctx, db.RefreshTokenCreateParams{
		TokenHash: hash, SessionID: c.Session, UserID: c.User, ExpiresAt: expires,
	})
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, ExpiresIn: s.Tokens.TTL(), RefreshToken: refresh}, nil
}
