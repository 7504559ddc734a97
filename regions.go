package rotor

import (
	"context"
	"sort"
)

// RegionLister is an optional interface of a Store that names every Region
// in which it holds secrets, sorted. A server serving one store in many
// Regions uses it at start to run each Region's scheduled rotations and
// replica catch-up before any request names that Region, and to check every
// Region's records. A Region whose last secret was deleted may still be
// named. A wrapper that cannot serve it (around a store without one)
// returns an error matching errors.ErrUnsupported.
type RegionLister interface {
	Regions(ctx context.Context) ([]string, error)
}

var _ RegionLister = (*MemoryStore)(nil)

// Regions implements RegionLister.
func (m *MemoryStore) Regions(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	regions := make([]string, 0, len(m.regions))
	for name, r := range m.regions {
		if len(r.byName) > 0 {
			regions = append(regions, name)
		}
	}
	m.mu.RUnlock()
	sort.Strings(regions)
	return regions, nil
}
