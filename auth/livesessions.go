package auth

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// LiveSessions remembers sessions that a request proved live, so that a
// request whose ownership check the OwnershipCache answers needs no query
// at all (the playback heartbeat's path) and is still refused at once when
// its session ends. It is exact, not merely fresh:
//   - the database announces every ended session, and every session
//     narrowed to another profile, on the channel that announces accounts
//     and profiles (migration 00012), and each instance evicts it at once;
//     the instance that ended it also evicts it synchronously (Forget);
//   - while that channel is down, it is off and empty;
//   - a check that overlaps an eviction is not stored (generations);
//   - an entry lasts a minute at most, and never past the session's
//     expiry: the query that stores it again records the session's use,
//     so a device that only sends heartbeats is still seen at least once a
//     minute (queries/sessions.sql).
type LiveSessions struct {
	mu      sync.RWMutex
	entries map[uuid.UUID]liveSession // by session id
	max     int
	on      atomic.Bool
	gen     atomic.Uint64 // bumped by every eviction
}

type liveSession struct {
	user    uuid.UUID
	profile uuid.UUID // uuid.Nil: not narrowed
	until   time.Time
}

// liveSessionTTL is how long an entry lasts: also how often, at most, a
// session's last use is recorded while the cache answers for it.
const liveSessionTTL = time.Minute

// NewLiveSessions makes an empty cache of at most maxEntries sessions, off
// until Listening(true).
func NewLiveSessions(maxEntries int) *LiveSessions {
	return &LiveSessions{entries: map[uuid.UUID]liveSession{}, max: maxEntries}
}

// Listening turns the cache on or off with the announcement channel; both
// empty it, as sessions may have ended unannounced meanwhile.
func (c *LiveSessions) Listening(up bool) {
	c.on.Store(false)
	c.gen.Add(1)
	c.mu.Lock()
	c.entries = map[uuid.UUID]liveSession{}
	c.mu.Unlock()
	c.on.Store(up)
}

// On reports whether the cache answers (its announcement channel is up).
func (c *LiveSessions) On() bool { return c != nil && c.on.Load() }

// Forget evicts a session that ended or changed.
func (c *LiveSessions) Forget(id uuid.UUID) {
	if c == nil {
		return
	}
	c.gen.Add(1)
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}

// generation is read before a database check whose result may be stored.
func (c *LiveSessions) generation() uint64 {
	if c == nil {
		return 0
	}
	return c.gen.Load()
}

// live reports whether the session of claims c is known live, for its user
// and narrowed to its profile.
func (c *LiveSessions) live(cl Claims) bool {
	if c == nil || !c.on.Load() {
		return false
	}
	c.mu.RLock()
	e, ok := c.entries[cl.Session]
	c.mu.RUnlock()
	return ok && e.user == cl.User && e.profile == narrowedTo(cl) && time.Now().Before(e.until)
}

// put stores a session proved live by a query, which found it expiring at
// expires, unless an eviction happened since gen.
func (c *LiveSessions) put(gen uint64, cl Claims, expires time.Time) {
	if c == nil || !c.on.Load() {
		return
	}
	until := time.Now().Add(liveSessionTTL)
	if expires.Before(until) {
		until = expires
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != gen {
		return
	}
	if len(c.entries) >= c.max {
		c.entries = map[uuid.UUID]liveSession{} // rare: a shortcut, not a store
	}
	c.entries[cl.Session] = liveSession{user: cl.User, profile: narrowedTo(cl), until: until}
}

func narrowedTo(cl Claims) uuid.UUID {
	if cl.Profile == nil {
		return uuid.Nil
	}
	return *cl.Profile
}
