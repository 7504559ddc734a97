package bolt_test

import (
	"context"
	"encoding/binary"
	"fmt"
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
// one fsync'd bbolt transaction putting a record of 2 KiB.
func BenchmarkBareBoltUpdate(b *testing.B) {
	benchBareUpdate(b, make([]byte, 2048))
}

// BenchmarkBareBoltUpdateFullRecord is the same with the record
// PutSecretValue writes once its secret holds rotor.MaxVersions versions, so
// that the two write the same bytes.
func BenchmarkBareBoltUpdateFullRecord(b *testing.B) {
	now := time.Date(2024, time.March, 9, 0, 0, 0, 0, time.UTC)
	s := &rotor.Secret{ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:db/prod-AbCdEf", Name: "db/prod", CreatedDate: now, LastChangedDate: now}
	for i := 0; i < rotor.MaxVersions; i++ {
		id := fmt.Sprintf("a1b2c3d4-0000-4000-8000-%012d", i)
		s.Versions = append(s.Versions, &rotor.Version{ID: id, Value: rotor.StringValue("value"), CreatedDate: now.Add(time.Duration(i) * time.Hour)})
	}
	s.Stages = []rotor.Stage{{Label: rotor.StageCurrent, VersionID: s.Versions[len(s.Versions)-1].ID}}
	record, err := rotor.EncodeSecret(s)
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
