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

func TestListOrdersTimesBefore1970AndTheZeroTime(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t)
	created := map[string]time.Time{
		"zero":      {},
		"1900":      time.Date(1900, time.January, 1, 0, 0, 0, 500, time.UTC),
		"1969":      time.Date(1969, time.December, 31, 23, 59, 59, 999_999_999, time.UTC),
		"1970":      time.Unix(0, 0).UTC(),
		"1970+1ns":  time.Unix(0, 1).UTC(),
		"2300":      time.Date(2300, time.January, 1, 0, 0, 0, 0, time.UTC),
		"2024-fixe": time.Date(2024, time.March, 9, 0, 0, 0, 0, time.FixedZone("X", 3600)),
	}
	for _, name := range []string{"2300", "1970", "zero", "2024-fixe", "1969", "1970+1ns", "1900"} {
		_, err := st.Save(ctx, secretIn("us-east-1", name, created[name]), 0)
		require.NoError(t, err)
	}
	var got []string
	after := rotor.Cursor{}
	for {
		page, err := st.List(ctx, "us-east-1", after, 2)
		require.NoError(t, err)
		if len(page) == 0 {
			break
		}
		for _, s := range page {
			got = append(got, s.Name)
		}
		after = rotor.CursorOf(page[len(page)-1])
	}
	assert.Equal(t, []string{"zero", "1900", "1969", "1970", "1970+1ns", "2024-fixe", "2300"}, got)
}
