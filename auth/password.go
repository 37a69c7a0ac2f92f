package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the cost of a password hash. They are stored in each hash
// (PHC string format), so raising them later leaves old hashes verifiable.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// OWASP is the OWASP Password Storage Cheat Sheet's argon2id setting:
// 19 MiB, two passes, one lane.
var OWASP = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
	// slotWait is how long a password check waits for a free slot before the
	// request is answered 503: under a login flood, memory stays bounded.
	slotWait = 10 * time.Second
)

// ErrBusy means too many password checks are running; the client should retry.
var ErrBusy = errors.New("too many sign-ins in progress; retry shortly")

// Passwords hashes and verifies passwords with argon2id, at most `slots` at a
// time, so that a flood of logins cannot exhaust memory (each check takes
// Memory KiB).
type Passwords struct {
	params Argon2Params
	slots  chan struct{}
	dummy  string // the hash checked for unknown emails
	checks atomic.Int64
	hashes atomic.Int64
}

// NewPasswords hashes with params, running at most concurrency at once.
func NewPasswords(params Argon2Params, concurrency int) (*Passwords, error) {
	p := &Passwords{params: params, slots: make(chan struct{}, max(concurrency, 1))}
	dummy, err := p.Hash(context.Background(), rand.Text())
	if err != nil {
		return nil, err
	}
	p.dummy = dummy
	return p, nil
}

// Checks counts the verifications done so far, dummy ones included.
func (p *Passwords) Checks() int64 { return p.checks.Load() }

// Hashes counts the hashes made so far, the dummy one included.
func (p *Passwords) Hashes() int64 { return p.hashes.Load() }

// Hash returns password's argon2id hash in PHC string format.
func (p *Passwords) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p.hashes.Add(1)
	key, err := p.derive(ctx, password, salt, p.params, keyLen)
	if err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.params.Memory, p.params.Time, p.params.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches encoded, in constant time.
func (p *Passwords) Verify(ctx context.Context, encoded, password string) (bool, error) {
	params, salt, want, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	p.checks.Add(1)
	got, err := p.derive(ctx, password, salt, params, uint32(len(want)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// VerifyDummy does the work of a verification against a hash no password
// matches, so that an unknown email takes as long as a wrong password.
func (p *Passwords) VerifyDummy(ctx context.Context, password string) error {
	_, err := p.Verify(ctx, p.dummy, password)
	return err
}

func (p *Passwords) derive(ctx context.Context, password string, salt []byte, params Argon2Params, n uint32) ([]byte, error) {
	timer := time.NewTimer(slotWait)
	defer timer.Stop()
	select {
	case p.slots <- struct{}{}:
	case <-timer.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.slots }()
	return argon2.IDKey([]byte(password), salt, params.Time, params.Memory, params.Threads, n), nil
}

// parseHash reads a PHC argon2id string: $argon2id$v=19$m=..,t=..,p=..$salt$key.
func parseHash(encoded string) (Argon2Params, []byte, []byte, error) {
	var params Argon2Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return params, nil, nil, errors.New("password hash: not argon2id")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return params, nil, nil, errors.New("password hash: unsupported version")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &params.Memory, &params.Time, &params.Threads); err != nil {
		return params, nil, nil, errors.New("password hash: bad parameters")
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return params, nil, nil, errors.New("password hash: bad salt")
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return params, nil, nil, errors.New("password hash: bad key")
	}
	return params, salt, key, nil
}
