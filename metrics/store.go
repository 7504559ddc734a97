package metrics

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rotorkit/rotor"
)

// Store returns st measured: each operation's time by operation and
// outcome (ok, not_found, conflict, exists, error). The store's optional
// capabilities (rotor.CachedLoader, rotor.DueLister, rotor.RegionLister,
// rotor.SortedLister)
// pass through: where st lacks one, the wrapper answers as a store without
// it would (no cached state; errors.ErrUnsupported).
func (m *Metrics) Store(st rotor.Store) rotor.Store {
	return &measuredStore{inner: st, m: m}
}

type measuredStore struct {
	inner rotor.Store
	m     *Metrics
}

var (
	_ rotor.CachedLoader = (*measuredStore)(nil)
	_ rotor.DueLister    = (*measuredStore)(nil)
	_ rotor.RegionLister = (*measuredStore)(nil)
	_ rotor.SortedLister = (*measuredStore)(nil)
)

func (s *measuredStore) observe(op string, start time.Time, err error) {
	outcome := "ok"
	switch {
	case err == nil:
	case errors.Is(err, rotor.ErrStoreNotFound):
		outcome = "not_found"
	case errors.Is(err, rotor.ErrStoreConflict):
		outcome = "conflict"
	case errors.Is(err, rotor.ErrStoreExists):
		outcome = "exists"
	case errors.Is(err, errors.ErrUnsupported):
		return
	default:
		outcome = "error"
	}
	s.m.storeLatency.With(prometheus.Labels{"operation": op, "outcome": outcome}).Observe(time.Since(start).Seconds())
}

func (s *measuredStore) Load(ctx context.Context, region, name string) (*rotor.Secret, rotor.Revision, error) {
	start := time.Now()
	sec, rev, err := s.inner.Load(ctx, region, name)
	s.observe("load", start, err)
	return sec, rev, err
}

func (s *measuredStore) Save(ctx context.Context, sec *rotor.Secret, expect rotor.Revision) (rotor.Revision, error) {
	start := time.Now()
	rev, err := s.inner.Save(ctx, sec, expect)
	s.observe("save", start, err)
	return rev, err
}

func (s *measuredStore) Delete(ctx context.Context, region, name string, expect rotor.Revision) error {
	start := time.Now()
	err := s.inner.Delete(ctx, region, name, expect)
	s.observe("delete", start, err)
	return err
}

func (s *measuredStore) List(ctx context.Context, region string, after rotor.Cursor, limit int) ([]*rotor.Secret, error) {
	start := time.Now()
	page, err := s.inner.List(ctx, region, after, limit)
	s.observe("list", start, err)
	return page, err
}

// LoadCached costs no round trip: it is not measured.
func (s *measuredStore) LoadCached(region, name string) (*rotor.Secret, rotor.Revision, bool) {
	if c, ok := s.inner.(rotor.CachedLoader); ok {
		return c.LoadCached(region, name)
	}
	return nil, 0, false
}

func (s *measuredStore) ListDue(ctx context.Context, region string, now time.Time, limit int) ([]*rotor.Secret, error) {
	dl, ok := s.inner.(rotor.DueLister)
	if !ok {
		return nil, fmt.Errorf("metrics: the store %T keeps no due index: %w", s.inner, errors.ErrUnsupported)
	}
	start := time.Now()
	page, err := dl.ListDue(ctx, region, now, limit)
	s.observe("list_due", start, err)
	return page, err
}

func (s *measuredStore) Regions(ctx context.Context) ([]string, error) {
	rl, ok := s.inner.(rotor.RegionLister)
	if !ok {
		return nil, fmt.Errorf("metrics: the store %T cannot name its regions: %w", s.inner, errors.ErrUnsupported)
	}
	start := time.Now()
	regions, err := rl.Regions(ctx)
	s.observe("regions", start, err)
	return regions, err
}

func (s *measuredStore) ListSorted(ctx context.Context, region string, order rotor.ListOrder, after rotor.ListPosition, limit int) ([]*rotor.Secret, error) {
	sl, ok := s.inner.(rotor.SortedLister)
	if !ok {
		return nil, fmt.Errorf("metrics: the store %T keeps no listing index: %w", s.inner, errors.ErrUnsupported)
	}
	start := time.Now()
	page, err := sl.ListSorted(ctx, region, order, after, limit)
	s.observe("list_sorted", start, err)
	return page, err
}
