package auth

import (
	"fmt"
	"log/slog"
	"unicode/utf8"
)

// MinSecretLength is the shortest JWT_SECRET Marquee accepts, in characters.
const MinSecretLength = 32

// Redacted is what a secret prints as, however it is printed.
const Redacted = "[REDACTED]"

// Secret holds the token signing key. Every way of printing, logging or
// serialising it yields Redacted; only Bytes reveals it, to the signer.
type Secret struct {
	value string
}

// NewSecret wraps s and checks it as Validate does.
func NewSecret(s string) (Secret, error) {
	secret := Secret{value: s}
	return secret, secret.Validate()
}

// Validate refuses an empty secret and one shorter than MinSecretLength.
// The messages name the variable and the rule, never the value.
func (s Secret) Validate() error {
	if s.value == "" {
		return fmt.Errorf("JWT_SECRET is required: set it to a random string of at least %d characters", MinSecretLength)
	}
	if n := utf8.RuneCountInString(s.value); n < MinSecretLength {
		return fmt.Errorf("JWT_SECRET is too short: %d characters, the minimum is %d", n, MinSecretLength)
	}
	return nil
}

// EnvDecode lets go-envconfig fill a Secret. It accepts anything: Validate
// judges it afterwards, so that no decoder error can ever quote the value.
func (s *Secret) EnvDecode(v string) error {
	s.value = v
	return nil
}

// Bytes is the key itself, for signing and verifying tokens.
func (s Secret) Bytes() []byte { return []byte(s.value) }

func (Secret) String() string { return Redacted }

// GoString is what %#v prints.
func (Secret) GoString() string { return Redacted }

// Format prints Redacted for every verb, %x and %q included.
func (Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// MarshalJSON keeps the key out of JSON.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText keeps the key out of text encodings (JSON map keys, YAML).
func (Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// LogValue is what log/slog records.
func (Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }
