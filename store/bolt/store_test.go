package bolt_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/bolt"
	"github.com/rotorkit/rotor/storetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openTemp opens a store in a new file that is closed when the test ends.
func openTemp(t testing.TB, opts ...bolt.Option) *bolt.Store {
	t.Helper()
	st, err := bolt.Open(filepath.Join(t.TempDir(), "rotor.db"), opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) rotor.Store { return openTemp(t) })
}

func TestStoreConformanceWithoutCache(t *testing.T) {
	storetest.Run(t, func(t *testing.T) rotor.Store { return openTemp(t, bolt.WithCacheSize(0)) })
}

func TestSecretsSurviveCloseAndOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rotor.db")
	st, err := bolt.Open(path)
	require.NoError(t, err)

	kept := secretIn("us-east-1", "db/prod", time.Unix(1_700_000_000, 123_000_000).UTC())
	rev, err := st.Save(ctx, kept.Clone(), 0)
	require.NoError(t, err)
	gone := secretIn("us-east-1", "gone", time.Unix(1_700_000_001, 0).UTC())
	goneRev, err := st.Save(ctx, gone.Clone(), 0)
	require.NoError(t, err)
	require.NoError(t, st.Delete(ctx, "us-east-1", "gone", goneRev))
	require.NoError(t, st.Close())

	st, err = bolt.Open(path)
	require.NoError(t, err)
	defer st.Close()
	got, gotRev, err := st.Load(ctx, "us-east-1", "db/prod")
	require.NoError(t, err)
	assert.Equal(t, rev, gotRev, "the revision survives")
	assert.Equal(t, kept.Name, got.Name)
	assert.True(t, kept.CreatedDate.Equal(got.CreatedDate))
	require.Len(t, got.Versions, 1)
	assert.Equal(t, "hunter2", got.Versions[0].Value.Text(), "the value survives")

	_, _, err = st.Load(ctx, "us-east-1", "gone")
	assert.ErrorIs(t, err, rotor.ErrStoreNotFound, "a delete survives")
	listed, err := st.List(ctx, "us-east-1", rotor.Cursor{}, 10)
	require.NoError(t, err)
	require.Len(t, listed, 1, "the listing index survives")
	assert.Equal(t, "db/prod", listed[0].Name)

	next, err := st.Save(ctx, secretIn("us-east-1", "gone", time.Unix(1_700_000_002, 0).UTC()), 0)
	require.NoError(t, err)
	assert.Greater(t, next, goneRev, "the revision counter survives, so no revision is handed out twice")
}

func TestASecondOpenFailsFastWithErrLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rotor.db")
	first, err := bolt.Open(path)
	require.NoError(t, err)

	start := time.Now()
	second, err := bolt.Open(path, bolt.WithLockTimeout(100*time.Millisecond))
	if second != nil {
		_ = second.Close()
	}
	require.ErrorIs(t, err, bolt.ErrLocked)
	assert.Contains(t, err.Error(), path, "the error names the file")
	assert.Less(t, time.Since(start), 5*time.Second, "Open gave up instead of hanging")

	require.NoError(t, first.Close())
	again, err := bolt.Open(path)
	require.NoError(t, err, "the file opens once its holder closed it")
	require.NoError(t, again.Close())
}

func TestTheFileIsCreatedReadableByItsOwnerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rotor.db")
	st, err := bolt.Open(path)
	require.NoError(t, err)
	defer st.Close()
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
}

func TestOpenRefusesAFileThatIsNotABoltStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rotor.db")
	require.NoError(t, os.WriteFile(path, []byte("not a database, just some text that is long enough"), 0o600))
	_, err := bolt.Open(path)
	assert.Error(t, err)
}

// secretIn returns a secret with one current string version.
func secretIn(region, name string, created time.Time) *rotor.Secret {
	return &rotor.Secret{
		ARN:         "arn:aws:secretsmanager:" + region + ":123456789012:secret:" + name + "-AbC123",
		Name:        name,
		CreatedDate: created,
		Versions:    []*rotor.Version{{ID: "v1", Value: rotor.StringValue("hunter2"), CreatedDate: created}},
		Stages:      []rotor.Stage{{Label: rotor.StageCurrent, VersionID: "v1"}},
	}
}
