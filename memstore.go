package rotor

import (
	"context"
	"fmt"
	"sync"
)

// MemoryStore is a Store that keeps secrets in memory. Reads share immutable
// snapshots and copy nothing; a save replaces the snapshot, so what a reader
// holds never changes. It is a SortedLister: it keeps every secret in an
// index per ListOrder key, so a page of any order costs what the page holds.
// The zero value is not usable; call NewMemoryStore.
type MemoryStore struct {
	mu       sync.RWMutex
	regions  map[string]*memRegion
	revision Revision
}

var _ SortedLister = (*MemoryStore)(nil)

type memRegion struct {
	byName map[string]*memEntry
	// indexes hold the entries in ascending order of each key, in the order
	// of sortKeys.
	indexes [len(sortKeys)]*memIndex
}

// sortKeys are the keys a region is indexed by.
var sortKeys = [...]string{SortByCreatedDate, SortByLastChangedDate, SortByLastAccessedDate, SortByName}

type memEntry struct {
	secret *Secret
	rev    Revision
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{regions: make(map[string]*memRegion)}
}

func newMemRegion() *memRegion {
	r := &memRegion{byName: make(map[string]*memEntry)}
	for i, by := range sortKeys {
		r.indexes[i] = &memIndex{order: ListOrder{By: by}}
	}
	return r
}

// index returns the region's index of key by, or nil for an unknown key.
func (r *memRegion) index(by string) *memIndex {
	for i, k := range sortKeys {
		if k == by {
			return r.indexes[i]
		}
	}
	return nil
}

// Load implements Store.
func (m *MemoryStore) Load(_ context.Context, region, name string) (*Secret, Revision, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if r := m.regions[region]; r != nil {
		if e := r.byName[name]; e != nil {
			return e.secret, e.rev, nil
		}
	}
	return nil, 0, fmt.Errorf("%s in %s: %w", name, region, ErrStoreNotFound)
}

// Save implements Store. It keeps s itself, as the ownership rule allows:
// the service never touches a secret after saving it.
func (m *MemoryStore) Save(_ context.Context, s *Secret, expect Revision) (Revision, error) {
	region := s.Region()
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.regions[region]
	if r == nil {
		r = newMemRegion()
		m.regions[region] = r
	}
	e := r.byName[s.Name]
	switch {
	case e == nil && expect != 0:
		return 0, fmt.Errorf("%s: %w", s.Name, ErrStoreConflict)
	case e != nil && expect == 0:
		return 0, fmt.Errorf("%s: %w", s.Name, ErrStoreExists)
	case e != nil && e.rev != expect:
		return 0, fmt.Errorf("%s: stored revision %d, expected %d: %w", s.Name, e.rev, expect, ErrStoreConflict)
	}
	m.revision++
	if e == nil {
		e = &memEntry{secret: s, rev: m.revision}
		r.byName[s.Name] = e
		for _, idx := range r.indexes {
			idx.insert(e)
		}
		return m.revision, nil
	}
	// An index whose key changed moves the entry: out under the old
	// key, in under the new one. The others keep it where it is.
	var moved [len(sortKeys)]bool
	for i, idx := range r.indexes {
		if idx.order.Compare(idx.order.PositionOf(e.secret), idx.order.PositionOf(s)) != 0 {
			idx.remove(e)
			moved[i] = true
		}
	}
	e.secret, e.rev = s, m.revision
	for i, idx := range r.indexes {
		if moved[i] {
			idx.insert(e)
		}
	}
	return m.revision, nil
}

// Delete implements Store.
func (m *MemoryStore) Delete(_ context.Context, region, name string, expect Revision) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.regions[region]
	var e *memEntry
	if r != nil {
		e = r.byName[name]
	}
	if e == nil {
		return fmt.Errorf("%s in %s: %w", name, region, ErrStoreNotFound)
	}
	if e.rev != expect {
		return fmt.Errorf("%s: stored revision %d, expected %d: %w", name, e.rev, expect, ErrStoreConflict)
	}
	delete(r.byName, name)
	for _, idx := range r.indexes {
		idx.remove(e)
	}
	return nil
}

// List implements Store. Its cost follows limit, not the number of secrets.
func (m *MemoryStore) List(ctx context.Context, region string, after Cursor, limit int) ([]*Secret, error) {
	return m.ListSorted(ctx, region, ListOrder{By: SortByCreatedDate}, ListPosition{Date: after.CreatedDate, Name: after.Name}, limit)
}

