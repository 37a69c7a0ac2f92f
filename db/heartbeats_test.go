package db_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"marquee/db"
	"marquee/db/dbtest"
)

func TestHeartbeatWriter_ManyAtOnceAreBatchedAndEachAcknowledgedOneIsStored(t *testing.T) {
	t.Parallel()
	p, conn := openPool(t, db.PoolConfig{Size: 4, Overflow: 0, Recycle: 30 * 60e9, Timeout: 5e9, PrePing: 1e9})
	profiles, movie := viewers(t, p, 40)
	w := db.NewHeartbeatWriter(p)
	defer w.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for round := range 10 {
		for _, pr := range profiles {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := w.Write(context.Background(), db.Heartbeat{ProfileID: pr.ID, UserID: pr.UserID, TitleID: movie, Position: int32(100 * round)})
				if err == nil && (!res.Written || res.Runtime != 3000) {
					err = fmt.Errorf("result %+v", res)
				}
				errs <- err
			}()
		}
		wg.Wait() // rounds in order: the last position of each profile is 900
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := dbtest.Count(t, conn, "SELECT count(*) FROM bookmarks WHERE position_seconds = 900"); n != 40 {
		t.Fatalf("%d bookmarks at the last position, want 40", n)
	}
	if b := db.Batches(w); b >= 400 {
		t.Fatalf("%d batches for 400 heartbeats: none was grouped", b)
	}
}

// firstThenRest calls write(0) and, once its heartbeat is being written
// (the proxy holding the answer back), write(1) to write(n-1), whose
// heartbeats queue behind it. It returns at once; the WaitGroup tells when
// every write has returned.
func firstThenRest(n int, write func(i int)) *sync.WaitGroup {
	var wg sync.WaitGroup
	wg.Go(func() { write(0) })
	time.Sleep(50 * time.Millisecond) // the first is being written, alone
	for i := 1; i < n; i++ {
		wg.Go(func() { write(i) })
	}
	return &wg
}

// queueBehindOne writes first through w, then the rest behind it
// (firstThenRest), each of which must write its heartbeat.
func queueBehindOne(t *testing.T, w *db.HeartbeatWriter, movie uuid.UUID, first db.Profile, rest []db.Profile) *sync.WaitGroup {
	all := append([]db.Profile{first}, rest...)
	return firstThenRest(len(all), func(i int) {
		pr := all[i]
		res, err := w.Write(context.Background(), db.Heartbeat{ProfileID: pr.ID, UserID: pr.UserID, TitleID: movie, Position: 60})
		if err != nil || !res.Written {
			t.Errorf("%s: %+v %v", pr.Name, res, err)
		}
	})
}

func TestHeartbeatWriter_HeartbeatsArrivingDuringAWriteAllGoInTheNextBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("holds a batch back through a slowed connection")
	}
	t.Parallel()
	proxy := dbtest.NewProxy(t)
	p, conn := openPoolOn(t, proxy.URL(dbtest.NewDatabase(t)), dbtest.SmallPool)
	profiles, movie := viewers(t, p, 21)
	w := db.NewHeartbeatWriter(p)
	defer w.Close()
	proxy.SetLatency(300 * time.Millisecond)
	queueBehindOne(t, w, movie, profiles[0], profiles[1:]).Wait()
	if b := db.Batches(w); b != 2 {
		t.Errorf("%d batches, want 2: the one under way, then the twenty that waited for it", b)
	}
	if n := dbtest.Count(t, conn, "SELECT count(*) FROM bookmarks"); n != 21 {
		t.Errorf("%d bookmarks, want 21", n)
	}
}

