package db

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

// Heartbeat is one playback heartbeat: a profile's position in a title.
type Heartbeat struct {
	ProfileID, UserID, TitleID uuid.UUID
	Position                   int32
}

// HeartbeatResult says what became of a heartbeat. Runtime is -1 when the
// title is not there for the profile (unknown, not playable, above its
// max_age, or the profile not the user's); Written is false when the
// position was past the runtime.
type HeartbeatResult struct {
	Runtime int32
	Written bool
}

// HeartbeatWriter writes heartbeats with group commit: those that arrive
// while a batch is being written wait and go together in the next one, in
// one statement and one commit. A heartbeat's Write returns only once its
// batch has committed, so an acknowledgement always means durable. Under
// light load a heartbeat is written at once, alone; under heavy load
// batches grow by themselves. One batch is written at a time unless batches
// are full (the database is slow, or the load beyond what one connection
// writes): then up to maxInflight, each on a connection of its own.
//
// No goroutine of its own stands between a request and the database: the
// Write that finds nothing being written starts the batch, and a batch,
// once written, starts the next with what queued meanwhile. So whenever
// heartbeats wait, a batch is under way that will take them.
type HeartbeatWriter struct {
	pool        *Pool
	maxBatch    int
	maxInflight int
	timeout     time.Duration
	wg          sync.WaitGroup // batches being written

	mu       sync.Mutex
	queue    []*pending // waiting for a batch
	inflight int        // batches being written
	closed   bool

	batches, heartbeats atomic.Int64 // written so far, for metrics
}

type pending struct {
	hb   Heartbeat
	done chan outcome // buffered: a flush never waits for its caller
}

type outcome struct {
	res HeartbeatResult
	err error
}

// ErrWriterClosed means the writer was closed; the heartbeat was not written.
var ErrWriterClosed = errors.New("heartbeat writer closed")

// Group commit limits: batches of at most heartbeatBatch heartbeats, and
// at most heartbeatInflight full ones written at once (the rest of the pool
// stays for other requests). Below full, one batch is written at a time
// rather than several whatever their size: heartbeats then wait for the
// batch under way and go together in the next, and a larger batch costs
// PostgreSQL less CPU per heartbeat (make bench-heartbeat measures it).
const (
	heartbeatBatch    = 256
	heartbeatInflight = 4
)

// NewHeartbeatWriter returns a writer on pool.
func NewHeartbeatWriter(pool *Pool) *HeartbeatWriter {
	return newHeartbeatWriter(pool, heartbeatBatch, heartbeatInflight)
}

func newHeartbeatWriter(pool *Pool, maxBatch, maxInflight int) *HeartbeatWriter {
	return &HeartbeatWriter{
		pool:        pool,
		maxBatch:    maxBatch,
		maxInflight: maxInflight,
		// A batch may wait for a connection as a request would, then write.
		timeout: pool.timeout + 10*time.Second,
	}
}

// Write queues a heartbeat and waits until its batch has committed (or ctx
// ends: the heartbeat may then still be written, unacknowledged).
func (w *HeartbeatWriter) Write(ctx context.Context, hb Heartbeat) (HeartbeatResult, error) {
	p := &pending{hb: hb, done: make(chan outcome, 1)}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return HeartbeatResult{}, ErrWriterClosed
	}
	w.queue = append(w.queue, p)
	batch := w.next()
	w.mu.Unlock()
	if batch != nil {
		go w.write(batch)
	}
	select {
	case o := <-p.done:
		return o.res, o.err
	case <-ctx.Done():
		return HeartbeatResult{}, ctx.Err()
	}
}

// Close refuses new heartbeats and waits until those queued are written.
// Call it once nothing calls Write any more (after the HTTP server's
// shutdown).
func (w *HeartbeatWriter) Close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.wg.Wait()
}

// next takes the next batch off the queue, if one may start: when nothing
// is being written, or when a full batch waits and a slot is free. Called
// with mu held.
func (w *HeartbeatWriter) next() []*pending {
	n := len(w.queue)
	if n == 0 || w.inflight > 0 && (n < w.maxBatch || w.inflight >= w.maxInflight) {
		return nil
	}
	n = min(n, w.maxBatch)
	batch := slices.Clone(w.queue[:n])
	w.queue = append(w.queue[:0], w.queue[n:]...)
	w.inflight++
	w.wg.Add(1)
	return batch
}

