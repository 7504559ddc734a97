package storetest_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/storetest"
)

// kvStore is a rotor.Store over a key-value map, written as one over Redis,
// etcd or DynamoDB would be: each record is rotor.EncodeSecret's bytes under
// region/name, with its revision beside it. It holds no rule of its own:
// the revision check is all a Save decides.
type kvStore struct {
	mu      sync.Mutex
	lastRev rotor.Revision
	records map[string]kvRecord // by region + "/" + name
}

type kvRecord struct {
	rev    rotor.Revision
	region string
	order  rotor.Cursor // the listing position: CreatedDate, then Name
	data   []byte
}

func newKVStore() *kvStore { return &kvStore{records: make(map[string]kvRecord)} }

func (s *kvStore) Load(_ context.Context, region, name string) (*rotor.Secret, rotor.Revision, error) {
	s.mu.Lock()
	r, ok := s.records[region+"/"+name]
	s.mu.Unlock()
	if !ok {
		return nil, 0, fmt.Errorf("%s/%s: %w", region, name, rotor.ErrStoreNotFound)
	}
	sec, err := rotor.DecodeSecret(r.data) // a fresh copy: the caller's own
	return sec, r.rev, err
}

func (s *kvStore) Save(_ context.Context, sec *rotor.Secret, expect rotor.Revision) (rotor.Revision, error) {
	data, err := rotor.EncodeSecret(sec)
	if err != nil {
		return 0, err
	}
	key := sec.Region() + "/" + sec.Name
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, exists := s.records[key]
	switch {
	case exists && expect == 0:
		return 0, fmt.Errorf("%s: %w", key, rotor.ErrStoreExists)
	case !exists && expect != 0, exists && cur.rev != expect:
		return 0, fmt.Errorf("%s: %w", key, rotor.ErrStoreConflict)
	}
	s.lastRev++ // never given before, even after a delete
	s.records[key] = kvRecord{rev: s.lastRev, region: sec.Region(), order: rotor.CursorOf(sec), data: data}
	return s.lastRev, nil
}

func (s *kvStore) Delete(_ context.Context, region, name string, expect rotor.Revision) error {
	key := region + "/" + name
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, exists := s.records[key]
	switch {
	case !exists:
		return fmt.Errorf("%s: %w", key, rotor.ErrStoreNotFound)
	case cur.rev != expect:
		return fmt.Errorf("%s: %w", key, rotor.ErrStoreConflict)
	}
	delete(s.records, key)
	return nil
}

func (s *kvStore) List(_ context.Context, region string, after rotor.Cursor, limit int) ([]*rotor.Secret, error) {
	s.mu.Lock()
	var page []kvRecord
	for _, r := range s.records {
		if r.region == region && after.Before(r.order) {
			page = append(page, r)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(page, func(a, b kvRecord) int {
		if a.order.Before(b.order) {
			return -1
		}
		return 1
	})
	out := make([]*rotor.Secret, 0, min(limit, len(page)))
	for _, r := range page[:min(limit, len(page))] {
		sec, err := rotor.DecodeSecret(r.data)
		if err != nil {
			return nil, err
		}
		out = append(out, sec)
	}
	return out, nil
}

// TestKVStore holds kvStore to the Store contract: one call runs every case
// of the conformance suite on a fresh store.
func TestKVStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) rotor.Store { return newKVStore() })
}
