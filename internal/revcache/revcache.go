// Package revcache keeps read-only secret snapshots by revision, for stores
// that would otherwise decode (or decrypt) the same record on every read.
//
// A revision names one saved state of one secret forever (a store never hands
// it out twice), so an entry never goes stale: a reader that finds the stored
// revision in the cache may return the cached snapshot.
package revcache

import (
	"sync"

	"github.com/rotorkit/rotor"
)

// Cache maps revisions to snapshots. It is safe for concurrent use; the
// snapshots it holds are shared and must be treated as read-only.
type Cache struct {
	mu      sync.RWMutex
	size    int
	entries map[rotor.Revision]*rotor.Secret
}

// New returns a cache of at most size entries; size 0 caches nothing.
func New(size int) *Cache {
	return &Cache{size: max(size, 0), entries: make(map[rotor.Revision]*rotor.Secret)}
}

// Get returns the snapshot saved as rev, or nil.
func (c *Cache) Get(rev rotor.Revision) *rotor.Secret {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.entries[rev]
}

// Put remembers s as the snapshot of rev, evicting an arbitrary entry when
// full: old revisions are never read again, and map order spreads evictions.
func (c *Cache) Put(rev rotor.Revision, s *rotor.Secret) {
	if c.size == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.size {
		for r := range c.entries {
			delete(c.entries, r)
			break
		}
	}
	c.entries[rev] = s
}
