package auth

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"marquee/db"
)

// OwnershipCache remembers proven ownership: that a user owns a profile, with both
// rows as read. The playback heartbeat asks it on every request; a hit saves
// a query. It is sound because:
//   - a profile never changes owner, so a positive answer stays true until
//     the profile or its user is changed or deleted;
//   - the database announces every such change (migration 00008) and each
//     instance evicts the entry at once (db.ListenChanges), this instance
//     also synchronously (Forget) after its own writes;
//   - while that announcement channel is down, the cache is off and empty;
//   - a read that overlaps an eviction of its own profile or user is not
//     stored (evictions); one that overlaps only others' evictions is;
//   - entries also expire after ttl, and every write names user and profile
//     again in its own statement, so even a stale entry cannot write.
type OwnershipCache struct {
	mu      sync.RWMutex
	entries map[uuid.UUID]cached // by profile id
	ttl     time.Duration
	max     int
	on      atomic.Bool   // the announcement channel is up
	seq     atomic.Uint64 // counts evictions; read before each check (generation)
	evicted evictions     // under mu
}

type cached struct {
	user    db.User
	profile db.Profile
	until   time.Time
}

// NewOwnershipCache makes an empty cache, off until Listening(true).
func NewOwnershipCache(ttl time.Duration, maxEntries int) *OwnershipCache {
	return &OwnershipCache{entries: map[uuid.UUID]cached{}, ttl: ttl, max: maxEntries, evicted: newEvictions(evictionMemory)}
}

// evictionMemory is how many evicted ids each half of evictions holds: a
// check's put is refused when its own profile or user is evicted while it
// reads the database, and otherwise only when thousands of others are (the
// read takes milliseconds).
const evictionMemory = 4096

// Changed evicts what an announcement (db.ListenChanges) names.
func (c *OwnershipCache) Changed(kind string, id uuid.UUID) {
	if kind == "user" {
		c.ForgetUser(id)
		return
	}
	c.ForgetProfile(id)
}

// Listening turns the cache on or off with the announcement channel; both
// empty it, as changes may have gone unannounced meanwhile.
func (c *OwnershipCache) Listening(up bool) {
	c.on.Store(false)
	c.clear()
	c.on.Store(up)
}

// On reports whether the cache answers (its announcement channel is up).
func (c *OwnershipCache) On() bool { return c != nil && c.on.Load() }

// ForgetProfile evicts a profile that changed or went.
func (c *OwnershipCache) ForgetProfile(id uuid.UUID) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.evicted.mark(id, c.seq.Add(1))
	delete(c.entries, id)
	c.mu.Unlock()
}

// ForgetUser evicts every profile of a user that changed or went.
func (c *OwnershipCache) ForgetUser(id uuid.UUID) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.evicted.mark(id, c.seq.Add(1))
	for k, e := range c.entries {
		if e.user.ID == id {
			delete(c.entries, k)
		}
	}
	c.mu.Unlock()
}

func (c *OwnershipCache) clear() {
	c.mu.Lock()
	c.evicted.forget(c.seq.Add(1))
	c.entries = map[uuid.UUID]cached{}
	c.mu.Unlock()
}

// generation is read before a database check whose result may be stored.
func (c *OwnershipCache) generation() uint64 {
	if c == nil {
		return 0
	}
	return c.seq.Load()
}

func (c *OwnershipCache) get(user, profile uuid.UUID) (cached, bool) {
	if c == nil || !c.on.Load() {
		return cached{}, false
	}
	c.mu.RLock()
	e, ok := c.entries[profile]
	c.mu.RUnlock()
	if !ok || e.user.ID != user || time.Now().After(e.until) {
		return cached{}, false
	}
	return e, true
}

// put stores a proven ownership, read by a check that started at gen,
// unless profile or user has been evicted since: then the check may have
// read the rows as they were before the change. Other profiles' evictions
// do not concern it.
func (c *OwnershipCache) put(gen uint64, user db.User, profile db.Profile) {
	if c == nil || !c.on.Load() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.evicted.since(gen, profile.ID) || c.evicted.since(gen, user.ID) {
		return
	}
	if len(c.entries) >= c.max {
		c.entries = map[uuid.UUID]cached{} // crude, and rare: the cache is a shortcut, not a store
	}
	c.entries[profile.ID] = cached{user: user, profile: profile, until: time.Now().Add(c.ttl)}
}

// evictions remembers when each profile and user was last evicted (by the
// eviction count), for the evictions of the last while: two maps of at most
// max ids each, the older dropped when the newer fills up. A check that
// started before what is forgotten is refused (floor), as it cannot be told
// from one that overlapped its own eviction. Profile and user ids share one
// map: both are random UUIDs, and a collision could only refuse a put.
type evictions struct {
	recent, older map[uuid.UUID]uint64
	recentFrom    uint64 // the count when recent was started
	floor         uint64 // evictions up to this count are forgotten
	max           int
}

func newEvictions(maxIDs int) evictions {
	return evictions{recent: map[uuid.UUID]uint64{}, older: map[uuid.UUID]uint64{}, max: maxIDs}
}

// mark records that id was evicted as eviction number n.
func (e *evictions) mark(id uuid.UUID, n uint64) {
	if len(e.recent) >= e.max {
		e.floor = e.recentFrom // older goes: the evictions before recent are forgotten
		e.older, e.recent, e.recentFrom = e.recent, map[uuid.UUID]uint64{}, n-1
	}
	e.recent[id] = n
}

// forget drops every record, as of eviction number n (an eviction of all).
func (e *evictions) forget(n uint64) {
	*e = newEvictions(e.max)
	e.floor, e.recentFrom = n, n
}

// since reports whether id may have been evicted after a check that started
// when the count was gen.
func (e *evictions) since(gen uint64, id uuid.UUID) bool {
	return gen < e.floor || e.recent[id] > gen || e.older[id] > gen
}
