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
//   - a read that overlaps an eviction is not stored (generations);
//   - entries also expire after ttl, and every write names user and profile
//     again in its own statement, so even a stale entry cannot write.
type OwnershipCache struct {
	mu      sync.RWMutex
	entries map[uuid.UUID]cached // by profile id
	ttl     time.Duration
	max     int
	on      atomic.Bool   // the announcement channel is up
	gen     atomic.Uint64 // bumped by every eviction
}

type cached struct {
	user    db.User
	profile db.Profile
	until   time.Time
}

// NewOwnershipCache makes an empty cache, off until Listening(true).
func NewOwnershipCache(ttl time.Duration, maxEntries int) *OwnershipCache {
	return &OwnershipCache{entries: map[uuid.UUID]cached{}, ttl: ttl, max: maxEntries}
}

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
	c.gen.Add(1)
	c.mu.Lock()
	delete(c.entries, id)
	c.mu.Unlock()
}

// ForgetUser evicts every profile of a user that changed or went.
func (c *OwnershipCache) ForgetUser(id uuid.UUID) {
	if c == nil {
		return
	}
	c.gen.Add(1)
	c.mu.Lock()
	for k, e := range c.entries {
		if e.user.ID == id {
			delete(c.entries, k)
		}
	}
	c.mu.Unlock()
}

func (c *OwnershipCache) clear() {
	c.gen.Add(1)
	c.mu.Lock()
	c.entries = map[uuid.UUID]cached{}
	c.mu.Unlock()
}

// generation is read before a database check whose result may be stored.
func (c *OwnershipCache) generation() uint64 {
	if c == nil {
		return 0
	}
	return c.gen.Load()
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

// put stores a proven ownership unless an eviction happened since gen.
func (c *OwnershipCache) put(gen uint64, user db.User, profile db.Profile) {
	if c == nil || !c.on.Load() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != gen {
		return
	}
	if len(c.entries) >= c.max {
		c.entries = map[uuid.UUID]cached{} // crude, and rare: the cache is a shortcut, not a store
	}
	c.entries[profile.ID] = cached{user: user, profile: profile, until: time.Now().Add(c.ttl)}
}
