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
// password never reaches a log: every way of printing it shows the password
// as "xxxxx". Value gives the real string to the driver.
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

// kvPassword matches a password in key=value form, quoted or not.
var kvPassword = regexp.MustCompile(`(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)`)

// Redacted is the connection string with its password replaced.
func (c ConnString) Redacted() string {
	if strings.Contains(c.value, "://") {
		u, err := url.Parse(c.value)
		if err != nil {
			// Fail closed: a URL that does not parse could hide its password anywhere.
			return "[unparseable connection URL]"
		}
		q := u.Query()
		if q.Has("password") {
			q.Set("password", "xxxxx")
			u.RawQuery = q.Encode()
		}
		return u.Redacted()
	}
	return kvPassword.ReplaceAllString(c.value, "${1}xxxxx")
}

func (c ConnString) String() string               { return c.Redacted() }
func (c ConnString) GoString() string             { return c.Redacted() }
func (c ConnString) Format(f fmt.State, _ rune)   { _, _ = f.Write([]byte(c.Redacted())) }
func (c ConnString) MarshalText() ([]byte, error) { return []byte(c.Redacted()), nil }
func (c ConnString) LogValue() slog.Value         { return slog.StringValue(c.Redacted()) }
