package auth

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestCache_OffUntilListeningAndEmptiedWhenTheChannelDrops(t *testing.T) {
	t.Parallel()
	c := NewOwnershipCache(time.Minute, 10)
	u, p := entry()
	c.put(c.generation(), u, p)
	if _, ok := c.get(u.ID, p.ID); ok {
		t.Fatal("a cache that never listened answered")
	}
	c.Listening(true)
	c.put(c.generation(), u, p)
	if _, ok := c.get(u.ID, p.ID); !ok {
		t.Fatal("a listening cache forgot what it was told")
	}
	if _, ok := c.get(uuid.New(), p.ID); ok {
		t.Fatal("another user got a hit on the profile")
	}
	c.Listening(false)
	if _, ok := c.get(u.ID, p.ID); ok {
		t.Fatal("the cache answered while its channel was down")
	}
	c.Listening(true)
	if _, ok := c.get(u.ID, p.ID); ok {
		t.Fatal("an entry survived a reconnection, when changes may have been missed")
	}
}

func TestCache_ReadOverlappingAnEvictionIsNotStored(t *testing.T) {
	t.Parallel()
	c := NewOwnershipCache(time.Minute, 10)
	c.Listening(true)
	u, p := entry()
	gen := c.generation() // a check starts reading the database...
	c.ForgetProfile(p.ID) // ...the profile changes meanwhile...
	c.put(gen, u, p)      // ...and the check's (old) answer comes back
	if _, ok := c.get(u.ID, p.ID); ok {
		t.Fatal("a read that overlapped an eviction was stored")
	}
}

// TestCache_ReadOverlappingOthersEvictions_IsStored: a check of profile A
// is stored though another profile, another user, or A's sibling was evicted
// while it read; an eviction of A's own user is what refuses it.
func TestCache_ReadOverlappingOthersEvictions_IsStored(t *testing.T) {
	t.Parallel()
	u, p := entry()
	_, sibling := entry()
	sibling.UserID = u.ID
	for _, c := range []struct {
		name   string
		evict  func(c *OwnershipCache)
		stored bool
	}{
		{"another profile", func(c *OwnershipCache) { c.ForgetProfile(uuid.New()) }, true},
		{"a sibling profile", func(c *OwnershipCache) { c.ForgetProfile(sibling.ID) }, true},
		{"another user", func(c *OwnershipCache) { c.ForgetUser(uuid.New()) }, true},
		{"another user, announced", func(c *OwnershipCache) { c.Changed("user", uuid.New()) }, true},
		{"the profile itself", func(c *OwnershipCache) { c.ForgetProfile(p.ID) }, false},
		{"the profile itself, announced", func(c *OwnershipCache) { c.Changed("profile", p.ID) }, false},
		{"its user", func(c *OwnershipCache) { c.ForgetUser(u.ID) }, false},
		{"its user, announced", func(c *OwnershipCache) { c.Changed("user", u.ID) }, false},
		{"everything (the channel dropped and came back)", func(c *OwnershipCache) { c.Listening(false); c.Listening(true) }, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			cache := NewOwnershipCache(time.Minute, 10)
			cache.Listening(true)
			gen := cache.generation()
			c.evict(cache)
			cache.put(gen, u, p)
			if _, ok := cache.get(u.ID, p.ID); ok != c.stored {
				t.Fatalf("a read overlapping the eviction of %s: stored %t, want %t", c.name, ok, c.stored)
			}
			// A check that starts after the eviction is stored whatever it was.
			cache.put(cache.generation(), u, p)
			if _, ok := cache.get(u.ID, p.ID); !ok {
				t.Fatal("a read after the eviction was not stored")
			}
		})
	}
}

// TestCache_EvictionMemoryIsBounded: the evictions remembered stay within
// two halves of their limit; a check that started before those forgotten is
// refused (it might have overlapped its own), one that started after is not.
func TestCache_EvictionMemoryIsBounded(t *testing.T) {
	t.Parallel()
	c := NewOwnershipCache(time.Minute, 10)
	c.evicted = newEvictions(3)
	c.Listening(true)
	u, p := entry()
	early := c.generation()
	for range 7 {
		c.ForgetProfile(uuid.New())
	}
	late := c.generation()
	c.ForgetProfile(uuid.New())
	if n := len(c.evicted.recent) + len(c.evicted.older); n > 6 {
		t.Fatalf("%d evictions remembered, want at most 6", n)
	}
	c.put(early, u, p)
	if _, ok := c.get(u.ID, p.ID); ok {
		t.Fatal("a read older than the forgotten evictions was stored")
	}
	c.put(late, u, p)
	if _, ok := c.get(u.ID, p.ID); !ok {
		t.Fatal("a read overlapping only remembered evictions of others was refused")
	}
}

func TestCache_EvictionsAndExpiry(t *testing.T) {
	t.Parallel()
	c := NewOwnershipCache(time.Minute, 10)
	c.Listening(true)
	u, p := entry()
	_, other := entry()
	other.UserID = u.ID
	c.put(c.generation(), u, p)
	c.put(c.generation(), u, other)
	c.Changed("profile", p.ID)
	if _, ok := c.get(u.ID, p.ID); ok {
		t.Fatal("a changed profile stayed")
	}
	if _, ok := c.get(u.ID, other.ID); !ok {
		t.Fatal("another profile went with it")
	}
	c.Changed("user", u.ID)
	if _, ok := c.get(u.ID, other.ID); ok {
		t.Fatal("a changed user's profiles stayed")
	}
	short := NewOwnershipCache(time.Nanosecond, 10)
	short.Listening(true)
	short.put(short.generation(), u, p)
	time.Sleep(time.Millisecond)
	if _, ok := short.get(u.ID, p.ID); ok {
		t.Fatal("an expired entry answered")
	}
}

func TestTokens_RememberedOnlyUntilExpiry(t *testing.T) {
	t.Parallel()
	secret, _ := NewSecret("token-cache-test-secret-of-32-chars!")
	tokens := NewTokens(secret, time.Minute)
	now := time.Now()
	tokens.now = func() time.Time { return now }
	claims := Claims{User: uuid.New(), Session: uuid.New()}
	raw, err := tokens.Issue(claims)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := tokens.Verify(raw); err != nil || got != claims {
		t.Fatalf("Verify = %v, %v", got, err)
	}
	// The parser checks real time; the remembered answer must stop at exp
	// plus the leeway by the same clock as the parser's.
	tokens.now = func() time.Time { return now.Add(time.Minute + leeway + time.Second) }
	if _, err := tokens.Verify(raw); err == nil {
		t.Fatal("an expired token was accepted from memory")
	}
}
