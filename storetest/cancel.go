package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cancelCases check that a cancelled context makes a call fail or lets it
// finish, never panic, and that a call reporting success did its work.
func cancelCases() []suiteCase {
	return []suiteCase{
		{"calls with a cancelled context either succeed or return an error, and never panic", func(t *testing.T, st rotor.Store) {
			bg := context.Background()
			existing := newSecret(homeRegion, "existing", at(0))
			rev := create(t, st, existing.Clone())
			cancelled, cancel := context.WithCancel(bg)
			cancel()

			t.Run("Save", func(t *testing.T) {
				want := newSecret(homeRegion, "new", at(time.Second))
				var saved rotor.Revision
				var err error
				require.NotPanics(t, func() { saved, err = st.Save(cancelled, want.Clone(), 0) })
				got, gotRev, loadErr := st.Load(bg, homeRegion, "new")
				if err != nil {
					return // The outcome of a failed save is unknown.
				}
				assert.NotZero(t, saved, "a save that succeeded must return a revision")
				if assert.NoError(t, loadErr, "Save returned no error, so the secret must be stored") {
					assert.Equal(t, saved, gotRev)
					assertSameSecret(t, want, got)
				}
			})
			t.Run("Load", func(t *testing.T) {
				var got *rotor.Secret
				var gotRev rotor.Revision
				var err error
				require.NotPanics(t, func() { got, gotRev, err = st.Load(cancelled, homeRegion, "existing") })
				if err == nil {
					assert.Equal(t, rev, gotRev, "Load returned no error, so it must return the stored revision")
					assertSameSecret(t, existing, got, "Load returned no error, so it must return the stored secret")
				}
			})
			t.Run("List", func(t *testing.T) {
				var got []*rotor.Secret
				var err error
				require.NotPanics(t, func() { got, err = st.List(cancelled, homeRegion, rotor.Cursor{}, 1) })
				if err == nil {
					assert.Equal(t, []string{"existing"}, names(got), "List returned no error, so it must return the listing")
				}
			})
			t.Run("Delete", func(t *testing.T) {
				var err error
				require.NotPanics(t, func() { err = st.Delete(cancelled, homeRegion, "existing", rev) })
				_, _, loadErr := st.Load(bg, homeRegion, "existing")
				if err == nil {
					assert.ErrorIs(t, loadErr, rotor.ErrStoreNotFound, "Delete returned no error, so the secret must be gone")
				}
			})
		}},
	}
}
