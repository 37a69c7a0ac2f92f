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
// secret, carrying sub (the user), iss, aud, iat and exp.
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

type verifiedToken struct {
	user    uuid.UUID
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

// Issue signs an access token for user.
func (t *Tokens) Issue(user uuid.UUID) (string, error) {
	now := t.now()
	claims := jwt.RegisteredClaims{
		Subject:   user.String(),
		Issuer:    Issuer,
		Audience:  jwt.ClaimStrings{Audience},
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret.Bytes())
}

// Verify checks an access token and returns its user.
func (t *Tokens) Verify(raw string) (uuid.UUID, error) {
	t.mu.RLock()
	v, ok := t.verified[raw]
	t.mu.RUnlock()
	if ok && t.now().Before(v.expires) {
		return v.user, nil
	}
	user, expires, err := t.verify(raw)
	if err != nil {
		return uuid.Nil, err
	}
	t.mu.Lock()
	if len(t.verified) >= maxVerified {
		t.verified = map[string]verifiedToken{}
	}
	t.verified[raw] = verifiedToken{user: user, expires: expires}
	t.mu.Unlock()
	return user, nil
}

// verify does the work of Verify: signature, algorithm and claims.
func (t *Tokens) verify(raw string) (uuid.UUID, time.Time, error) {
	var claims jwt.RegisteredClaims
	_, err := t.parser.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) {
		return t.secret.Bytes(), nil
	})
	if err != nil {
		return uuid.Nil, time.Time{}, ErrInvalidToken // the client learns nothing of why
	}
	user, err := uuid.Parse(claims.Subject)
	if err != nil {
		return uuid.Nil, time.Time{}, ErrInvalidToken
	}
	// Remembered until exp plus the leeway the parser grants, no longer.
	return user, claims.ExpiresAt.Add(leeway), nil
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
