package bolt_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/bolt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"
)

// filledStore makes a store file of a few dozen pages holding secrets.
func filledStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rotor.db")
	st, err := bolt.Open(path)
	require.NoError(t, err)
	svc := rotor.New(st)
	for i := range 40 {
		_, err := svc.CreateSecret(context.Background(), rotor.CreateSecretInput{
			Name: fmt.Sprintf("secret-%02d", i), SecretString: strings.Repeat("v", 3000)})
		require.NoError(t, err)
	}
	require.NoError(t, st.Close())
	return path
}

// requireDamaged checks that Open refused the file as damaged, naming it
// and saying what to do, and left it as it was.
func requireDamaged(t *testing.T, path, why string) {
	t.Helper()
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	st, err := bolt.Open(path)
	if err == nil {
		_ = st.Close()
	}
	require.Error(t, err, why)
	assert.ErrorIs(t, err, bolt.ErrDamaged, why)
	assert.Contains(t, err.Error(), path, why)
	assert.Contains(t, err.Error(), "restore the file from a backup", why)
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, after, "%s: Open changes nothing in a damaged file", why)
}

func TestOpenRefusesAnEmptyFileInsteadOfStartingAnEmptyStoreThere(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rotor.db")
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	requireDamaged(t, path, "a 0-byte file")
	st, err := bolt.Open(path)
	require.Error(t, err)
	assert.Nil(t, st)
	assert.Contains(t, err.Error(), "empty (0 bytes)")
}

func TestOpenRefusesAFileCutShortWithoutCrashing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cut.db")
	filled := filledStore(t)
	full, err := os.ReadFile(filled)
	require.NoError(t, err)
	// bbolt grows a file ahead of its use: what must be there is the
	// pages below the high-water mark.
	db, err := bbolt.Open(filled, 0o600, &bbolt.Options{ReadOnly: true})
	require.NoError(t, err)
	var used int
	require.NoError(t, db.View(func(tx *bbolt.Tx) error { used = int(tx.Size()); return nil }))
	require.NoError(t, db.Close())
	require.Greater(t, used, 16*4096, "the store spans many pages")
	for _, size := range []int{used - 1, used - 4096, used / 2, 3 * 4096, 2*4096 + 100, 4096, 100} {
		require.NoError(t, os.WriteFile(path, full[:size], 0o600))
		requireDamaged(t, path, fmt.Sprintf("cut to %d of %d bytes in use", size, used))
	}
	require.NoError(t, os.WriteFile(path, full[:used], 0o600))
	st, err := bolt.Open(path)
	require.NoError(t, err, "the pages in use are all a store needs")
	require.NoError(t, st.Close())
}

func TestOpenRefusesAFileWhosePagesAreOverwritten(t *testing.T) {
	full, err := os.ReadFile(filledStore(t))
	require.NoError(t, err)
	const page = 4096
	rng := rand.New(rand.NewPCG(7, 11))
	for _, tc := range []struct {
		name string
		mess func(b []byte)
	}{
		{"both meta pages zeroed", func(b []byte) { clear(b[:2*page]) }},
		{"every page after the meta pages zeroed", func(b []byte) { clear(b[2*page:]) }},
		{"every page after the meta pages random", func(b []byte) {
			for i := 2 * page; i < len(b); i++ {
				b[i] = byte(rng.Uint32())
			}
		}},
		{"the page headers of the data scrambled", func(b []byte) {
			for p := 2 * page; p < len(b); p += page {
				for i := range 16 {
					b[p+i] = byte(rng.Uint32())
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "messed.db")
			b := append([]byte(nil), full...)
			tc.mess(b)
			require.NoError(t, os.WriteFile(path, b, 0o600))
			requireDamaged(t, path, tc.name)
		})
	}
}

func TestOpenReadsAWholeStoreAsBefore(t *testing.T) {
	path := filledStore(t)
	st, err := bolt.Open(path)
	require.NoError(t, err)
	defer st.Close()
	got, err := st.List(context.Background(), "us-east-1", rotor.Cursor{}, 100)
	require.NoError(t, err)
	assert.Len(t, got, 40)
}

func TestOpenWithoutCreateRefusesAMissingFileAndCreatesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.db")
	st, err := bolt.Open(path, bolt.WithCreate(false))
	if err == nil {
		_ = st.Close()
	}
	require.Error(t, err)
	assert.True(t, errors.Is(err, fs.ErrNotExist), "%v", err)
	assert.Contains(t, err.Error(), path)
	_, err = os.Stat(path)
	assert.True(t, errors.Is(err, fs.ErrNotExist), "no file was created")

	existing := filledStore(t)
	st, err = bolt.Open(existing, bolt.WithCreate(false))
	require.NoError(t, err, "an existing store opens")
	require.NoError(t, st.Close())
}
