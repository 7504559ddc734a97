package bolt_test

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/rotorkit/rotor/store/bolt"
	"github.com/rotorkit/rotor/storetest"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"
)

// BenchmarkBoltGetSecretValue reads AWSCURRENT through the service.
func BenchmarkBoltGetSecretValue(b *testing.B) {
	storetest.BenchGetSecretValue(b, openTemp(b))
}

// BenchmarkBoltPutSecretValue writes a new AWSCURRENT version through the service.
func BenchmarkBoltPutSecretValue(b *testing.B) {
	storetest.BenchPutSecretValue(b, openTemp(b))
}

// BenchmarkBareBoltUpdate is the floor PutSecretValue is measured against:
// one fsync'd bbolt transaction putting a record of 2 KiB.
func BenchmarkBareBoltUpdate(b *testing.B) {
	benchBareUpdate(b, make([]byte, 2048))
}

// BenchmarkBareBoltUpdateFullRecord is the same with the record
// PutSecretValue writes once its secret holds rotor.MaxVersions versions, so
// that the two write the same bytes.
func BenchmarkBareBoltUpdateFullRecord(b *testing.B) {
	record, err := storetest.FullRecord()
	require.NoError(b, err)
	benchBareUpdate(b, record)
	b.ReportMetric(float64(len(record)), "record-bytes")
}

func benchBareUpdate(b *testing.B, value []byte) {
	db, err := bbolt.Open(filepath.Join(b.TempDir(), "bare.db"), 0o600, nil)
	require.NoError(b, err)
	defer db.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := db.Update(func(tx *bbolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("bench"))
			if err != nil {
				return err
			}
			binary.BigEndian.PutUint64(value, uint64(i))
			return bk.Put([]byte("db/prod"), value)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBoltListSecrets measures a ListSecrets page of 100 (first and
// middle, unsorted and sorted) at 1,000 and 100,000 secrets. The store is
// filled without fsync, then measured with it, as served.
func BenchmarkBoltListSecrets(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("secrets=%d", n), func(b *testing.B) {
			st := openTemp(b)
			bolt.SetNoSync(st, true)
			storetest.Fill(b, st, "us-east-1", n)
			bolt.SetNoSync(st, false)
			storetest.BenchListSecrets(b, st, n)
		})
	}
}
