package bolt

import (
	"bytes"
	"context"
	"sort"

	bbolt "go.etcd.io/bbolt"
)

// Regions implements rotor.RegionLister: the regions in which the store
// holds secrets, sorted. A region whose last secret was deleted may still be
// named.
func (s *Store) Regions(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	prefix := regionName("")
	var regions []string
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(recordsBucket).ForEachBucket(func(name []byte) error {
			if bytes.HasPrefix(name, prefix) {
				regions = append(regions, string(name[len(prefix):]))
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(regions)
	return regions, nil
}
