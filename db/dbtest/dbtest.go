// Package dbtest gives tests their own PostgreSQL database: a clone of a
// template that is migrated once per set of migrations, dropped when the test
// ends. It also holds a TCP proxy that can refuse, stall or slow the database.
//
// With TEST_POOLER_URL set (make test-pgbouncer), the URL of a transaction
// pooler such as PgBouncer in front of the test server, with pgx's
// default_query_exec_mode, the databases are still created on the server,
// but the code under test reaches them through the pooler; Direct gives the
// way around it, for what a transaction pooler cannot carry.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"marquee/db"
	"marquee/schema"
)

// DefaultURL is the server tests use when neither TEST_DATABASE_URL nor
// DATABASE_URL is set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// templateLockID serialises template creation across test processes.
const templateLockID = 7_312_445_001

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// ServerURL is the connection string of the test server's maintenance
// database ("postgres").
func ServerURL(t testing.TB) *url.URL {
	t.Helper()
	s := os.Getenv("TEST_DATABASE_URL")
	if s == "" {
		s = os.Getenv("DATABASE_URL")
	}
	if s == "" {
		s = DefaultURL
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("dbtest: TEST_DATABASE_URL or DATABASE_URL must be a postgres:// URL")
	}
	u.Path = "/postgres"
	return u
}

// poolerURL is TEST_POOLER_URL, or nil.
func poolerURL(t testing.TB) *url.URL {
	t.Helper()
	s := os.Getenv("TEST_POOLER_URL")
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || !db.NewConnString(s).ViaTransactionPooler() {
		t.Fatalf("dbtest: TEST_POOLER_URL must be a postgres:// URL with a default_query_exec_mode other than cache_statement")
	}
	return u
}

// URLFor is the server's URL pointed at database name.
func URLFor(server *url.URL, name string) db.ConnString {
	u := *server
	u.Path = "/" + name
	return db.NewConnString(u.String())
}

// Direct is conn without the transaction pooler: the same database on the
// server itself. A connection string that goes direct already is returned
// as it is.
func Direct(t testing.TB, conn db.ConnString) db.ConnString {
	t.Helper()
	if !conn.ViaTransactionPooler() {
		return conn
	}
	u, err := url.Parse(conn.Value())
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	return URLFor(ServerURL(t), u.Path[1:])
}

// Pooled is conn through TEST_POOLER_URL's pooler when that is set, as
// NewDatabase's connection strings go; else conn itself.
func Pooled(t testing.TB, conn db.ConnString) db.ConnString {
	t.Helper()
	pooler := poolerURL(t)
	if pooler == nil {
		return conn
	}
	u, err := url.Parse(conn.Value())
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	return URLFor(pooler, u.Path[1:])
}

// NewDatabase creates a migrated database for t and drops it when t ends.
// The connection string goes through TEST_POOLER_URL when that is set.
func NewDatabase(t testing.TB) db.ConnString {
	t.Helper()
	server := ServerURL(t)
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(server) })
	if templateErr != nil {
		t.Fatalf("dbtest: template database: %v", templateErr)
	}
	name := createDatabase(t, server, "CREATE DATABASE %I TEMPLATE %I", templateName)
	if pooler := poolerURL(t); pooler != nil {
		return URLFor(pooler, name)
	}
	return URLFor(server, name)
}

// NewEmptyDatabase creates a database without any migration applied, for
// tests of the migrations themselves (which hold a session lock: always
// direct); it is dropped when t ends.
func NewEmptyDatabase(t testing.TB) db.ConnString {
	t.Helper()
	server := ServerURL(t)
	return URLFor(server, createDatabase(t, server, "CREATE DATABASE %I"))
}

