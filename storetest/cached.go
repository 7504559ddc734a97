package storetest

import (
	"context"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cachedCases check rotor.CachedLoader, for stores that implement it: a
// cached state is one the store really held, with that state's revision,
// and a read-only snapshot like Load's. Stores without it skip them.
func cachedCases() []suiteCase {
	cached := func(t *testing.T, st rotor.Store) rotor.CachedLoader {
		c, ok := st.(rotor.CachedLoader)
		if !ok {
			t.Skip("the store is not a rotor.CachedLoader")
		}
		return c
	}
	return []suiteCase{
		{"a cached state is a state the store held, with its revision", func(t *testing.T, st rotor.Store) {
			c := cached(t, st)
			states := map[rotor.Revision]*rotor.Secret{}
			s := fullSecret(homeRegion, "db/prod")
			states[create(t, st, s.Clone())] = s
			check := func(when string) {
				got, rev, ok := c.LoadCached(homeRegion, "db/prod")
				if !ok {
					return // a store may keep nothing
				}
				want, held := states[rev]
				require.True(t, held, "%s: LoadCached gives revision %d, which the store never gave", when, rev)
				assertSameSecret(t, want, got, "%s: the cached state of revision %d", when, rev)
			}
			check("after Save")
			for n := 1; n <= 3; n++ {
				next, rev := update(t, st, homeRegion, "db/prod", func(s *rotor.Secret) { changeEverything(s, n) })
				states[rev] = next.Clone()
				check("after another Save")
				load(t, st, homeRegion, "db/prod")
				check("after Load")
			}
			_, _, ok := c.LoadCached(otherRegion, "db/prod")
			assert.False(t, ok, "a secret of another region is not cached under this one")
			_, _, ok = c.LoadCached(homeRegion, "never/saved")
			assert.False(t, ok, "a secret never saved is not cached")
		}},
		{"a cached state does not change when the secret is saved again", func(t *testing.T, st rotor.Store) {
			c := cached(t, st)
			create(t, st, fullSecret(homeRegion, "db/prod"))
			got, rev, ok := c.LoadCached(homeRegion, "db/prod")
			if !ok {
				t.Skip("the store kept no state")
			}
			want := got.Clone()
			_, err := st.Save(context.Background(), func() *rotor.Secret { s := got.Clone(); changeEverything(s, 1); return s }(), rev)
			require.NoError(t, err)
			assertSameSecret(t, want, got, "the cached state after a save")
		}},
	}
}
