package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/require"
)

// newBenchService returns a service over a store in a new schema, holding
// one secret, whose clock is clock.
func newBenchService(b *testing.B, clock func() time.Time) *rotor.Service {
	b.Helper()
	svc := rotor.New(openTemp(b), rotor.WithClock(clock))
	_, err := svc.CreateSecret(context.Background(), rotor.CreateSecretInput{Name: "db/prod", SecretString: `{"user":"app","password":"hunter2"}`})
	require.NoError(b, err)
	return svc
}

// BenchmarkPostgresGetSecretValue reads AWSCURRENT through the service: one
// round trip that leaves the record out while the cache holds it.
func BenchmarkPostgresGetSecretValue(b *testing.B) {
	now := time.Date(2024, time.March, 9, 12, 0, 0, 0, time.UTC)
	svc := newBenchService(b, func() time.Time { return now })
	ctx := context.Background()
	in := rotor.GetSecretValueInput{SecretId: "db/prod"}
	_, err := svc.GetSecretValue(ctx, in)
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := svc.GetSecretValue(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPostgresPutSecretValue writes a new AWSCURRENT version through the
// service: a load and one conditional UPDATE, committed. Target: within 2x
// of BenchmarkPostgresBareUpdate.
func BenchmarkPostgresPutSecretValue(b *testing.B) {
	// The clock moves an hour at every reading so that the secret, once at
	// rotor.MaxVersions, may purge versions older than a day: it stays at
	// its largest size, as a busy secret would.
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

// BenchmarkPostgresBareUpdate is the floor PutSecretValue is measured
// against: one round trip updating one row, committed, with a record of 2 KiB.
func BenchmarkPostgresBareUpdate(b *testing.B) {
	benchBareUpdate(b, make([]byte, 2048))
}

// BenchmarkPostgresBareUpdateFullRecord is the same with the record
// PutSecretValue writes once its secret holds rotor.MaxVersions versions, so
// that the two write the same bytes.
func BenchmarkPostgresBareUpdateFullRecord(b *testing.B) {
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

func benchBareUpdate(b *testing.B, record []byte) {
	ctx := context.Background()
	url := testURL(b)
	schema := newSchema(b, url)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(b, err)
	defer conn.Close(ctx)
	table := pgx.Identifier{schema, "bench"}.Sanitize()
	_, err = conn.Exec(ctx, `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize()+`; CREATE TABLE `+table+` (id int PRIMARY KEY, n bigint, record bytea); INSERT INTO `+table+` VALUES (1, 0, '')`)
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		record[len(record)/2] = byte(i) // a new value every time, as a save writes
		if _, err := conn.Exec(ctx, `UPDATE `+table+` SET n = $1, record = $2 WHERE id = 1`, int64(i), record); err != nil {
			b.Fatal(err)
		}
	}
}
