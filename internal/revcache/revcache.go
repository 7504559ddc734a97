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

// Cache maps revisions to snapshots (a *rotor.Secret, or what a store keeps
// of one). It is safe for concurrent use; the snapshots it holds are shared
// and must be treated as read-only.
type Cache[S any] struct {
	mu      sync.RWMutex
	size    int
	entries map[rotor.Revision]S
}

// New returns a cache of at most size entries; size 0 caches nothing.
func New[S any](size int) *Cache[S] {
	return &Cache[S]{size: max(size, 0), entries: make(map[rotor.Revision]S)}
}

// Get returns the snapshot saved as rev, and whether there is one.
func (c *Cache[S]) Get(rev rotor.Revision) (S, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s, ok := c.entries[rev]
	return s, ok
}

// Put remembers s as the snapshot of rev, evicting an arbitrary entry when
// full: old revisions are never read again, and map order spreads evictions.
func (c *Cache[S]) Put(rev rotor.Revision, s S) {
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
