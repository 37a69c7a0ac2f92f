package db

import (
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
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
