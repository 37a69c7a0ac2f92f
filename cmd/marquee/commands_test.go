package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"marquee/db"
	"marquee/db/dbtest"
)

func TestPromote_MakesAdminAndAudits(t *testing.T) {
	t.Parallel()
	pool, conn := dbtest.NewPool(t)
	ctx := context.Background()
	u, err := pool.UserCreate(ctx, db.UserCreateParams{Email: "ops@example.com", DisplayName: "Ops"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"promote", " OPS@example.com "}, env(dbVars(t, conn)...), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "ops@example.com") {
		t.Fatalf("output %q", out.String())
	}
	got, err := pool.UserGet(ctx, u.ID)
	if err != nil || !got.IsAdmin {
		t.Fatalf("after promote: %+v %v", got, err)
	}
	if got, want := dbtest.AuditLog(t, pool), []string{"user.admin.grant user:" + u.ID.String() + " by operator"}; !slices.Equal(got, want) {
		t.Fatalf("audit = %q, want %q", got, want)
	}

	err = run(ctx, []string{"promote", "nobody@example.com"}, env(dbVars(t, conn)...), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no account with email nobody@example.com") {
		t.Fatalf("unknown email: %v", err)
	}
	if err := run(ctx, []string{"promote"}, env(), io.Discard, io.Discard); !errors.Is(err, errUsage) {
		t.Fatalf("promote without an email: %v", err)
	}
}

func TestRun_UnknownCommandAndMigrateStatus(t *testing.T) {
	t.Parallel()
	if err := run(context.Background(), []string{"frobnicate"}, env(), io.Discard, io.Discard); !errors.Is(err, errUsage) {
		t.Fatalf("unknown command: %v", err)
	}
	conn := dbtest.NewDatabase(t)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "status"}, env(dbVars(t, conn)...), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "00002_accounts.sql") || strings.Contains(out.String(), "pending") {
		t.Fatalf("status of a migrated database:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"migrate", "sideways"}, env(), io.Discard, io.Discard); !errors.Is(err, errUsage) {
		t.Fatalf("migrate sideways: %v", err)
	}
}
