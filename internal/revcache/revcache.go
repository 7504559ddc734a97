// Package revcache keeps the last snapshot of each secret, with its
// revision, for stores that would otherwise decode (or decrypt) the same
// record on every read.
//
// A revision names one saved state of one secret forever (a store never hands
// it out twice), so an entry never goes stale: a reader that finds the stored
// revision in the cache may return the cached snapshot. The cache keeps one
// entry per secret, the last one put, so an older revision costs no memory
// once a newer one is cached, and a busy secret does not crowd out others.
package revcache

import (
	"sync"

	"github.com/rotorkit/rotor"
)

// Cache maps secrets to their last snapshot (a *rotor.Secret, or what a store
// keeps of one) and its revision. It is safe for concurrent use; the
// snapshots it holds are shared and must be treated as read-only.
type Cache[S any] struct {
	mu      sync.RWMutex
	size    int
	n       int
	regions map[string]map[string]entry[S]
}

type entry[S any] struct {
	rev      rotor.Revision
	snapshot S
}

// New returns a cache of at most size secrets; size 0 caches nothing.
func New[S any](size int) *Cache[S] {
	return &Cache[S]{size: max(size, 0), regions: make(map[string]map[string]entry[S])}
}

// Get returns the snapshot of the secret name in region saved as rev, and
// whether the cache holds it.
func (c *Cache[S]) Get(region, name string, rev rotor.Revision) (S, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.regions[region][name]
	if !ok || e.rev != rev {
		var zero S
		return zero, false
	}
	return e.snapshot, true
}

// GetBytes is Get for a name held in bytes, without copying it.
func (c *Cache[S]) GetBytes(region string, name []byte, rev rotor.Revision) (S, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.regions[region][string(name)]
	if !ok || e.rev != rev {
		var zero S
		return zero, false
	}
	return e.snapshot, true
}

// Put remembers s as the snapshot of the secret name in region at rev, in
// place of any other revision of it. A new secret evicts an arbitrary one
// when the cache is full: map order spreads evictions.
func (c *Cache[S]) Put(region, name string, rev rotor.Revision, s S) {
	if c.size == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	names := c.regions[region]
	if _, ok := names[name]; !ok {
		if c.n >= c.size {
			c.evictOne()
		}
		if names == nil {
			names = make(map[string]entry[S])
			c.regions[region] = names
		}
		c.n++
	}
	names[name] = entry[S]{rev: rev, snapshot: s}
}

// evictOne removes one entry; the cache must hold one.
func (c *Cache[S]) evictOne() {
	for region, names := range c.regions {
		for name := range names {
			delete(names, name)
			c.n--
			if len(names) == 0 {
				delete(c.regions, region)
			}
			return
		}
	}
}
