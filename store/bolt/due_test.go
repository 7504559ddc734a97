package bolt_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/rotorkit/rotor/engine/duetest"
	"github.com/rotorkit/rotor/store/bolt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"
)

func TestListDueReturnsWhatEngineDueAtSaysIsDue(t *testing.T) {
	duetest.Run(t, openTemp(t))
}

func TestOpenRebuildsADueIndexBuiltByAnotherRule(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rotor.db")
	st, err := bolt.Open(path)
	require.NoError(t, err)
	base := time.Date(2024, time.March, 9, 12, 0, 0, 0, time.UTC)
	secrets := duetest.Fixtures(base)
	for _, s := range secrets {
		_, err := st.Save(ctx, s.Clone(), 0)
		require.NoError(t, err)
	}
	require.NoError(t, st.Close())

	// An older rotor, with another rule, left a wrong index: here, none.
	db, err := bbolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bbolt.Tx) error {
		if err := tx.DeleteBucket([]byte("due")); err != nil {
			return err
		}
		if _, err := tx.CreateBucket([]byte("due")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("due-index"), []byte("0"))
	}))
	require.NoError(t, db.Close())

	st, err = bolt.Open(path)
	require.NoError(t, err)
	defer st.Close()
	now := base.Add(2 * time.Hour)
	due, err := st.ListDue(ctx, "us-east-1", now, 1000)
	require.NoError(t, err)
	var names []string
	for _, s := range due {
		names = append(names, s.Name)
	}
	assert.Equal(t, duetest.Want(secrets, now), names)
	require.NotEmpty(t, names)

	// The rebuilt headers let a save move its entry: no stale one is left.
	first, rev, err := st.Load(ctx, "us-east-1", names[0])
	require.NoError(t, err)
	moved := first.Clone()
	moved.RotationEnabled = false
	_, err = st.Save(ctx, moved, rev)
	require.NoError(t, err)
	due, err = st.ListDue(ctx, "us-east-1", now, 1000)
	require.NoError(t, err)
	assert.Len(t, due, len(names)-1)
}
