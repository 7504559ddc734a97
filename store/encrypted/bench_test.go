package encrypted_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/encrypted"
	"github.com/stretchr/testify/require"
)

// newBenchService returns a service over an encrypted bolt store holding one
// secret, whose clock is clock.
func newBenchService(b *testing.B, clock func() time.Time) *rotor.Service {
	b.Helper()
	st := encrypted.New(openBolt(b, filepath.Join(b.TempDir(), "rotor.db")), testKeyring(b))
	svc := rotor.New(st, rotor.WithClock(clock))
	_, err := svc.CreateSecret(context.Background(), rotor.CreateSecretInput{Name: "db/prod", SecretString: `{"user":"app","password":"hunter2"}`})
	require.NoError(b, err)
	return svc
}

// BenchmarkEncryptedBoltGetSecretValue reads AWSCURRENT through the service
// from an encrypted bolt store; decrypted secrets are cached by revision.
func BenchmarkEncryptedBoltGetSecretValue(b *testing.B) {
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

// BenchmarkEncryptedBoltPutSecretValue writes a new AWSCURRENT version
// through the service to an encrypted bolt store: every version of the
// secret is sealed again under a fresh data key, then one fsync'd
// transaction.
func BenchmarkEncryptedBoltPutSecretValue(b *testing.B) {
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
