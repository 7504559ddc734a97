package storetest

import (
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/require"
)

// Run runs the conformance suite against the stores newStore makes; every Store
// implementation (rotor's and users') must pass it. newStore is called once per subtest
// and must return an empty store; cleanup goes through t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) rotor.Store) {
	t.Helper()
	for _, group := range [][]suiteCase{
		roundTripCases(),
		regionCases(),
		revisionCases(),
		deleteCases(),
		listCases(),
		sortedCases(),
		snapshotCases(),
		concurrencyCases(),
		cancelCases(),
		cachedCases(),
		regionListerCases(),
	} {
		for _, c := range group {
			t.Run(c.name, func(t *testing.T) {
				st := newStore(t)
				require.NotNil(t, st, "newStore returned nil")
				for _, region := range []string{homeRegion, otherRegion} {
					require.Empty(t, list(t, st, region, rotor.Cursor{}, 1), "newStore must return an empty store")
				}
				c.run(t, st)
			})
		}
	}
}

// suiteCase is one subtest: its name reads as the sentence it checks.
type suiteCase struct {
	name string
	run  func(t *testing.T, st rotor.Store)
}
