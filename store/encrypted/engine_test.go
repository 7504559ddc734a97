package encrypted_test

import (
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/engine/duetest"
	"github.com/rotorkit/rotor/store/bolt"
	"github.com/rotorkit/rotor/store/encrypted"
	"github.com/stretchr/testify/require"
)

// The wrapper offers ListDue whatever it wraps; over a store without a due
// index it declines at run time, and the engine reads every secret instead.
func TestTheSchedulerRunsOverTheWrapperOfAStoreWithoutADueIndex(t *testing.T) {
	duetest.RunScheduler(t, encrypted.New(rotor.NewMemoryStore(), testKeyring(t)))
}

func TestTheSchedulerUsesTheDueIndexOfTheWrappedStore(t *testing.T) {
	st, err := bolt.Open(t.TempDir() + "/rotor.db")
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	duetest.RunScheduler(t, encrypted.New(st, testKeyring(t)))
}
