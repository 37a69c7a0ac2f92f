package auth

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"marquee/db"
	"marquee/db/dbtest"
)

// The fixtures of auth's tests: cheap password hashing, refresh sessions on
// a database of their own with an account to log in, cache entries.

// cheap keeps argon2id fast in tests; production uses OWASP.
var cheap = Argon2Params{Memory: 64, Time: 1, Threads: 1}

// newSessions makes refresh sessions on a database of their own.
func newSessions(t *testing.T, throttle Throttle) (*Sessions, *db.Pool) {
	s, pool, _ := newSessionsConn(t, throttle)
	return s, pool
}

// newSessionsConn is newSessions with the database's connection string.
func newSessionsConn(t *testing.T, throttle Throttle) (*Sessions, *db.Pool, db.ConnString) {
	t.Helper()
	pool, conn := dbtest.NewPool(t)
	secret, _ := NewSecret("sessions-test-secret-of-32-characters")
	passwords, err := NewPasswords(cheap, 4)
	if err != nil {
		t.Fatal(err)
	}
	return NewSessions(pool, NewTokens(secret, time.Minute), passwords, time.Hour, throttle), pool, conn
}

// addUser makes an account that logs in with password.
func addUser(t *testing.T, s *Sessions, pool *db.Pool, email, password string) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	u, err := pool.UserCreate(ctx, db.UserCreateParams{Email: email, DisplayName: "U"})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := s.passwords.Hash(ctx, password)
	if err != nil {
		t.Fatal(err)
	}
	if err := pool.CredentialSet(ctx, db.CredentialSetParams{UserID: u.ID, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// entry is a profile and its account, for the ownership cache.
func entry() (db.User, db.Profile) {
	u := db.User{ID: uuid.New()}
	return u, db.Profile{ID: uuid.New(), UserID: u.ID}
}