// createDatabase creates a database of a new name and returns the name.
func createDatabase(t testing.TB, server *url.URL, format string, template ...string) string {
	t.Helper()
	name := "marquee_t_" + randomHex(6)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := execDDL(ctx, server, format, append([]string{name}, template...)...); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := execDDL(ctx, server, "DROP DATABASE IF EXISTS %I WITH (FORCE)", name); err != nil {
			t.Errorf("dbtest: drop database %s: %v", name, err)
		}
	})
	return name
}

// SmallPool is a pool configuration that lets many test packages share one
// server's connection limit.
var SmallPool = db.PoolConfig{Size: 2, Overflow: 4, Recycle: 30 * time.Minute, Timeout: 5 * time.Second, PrePing: time.Second}

// NewPool opens a SmallPool on a fresh database, closed when t ends.
func NewPool(t testing.TB) (*db.Pool, db.ConnString) {
	t.Helper()
	conn := NewDatabase(t)
	pool, err := db.Open(context.Background(), conn, SmallPool)
	if err != nil {
		t.Fatalf("dbtest: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool, conn
}

// ensureTemplate makes sure a database migrated with the current migrations
// exists, named after their hash, and returns its name. Test processes of
// one `go test ./...` run take turns under an advisory lock; the first builds
// the template, the others (and later runs) reuse it.
func ensureTemplate(server *url.URL) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	sum, err := migrationsHash()
	if err != nil {
		return "", err
	}
	name := "marquee_tpl_" + sum[:16]

	conn, err := pgx.Connect(ctx, server.String())
	if err != nil {
		return "", fmt.Errorf("connect to test server: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLockID); err != nil {
		return "", err
	}
	defer func() { _, _ = conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", templateLockID) }()

	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_build"
	if err := execDDL(ctx, server, "DROP DATABASE IF EXISTS %I WITH (FORCE)", building); err != nil {
		return "", err
	}
	if err := execDDL(ctx, server, "CREATE DATABASE %I", building); err != nil {
		return "", err
	}
	if err := db.Migrate(ctx, URLFor(server, building), "up", io.Discard); err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if err := execDDL(ctx, server, "ALTER DATABASE %I RENAME TO %I", building, name); err != nil {
		return "", err
	}
	return name, nil
}

// execDDL runs a statement about databases, whose names cannot be bind
// parameters: PostgreSQL's format() quotes them with %I, so no SQL is
// assembled in Go.
func execDDL(ctx context.Context, server *url.URL, format string, names ...string) error {
	conn, err := pgx.Connect(ctx, server.String())
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var stmt string
	if err := conn.QueryRow(ctx, "SELECT format($1::text, VARIADIC $2::text[])", format, names).Scan(&stmt); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, stmt)
	return err
}

// migrationsHash identifies the current set of migrations.
func migrationsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(schema.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(schema.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Snapshot (like Exec and Count, on the server itself) dumps every row of every table except the append-only logs
// (audit_log, login_failures, goose_db_version), for tests that must show a
// request changed nothing. A session's last use is left out: any request
// may record it.
func Snapshot(t testing.TB, conn db.ConnString) string {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, Direct(t, conn).Value())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var dump string
	err = c.QueryRow(ctx, `
		SELECT coalesce(string_agg(c.relname || E'\n' ||
			query_to_xml(CASE c.relname
				WHEN 'sessions' THEN 'SELECT id, user_id, device, profile_id, created_at, expires_at FROM sessions ORDER BY 1'
				ELSE format('SELECT * FROM %I ORDER BY 1', c.relname) END, true, false, '')::text, E'\n' ORDER BY c.relname), '')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind = 'r'
		  AND c.relname NOT IN ('goose_db_version', 'audit_log', 'login_failures')`).Scan(&dump)
	if err != nil {
		t.Fatal(err)
	}
	return dump
}

// RowsNaming counts, for every column of the schema that can hold an
// account's or a profile's id (users.id, profiles.id, any column named
// user_id or profile_id, any column with a foreign key to users or
// profiles), the rows whose value is one of ids: "table.column" → rows. It
// finds the columns in the catalog, so that a table added later is counted
// without anyone listing it.
func RowsNaming(t testing.TB, conn db.ConnString, ids []uuid.UUID) map[string]int {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, Direct(t, conn).Value())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	texts := make([]string, len(ids))
	for i, id := range ids {
		texts[i] = id.String()
	}
	rows, err := c.Query(ctx, `
		WITH places AS (
			SELECT c.relname::text AS tbl, a.attname::text AS col
			FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace
			JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
			WHERE n.nspname = 'public' AND c.relkind = 'r'
			  AND (a.attname IN ('user_id', 'profile_id')
			       OR (c.relname, a.attname) IN (('users', 'id'), ('profiles', 'id'))
			       OR EXISTS (SELECT 1 FROM pg_constraint k
			                  WHERE k.contype = 'f' AND k.conrelid = c.oid AND a.attnum = ANY (k.conkey)
			                    AND k.confrelid IN ('users'::regclass, 'profiles'::regclass)))
		)
		SELECT tbl || '.' || col, (xpath('/row/n/text()', query_to_xml(
			format('SELECT count(*) AS n FROM %I WHERE %I::text = ANY (%L::text[])', tbl, col, $1::text[]),
			false, true, '')))[1]::text::int
		FROM places`, texts)
	if err != nil {
		t.Fatalf("dbtest.RowsNaming: %v", err)
	}
	out := map[string]int{}
	for rows.Next() {
		var place string
		var n int
		if err := rows.Scan(&place, &n); err != nil {
			t.Fatalf("dbtest.RowsNaming: %v", err)
		}
		out[place] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("dbtest.RowsNaming: %v", err)
	}
	return out
}

// Exec runs one statement for a test's arrangement, such as deleting an
// account, which no query of the application does.
func Exec(t testing.TB, conn db.ConnString, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, Direct(t, conn).Value())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("dbtest.Exec: %v", err)
	}
}

