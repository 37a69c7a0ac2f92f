package db_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"marquee/db"
	"marquee/db/dbtest"
	"marquee/schema"
)

func migrationCount(t *testing.T) int {
	t.Helper()
	files, err := fs.Glob(schema.FS, "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	return len(files)
}

func TestMigrate_ConcurrentUpAppliesEachOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("migrates empty databases concurrently")
	}
	t.Parallel()
	conn := dbtest.NewEmptyDatabase(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.Migrate(context.Background(), conn, "up", io.Discard)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent migrate up: %v", err)
		}
	}
	ctx := context.Background()
	c, err := pgx.Connect(ctx, conn.Value())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var applied, distinct int
	if err := c.QueryRow(ctx, "SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0").Scan(&applied, &distinct); err != nil {
		t.Fatal(err)
	}
	if want := migrationCount(t); applied != want || distinct != want {
		t.Fatalf("%d rows for %d versions, want each of the %d migrations applied once", applied, distinct, want)
	}
}

func TestMigrate_StatusDownUp(t *testing.T) {
	if testing.Short() {
		t.Skip("rolls every migration back and applies it again")
	}
	t.Parallel()
	conn := dbtest.NewEmptyDatabase(t)
	ctx := context.Background()
	status := func() string {
		var out bytes.Buffer
		if err := db.Migrate(ctx, conn, "status", &out); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	n := migrationCount(t)
	if s := status(); strings.Count(s, "pending") != n {
		t.Fatalf("fresh database status:\n%s", s)
	}
	if err := db.Migrate(ctx, conn, "up", io.Discard); err != nil {
		t.Fatal(err)
	}
	if s := status(); strings.Count(s, "applied") != n {
		t.Fatalf("after up:\n%s", s)
	}
	if err := db.Migrate(ctx, conn, "down", io.Discard); err != nil {
		t.Fatal(err)
	}
	if s := status(); strings.Count(s, "applied") != n-1 || strings.Count(s, "pending") != 1 {
		t.Fatalf("after down:\n%s", s)
	}
	var out bytes.Buffer
	if err := db.Migrate(ctx, conn, "up", &out); err != nil || !strings.Contains(out.String(), "OK") {
		t.Fatalf("up again: %v\n%s", err, out.String())
	}
	if err := db.Migrate(ctx, conn, "sideways", io.Discard); err == nil {
		t.Fatal("an unknown migrate command was accepted")
	}
}