func TestHeartbeatWriter_SmallBatchesSplitTheLoadAndLoseNothing(t *testing.T) {
	t.Parallel()
	p, conn := openPool(t, dbtest.SmallPool)
	profiles, movie := viewers(t, p, 40)
	w := db.NewHeartbeatWriterSized(p, 3, 2)
	var wg sync.WaitGroup
	for _, pr := range profiles {
		wg.Go(func() {
			res, err := w.Write(context.Background(), db.Heartbeat{ProfileID: pr.ID, UserID: pr.UserID, TitleID: movie, Position: 60})
			if err != nil || !res.Written {
				t.Errorf("%+v %v", res, err)
			}
		})
	}
	wg.Wait()
	w.Close()
	if b := db.Batches(w); b < 14 {
		t.Errorf("%d batches for 40 heartbeats in batches of at most 3", b)
	}
	if n := dbtest.Count(t, conn, "SELECT count(*) FROM bookmarks"); n != 40 {
		t.Errorf("%d bookmarks, want 40", n)
	}
}

func TestHeartbeatWriter_RepeatedHeartbeatInABatchIsWrittenOnce(t *testing.T) {
	t.Parallel()
	p, conn := openPool(t, dbtest.SmallPool)
	profiles, movie := viewers(t, p, 1)
	w := db.NewHeartbeatWriter(p)
	defer w.Close()
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := w.Write(context.Background(), db.Heartbeat{ProfileID: profiles[0].ID, UserID: profiles[0].UserID, TitleID: movie, Position: int32(i)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := dbtest.Count(t, conn, "SELECT count(*) FROM bookmarks"); n != 1 {
		t.Fatalf("%d rows", n)
	}
}

func TestHeartbeatWriter_RefusalsAndOutages(t *testing.T) {
	t.Parallel()
	proxy := dbtest.NewProxy(t)
	conn := dbtest.NewDatabase(t)
	p, _ := openPoolOn(t, proxy.URL(conn), dbtest.SmallPool)
	profiles, movie := viewers(t, p, 2)
	w := db.NewHeartbeatWriter(p)
	defer w.Close()
	ctx := context.Background()
	mine, theirs := profiles[0], profiles[1]
	other, err := p.UserCreate(ctx, db.UserCreateParams{Email: "other@example.com", DisplayName: "O"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		hb   db.Heartbeat
		want db.HeartbeatResult
	}{
		{"past the runtime", db.Heartbeat{ProfileID: mine.ID, UserID: mine.UserID, TitleID: movie, Position: 3001}, db.HeartbeatResult{Runtime: 3000}},
		{"unknown title", db.Heartbeat{ProfileID: mine.ID, UserID: mine.UserID, TitleID: uuid.New(), Position: 1}, db.HeartbeatResult{Runtime: -1}},
		{"someone else's profile", db.Heartbeat{ProfileID: theirs.ID, UserID: other.ID, TitleID: movie, Position: 1}, db.HeartbeatResult{Runtime: -1}},
		{"at 90%: watched", db.Heartbeat{ProfileID: mine.ID, UserID: mine.UserID, TitleID: movie, Position: 2700}, db.HeartbeatResult{Runtime: 3000, Written: true}},
	} {
		if res, err := w.Write(ctx, c.hb); err != nil || res != c.want {
			t.Errorf("%s: %+v %v, want %+v", c.name, res, err, c.want)
		}
	}
	if n := dbtest.Count(t, conn, "SELECT count(*) FROM history"); n != 1 {
		t.Errorf("history rows %d, want 1", n)
	}
	if n := dbtest.Count(t, conn, "SELECT count(*) FROM bookmarks"); n != 0 {
		t.Errorf("bookmark rows %d, want 0", n)
	}
	proxy.Refuse()
	if _, err := w.Write(ctx, db.Heartbeat{ProfileID: mine.ID, UserID: mine.UserID, TitleID: movie, Position: 5}); !errors.Is(err, db.ErrUnavailable) {
		t.Fatalf("with the database down: %v, want ErrUnavailable", err)
	}
}

// TestHeartbeatWriter_AProfileDeletedDuringItsBatchFailsOnlyItsOwnHeartbeat:
// a profile deleted while the batch holding its heartbeat runs makes the
// statement fail (the bookmark's foreign key); the other heartbeats of the
// batch are written all the same, and the deleted profile's is not found.
func TestHeartbeatWriter_AProfileDeletedDuringItsBatchFailsOnlyItsOwnHeartbeat(t *testing.T) {
	if testing.Short() {
		t.Skip("holds a batch on a row lock through a slowed connection")
	}
	t.Parallel()
	ctx := context.Background()
	proxy := dbtest.NewProxy(t)
	conn := dbtest.NewDatabase(t)
	p, _ := openPoolOn(t, proxy.URL(conn), dbtest.SmallPool)
	profiles, movie := viewers(t, p, 20)
	w := db.NewHeartbeatWriter(p)
	defer w.Close()

	deleter, err := pgx.Connect(ctx, conn.Value())
	if err != nil {
		t.Fatal(err)
	}
	defer deleter.Close(ctx)
	tx, err := deleter.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gone := profiles[1]
	if _, err := tx.Exec(ctx, "DELETE FROM profiles WHERE id = $1", gone.ID); err != nil {
		t.Fatal(err)
	}

	results := make([]db.HeartbeatResult, len(profiles))
	errs := make([]error, len(profiles))
	write := func(i int) {
		pr := profiles[i]
		results[i], errs[i] = w.Write(ctx, db.Heartbeat{ProfileID: pr.ID, UserID: pr.UserID, TitleID: movie, Position: 60})
	}
	proxy.SetLatency(100 * time.Millisecond)
	writes := firstThenRest(len(profiles), write)
	// The second batch sees the profile (its deletion is not committed) and
	// waits on its row lock; then the deletion commits.
	eventually(t, 10*time.Second, "a batch waiting on the deleted profile", func() bool {
		return dbtest.Count(t, conn, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") > 0
	})
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	writes.Wait()

	for i, pr := range profiles {
		want := db.HeartbeatResult{Runtime: 3000, Written: true}
		if pr.ID == gone.ID {
			want = db.HeartbeatResult{Runtime: -1}
		}
		if errs[i] != nil || results[i] != want {
			t.Errorf("heartbeat %d: %+v %v, want %+v", i, results[i], errs[i], want)
		}
	}
	if n := dbtest.Count(t, conn, "SELECT count(*) FROM bookmarks"); n != len(profiles)-1 {
		t.Errorf("%d bookmarks, want %d", n, len(profiles)-1)
	}
	// The first alone, then the other nineteen one by one; the statement
	// that failed is not a batch.
	if b, a := db.Batches(w), db.Answered(w); b != 20 || a != 20 {
		t.Errorf("metrics: %d batches answering %d heartbeats, want 20 and 20", b, a)
	}
}

// TestHeartbeatWriter_CloseWritesWhatIsQueuedAndRefusesTheRest: heartbeats
// queued behind a slow batch when Close is called are still written and
// acknowledged, Close returns only once they are stored, and a Write after
// it is refused.
func TestHeartbeatWriter_CloseWritesWhatIsQueuedAndRefusesTheRest(t *testing.T) {
	t.Parallel()
	proxy := dbtest.NewProxy(t)
	p, conn := openPoolOn(t, proxy.URL(dbtest.NewDatabase(t)), dbtest.SmallPool)
	profiles, movie := viewers(t, p, 11)
	w := db.NewHeartbeatWriter(p)
	proxy.SetLatency(200 * time.Millisecond)
	writes := queueBehindOne(t, w, movie, profiles[0], profiles[1:10])
	time.Sleep(50 * time.Millisecond) // the others are queued
	w.Close()
	if n := dbtest.Count(t, conn, "SELECT count(*) FROM bookmarks"); n != 10 {
		t.Errorf("%d bookmarks once Close returned, want 10", n)
	}
	writes.Wait()
	last := profiles[10]
	if _, err := w.Write(context.Background(), db.Heartbeat{ProfileID: last.ID, UserID: last.UserID, TitleID: movie, Position: 60}); !errors.Is(err, db.ErrWriterClosed) {
		t.Errorf("a write after Close: %v, want ErrWriterClosed", err)
	}
}
