package db

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ConnString is a PostgreSQL connection string (URL or key=value form) whose
// secrets never reach a log: every way of printing it shows the password,
// and every other secret-bearing parameter, as "xxxxx". Value gives the real
// string to the driver.
type ConnString struct {
	value string
}

// NewConnString wraps s.
func NewConnString(s string) ConnString { return ConnString{value: s} }

// EnvDecode lets go-envconfig fill a ConnString.
func (c *ConnString) EnvDecode(v string) error {
	c.value = v
	return nil
}

// Value is the connection string itself, password included.
func (c ConnString) Value() string { return c.value }

// ViaTransactionPooler reports whether the connection string sets pgx's
// default_query_exec_mode to anything but cache_statement: no named prepared
// statements, the way through a transaction pooler such as PgBouncer (1.18
// cannot carry them from one transaction to the next). Such a pooler cannot
// carry session settings, session locks or LISTEN either.
func (c ConnString) ViaTransactionPooler() bool {
	cfg, err := pgx.ParseConfig(c.value)
	return err == nil && cfg.DefaultQueryExecMode != pgx.QueryExecModeCacheStatement
}

// Check parses the connection string as pgx will, and says why it does not
// parse without quoting it (pgx's own error quotes it whole, and its
// redaction misses some of libpq's legal forms, such as "password = 'a b'").
func (c ConnString) Check() error {
	_, err := pgx.ParseConfig(c.value)
	if err == nil {
		return nil
	}
	if reason := errors.Unwrap(err); reason != nil {
		return fmt.Errorf("is not a valid PostgreSQL connection string: %v", reason)
	}
	return errors.New("is not a valid PostgreSQL connection string")
}

// secretKey matches the parameters whose values are redacted: every name
// that speaks of a password, key, secret, token or credential, in any case
// (password, sslpassword, sslkey, passfile, oauth_client_secret, ...). It
// matches names rather than listing libpq's parameters so that one added
// later (as PostgreSQL 18 added oauth_client_secret), or a setting of the
// server's passed through, stays out of the logs without a change here; the
// price is that the paths in sslkey and passfile are hidden too, and the
// operator can read those in the environment.
var secretKey = regexp.MustCompile(`(?i)pass|secret|key|token|cred`)

// parameterName is what a parameter's name may hold. A name with anything
// else is no parameter anyone meant (perhaps a secret pasted in the wrong
// place): the whole string is then withheld.
var parameterName = regexp.MustCompile(`^[A-Za-z0-9_.]+$`)

const redacted = "xxxxx"

// Redacted is the connection string with every secret-bearing value
// replaced by "xxxxx": the URL's password and, in either form, every
// parameter secretKey names. A string that cannot be taken apart as pgx
// would is withheld whole.
func (c ConnString) Redacted() string {
	// Any "://" (not only pgx's postgres:// and postgresql://) is read as a
	// URL, whose password would hide from the key=value reading.
	if scheme, rest, ok := strings.Cut(c.value, "://"); ok {
		if r, ok := redactURL(rest); ok {
			return scheme + "://" + r
		}
		return "[unparseable connection URL]"
	}
	if r, ok := redactKeywordValue(c.value); ok {
		return r
	}
	return "[unparseable connection string]"
}

// redactURL redacts what follows a URL's "://". The password runs from the
// first ':' to the '@' that ends the user information: pgx (like libpq)
// takes the first '@' before any '/', net/url the last one before a '/' or
// '?'. Redacting up to the last '@' before both the first '/' and the first
// '?' covers either reading, and a malformed URL too, at the price of hiding
// more than the password in a URL that holds an '@' elsewhere.
func redactURL(rest string) (string, bool) {
	end := func(c byte) int {
		if i := strings.IndexByte(rest, c); i >= 0 {
			return i
		}
		return len(rest)
	}
	if at := strings.LastIndexByte(rest[:max(end('/'), end('?'))], '@'); at >= 0 {
		if colon := strings.IndexByte(rest[:at], ':'); colon >= 0 {
			rest = rest[:colon+1] + redacted + rest[at:]
		}
	}
	rest, query, ok := strings.Cut(rest, "?")
	if !ok {
		return rest, true
	}
	pairs := strings.Split(query, "&")
	for i, pair := range pairs {
		if pair == "" {
			continue
		}
		rawKey, _, found := strings.Cut(pair, "=")
		key, err := url.PathUnescape(rawKey)
		key = strings.TrimSpace(key)
		if !found || err != nil || !parameterName.MatchString(key) {
			return "", false
		}
		if secretKey.MatchString(key) {
			pairs[i] = rawKey + "=" + redacted
		}
	}
	return rest + "?" + strings.Join(pairs, "&"), true
}

// redactKeywordValue reads "key = value ..." as pgx does (a value is quoted
// with ' or runs to the next space; a backslash escapes the next character)
// and redacts the values of secret keys.
func redactKeywordValue(s string) (string, bool) {
	const spaces = " \t\n\r\v\f"
	var b strings.Builder
	for {
		rest := strings.TrimLeft(s, spaces)
		if rest == "" {
			b.WriteString(s)
			return b.String(), true
		}
		eq := strings.IndexByte(rest, '=')
		if eq < 0 {
			return "", false
		}
		key := strings.TrimRight(rest[:eq], spaces)
		if !parameterName.MatchString(key) {
			return "", false
		}
		value := strings.TrimLeft(rest[eq+1:], spaces)
		n, ok := valueLength(value)
		if !ok {
			return "", false
		}
		b.WriteString(s[:len(s)-len(value)])
		switch {
		case n == 0 || !secretKey.MatchString(key):
			b.WriteString(value[:n])
		case value[0] == '\'':
			b.WriteString("'" + redacted + "'")
		default:
			b.WriteString(redacted)
		}
		s = value[n:]
	}
}

// valueLength is the length of the value v starts with, quotes included.
func valueLength(v string) (int, bool) {
	if v == "" {
		return 0, true
	}
	if v[0] == '\'' {
		for i := 1; i < len(v); i++ {
			switch v[i] {
			case '\\':
				i++
			case '\'':
				return i + 1, true
			}
		}
		return 0, false // unterminated
	}
	i := 0
	for ; i < len(v) && !strings.ContainsRune(" \t\n\r\v\f", rune(v[i])); i++ {
		if v[i] == '\\' {
			i++
		}
	}
	return min(i, len(v)), true
}

func (c ConnString) String() string { return c.Redacted() }

// GoString is what %#v prints.
func (c ConnString) GoString() string { return c.Redacted() }

// Format prints the redacted form for every verb, %x and %q included.
func (c ConnString) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.Redacted())) }

// MarshalText keeps the secrets out of text encodings (JSON, YAML).
func (c ConnString) MarshalText() ([]byte, error) { return []byte(c.Redacted()), nil }

// LogValue is what log/slog records.
func (c ConnString) LogValue() slog.Value { return slog.StringValue(c.Redacted()) }
