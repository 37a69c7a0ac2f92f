package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"marquee/db"
	"marquee/db/dbtest"
)

// The fixtures that tests of several files share: pools on databases of
// their own, what the server sees of them, viewers to write for, waiting
// for a condition.

// openPool opens a pool of cfg on a database of its own.
func openPool(t *testing.T, cfg db.PoolConfig) (*db.Pool, db.ConnString) {
	t.Helper()
	return openPoolOn(t, dbtest.NewDatabase(t), cfg)
}

// openDirectPool opens the pool on the server itself, never through
// TEST_POOLER_URL: for tests that watch its connections' backends.
func openDirectPool(t *testing.T, cfg db.PoolConfig) (*db.Pool, db.ConnString) {
	t.Helper()
	return openPoolOn(t, dbtest.Direct(t, dbtest.NewDatabase(t)), cfg)
}

// openPoolOn opens a pool of cfg on conn, closed when the test ends.
func openPoolOn(t *testing.T, conn db.ConnString, cfg db.PoolConfig) (*db.Pool, db.ConnString) {
	t.Helper()
	p, err := db.Open(context.Background(), conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p, conn
}

// backends lists the PIDs of the pool's server processes, seen from a
// connection of the test's own.
func backends(t *testing.T, conn db.ConnString) []int {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, conn.Value())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	rows, _ := c.Query(ctx, `SELECT pid FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'marquee' ORDER BY pid`)
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	return pids
}

// eventually waits until cond holds, failing the test after within.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// viewers makes n profiles (five per account) and a movie of 3,000 seconds.
func viewers(t *testing.T, p *db.Pool, n int) ([]db.Profile, uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	var out []db.Profile
	for i := 0; len(out) < n; i++ {
		u, err := p.UserCreate(ctx, db.UserCreateParams{Email: fmt.Sprintf("v%d@example.com", i), DisplayName: "V"})
		if err != nil {
			t.Fatal(err)
		}
		for range min(5, n-len(out)) {
			pr, err := p.ProfileCreateIfRoom(ctx, db.ProfileCreateIfRoomParams{UserID: u.ID, Name: "P", MaxAge: 18, MaxProfiles: 5})
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, pr)
		}
	}
	runtime := int32(3000)
	movie, err := p.TitleCreate(ctx, db.TitleCreateParams{Kind: "movie", Name: "M", ReleaseYear: 2000, RuntimeSeconds: &runtime})
	if err != nil {
		t.Fatal(err)
	}
	return out, movie
}
