package auth

import (
	"cmp"
	"errors"
	"fmt"
	"time"
)

// The refusals of this package. The HTTP layer answers every error that
// wraps ErrUnauthenticated with 401 and WWW-Authenticate, ErrForbidden with
// 403 and ErrNotFound with 404; their messages are written for the client.
var (
	ErrUnauthenticated = errors.New("authentication required")
	ErrForbidden       = errors.New("forbidden")
	ErrNotFound        = errors.New("not found")

	// ErrInvalidToken: a bearer token was presented and refused.
	ErrInvalidToken = kind(ErrUnauthenticated, "the access token is invalid or expired")
	// ErrBadCredentials: unknown email or wrong password, indistinguishably.
	ErrBadCredentials = kind(ErrUnauthenticated, "wrong email or password")
	// ErrBadRefreshToken: unknown, expired, spent or revoked refresh token.
	ErrBadRefreshToken = kind(ErrUnauthenticated, "the refresh token is invalid, expired or revoked")
	// ErrWrongPassword: a signed-in account's password, asked again before
	// a change that needs it, is wrong.
	ErrWrongPassword = kind(ErrForbidden, "the password is wrong")
	// ErrWrongPIN: the PIN of a locked profile is wrong.
	ErrWrongPIN = kind(ErrForbidden, "the PIN is wrong")
	// ErrProfileLocked: a locked profile's viewing routes, to any session
	// not narrowed to it.
	ErrProfileLocked = kind(ErrForbidden, "the profile is locked: only a session narrowed to it with its PIN may use it")
	// ErrAccountSessionRequired: a route closed to sessions narrowed to a
	// profile; leaving narrowed mode takes a new login with the password.
	ErrAccountSessionRequired = kind(ErrForbidden, "this session is narrowed to one profile; sign in with the account's password for this")

	errMissingToken = kind(ErrUnauthenticated, "a bearer token is required")
	errNotOwner     = kind(ErrForbidden, "the profile does not exist or is not yours")
	errNotAdmin     = kind(ErrForbidden, "admin rights are required")
	// errNoSuchSession: another account's session, an unknown or ended one
	// and a malformed id, indistinguishably.
	errNoSuchSession = kind(ErrNotFound, "no such session")
)

type kindError struct {
	kind error
	msg  string
}

func kind(k error, msg string) error { return &kindError{k, msg} }
func (e *kindError) Error() string   { return e.msg }
func (e *kindError) Unwrap() error   { return e.kind }

// ThrottledError refuses a login while its email is locked out, or its
// client has used its limit of failures, and a PIN while its profile has had
// its limit of wrong ones.
type ThrottledError struct {
	RetryAfter time.Duration
	Of         string // what failed too often; "" means failed logins
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many %s; retry in %d seconds", cmp.Or(e.Of, "failed logins"), int(e.RetryAfter.Seconds()+0.999))
}
