package bolt

import (
	"sync"

	"github.com/rotorkit/rotor"
)

// snapshotCache keeps decoded secrets by revision. A revision names one saved
// state of one secret forever (the store never hands it out twice), so an
// entry never goes stale: a reader that finds the stored revision in the
// cache may return the cached snapshot. Entries are read-only snapshots.
type snapshotCache struct {
	mu      sync.RWMutex
	size    int
	entries map[rotor.Revision]*rotor.Secret
}

func newSnapshotCache(size int) *snapshotCache {
	return &snapshotCache{size: size, entries: make(map[rotor.Revision]*rotor.Secret)}
}

func (c *snapshotCache) get(rev rotor.Revision) *rotor.Secret {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.entries[rev]
}

func (c *snapshotCache) put(rev rotor.Revision, s *rotor.Secret) {
	if c.size == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.size {
		// Evict an arbitrary entry: old revisions are never read again, and
		// map order is random enough to spread evictions.
		for r := range c.entries {
			delete(c.entries, r)
			break
		}
	}
	c.entries[rev] = s
}
