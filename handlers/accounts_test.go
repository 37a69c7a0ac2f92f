package handlers

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"marquee/auth"
)

func TestRegister_CreatesAccountAndFirstProfile(t *testing.T) {
	t.Parallel()
	f := setup(t)
	resp := f.api.Do(http.MethodPost, "/v1/auth/register", map[string]string{
		"email": "  Ada.Lovelace@Example.COM ", "password": "analytical-engine-1843", "display_name": " Ada ",
	})
	var u user
	resp.JSON(t, &u)
	if resp.Status != http.StatusCreated || u.Email != "ada.lovelace@example.com" || u.DisplayName != "Ada" || u.IsAdmin {
		t.Fatalf("register = %d %+v", resp.Status, u)
	}
	tokens := f.login(t, "ADA.lovelace@example.com", "analytical-engine-1843")
	me := f.api.As(tokens.AccessToken).Do(http.MethodGet, "/v1/me", nil)
	var got user
	me.JSON(t, &got)
	if me.Status != http.StatusOK || got != u {
		t.Fatalf("GET /v1/me = %d %+v, want %+v", me.Status, got, u)
	}
	var profiles list[profile]
	f.api.As(tokens.AccessToken).Do(http.MethodGet, "/v1/profiles", nil).JSON(t, &profiles)
	if len(profiles.Items) != 1 || profiles.Items[0].Name != "Ada" || profiles.Items[0].MaxAge != 18 || profiles.Items[0].Kids {
		t.Fatalf("first profile = %+v", profiles.Items)
	}
	if tokens.TokenType != "Bearer" || tokens.ExpiresIn != 900 || tokens.RefreshToken == "" {
		t.Fatalf("token pair = %+v", tokens)
	}
}

func TestRegister_DuplicateEmail_Conflict(t *testing.T) {
	t.Parallel()
	f := setup(t)
	body := map[string]string{"email": "dup@example.com", "password": "long enough password", "display_name": "Dup"}
	if resp := f.api.Do(http.MethodPost, "/v1/auth/register", body); resp.Status != http.StatusCreated {
		t.Fatalf("first: %d", resp.Status)
	}
	body["email"] = " DUP@example.com"
	if resp := f.api.Do(http.MethodPost, "/v1/auth/register", body); resp.Status != http.StatusConflict {
		t.Fatalf("duplicate: %d %s", resp.Status, resp.Body)
	}
}

func TestRegister_InvalidValues_422NamingEachField(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cases := []struct {
		name  string
		body  map[string]string
		field string
	}{
		{"no at sign", map[string]string{"email": "nobody", "password": "long enough password", "display_name": "N"}, "email"},
		{"display name in email", map[string]string{"email": "Bob <bob@example.com>", "password": "long enough password", "display_name": "N"}, "email"},
		{"password of 11", map[string]string{"email": "a@example.com", "password": "elevenchars", "display_name": "N"}, "password"},
		{"password of 129", map[string]string{"email": "a@example.com", "password": strings.Repeat("p", 129), "display_name": "N"}, "password"},
		{"empty name", map[string]string{"email": "a@example.com", "password": "long enough password", "display_name": "  "}, "display_name"},
		{"control character", map[string]string{"email": "a@example.com", "password": "long enough password", "display_name": "a\u0007b"}, "display_name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := f.api.Do(http.MethodPost, "/v1/auth/register", c.body)
			p := resp.Problem(t)
			if resp.Status != http.StatusUnprocessableEntity || len(p.Errors) != 1 || p.Errors[0].Field != c.field {
				t.Fatalf("%d %+v, want 422 on %s", resp.Status, p, c.field)
			}
		})
	}
	// 12 and 128 characters are both fine.
	for _, pw := range []string{strings.Repeat("x", 12), strings.Repeat("ü", 128)} {
		resp := f.api.Do(http.MethodPost, "/v1/auth/register", map[string]string{"email": "edge" + pw[:2] + "@example.com", "password": pw, "display_name": "Edge"})
		if resp.Status != http.StatusCreated {
			t.Fatalf("password of %d characters: %d %s", len([]rune(pw)), resp.Status, resp.Body)
		}
	}
}

