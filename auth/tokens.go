package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// The issuer and audience of Marquee's access tokens.
const (
	Issuer   = "marquee"
	Audience = "marquee"
)

// leeway tolerates clock skew between instances when checking exp, nbf, iat.
const leeway = 30 * time.Second

// Tokens issues and verifies access tokens: JWTs signed HS256 with the
// secret, carrying sub (the user), sid (the session), pid (the profile the
// session is narrowed to, if it is), iss, aud, iat and exp.
type Tokens struct {
	secret Secret
	ttl    time.Duration
	parser *jwt.Parser
	now    func() time.Time

	// verified remembers tokens already checked, until they expire: a
	// client sends the same token with every heartbeat for its lifetime,
	// and checking it again (HMAC, two JSON decodes) would cost far more
	// than the lookup.
	mu       sync.RWMutex
	verified map[string]verifiedToken
}

// Claims is what an access token says of its bearer. Whether the session
// is still live is for the database to say (Guard.Authenticate).
type Claims struct {
	User    uuid.UUID
	Session uuid.UUID
	Profile *uuid.UUID // the profile the session is narrowed to; nil: the whole account
}

// claims is the token's JSON.
type claims struct {
	jwt.RegisteredClaims
	Session string `json:"sid"`
	Profile string `json:"pid,omitempty"`
}

type verifiedToken struct {
	claims  Claims
	expires time.Time
}

// maxVerified bounds the memory of remembered tokens.
const maxVerified = 100_000

// NewTokens makes access tokens that live ttl.
func NewTokens(secret Secret, ttl time.Duration) *Tokens {
	t := &Tokens{secret: secret, ttl: ttl, now: time.Now, verified: map[string]verifiedToken{}}
	// Only HS256: "none", other HMAC sizes and any asymmetric algorithm (the
	// RS256 public-key confusion) are refused before the key is used. The
	// parser reads the same clock as the memory of verified tokens.
	t.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(leeway),
		jwt.WithTimeFunc(func() time.Time { return t.now() }),
	)
	return t
}

// TTL is how long an access token lives.
func (t *Tokens) TTL() time.Duration { return t.ttl }

// Issue signs an access token for c.
func (t *Tokens) Issue(c Claims) (string, error) {
	now := t.now()
	out := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   c.User.String(),
			Issuer:    Issuer,
			Audience:  jwt.ClaimStrings{Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
		},
		Session: c.Session.String(),
	}
	if c.Profile != nil {
		out.Profile = c.Profile.String()
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, out).SignedString(t.secret.Bytes())
}

// Verify checks an access token and returns its claims. A token without a
// session is invalid: it was issued before sessions existed, and nothing
// could end it.
func (t *Tokens) Verify(raw string) (Claims, error) {
	t.mu.RLock()
	v, ok := t.verified[raw]
	t.mu.RUnlock()
	if ok && t.now().Before(v.expires) {
		return v.claims, nil
	}
	c, expires, err := t.verify(raw)
	if err != nil {
		return Claims{}, err
	}
	t.mu.Lock()
	if len(t.verified) >= maxVerified {
		t.verified = map[string]verifiedToken{}
	}
	t.verified[raw] = verifiedToken{claims: c, expires: expires}
	t.mu.Unlock()
	return c, nil
}

// verify does the work of Verify: signature, algorithm and claims.
func (t *Tokens) verify(raw string) (Claims, time.Time, error) {
	var in claims
	_, err := t.parser.ParseWithClaims(raw, &in, func(*jwt.Token) (any, error) {
		return t.secret.Bytes(), nil
	})
	if err != nil {
		return Claims{}, time.Time{}, ErrInvalidToken // the client learns nothing of why
	}
	var c Claims
	if c.User, err = parseCanonical(in.Subject); err != nil {
		return Claims{}, time.Time{}, ErrInvalidToken
	}
	if c.Session, err = parseCanonical(in.Session); err != nil {
		return Claims{}, time.Time{}, ErrInvalidToken
	}
	if in.Profile != "" {
		p, err := parseCanonical(in.Profile)
		if err != nil {
			return Claims{}, time.Time{}, ErrInvalidToken
		}
		c.Profile = &p
	}
	// Remembered until exp plus the leeway the parser grants, no longer.
	return c, in.ExpiresAt.Add(leeway), nil
}

// parseCanonical parses a UUID in its canonical form only (uuid.Parse also
// takes braces, a urn: prefix and no hyphens).
func parseCanonical(s string) (uuid.UUID, error) {
	if len(s) != canonicalUUIDLength {
		return uuid.Nil, ErrInvalidToken
	}
	return uuid.Parse(s)
}

// newRefreshToken returns an opaque refresh token and the hash that is all
// the database keeps of it.
func newRefreshToken() (token string, hash []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashRefreshToken(token)
}

func hashRefreshToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Derive returns a key for another purpose (such as signing list cursors),
// derived from the secret so that operators manage one secret only.
func (s Secret) Derive(purpose string) []byte {
	if s.value == "" {
		panic(errors.New("auth: Derive on an empty secret"))
	}
	mac := hmac.New(sha256.New, []byte(s.value))
	mac.Write([]byte("marquee/" + purpose))
	return mac.Sum(nil)
}
