package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/encrypted"
	"github.com/rotorkit/rotor/store/postgres"
	"github.com/rotorkit/rotor/storetest"
	"github.com/stretchr/testify/require"
)

// BenchmarkPostgresGetSecretValue reads AWSCURRENT through the service.
func BenchmarkPostgresGetSecretValue(b *testing.B) {
	storetest.BenchGetSecretValue(b, openTemp(b))
}

// BenchmarkPostgresPutSecretValue writes a new AWSCURRENT version through the service.
func BenchmarkPostgresPutSecretValue(b *testing.B) {
	storetest.BenchPutSecretValue(b, openTemp(b))
}

// BenchmarkPostgresEncryptedPutSecretValue is what rotor serve --store
// postgres://… runs: the encryption wrapper over the store.
func BenchmarkPostgresEncryptedPutSecretValue(b *testing.B) {
	storetest.BenchPutSecretValue(b, encrypted.New(openTemp(b), testKeyring(b)))
}

// BenchmarkPostgresBareUpdate is the floor PutSecretValue is measured
// against: one round trip updating one row, committed, with a record of 2 KiB
// in a column compressed as rotor_secrets' is.
func BenchmarkPostgresBareUpdate(b *testing.B) {
	benchBareUpdate(b, make([]byte, 2048))
}

// BenchmarkPostgresBareUpdateFullRecord is the same with the record
// PutSecretValue writes once its secret holds rotor.MaxVersions versions, so
// that the two write the same bytes.
func BenchmarkPostgresBareUpdateFullRecord(b *testing.B) {
	record, err := storetest.FullRecord()
	require.NoError(b, err)
	benchBareUpdate(b, record)
	b.ReportMetric(float64(len(record)), "record-bytes")
}

// BenchmarkPostgresBareUpdateEncryptedRecord is the same with the record the
// encryption wrapper writes for that secret: its values are envelopes, in
// base64, which no compression shrinks.
func BenchmarkPostgresBareUpdateEncryptedRecord(b *testing.B) {
	plain, err := storetest.FullRecord()
	require.NoError(b, err)
	secret, err := rotor.DecodeSecret(plain)
	require.NoError(b, err)
	inner := rotor.NewMemoryStore()
	ctx := context.Background()
	_, err = encrypted.New(inner, testKeyring(b)).Save(ctx, secret, 0)
	require.NoError(b, err)
	sealed, _, err := inner.Load(ctx, secret.Region(), secret.Name)
	require.NoError(b, err)
	record, err := rotor.EncodeSecret(sealed)
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
	_, err = conn.Exec(ctx, `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize()+`; CREATE TABLE `+table+` (id int PRIMARY KEY, n bigint, record bytea COMPRESSION lz4); INSERT INTO `+table+` VALUES (1, 0, '')`)
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

// BenchmarkPostgresListSecrets measures a ListSecrets page of 100 (first and
// middle, unsorted and sorted) at 1,000 and 100,000 secrets, over loopback.
func BenchmarkPostgresListSecrets(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("secrets=%d", n), func(b *testing.B) {
			st := openTemp(b, postgres.WithMaxConns(8))
			storetest.Fill(b, st, "us-east-1", n)
			storetest.BenchListSecrets(b, st, n)
		})
	}
}
