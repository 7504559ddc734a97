package storetest

import (
	"context"
	"errors"
	"sort"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// regionListerCases check rotor.RegionLister, for stores that implement it:
// every Region that holds a secret is named, once, in sorted order. Stores
// without it, and wrappers whose inner store lacks it, skip them.
func regionListerCases() []suiteCase {
	regions := func(t *testing.T, st rotor.Store) []string {
		rl, ok := st.(rotor.RegionLister)
		if !ok {
			t.Skip("the store is not a rotor.RegionLister")
		}
		got, err := rl.Regions(context.Background())
		if errors.Is(err, errors.ErrUnsupported) {
			t.Skip("the store cannot name its regions: ", err)
		}
		require.NoError(t, err)
		return got
	}
	return []suiteCase{
		{"Regions names every region that holds a secret, once, sorted", func(t *testing.T, st rotor.Store) {
			assert.Empty(t, regions(t, st), "an empty store")
			const third = "ap-south-1"
			for i, region := range []string{otherRegion, homeRegion, third, homeRegion} {
				create(t, st, newSecret(region, "app/"+string(rune('a'+i)), at(0)))
			}
			assert.Equal(t, sortedStrings(homeRegion, otherRegion, third), regions(t, st))
		}},
		{"Regions keeps a region while it holds a secret", func(t *testing.T, st rotor.Store) {
			create(t, st, newSecret(otherRegion, "one", at(0)))
			create(t, st, newSecret(otherRegion, "two", at(0)))
			_, rev := load(t, st, otherRegion, "one")
			require.NoError(t, st.Delete(context.Background(), otherRegion, "one", rev))
			assert.Equal(t, []string{otherRegion}, regions(t, st))
		}},
		{"Regions honours a cancelled context", func(t *testing.T, st rotor.Store) {
			create(t, st, newSecret(homeRegion, "one", at(0)))
			rl, ok := st.(rotor.RegionLister)
			if !ok {
				t.Skip("the store is not a rotor.RegionLister")
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := rl.Regions(ctx)
			assert.Error(t, err)
		}},
	}
}

func sortedStrings(s ...string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
