package db_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"marquee/db"
)

const secret = "S3cr3t-d0-not-print"

// secretKeys are the parameters of libpq and pgx that carry a secret or
// name one, and spellings a parameter's name may take.
var secretKeys = []string{"password", "sslpassword", "sslkey", "passfile", "oauth_client_secret", "PASSWORD", "SslPassword", "api_token", "credentials"}

func TestConnString_Redacted_EverySecretKeyInURLForm(t *testing.T) {
	t.Parallel()
	for _, key := range secretKeys {
		for _, form := range []string{"postgres://marquee@db.internal:5432/marquee?sslmode=require&%s=%s&application_name=app",
			"postgresql://marquee@db.internal/marquee?%s=%s"} {
			in := fmt.Sprintf(form, key, secret)
			checkRedacted(t, in, fmt.Sprintf(form, key, "xxxxx"))
		}
	}
}

func TestConnString_Redacted_EverySecretKeyInKeywordValueForm(t *testing.T) {
	t.Parallel()
	for _, key := range secretKeys {
		for _, form := range []struct{ in, want string }{
			{"host=db.internal %s=%s dbname=marquee", "host=db.internal %s=xxxxx dbname=marquee"},
			{"host=db.internal %s = %s dbname=marquee", "host=db.internal %s = xxxxx dbname=marquee"},
			{"%s =\t%s", "%s =\txxxxx"},
			{"host=db.internal %s='%s and more' dbname=marquee", "host=db.internal %s='xxxxx' dbname=marquee"},
			{`host=db.internal %s = '%s \' and more' dbname=marquee`, "host=db.internal %s = 'xxxxx' dbname=marquee"},
			{"%s='%s'dbname=marquee", "%s='xxxxx'dbname=marquee"},
			{`%s=%s\ and\ more sslmode=verify-full`, "%s=xxxxx sslmode=verify-full"},
		} {
			checkRedacted(t, fmt.Sprintf(form.in, key, secret), fmt.Sprintf(form.want, key))
		}
	}
}

func TestConnString_Redacted_URLPassword(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://marquee:" + secret + "@db.internal:5432/marquee?sslmode=require": "postgres://marquee:xxxxx@db.internal:5432/marquee?sslmode=require",
		// Several hosts, which net/url cannot parse.
		"postgresql://marquee:" + secret + "@h1:5432,h2:5433/marquee?target_session_attrs=read-write&sslpassword=" + secret: "postgresql://marquee:xxxxx@h1:5432,h2:5433/marquee?target_session_attrs=read-write&sslpassword=xxxxx",
		// Characters that should have been escaped: pgx ends the password at
		// the first '@', net/url at the last.
		"postgres://marquee:" + secret + "@?x@db.internal/marquee": "postgres://marquee:xxxxx@db.internal/marquee",
		"postgres://marquee:" + secret + "/x@db.internal/marquee":  "postgres://marquee:xxxxx@db.internal/marquee",
		"postgres://marquee:" + secret + "%zz@db.internal/marquee": "postgres://marquee:xxxxx@db.internal/marquee",
		// A key spelled with escapes.
		"postgres://db.internal/marquee?ssl%70assword=" + secret: "postgres://db.internal/marquee?ssl%70assword=xxxxx",
		// No password: nothing hidden, '@' in the database name or a value included.
		"postgres://marquee@[::1]:5432/marquee?sslmode=disable&sslcert=/etc/marquee/client.crt": "postgres://marquee@[::1]:5432/marquee?sslmode=disable&sslcert=/etc/marquee/client.crt",
		"postgres://db.internal/marquee?user=a@example.com":                                     "postgres://db.internal/marquee?user=a@example.com",
	} {
		checkRedacted(t, in, want)
	}
}

func TestConnString_Redacted_WithheldWholeWhenItDoesNotParse(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://db.internal/marquee?" + secret:              "[unparseable connection URL]",
		"postgres://db.internal/marquee?x%zz=" + secret:         "[unparseable connection URL]",
		"postgres://db.internal/marquee?" + secret + "+x=y":     "[unparseable connection URL]",
		"host=db.internal password='" + secret:                  "[unparseable connection string]",
		"host=db.internal " + secret:                            "[unparseable connection string]",
		"host=db.internal pass word=" + secret:                  "[unparseable connection string]",
		"host=db.internal " + secret + "!=x":                    "[unparseable connection string]",
		"POSTGRES://marquee:" + secret + "@db.internal/marquee": "POSTGRES://marquee:xxxxx@db.internal/marquee",
	} {
		checkRedacted(t, in, want)
	}
}

// checkRedacted checks Redacted and every other way of printing.
func checkRedacted(t *testing.T, in, want string) {
	t.Helper()
	c := db.NewConnString(in)
	if got := c.Redacted(); got != want {
		t.Errorf("%q redacted:\n got %q\nwant %q", in, got, want)
	}
	var logs strings.Builder
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "url", c)
	text, _ := c.MarshalText()
	for _, printed := range []string{c.String(), fmt.Sprintf("%v %+v %#v %s %q %x", c, c, c, c, c, c), string(text), logs.String()} {
		if strings.Contains(printed, secret) || strings.Contains(printed, "and more") {
			t.Errorf("%q printed as %q", in, printed)
		}
	}
}