// write writes batch, then each batch that queued meanwhile, until there
// is none or another writer takes over.
func (w *HeartbeatWriter) write(batch []*pending) {
	for batch != nil {
		w.flush(batch)
		w.mu.Lock()
		w.inflight--
		next := w.next()
		w.mu.Unlock()
		w.wg.Done()
		batch = next
	}
}

// flush writes one batch. A heartbeat repeated in a batch (same profile,
// title and user) is written once, at the position sent last; both senders
// get its result. (The same profile and title under two users cannot both
// be written: only the owner's passes the statement's ownership check.)
func (w *HeartbeatWriter) flush(batch []*pending) {
	ctx, cancel := context.WithTimeout(context.Background(), w.timeout)
	defer cancel()
	type key struct{ profile, title, user uuid.UUID }
	n := len(batch)
	slot := make(map[key]int, n)
	args := BookmarkHeartbeatManyParams{
		Idx: make([]int32, 0, n), ProfileIds: make([]uuid.UUID, 0, n), UserIds: make([]uuid.UUID, 0, n),
		TitleIds: make([]uuid.UUID, 0, n), Positions: make([]int32, 0, n),
	}
	owner := make([]int, n) // batch index → argument index
	for i, p := range batch {
		k := key{p.hb.ProfileID, p.hb.TitleID, p.hb.UserID}
		j, seen := slot[k]
		if !seen {
			j = len(args.Idx)
			slot[k] = j
			args.Idx = append(args.Idx, int32(j))
			args.ProfileIds = append(args.ProfileIds, p.hb.ProfileID)
			args.UserIds = append(args.UserIds, p.hb.UserID)
			args.TitleIds = append(args.TitleIds, p.hb.TitleID)
			args.Positions = append(args.Positions, p.hb.Position)
		} else {
			args.Positions[j] = p.hb.Position
		}
		owner[i] = j
	}
	results := make([]outcome, len(args.Idx))
	rows, err := w.pool.BookmarkHeartbeatMany(ctx, args)
	switch {
	case err == nil:
		w.batches.Add(1)
		for _, r := range rows {
			results[r.Idx].res = HeartbeatResult{Runtime: r.Runtime, Written: r.Written}
		}
	case len(results) > 1 && !errors.Is(err, ErrUnavailable) && ctx.Err() == nil:
		// One heartbeat failed the statement for all (its profile deleted
		// while the statement ran: a foreign key refuses the row). Each is
		// written again alone, so that only its own sender sees a failure.
		for j := range results {
			results[j] = w.writeOne(ctx, args, j)
		}
	default:
		for j := range results {
			results[j].err = err
		}
	}
	var answered int64 // by a statement that committed
	for i, p := range batch {
		if results[owner[i]].err == nil {
			answered++
		}
		p.done <- results[owner[i]]
	}
	w.heartbeats.Add(answered)
}

// writeOne writes heartbeat j of args alone.
func (w *HeartbeatWriter) writeOne(ctx context.Context, args BookmarkHeartbeatManyParams, j int) outcome {
	rows, err := w.pool.BookmarkHeartbeatMany(ctx, BookmarkHeartbeatManyParams{
		Idx: []int32{0}, ProfileIds: args.ProfileIds[j : j+1], UserIds: args.UserIds[j : j+1],
		TitleIds: args.TitleIds[j : j+1], Positions: args.Positions[j : j+1],
	})
	if err != nil || len(rows) != 1 {
		return outcome{err: cmp.Or(err, errors.New("heartbeat: no result row"))}
	}
	w.batches.Add(1)
	return outcome{res: HeartbeatResult{Runtime: rows[0].Runtime, Written: rows[0].Written}}
}

// Collector exposes how many batches the writer has committed and how many
// heartbeats they answered: their ratio is the average batch, how much
// group commit saves. (A batch that failed and was written again one
// heartbeat at a time counts as the statements that committed.)
func (w *HeartbeatWriter) Collector() prometheus.Collector {
	return prometheus.CollectorFunc(func(ch chan<- prometheus.Metric) {
		ch <- prometheus.MustNewConstMetric(heartbeatBatchesDesc, prometheus.CounterValue, float64(w.batches.Load()))
		ch <- prometheus.MustNewConstMetric(heartbeatsDesc, prometheus.CounterValue, float64(w.heartbeats.Load()))
	})
}

var (
	heartbeatBatchesDesc = prometheus.NewDesc("marquee_heartbeat_batches_total", "Heartbeat batches committed (one statement and commit each).", nil, nil)
	heartbeatsDesc       = prometheus.NewDesc("marquee_heartbeats_written_total", "Heartbeats answered by those batches (written, or refused by the statement's checks).", nil, nil)
)
