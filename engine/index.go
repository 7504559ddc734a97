package engine

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/rotorkit/rotor"
)

// IndexedStore wraps a rotor.Store with an in-memory index of rotor.DueAt,
// making it a rotor.DueLister: a scheduler tick then costs what the number of
// due secrets costs, not the number of secrets. The index of a region is
// built by one scan the first time ListDue asks for it, and kept up to date
// by every Save and Delete made through the wrapper.
//
// Every writer of the inner store must go through the wrapper (share one
// IndexedStore between the Services of a process); a store shared with other
// processes should implement rotor.DueLister itself. Saves through the wrapper are
// serialized, which costs nothing over the memory store (it serializes them
// too) but would over a database.
type IndexedStore struct {
	inner rotor.Store

	mu      sync.Mutex
	regions map[string]*dueIndex
}

var (
	_ rotor.Store        = (*IndexedStore)(nil)
	_ rotor.DueLister    = (*IndexedStore)(nil)
	_ rotor.SortedLister = (*IndexedStore)(nil)
)

// NewIndexedStore returns inner with a due index.
func NewIndexedStore(inner rotor.Store) *IndexedStore {
	return &IndexedStore{inner: inner, regions: make(map[string]*dueIndex)}
}

// Load implements rotor.Store.
func (s *IndexedStore) Load(ctx context.Context, region, name string) (*rotor.Secret, rotor.Revision, error) {
	return s.inner.Load(ctx, region, name)
}

// List implements rotor.Store.
func (s *IndexedStore) List(ctx context.Context, region string, after rotor.Cursor, limit int) ([]*rotor.Secret, error) {
	return s.inner.List(ctx, region, after, limit)
}

// ListSorted implements rotor.SortedLister by passing the call to the inner
// store, so that wrapping a store keeps its listing indexes. It returns an
// error matching errors.ErrUnsupported when the inner store is no
// rotor.SortedLister.
func (s *IndexedStore) ListSorted(ctx context.Context, region string, order rotor.ListOrder, after rotor.ListPosition, limit int) ([]*rotor.Secret, error) {
	inner, ok := s.inner.(rotor.SortedLister)
	if !ok {
		return nil, fmt.Errorf("engine: the inner store %T has no ListSorted: %w", s.inner, errors.ErrUnsupported)
	}
	return inner.ListSorted(ctx, region, order, after, limit)
}

// Save implements rotor.Store and indexes the saved secret.
func (s *IndexedStore) Save(ctx context.Context, sec *rotor.Secret, expect rotor.Revision) (rotor.Revision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rev, err := s.inner.Save(ctx, sec, expect)
	if err == nil {
		if idx := s.regions[sec.Region()]; idx != nil {
			idx.set(sec)
		}
	}
	return rev, err
}

// Delete implements rotor.Store and drops the secret from the index.
func (s *IndexedStore) Delete(ctx context.Context, region, name string, expect rotor.Revision) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.inner.Delete(ctx, region, name, expect)
	if err == nil {
		if idx := s.regions[region]; idx != nil {
			idx.drop(name)
		}
	}
	return err
}

// ListDue implements rotor.DueLister.
func (s *IndexedStore) ListDue(ctx context.Context, region string, now time.Time, limit int) ([]*rotor.Secret, error) {
	s.mu.Lock()
	idx := s.regions[region]
	if idx == nil {
		idx = &dueIndex{byName: make(map[string]*dueEntry)}
		err := scan(ctx, s.inner, region, func(sec *rotor.Secret) bool { idx.set(sec); return true })
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		s.regions[region] = idx
	}
	names := idx.due(now, limit)
	s.mu.Unlock()

	out := make([]*rotor.Secret, 0, len(names))
	for _, name := range names {
		sec, _, err := s.inner.Load(ctx, region, name)
		if errors.Is(err, rotor.ErrStoreNotFound) {
			continue
		}
		if err != nil {
			return out, err
		}
		out = append(out, sec)
	}
	return out, nil
}

// dueIndex is a min-heap of the secrets of one region by DueAt; secrets that
// are never due are not in it.
type dueIndex struct {
	heap   dueHeap
	byName map[string]*dueEntry
}

type dueEntry struct {
	name string
	at   time.Time
	i    int
}

func (x *dueIndex) set(sec *rotor.Secret) {
	at, ok := rotor.DueAt(sec)
	e := x.byName[sec.Name]
	switch {
	case !ok && e != nil:
		x.drop(sec.Name)
	case !ok:
	case e != nil:
		e.at = at
		heap.Fix(&x.heap, e.i)
	default:
		e = &dueEntry{name: sec.Name, at: at}
		x.byName[sec.Name] = e
		heap.Push(&x.heap, e)
	}
}

func (x *dueIndex) drop(name string) {
	if e := x.byName[name]; e != nil {
		heap.Remove(&x.heap, e.i)
		delete(x.byName, name)
	}
}

// due returns the names of the earliest entries due at now, at most limit.
// It visits only the due part of the heap (a due entry's parent is due too).
func (x *dueIndex) due(now time.Time, limit int) []string {
	var found []*dueEntry
	var walk func(i int)
	walk = func(i int) {
		if i >= len(x.heap) || x.heap[i].at.After(now) {
			return
		}
		found = append(found, x.heap[i])
		walk(2*i + 1)
		walk(2*i + 2)
	}
	walk(0)
	slices.SortFunc(found, func(a, b *dueEntry) int { return a.at.Compare(b.at) })
	if len(found) > limit {
		found = found[:limit]
	}
	names := make([]string, len(found))
	for i, e := range found {
		names[i] = e.name
	}
	return names
}

type dueHeap []*dueEntry

func (h dueHeap) Len() int           { return len(h) }
func (h dueHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].i = i
	h[j].i = j
}
func (h *dueHeap) Push(x any) {
	e := x.(*dueEntry)
	e.i = len(*h)
	*h = append(*h, e)
}
func (h *dueHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
