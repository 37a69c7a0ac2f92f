package auth

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/google/uuid"

	"marquee/db"
)

// PINThrottle is the throttle of each locked profile's PIN: at most Limit
// wrong PINs within Window (a sliding window), then every attempt is
// refused, before its PIN costs a hash, until the oldest ages out.
type PINThrottle struct {
	Window time.Duration
	Limit  int32
}

// PINLimit allows five wrong PINs per profile in fifteen minutes: a
// 4-digit PIN then takes some 5,000 / 5 × 15 minutes, ten days, to guess on
// average, and the account's owner is asked for nothing else.
var PINLimit = PINThrottle{Window: 15 * time.Minute, Limit: 5}

// SetPIN locks profile p of user (or changes its PIN) once the account's
// password, sent from client, is checked (ErrWrongPassword, counted in the
// login throttles). The sessions narrowed to p end: a device that was
// using the profile must now be given the new PIN. The PIN is kept only as
// a slow hash, like a password, in a table no profile query reads.
func (s *Sessions) SetPIN(ctx context.Context, client netip.Addr, user db.User, p db.Profile, password, pin string) error {
	if err := s.CheckPassword(ctx, client, user, password); err != nil {
		return err
	}
	hash, err := s.Passwords.Hash(ctx, pin)
	if err != nil {
		return err
	}
	var ended []uuid.UUID
	err = s.Pool.InTx(ctx, func(q *db.Queries) error {
		n, err := q.ProfilePinSet(ctx, db.ProfilePinSetParams{PinHash: hash, ProfileID: p.ID, UserID: user.ID})
		if err != nil {
			return err
		}
		if n == 0 {
			return db.ErrNotFound // deleted meanwhile
		}
		if err := q.ProfilePinFailuresClear(ctx, p.ID); err != nil {
			return err
		}
		ended, err = q.SessionEndNarrowedTo(ctx, p.ID)
		return err
	})
	if err != nil {
		return err
	}
	for _, id := range ended {
		s.Live.Forget(id)
	}
	return nil
}

// RemovePIN unlocks profile p of user once the account's password is
// checked, as SetPIN does. Sessions narrowed to p go on: unlocking widens
// nothing they could reach.
func (s *Sessions) RemovePIN(ctx context.Context, client netip.Addr, user db.User, p db.Profile, password string) error {
	if err := s.CheckPassword(ctx, client, user, password); err != nil {
		return err
	}
	return s.Pool.ProfilePinRemove(ctx, db.ProfilePinRemoveParams{ProfileID: p.ID, UserID: user.ID})
}

// Narrow narrows the session of c to profile p, one of its account's (the
// guard has checked that), and returns a new token pair continuing the
// session with p in its claims. A locked profile needs its PIN (see
// checkPIN). The session's unspent refresh tokens are spent, so that
// presenting one again is reuse and ends the session; its access tokens
// issued before, which name no profile or another, are 401 from the next
// request on, on every instance.
func (s *Sessions) Narrow(ctx context.Context, c Claims, p db.Profile, pin string) (TokenPair, error) {
	if err := s.checkPIN(ctx, p.ID, pin); err != nil {
		return TokenPair{}, err
	}
	var pair TokenPair
	err := s.Pool.InTx(ctx, func(q *db.Queries) error {
		session, err := q.SessionLock(ctx, c.Session)
		if errors.Is(err, db.ErrNotFound) {
			return ErrInvalidToken // ended meanwhile
		}
		if err != nil {
			return err
		}
		if session.UserID != c.User || narrowedTo(Claims{Profile: session.ProfileID}) != narrowedTo(c) {
			return ErrInvalidToken // narrowed elsewhere meanwhile: this token is out of date
		}
		if err := q.RefreshTokenSpendSession(ctx, session.ID); err != nil {
			return err
		}
		expires := time.Now().Add(s.RefreshTTL)
		err = q.SessionNarrow(ctx, db.SessionNarrowParams{ProfileID: p.ID, ExpiresAt: expires, ID: session.ID, UserID: c.User})
		if err != nil {
			return err
		}
		profile := p.ID
		pair, err = s.issue(ctx, q, Claims{User: c.User, Session: session.ID, Profile: &profile}, expires)
		return err
	})
	if err != nil {
		return TokenPair{}, err
	}
	s.Live.Forget(c.Session)
	return pair, nil
}

// checkPIN checks pin against the PIN of profile id, if it has one. Each
// attempt is counted before the PIN is hashed, so that guesses sent in
// parallel cannot outrun the throttle, and refused uncounted, with no hash,
// once the profile has had its limit of wrong PINs (ThrottledError); the
// right PIN is forgiven. Whether the profile is locked is read here, not
// taken from the profile the guard loaded, which a cache may have held
// while the PIN was being set.
func (s *Sessions) checkPIN(ctx context.Context, id uuid.UUID, pin string) error {
	hash, err := s.Pool.ProfilePinHash(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return nil // not locked
	}
	if err != nil {
		return err
	}
	if pin == "" {
		return ErrWrongPIN // locked meanwhile: no guess was made, none is counted
	}
	limit := PINLimit
	a, err := s.Pool.ProfilePinAttempt(ctx, db.ProfilePinAttemptParams{
		ProfileID: id, WindowSeconds: limit.Window.Seconds(), MaxAttempts: limit.Limit,
	})
	if err != nil {
		return err
	}
	if !a.Admitted {
		return &ThrottledError{RetryAfter: time.Until(a.FreesAt), Of: "wrong PINs for this profile"}
	}
	ok, err := s.Passwords.Verify(ctx, hash, pin)
	if err != nil {
		return err
	}
	if !ok {
		return ErrWrongPIN
	}
	return s.Pool.ProfilePinForgive(ctx, db.ProfilePinForgiveParams{ProfileID: id, AttemptedAt: a.AttemptedAt})
}
