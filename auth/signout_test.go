package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"marquee/db"
	"marquee/db/dbtest"
)

// TestPasswordChangeRefusesALoginInFlight: a login has checked the old
// password when a password change commits (its transaction has stored the
// new hash and ended the other sessions, not yet committed). The login
// waits for the change and then starts no session: none signed in with the
// old password outlives the change.
func TestPasswordChangeRefusesALoginInFlight(t *testing.T) {
	t.Parallel()
	s, pool, conn := newSessionsConn(t, DefaultThrottle, 1000)
	user := addUser(t, s, pool, "c@example.com", "the old password")
	ctx := context.Background()
	keep, err := s.Login(ctx, client, "c@example.com", "the old password", "the changing device")
	if err != nil {
		t.Fatal(err)
	}
	hash, err := s.Passwords.Hash(ctx, "the new password")
	if err != nil {
		t.Fatal(err)
	}

	kept := sessionID(t, s, keep)
	changed, release := make(chan error, 1), make(chan struct{})
	releaseChange := sync.OnceFunc(func() { close(release) })
	defer releaseChange() // on failure too, or closing the pool waits for ever
	change := make(chan error, 1)
	go func() {
		change <- pool.InTx(ctx, func(q *db.Queries) error {
			_, err := setPassword(ctx, q, user, kept, hash)
			changed <- err
			if err != nil {
				return err
			}
			<-release // the change is in flight
			return nil
		})
	}()
	if err := <-changed; err != nil {
		t.Fatal(err)
	}
	login := make(chan error, 1)
	go func() {
		_, err := s.Login(ctx, client, "c@example.com", "the old password", "a thief's device")
		login <- err
	}()
	select {
	case err := <-login:
		t.Fatalf("the login did not wait for the password change: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	releaseChange()
	if err := <-change; err != nil {
		t.Fatal(err)
	}
	if err := <-login; !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("the login with the old password: %v, want refused", err)
	}
	if devices := dbtest.Strings(t, conn, "SELECT device FROM sessions WHERE user_id = $1", user); len(devices) != 1 || devices[0] != "the changing device" {
		t.Fatalf("sessions after the change: %q, want only the changing device's", devices)
	}
}

// sessionID is the session an access token names.
func sessionID(t *testing.T, s *Sessions, pair TokenPair) uuid.UUID {
	t.Helper()
	c, err := s.Tokens.Verify(pair.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	return c.Session
}