// ListSorted implements SortedLister. Its cost follows limit, not the
// number of secrets.
func (m *MemoryStore) ListSorted(_ context.Context, region string, order ListOrder, after ListPosition, limit int) ([]*Secret, error) {
	if !order.Valid() {
		return nil, fmt.Errorf("rotor: no list order %q", order.By)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	r := m.regions[region]
	if r == nil || limit <= 0 {
		return nil, nil
	}
	return r.index(order.By).walk(after, order.Desc, limit), nil
}

// memIndex keeps entries in ascending order of one key, in chunks of at
// most maxChunk entries, so that an insertion or a removal moves at most a
// chunk's worth of pointers however many secrets there are, and a search is
// two binary searches.
type memIndex struct {
	order  ListOrder // ascending
	chunks [][]*memEntry
}

const maxChunk = 512

func (x *memIndex) pos(e *memEntry) ListPosition { return x.order.PositionOf(e.secret) }

// locate returns where the first entry not before p is: chunk ci, entry i,
// or (len(chunks), 0) when every entry is before p.
func (x *memIndex) locate(p ListPosition) (ci, i int) {
	lo, hi := 0, len(x.chunks)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		c := x.chunks[mid]
		if x.order.Compare(x.pos(c[len(c)-1]), p) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == len(x.chunks) {
		return lo, 0
	}
	c := x.chunks[lo]
	l, h := 0, len(c)
	for l < h {
		mid := int(uint(l+h) >> 1)
		if x.order.Compare(x.pos(c[mid]), p) < 0 {
			l = mid + 1
		} else {
			h = mid
		}
	}
	return lo, l
}

func (x *memIndex) insert(e *memEntry) {
	ci, i := x.locate(x.pos(e))
	if ci == len(x.chunks) {
		// After every entry, as a newly created secret nearly always is.
		if ci == 0 || len(x.chunks[ci-1]) >= maxChunk {
			// Small at first: append grows it, and a secret that moves
			// alone to the end (a write under a date order of one secret)
			// does not cost a whole chunk each time.
			x.chunks = append(x.chunks, make([]*memEntry, 0, 8))
			ci++
		}
		ci--
		i = len(x.chunks[ci])
	}
	c := append(x.chunks[ci], nil)
	copy(c[i+1:], c[i:])
	c[i] = e
	x.chunks[ci] = c
	if len(c) > maxChunk {
		half := len(c) / 2
		tail := make([]*memEntry, len(c)-half, maxChunk)
		copy(tail, c[half:])
		clear(c[half:])
		x.chunks[ci] = c[:half]
		x.chunks = append(x.chunks, nil)
		copy(x.chunks[ci+2:], x.chunks[ci+1:])
		x.chunks[ci+1] = tail
	}
}

// remove takes e out; e must be in the index under its current key.
func (x *memIndex) remove(e *memEntry) {
	ci, i := x.locate(x.pos(e))
	if ci == len(x.chunks) || x.chunks[ci][i] != e {
		return
	}
	c := x.chunks[ci]
	copy(c[i:], c[i+1:])
	c[len(c)-1] = nil
	c = c[:len(c)-1]
	if len(c) == 0 {
		x.chunks = append(x.chunks[:ci], x.chunks[ci+1:]...)
		x.chunks[len(x.chunks):cap(x.chunks)][0] = nil
		return
	}
	x.chunks[ci] = c
}

// walk returns up to limit secrets strictly after p, ascending or, with
// desc, descending (where "after" is "before" in ascending order).
func (x *memIndex) walk(p ListPosition, desc bool, limit int) []*Secret {
	out := make([]*Secret, 0, min(limit, 128))
	if !desc {
		ci, i := x.locate(p)
		if ci < len(x.chunks) && !p.IsStart() && x.order.Compare(x.pos(x.chunks[ci][i]), p) == 0 {
			i++
		}
		for ; ci < len(x.chunks) && len(out) < limit; ci, i = ci+1, 0 {
			for ; i < len(x.chunks[ci]) && len(out) < limit; i++ {
				out = append(out, x.chunks[ci][i].secret)
			}
		}
		return out
	}
	ci, i := len(x.chunks), 0
	if !p.IsStart() {
		ci, i = x.locate(p)
	}
	// Step back to the last entry before (ci, i).
	for len(out) < limit {
		if i == 0 {
			if ci == 0 {
				break
			}
			ci--
			i = len(x.chunks[ci])
		}
		i--
		out = append(out, x.chunks[ci][i].secret)
	}
	return out
}
