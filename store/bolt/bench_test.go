package bolt_test

import (
	"context"
	"encoding/binary"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/require"
	bbolt "go.etcd.io/bbolt"
)

// newBenchService returns a service over a bolt store holding one secret,
// whose clock is clock.
func newBenchService(b *testing.B, clock func() time.Time) *rotor.Service {
	b.Helper()
	svc := rotor.New(openTemp(b), rotor.WithClock(clock))
	_, err := svc.CreateSecret(context.Background(), rotor.CreateSecretInput{Name: "db/prod", SecretString: `{"user":"app","password":"hunter2"}`})
	require.NoError(b, err)
	return svc
}

// BenchmarkBoltGetSecretValue reads AWSCURRENT through the service. Target:
// at most 5 µs.
func BenchmarkBoltGetSecretValue(b *testing.B) {
	// A clock that stands still: a read writes LastAccessedDate only on the
	// first read of a day.
	now := time.Date(2024, time.March, 9, 12, 0, 0, 0, time.UTC)
	svc := newBenchService(b, func() time.Time { return now })
	ctx := context.Background()
	in := rotor.GetSecretValueInput{SecretId: "db/prod"}
	_, err := svc.GetSecretValue(ctx, in) // The first read of the day writes LastAccessedDate.
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := svc.GetSecretValue(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBoltPutSecretValue writes a new AWSCURRENT version through the
// service: one fsync'd transaction. Target: within 2x of
// BenchmarkBareBoltUpdate.
func BenchmarkBoltPutSecretValue(b *testing.B) {
	// The clock moves an hour at every reading, so that PutSecretValue may
	// purge versions older than a day once the secret holds
	// rotor.MaxVersions: the secret stays at its largest size, as a busy
	// secret would.
	var hours atomic.Int64
	start := time.Date(2024, time.March, 9, 0, 0, 0, 0, time.UTC)
	svc := newBenchService(b, func() time.Time { return start.Add(time.Duration(hours.Add(1)) * time.Hour) })
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "db/prod", SecretString: "value"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBareBoltUpdate is the floor PutSecretValue is measured against:
// one fsync'd bbolt transaction putting a record of similar size.
func BenchmarkBareBoltUpdate(b *testing.B) {
	db, err := bbolt.Open(filepath.Join(b.TempDir(), "bare.db"), 0o600, nil)
	require.NoError(b, err)
	defer db.Close()
	value := make([]byte, 2048)
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
