package handlers

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"marquee/db/dbtest"
)

// forge signs claims with method and key, as an attacker would.
func forge(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestForgedTokens_AllRefusedAndNoneReachesAnotherUsersData(t *testing.T) {
	t.Parallel()
	f := setup(t)
	victim := f.register(t, "Victim")
	deleted := f.register(t, "Deleted")
	dbtest.Exec(t, f.conn, "DELETE FROM users WHERE id = $1", deleted.user.ID)

	secret := testSecret.Bytes()
	now := time.Now()
	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"sub": victim.user.ID.String(), "sid": sessionOf(t, victim.tokens.AccessToken),
			"iss": "marquee", "aud": "marquee", "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
		if edit != nil {
			edit(c)
		}
		return c
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	// Tampered: a valid token of the attacker's, its payload swapped for the victim's.
	attacker := f.register(t, "Attacker")
	ended := f.register(t, "Ended")
	if resp := f.api.Do(http.MethodPost, "/v1/auth/logout", refreshBody{ended.tokens.RefreshToken}); resp.Status != http.StatusNoContent {
		t.Fatalf("logout = %d", resp.Status)
	}
	parts := strings.Split(attacker.tokens.AccessToken, ".")
	payload, _ := json.Marshal(claims(nil))
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]

	cases := map[string]string{
		"alg none":          forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil)),
		"HS384 real secret": forge(t, jwt.SigningMethodHS384, secret, claims(nil)),
		"HS512 real secret": forge(t, jwt.SigningMethodHS512, secret, claims(nil)),
		"RS256 own key":     forge(t, jwt.SigningMethodRS256, rsaKey, claims(nil)),
		"wrong secret":      forge(t, jwt.SigningMethodHS256, []byte("another-secret-of-32-characters!!"), claims(nil)),
		"expired":           forge(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-2 * time.Minute).Unix() })),
		"nbf in the future": forge(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["nbf"] = now.Add(5 * time.Minute).Unix() })),
		"iat in the future": forge(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["iat"] = now.Add(5 * time.Minute).Unix() })),
		"wrong iss":         forge(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["iss"] = "evil" })),
		"no iss":            forge(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "iss") })),
		"wrong aud":         forge(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["aud"] = "other-service" })),
		"missing exp":       forge(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "exp") })),
		"sub not a UUID":    forge(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["sub"] = "admin" })),
		"tampered payload":  tampered,
		"deleted account":   deleted.tokens.AccessToken,
		"unknown account":   forge(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["sub"] = uuid.NewString() })),
		"no session":        forge(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "sid") })),
		"unknown session":   forge(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["sid"] = uuid.NewString() })),
		"session not UUID":  forge(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["sid"] = "{" + c["sid"].(string) + "}" })),
		"another's session": forge(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["sid"] = sessionOf(t, attacker.tokens.AccessToken) })),
		"narrowed, not so":  forge(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["pid"] = victim.profile.ID.String() })),
		"ended session":     ended.tokens.AccessToken,
		"not a JWT":         "Zm9vYmFy",
	}
	victimProfile := "/v1/profiles/" + victim.profile.ID.String()
	for name, token := range cases {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"/v1/me", victimProfile, "/v1/admin/users"} {
				resp := f.api.As(token).Do(http.MethodGet, path, nil)
				if resp.Status != http.StatusUnauthorized {
					t.Fatalf("GET %s = %d %s, want 401", path, resp.Status, resp.Body)
				}
				if ch := resp.Header.Get("WWW-Authenticate"); ch != `Bearer realm="marquee", error="invalid_token"` {
					t.Fatalf("WWW-Authenticate = %q", ch)
				}
				if d := resp.Problem(t).Detail; d != "the access token is invalid or expired" {
					t.Fatalf("detail %q: a refusal must not say why", d)
				}
			}
		})
	}
	// The control: a correctly made token for the victim does work, so the
	// refusals above are about the forgeries, not the requests.
	good := forge(t, jwt.SigningMethodHS256, secret, claims(nil))
	if resp := f.api.As(good).Do(http.MethodGet, victimProfile, nil); resp.Status != http.StatusOK {
		t.Fatalf("a well-made token = %d", resp.Status)
	}
	// Within the 30 s leeway, a just-expired token still passes.
	skewed := forge(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-10 * time.Second).Unix() }))
	if resp := f.api.As(skewed).Do(http.MethodGet, "/v1/me", nil); resp.Status != http.StatusOK {
		t.Fatalf("a token expired 10 s ago = %d, want 200 within the leeway", resp.Status)
	}
}

// sessionOf is the sid claim of an access token.
func sessionOf(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	var c struct {
		Session string `json:"sid"`
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err == nil {
		err = json.Unmarshal(payload, &c)
	}
	if err != nil || c.Session == "" {
		t.Fatalf("no sid in %q: %v", token, err)
	}
	return c.Session
}

func TestMissingToken_401WithBearerChallenge(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for _, h := range [][]string{nil, {"Authorization", "Basic dXNlcjpwYXNz"}, {"Authorization", "Bearer"}} {
		resp := f.api.Do(http.MethodGet, "/v1/me", nil, h...)
		if resp.Status != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != `Bearer realm="marquee"` {
			t.Fatalf("%v: %d %q", h, resp.Status, resp.Header.Get("WWW-Authenticate"))
		}
	}
}