func TestRegister_MassAssignment_400AndNoAccount(t *testing.T) {
	t.Parallel()
	f := setup(t)
	resp := f.api.Do(http.MethodPost, "/v1/auth/register",
		`{"email":"mallory@example.com","password":"long enough password","display_name":"M","is_admin":true}`)
	if p := resp.Problem(t); resp.Status != http.StatusBadRequest || !strings.Contains(p.Detail, "is_admin") {
		t.Fatalf("is_admin in registration: %d %+v", resp.Status, p)
	}
	if _, err := f.pool.UserCredentials(context.Background(), "mallory@example.com"); err == nil {
		t.Fatal("the account was created anyway")
	}
	resp = f.api.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": "mallory@example.com", "password": "long enough password"})
	if resp.Status != http.StatusUnauthorized {
		t.Fatalf("login after refused registration: %d", resp.Status)
	}
}

func TestLogin_UnknownEmailAndWrongPassword_SameAnswerSameWork(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Grace")
	before := f.deps.Passwords.Checks()
	wrong := f.api.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": a.user.Email, "password": "not the password"})
	unknown := f.api.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": "nobody-here@example.com", "password": "not the password"})
	if wrong.Status != http.StatusUnauthorized || unknown.Status != http.StatusUnauthorized || string(wrong.Body) != string(unknown.Body) {
		t.Fatalf("wrong password %d %s, unknown email %d %s", wrong.Status, wrong.Body, unknown.Status, unknown.Body)
	}
	if wrong.Header.Get("WWW-Authenticate") != unknown.Header.Get("WWW-Authenticate") {
		t.Fatal("the challenges differ")
	}
	// Both ran one argon2id verification: an unknown email costs the same work.
	if n := f.deps.Passwords.Checks() - before; n != 2 {
		t.Fatalf("%d password verifications for two failed logins, want 2", n)
	}
}

func TestLogin_Throttled_429WithRetryAfterEvenWithTheRightPassword(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out a lock-out")
	}
	t.Parallel()
	f := setup(t, func(o *options) {
		o.throttle = auth.Throttle{Window: time.Minute, Threshold: 3, Lock: 2 * time.Second, MaxLock: time.Minute}
	})
	a := f.register(t, "Target")
	for i := range 3 {
		resp := f.api.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": a.user.Email, "password": "guess " + string(rune('a'+i))})
		if resp.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, resp.Status)
		}
	}
	checks := f.deps.Passwords.Checks()
	resp := f.api.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": a.user.Email, "password": a.password})
	if resp.Status != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after 3 failures: %d, Retry-After %q", resp.Status, resp.Header.Get("Retry-After"))
	}
	if f.deps.Passwords.Checks() != checks {
		t.Fatal("a locked-out login still ran a password check")
	}
	// Unknown emails are throttled alike, so a 429 says nothing about accounts.
	for range 3 {
		f.api.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": "ghost@example.com", "password": "whatever it is"})
	}
	if resp := f.api.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": "ghost@example.com", "password": "x"}); resp.Status != http.StatusTooManyRequests {
		t.Fatalf("unknown email after 3 failures: %d", resp.Status)
	}
	// Once the lock is over, the right password works and clears the count.
	time.Sleep(2100 * time.Millisecond)
	f.login(t, a.user.Email, a.password)
	if resp := f.api.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": a.user.Email, "password": "one more miss"}); resp.Status != http.StatusUnauthorized {
		t.Fatalf("first failure after a success: %d, want 401", resp.Status)
	}
}

