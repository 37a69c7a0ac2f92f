package auth

import (
	"context"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/google/uuid"

	"marquee/db"
	"marquee/db/dbtest"
)

// The fixtures of auth's tests: cheap password hashing, refresh sessions on
// a database of their own with an account to log in and a client to log in
// from, cache entries.

// cheap keeps argon2id fast in tests; production uses OWASP.
var cheap = Argon2Params{Memory: 64, Time: 1, Threads: 1}

// client is the address that tests' logins come from.
var client = netip.MustParseAddr("192.0.2.1")

// newSessions makes refresh sessions on a database of their own, with a
// client throttle too lax to meet.
func newSessions(t *testing.T, throttle Throttle) (*Sessions, *db.Pool) {
	s, pool, _ := newSessionsConn(t, throttle, 1000)
	return s, pool
}

// newSessionsConn is newSessions with the client throttle's limit, and the
// database's connection string.
func newSessionsConn(t *testing.T, throttle Throttle, clientLimit int) (*Sessions, *db.Pool, db.ConnString) {
	t.Helper()
	pool, conn := dbtest.NewPool(t)
	secret, _ := NewSecret("sessions-test-secret-of-32-characters")
	passwords, err := NewPasswords(cheap, 4)
	if err != nil {
		t.Fatal(err)
	}
	clients := NewClientThrottle(pool, clientLimit)
	s := NewSessions(SessionsConfig{
		Pool: pool, Tokens: NewTokens(secret, time.Minute), Passwords: passwords, Clients: clients,
		Logger: slog.New(slog.DiscardHandler), RefreshTTL: time.Hour, Throttle: throttle,
	})
	return s, pool, conn
}

// addUser makes an account that logs in with password.
func addUser(t *testing.T, s *Sessions, pool *db.Pool, email, password string) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	u, err := pool.UserCreate(ctx, db.UserCreateParams{Email: email, DisplayName: "U"})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := s.Passwords.Hash(ctx, password)
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
