package auth

import (
	"context"
	"net/netip"

	"github.com/google/uuid"

	"marquee/db"
)

// Ending sessions from a signed-in device: one device, every device but the
// caller's, and a password change, which ends the others too. A session
// ends by being deleted, its refresh tokens with it (ON DELETE CASCADE); its
// access tokens are refused from the next request on: on this instance the
// live-session cache forgets it before the method returns, and on the
// others when the database announces the deletion (migration 00012). A
// refresh of the session in flight holds its row (SessionLock), so the
// deletion waits for it and takes the token it issued too.

// End ends session id of user. An ended, unknown or another account's
// session is the same not-found error.
func (s *Sessions) End(ctx context.Context, user, id uuid.UUID) error {
	n, err := s.Pool.SessionEnd(ctx, db.SessionEndParams{ID: id, UserID: user})
	if err != nil {
		return err
	}
	if n == 0 {
		return errNoSuchSession
	}
	s.Live.Forget(id)
	return nil
}

// EndOthers ends every session of user but keep (the caller's own).
func (s *Sessions) EndOthers(ctx context.Context, user, keep uuid.UUID) error {
	ended, err := s.Pool.SessionEndOthers(ctx, db.SessionEndOthersParams{UserID: user, Keep: keep})
	if err != nil {
		return err
	}
	s.forget(ended)
	return nil
}

// ChangePassword replaces the password of user, once its current one is
// given again (a wrong one is ErrWrongPassword and counts in both throttles,
// as in CheckPassword), and ends every other session of the account in the
// same transaction, keeping keep (the caller's own): whoever knew the old
// password, or holds a device signed in with it, is signed out.
func (s *Sessions) ChangePassword(ctx context.Context, client netip.Addr, user db.User, keep uuid.UUID, current, next string) error {
	if err := s.CheckPassword(ctx, client, user, current); err != nil {
		return err
	}
	hash, err := s.Passwords.Hash(ctx, next)
	if err != nil {
		return err
	}
	var ended []uuid.UUID
	err = s.Pool.InTx(ctx, func(q *db.Queries) error {
		var err error
		ended, err = setPassword(ctx, q, user.ID, keep, hash)
		return err
	})
	if err != nil {
		return err
	}
	s.forget(ended)
	return nil
}

// setPassword stores the new password hash of user and ends the account's
// sessions but keep, inside a transaction, and returns the ended ones.
// Logins take turns with it on the credentials' row (CredentialHold): a
// login that checked the old password and is starting its session either
// commits first, and its session is ended here, or waits and starts none,
// so that no session signed in with the old password outlives the change.
func setPassword(ctx context.Context, q *db.Queries, user, keep uuid.UUID, hash string) ([]uuid.UUID, error) {
	if err := q.CredentialSet(ctx, db.CredentialSetParams{UserID: user, PasswordHash: hash}); err != nil {
		return nil, err
	}
	return q.SessionEndOthers(ctx, db.SessionEndOthersParams{UserID: user, Keep: keep})
}

func (s *Sessions) forget(ended []uuid.UUID) {
	for _, id := range ended {
		s.Live.Forget(id)
	}
}