func TestRefresh_RotatesAndDetectsReuse(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Rotor")
	refresh := func(token string) (int, tokenPair) {
		resp := f.api.Do(http.MethodPost, "/v1/auth/refresh", map[string]string{"refresh_token": token})
		var p tokenPair
		if resp.Status == http.StatusOK {
			resp.JSON(t, &p)
		}
		return resp.Status, p
	}
	status, second := refresh(a.tokens.RefreshToken)
	if status != http.StatusOK || second.RefreshToken == a.tokens.RefreshToken || second.AccessToken == "" {
		t.Fatalf("refresh = %d %+v", status, second)
	}
	if resp := f.api.As(second.AccessToken).Do(http.MethodGet, "/v1/me", nil); resp.Status != http.StatusOK {
		t.Fatalf("new access token: %d", resp.Status)
	}
	status, third := refresh(second.RefreshToken)
	if status != http.StatusOK {
		t.Fatalf("second refresh = %d", status)
	}
	// The first token is spent: presenting it again revokes the family,
	// including the newest token, which a thief could otherwise keep using.
	if status, _ := refresh(a.tokens.RefreshToken); status != http.StatusUnauthorized {
		t.Fatalf("reused token = %d, want 401", status)
	}
	if status, _ := refresh(third.RefreshToken); status != http.StatusUnauthorized {
		t.Fatalf("newest token after reuse = %d, want 401 (family revoked)", status)
	}
	// Another login is another family, untouched.
	other := f.login(t, a.user.Email, a.password)
	if status, _ := refresh(other.RefreshToken); status != http.StatusOK {
		t.Fatalf("another family's token = %d", status)
	}
	if status, _ := refresh("not-a-token"); status != http.StatusUnauthorized {
		t.Fatalf("unknown token = %d", status)
	}
}

func TestRefresh_ConcurrentUseOfOneToken_OneWinsThenFamilyRevoked(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Racer")
	var wg sync.WaitGroup
	statuses := make(chan int, 5)
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- f.api.Do(http.MethodPost, "/v1/auth/refresh", map[string]string{"refresh_token": a.tokens.RefreshToken}).Status
		}()
	}
	wg.Wait()
	close(statuses)
	ok := 0
	for s := range statuses {
		if s == http.StatusOK {
			ok++
		} else if s != http.StatusUnauthorized {
			t.Fatalf("status %d", s)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent refreshes with one token succeeded, want exactly 1", ok)
	}
}

func TestLogout_RevokesTheFamily(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Leaver")
	resp := f.api.Do(http.MethodPost, "/v1/auth/refresh", map[string]string{"refresh_token": a.tokens.RefreshToken})
	var next tokenPair
	resp.JSON(t, &next)
	if resp := f.api.Do(http.MethodPost, "/v1/auth/logout", map[string]string{"refresh_token": next.RefreshToken}); resp.Status != http.StatusNoContent {
		t.Fatalf("logout = %d %s", resp.Status, resp.Body)
	}
	if resp := f.api.Do(http.MethodPost, "/v1/auth/refresh", map[string]string{"refresh_token": next.RefreshToken}); resp.Status != http.StatusUnauthorized {
		t.Fatalf("refresh after logout = %d", resp.Status)
	}
	if resp := f.api.Do(http.MethodPost, "/v1/auth/logout", map[string]string{"refresh_token": "never-issued"}); resp.Status != http.StatusUnauthorized {
		t.Fatalf("logout with an unknown token = %d", resp.Status)
	}
	if resp := f.api.Do(http.MethodPost, "/v1/auth/logout", `{}`); resp.Status != http.StatusUnprocessableEntity {
		t.Fatalf("logout without a token = %d", resp.Status)
	}
}

// TestLogin_JunkEmailRefusedBeforeAnyLookup: emails no account can have
// (NUL, too long, not an address) get the wrong-password answer without
// touching the database or the throttle.
func TestLogin_JunkEmailRefusedBeforeAnyLookup(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Real")
	wrong := f.api.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": a.user.Email, "password": "not it at all"})
	before := f.deps.Passwords.Checks()
	for _, email := range []string{"victim\u0000@example.com", strings.Repeat("x", 7000) + "@example.com", "no-at-sign", "a@b@c"} {
		resp := f.api.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": email, "password": "whatever it is"})
		if resp.Status != http.StatusUnauthorized || string(resp.Body) != string(wrong.Body) {
			t.Errorf("login as %.20q = %d %s, want the wrong-password answer", email, resp.Status, resp.Body)
		}
	}
	if f.deps.Passwords.Checks() != before {
		t.Error("a junk email reached the password check")
	}
	big := f.api.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": strings.Repeat("x", maxBodyBytes), "password": "p"})
	if big.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("a login body over 1 MiB = %d, want 413", big.Status)
	}
}

func TestTokenAnswers_NotCached(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.register(t, "Cache")
	resp := f.api.Do(http.MethodPost, "/v1/auth/login", map[string]string{"email": a.user.Email, "password": a.password})
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("login answer Cache-Control = %q, want no-store", resp.Header.Get("Cache-Control"))
	}
}
