package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"marquee/auth"
	"marquee/db"
	"marquee/rules"
)

// accounts serves registration, tokens and the caller's own account.
type accounts struct {
	pool      *db.Pool
	passwords *auth.Passwords
	sessions  *auth.Sessions
	clients   *auth.ClientThrottle
	addrs     *clientAddrs
	cache     *auth.OwnershipCache // told of this instance's own account deletions at once
}

// user is the API's view of an account.
type user struct {
	ID          uuid.UUID `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	IsAdmin     bool      `json:"is_admin"`
	CreatedAt   time.Time `json:"created_at"`
}

func userOf(u db.User) user {
	return user{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, IsAdmin: u.IsAdmin, CreatedAt: u.CreatedAt.UTC()}
}

type tokenPair struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

func tokenPairOf(p auth.TokenPair) tokenPair {
	return tokenPair{AccessToken: p.AccessToken, TokenType: "Bearer", ExpiresIn: int(p.ExpiresIn.Seconds()), RefreshToken: p.RefreshToken}
}

// Password and name limits (openapi.yaml, RegisterRequest).
const (
	minPassword    = 12
	maxPassword    = 128
	maxDisplayName = 100
	maxEmail       = 254
)

// newPassword requires the value of field to be a valid new password: the
// one rule is its length, 12 to 128 characters.
func (c *checks) newPassword(field, s string) {
	n := utf8.RuneCountInString(s)
	c.require(n >= minPassword && n <= maxPassword, field, "must be 12 to 128 characters")
}

// validEmail accepts a bare address (no display name, no angle brackets).
func validEmail(s string) bool {
	if len(s) > maxEmail {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}

func (a *accounts) register(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email       string `json:"email"`
		Password    string `json:"password"`
		DisplayName string `json:"display_name"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	email := auth.NormaliseEmail(in.Email)
	name, nameOK := text(in.DisplayName, 1, maxDisplayName)
	var c checks
	c.require(validEmail(email), "email", "must be an email address")
	c.newPassword("password", in.Password)
	c.require(nameOK, "display_name", "must be 1 to 100 characters, without control characters")
	if err := c.err(); err != nil {
		return err
	}
	// A refused registration counts against its client like a failed login:
	// each tells whether an account exists.
	attempt, err := a.clients.Attempt(r.Context(), a.addrs.of(r))
	if err != nil {
		return err
	}
	// A taken email is refused before its password is hashed: the 409 says
	// the account exists, so answering sooner tells nothing more, and the
	// refusals cost no hashing.
	if _, err := a.pool.UserGetByEmail(r.Context(), email); err == nil {
		return errEmailTaken
	} else if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	hash, err := a.passwords.Hash(r.Context(), in.Password)
	if err != nil {
		return err
	}
	var created db.User
	err = a.pool.InTx(r.Context(), func(q *db.Queries) error {
		var err error
		if created, _, err = rules.CreateAccount(r.Context(), q, email, name, hash); err != nil {
			return err
		}
		return attempt.Forgive(r.Context(), q)
	})
	if errors.Is(err, db.ErrConflict) {
		err = errEmailTaken
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, userOf(created))
	return nil
}

var errEmailTaken = &Error{Status: http.StatusConflict, Detail: "an account with this email already exists"}

func (a *accounts) login(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email      string  `json:"email"`
		Password   string  `json:"password"`
		DeviceName *string `json:"device_name"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	var c checks
	c.require(strings.TrimSpace(in.Email) != "", "email", "is required")
	c.require(in.Password != "", "password", "is required")
	device := deviceFromUserAgent(r.UserAgent())
	if in.DeviceName != nil {
		device = strings.TrimSpace(*in.DeviceName)
		n := utf8.RuneCountInString(device)
		c.require(n >= 1 && n <= maxDeviceName && printable(device), "device_name",
			"must be 1 to 64 printable characters")
	}
	if err := c.err(); err != nil {
		return err
	}
	email := auth.NormaliseEmail(in.Email)
	if !validEmail(email) || utf8.RuneCountInString(in.Password) > maxPassword {
		// No account can have these: refuse like a wrong password, before
		// any lookup, so that junk never reaches the throttle's table.
		return auth.ErrBadCredentials
	}
	pair, err := a.sessions.Login(r.Context(), a.addrs.of(r), email, in.Password, device)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tokenPairOf(pair))
	return nil
}

// maxDeviceName is the longest name of a session's device, in characters.
const maxDeviceName = 64

// deviceFromUserAgent names the device of a login that names none: its
// User-Agent, without control characters, cut to maxDeviceName characters,
// or "unknown".
func deviceFromUserAgent(ua string) string {
	ua = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, ua))
	if ua == "" {
		return "unknown"
	}
	if r := []rune(ua); len(r) > maxDeviceName {
		ua = strings.TrimSpace(string(r[:maxDeviceName]))
	}
	return ua
}

// printable reports whether s has no control characters.
func printable(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError })
}

// refreshBody is the body of refresh and logout.
type refreshBody struct {
	RefreshToken string `json:"refresh_token"`
}

func readRefreshToken(w http.ResponseWriter, r *http.Request) (string, error) {
	var in refreshBody
	if err := decode(w, r, &in); err != nil {
		return "", err
	}
	if in.RefreshToken == "" || len(in.RefreshToken) > 256 {
		return "", invalid(FieldError{Field: "refresh_token", Message: "is required"})
	}
	return in.RefreshToken, nil
}

func (a *accounts) refresh(w http.ResponseWriter, r *http.Request) error {
	token, err := readRefreshToken(w, r)
	if err != nil {
		return err
	}
	pair, err := a.sessions.Refresh(r.Context(), token)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tokenPairOf(pair))
	return nil
}

func (a *accounts) logout(w http.ResponseWriter, r *http.Request) error {
	token, err := readRefreshToken(w, r)
	if err != nil {
		return err
	}
	if err := a.sessions.Logout(r.Context(), token); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *accounts) me(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, userOf(caller(r.Context())))
	return nil
}

// deleteAccount deletes the caller's account and everything under it, once
// its password is given again: a wrong one counts in both login throttles
// (auth.Sessions.CheckPassword). The last admin's is refused (409).
func (a *accounts) deleteAccount(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Password string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Password == "" {
		return invalid(FieldError{Field: "password", Message: "is required"})
	}
	ctx := r.Context()
	me := caller(ctx)
	if err := a.sessions.CheckPassword(ctx, a.addrs.of(r), me, in.Password); err != nil {
		return err
	}
	err := a.pool.InTx(ctx, func(q *db.Queries) error { return rules.DeleteAccount(ctx, q, me.ID) })
	a.cache.ForgetUser(me.ID)
	if errors.Is(err, db.ErrNotFound) {
		err = auth.ErrInvalidToken // deleted meanwhile by a request of its own
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// caller is the authenticated user; the router only sends authenticated
// requests to handlers that call it.
func caller(ctx context.Context) db.User {
	u, ok := auth.UserFrom(ctx)
	if !ok {
		panic("handlers: no authenticated user: route registered outside the Authenticate guard")
	}
	return u
}
