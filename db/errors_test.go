package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestTranslate(t *testing.T) {
	t.Parallel()
	internal := errors.New("something else")
	cases := []struct {
		name string
		in   error
		want error // nil: passes through unchanged
	}{
		{"no rows", pgx.ErrNoRows, ErrNotFound},
		{"wrapped no rows", fmt.Errorf("scan: %w", pgx.ErrNoRows), ErrNotFound},
		{"unique", &pgconn.PgError{Code: "23505", ConstraintName: "users_email_key"}, ErrConflict},
		{"foreign key", &pgconn.PgError{Code: "23503"}, ErrMissingReference},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, ErrUnavailable},
		{"cannot connect now", &pgconn.PgError{Code: "57P03"}, ErrUnavailable},
		{"too many connections", &pgconn.PgError{Code: "53300"}, ErrUnavailable},
		{"connection exception", &pgconn.PgError{Code: "08006"}, ErrUnavailable},
		{"unexpected EOF", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), ErrUnavailable},
		{"syntax error", &pgconn.PgError{Code: "42601"}, nil},
		{"canceled", context.Canceled, nil},
		{"other", internal, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := translate(c.in)
			if c.want == nil {
				if got != c.in {
					t.Fatalf("translate(%v) = %v, want it unchanged", c.in, got)
				}
				return
			}
			if !errors.Is(got, c.want) {
				t.Fatalf("translate(%v) = %v, want %v", c.in, got, c.want)
			}
		})
	}
	var ce *ConstraintError
	if !errors.As(translate(&pgconn.PgError{Code: "23505", ConstraintName: "users_email_key"}), &ce) || ce.Constraint != "users_email_key" {
		t.Fatal("a unique violation does not name its constraint")
	}
}

func TestPoolConfig_Validate(t *testing.T) {
	t.Parallel()
	good := PoolConfig{Size: 20, Overflow: 10, Recycle: 1800e9, Timeout: 5e9}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]PoolConfig{
		"DB_POOL_SIZE":     {Size: 0, Overflow: 10, Recycle: 1, Timeout: 1},
		"DB_MAX_OVERFLOW":  {Size: 1, Overflow: -1, Recycle: 1, Timeout: 1},
		"DB_POOL_RECYCLE":  {Size: 1, Overflow: 0, Recycle: 0, Timeout: 1},
		"DB_POOL_TIMEOUT":  {Size: 1, Overflow: 0, Recycle: 1, Timeout: 0},
		"DB_POOL_PRE_PING": {Size: 1, Overflow: 0, Recycle: 1, Timeout: 1, PrePing: -1},
	} {
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%+v: Validate = %v, want an error naming %s", c, err, name)
		}
	}
}
