package db

// RawDBTX is the pool's own DBTX, for tests that need statements no query
// file has (pg_sleep, pg_backend_pid).
func RawDBTX(p *Pool) DBTX { return poolConn{p} }

// Batches is how many batches w has committed.
func Batches(w *HeartbeatWriter) int64 { return w.batches.Load() }

// Answered is how many heartbeats those batches answered.
func Answered(w *HeartbeatWriter) int64 { return w.heartbeats.Load() }

// NewHeartbeatWriterSized is NewHeartbeatWriter with other group commit limits.
func NewHeartbeatWriterSized(p *Pool, maxBatch, maxInflight int) *HeartbeatWriter {
	return newHeartbeatWriter(p, maxBatch, maxInflight)
}
