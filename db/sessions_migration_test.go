package db_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"marquee/db/dbtest"
	"marquee/schema"
)

// TestMigration_LiveRefreshFamiliesBecomeSessions: of the refresh token
// families in the database when sessions arrive, the live ones (a token
// neither spent, revoked nor expired) become sessions of device "unknown",
// with their spent tokens kept for reuse detection; the dead ones go.
func TestMigration_LiveRefreshFamiliesBecomeSessions(t *testing.T) {
	t.Parallel()
	conn := dbtest.Direct(t, dbtest.NewEmptyDatabase(t))
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(conn.Value())
	if err != nil {
		t.Fatal(err)
	}
	sqlDB := stdlib.OpenDB(*cfg)
	defer sqlDB.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, sqlDB, schema.FS)
	if err != nil {
		t.Fatal(err)
	}
	const sessions = 12 // schema/00012_sessions.sql
	if _, err := provider.UpTo(ctx, sessions-1); err != nil {
		t.Fatal(err)
	}
	dbtest.Exec(t, conn, `
INSERT INTO users (id, email, display_name) VALUES ('00000000-0000-0000-0000-0000000000a1', 'a@example.com', 'A');
INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at, spent_at, revoked_at, created_at) VALUES
  -- live: a spent token and the current one
  ('\x01', '00000000-0000-0000-0000-00000000f001', '00000000-0000-0000-0000-0000000000a1', now() + interval '1 day', now(), NULL, now() - interval '2 days'),
  ('\x02', '00000000-0000-0000-0000-00000000f001', '00000000-0000-0000-0000-0000000000a1', now() + interval '9 days', NULL, NULL, now() - interval '1 day'),
  -- revoked
  ('\x03', '00000000-0000-0000-0000-00000000f002', '00000000-0000-0000-0000-0000000000a1', now() + interval '9 days', NULL, now(), now()),
  -- expired
  ('\x04', '00000000-0000-0000-0000-00000000f003', '00000000-0000-0000-0000-0000000000a1', now() - interval '1 hour', NULL, NULL, now() - interval '31 days')`)
	if _, err := provider.UpTo(ctx, sessions); err != nil {
		t.Fatal(err)
	}
	got := dbtest.Strings(t, conn, `SELECT id || ' ' || user_id || ' ' || device || ' ' || (expires_at > now() + interval '8 days')::text FROM sessions`)
	if len(got) != 1 || got[0] != "00000000-0000-0000-0000-00000000f001 00000000-0000-0000-0000-0000000000a1 unknown true" {
		t.Fatalf("sessions after the migration: %q, want the one live family", got)
	}
	if n := dbtest.Count(t, conn, `SELECT count(*) FROM refresh_tokens WHERE session_id = '00000000-0000-0000-0000-00000000f001'`); n != 2 {
		t.Fatalf("the live session has %d tokens, want its 2 (the spent one detects reuse)", n)
	}
	if n := dbtest.Count(t, conn, `SELECT count(*) FROM refresh_tokens`); n != 2 {
		t.Fatalf("%d tokens in all, want the dead families' gone", n)
	}
	// The rest of the migrations apply on top, and the step rolls back.
	if _, err := provider.Up(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := provider.DownTo(ctx, sessions-1); err != nil {
		t.Fatal(err)
	}
	if n := dbtest.Count(t, conn, `SELECT count(*) FROM refresh_tokens WHERE family_id = '00000000-0000-0000-0000-00000000f001'`); n != 2 {
		t.Fatalf("after rolling back, the family has %d tokens", n)
	}
}
