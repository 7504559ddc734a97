package rotor

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// MemoryStore is a Store that keeps secrets in memory. Reads share immutable
// snapshots and copy nothing; a save replaces the snapshot, so what a reader
// holds never changes. The zero value is not usable; call NewMemoryStore.
type MemoryStore struct {
	mu       sync.RWMutex
	regions  map[string]*memRegion
	revision Revision
}

type memRegion struct {
	byName map[string]*memEntry
	// order holds the entries sorted by (CreatedDate, Name).
	order []*memEntry
}

type memEntry struct {
	secret *Secret
	rev    Revision
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{regions: make(map[string]*memRegion)}
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
	snapshot := s
	m.mu.Lock()
	defer m.mu.Unlock()
	r := m.regions[region]
	if r == nil {
		r = &memRegion{byName: make(map[string]*memEntry)}
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
	if e != nil {
		if !CursorOf(e.secret).Before(CursorOf(s)) && !CursorOf(s).Before(CursorOf(e.secret)) {
			e.secret, e.rev = snapshot, m.revision
			return m.revision, nil
		}
		// The listing key changed (a store user rewrote CreatedDate): re-sort.
		r.remove(e)
	}
	e = &memEntry{secret: snapshot, rev: m.revision}
	r.byName[s.Name] = e
	r.insert(e)
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
	r.remove(e)
	return nil
}

// List implements Store. Its cost follows limit, not the number of secrets.
func (m *MemoryStore) List(_ context.Context, region string, after Cursor, limit int) ([]*Secret, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r := m.regions[region]
	if r == nil || limit <= 0 {
		return nil, nil
	}
	i := r.search(after)
	if i < len(r.order) && !after.Before(CursorOf(r.order[i].secret)) {
		i++
	}
	end := i + min(limit, len(r.order)-i)
	out := make([]*Secret, 0, end-i)
	for _, e := range r.order[i:end] {
		out = append(out, e.secret)
	}
	return out, nil
}

// search returns the index of the first entry not before c.
func (r *memRegion) search(c Cursor) int {
	i, _ := slices.BinarySearchFunc(r.order, c, func(e *memEntry, c Cursor) int {
		ec := CursorOf(e.secret)
		switch {
		case ec.Before(c):
			return -1
		case c.Before(ec):
			return 1
		}
		return 0
	})
	return i
}

func (r *memRegion) insert(e *memEntry) {
	c := CursorOf(e.secret)
	// Secrets are nearly always created in time order: append without a search.
	if n := len(r.order); n == 0 || CursorOf(r.order[n-1].secret).Before(c) {
		r.order = append(r.order, e)
		return
	}
	r.order = slices.Insert(r.order, r.search(c), e)
}

func (r *memRegion) remove(e *memEntry) {
	i := r.search(CursorOf(e.secret))
	for i < len(r.order) && r.order[i] != e {
		i++
	}
	if i < len(r.order) {
		r.order = slices.Delete(r.order, i, i+1)
	}
}
