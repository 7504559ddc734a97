package storetest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// concurrencyCases check that concurrent writers never lose an update and
// never both create a secret. Run them under the race detector.
func concurrencyCases() []suiteCase {
	return []suiteCase{
		{"concurrent read-modify-write loops retried on conflict lose no update", func(t *testing.T, st rotor.Store) {
			const workers, increments = 16, 25
			counter := newSecret(homeRegion, "counter", at(0))
			counter.Description = "0"
			create(t, st, counter)

			errs := make([]error, workers)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[w] = increment(st, "counter", increments)
				}()
			}
			close(start)
			wg.Wait()

			for w, err := range errs {
				require.NoError(t, err, "worker %d", w)
			}
			got, _ := load(t, st, homeRegion, "counter")
			assert.Equal(t, strconv.Itoa(workers*increments), got.Description, "every successful save must count, and no two saves may succeed on one revision")
		}},
		{"of many concurrent creations of one name exactly one succeeds and the others get ErrStoreExists", func(t *testing.T, st rotor.Store) {
			const racers = 50
			revs := make([]rotor.Revision, racers)
			errs := make([]error, racers)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for r := 0; r < racers; r++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s := newSecret(homeRegion, "db/prod", at(0))
					s.Description = strconv.Itoa(r)
					<-start
					revs[r], errs[r] = st.Save(context.Background(), s, 0)
				}()
			}
			close(start)
			wg.Wait()

			winner := -1
			for r, err := range errs {
				if err == nil {
					assert.Equal(t, -1, winner, "racers %d and %d both created the secret", winner, r)
					winner = r
					continue
				}
				assert.ErrorIs(t, err, rotor.ErrStoreExists, "racer %d", r)
			}
			require.NotEqual(t, -1, winner, "no racer created the secret")
			got, rev := load(t, st, homeRegion, "db/prod")
			assert.Equal(t, strconv.Itoa(winner), got.Description, "the stored secret must be the winner's")
			assert.Equal(t, revs[winner], rev, "the stored revision must be the one the winner got")
		}},
		{"concurrent creations of different names all succeed with distinct revisions", func(t *testing.T, st rotor.Store) {
			const creators = 50
			revs := make([]rotor.Revision, creators)
			errs := make([]error, creators)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for c := 0; c < creators; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s := newSecret(homeRegion, fmt.Sprintf("secret-%02d", c), at(0))
					<-start
					revs[c], errs[c] = st.Save(context.Background(), s, 0)
				}()
			}
			close(start)
			wg.Wait()

			seen := make(map[rotor.Revision]int)
			for c, err := range errs {
				require.NoError(t, err, "creator %d", c)
				if other, dup := seen[revs[c]]; dup {
					assert.Fail(t, "a revision was handed out twice", "creators %d and %d both got revision %d", other, c, revs[c])
				}
				seen[revs[c]] = c
			}
			assert.Len(t, listAll(t, st, homeRegion, 100), creators)
		}},
	}
}

// increment adds one to the counter kept in the secret's Description, n
// times, the way the service applies a change: load, change a clone, save
// with the loaded revision, and on a conflict start again from the load.
func increment(st rotor.Store, name string, n int) error {
	ctx := context.Background()
	for i := 0; i < n; i++ {
		for attempt := 0; ; attempt++ {
			if attempt == 10_000 {
				return fmt.Errorf("increment %d: no save succeeded in %d attempts", i, attempt)
			}
			cur, rev, err := st.Load(ctx, homeRegion, name)
			if err != nil {
				return fmt.Errorf("increment %d: load: %w", i, err)
			}
			count, err := strconv.Atoi(cur.Description)
			if err != nil {
				return fmt.Errorf("increment %d: the stored counter %q is not a number", i, cur.Description)
			}
			next := cur.Clone()
			next.Description = strconv.Itoa(count + 1)
			_, err = st.Save(ctx, next, rev)
			if err == nil {
				break
			}
			if !errors.Is(err, rotor.ErrStoreConflict) {
				return fmt.Errorf("increment %d: save: %w", i, err)
			}
		}
	}
	return nil
}