// Hold runs statement (such as LOCK TABLE) in a transaction that stays open
// until release is called or t ends, for tests of what waits on its lock.
func Hold(t testing.TB, conn db.ConnString, statement string) (release func()) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, Direct(t, conn).Value())
	if err != nil {
		t.Fatal(err)
	}
	tx, err := c.Begin(ctx)
	if err == nil {
		_, err = tx.Exec(ctx, statement)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			if tx != nil {
				_ = tx.Rollback(ctx)
			}
			_ = c.Close(ctx)
		})
	}
	t.Cleanup(release)
	if err != nil {
		t.Fatalf("dbtest.Hold: %v", err)
	}
	return release
}

// Count runs a query that returns one number, for assertions on rows the API
// does not show (such as those of a deleted profile).
func Count(t testing.TB, conn db.ConnString, sql string, args ...any) int {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, Direct(t, conn).Value())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var n int
	if err := c.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		t.Fatalf("dbtest.Count: %v", err)
	}
	return n
}

// Strings runs a query of one text column for a test's check.
func Strings(t testing.TB, conn db.ConnString, sql string, args ...any) []string {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, Direct(t, conn).Value())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	rows, err := c.Query(ctx, sql, args...)
	if err != nil {
		t.Fatalf("dbtest.Strings: %v", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("dbtest.Strings: %v", err)
	}
	return out
}

// AuditLog is the audit log, newest first, a line a row: "action target by
// actor", actor "operator" for a row without one (a write at the command
// line).
func AuditLog(t testing.TB, pool *db.Pool) []string {
	t.Helper()
	rows, err := pool.AuditList(context.Background(), db.AuditListParams{BeforeAt: time.Now().Add(time.Hour), BeforeID: uuid.Max, Lim: 1000})
	if err != nil {
		t.Fatalf("dbtest.AuditLog: %v", err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		actor := "operator"
		if r.ActorID != nil {
			actor = r.ActorID.String()
		}
		out[i] = r.Action + " " + r.Target + " by " + actor
	}
	return out
}
