package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
)

// The benchmarks below measure a store through the service, the way users
// reach it, so every store reports comparable figures:
//
//	func BenchmarkGetSecretValue(b *testing.B) { storetest.BenchGetSecretValue(b, openMyStore(b)) }

// benchService returns a service over st holding one secret, with clock.
func benchService(b *testing.B, st rotor.Store, clock func() time.Time) *rotor.Service {
	b.Helper()
	svc := rotor.New(st, rotor.WithClock(clock))
	if _, err := svc.CreateSecret(context.Background(), rotor.CreateSecretInput{Name: "db/prod", SecretString: `{"user":"app","password":"hunter2"}`}); err != nil {
		b.Fatal(err)
	}
	return svc
}

// BenchGetSecretValue measures GetSecretValue of AWSCURRENT through a
// Service over st. The clock stands still, so only the first read of the
// day writes LastAccessedDate, and it happens before the timer starts.
func BenchGetSecretValue(b *testing.B, st rotor.Store) {
	now := time.Date(2024, time.March, 9, 12, 0, 0, 0, time.UTC)
	svc := benchService(b, st, func() time.Time { return now })
	ctx := context.Background()
	in := rotor.GetSecretValueInput{SecretId: "db/prod"}
	if _, err := svc.GetSecretValue(ctx, in); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := svc.GetSecretValue(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchPutSecretValue measures PutSecretValue of a new AWSCURRENT version
// through a Service over st. The clock moves an hour at every reading, so
// that once the secret holds rotor.MaxVersions versions it may purge those
// older than a day: it stays at its largest size, as a busy secret would.
func BenchPutSecretValue(b *testing.B, st rotor.Store) {
	var hours atomic.Int64
	start := time.Date(2024, time.March, 9, 0, 0, 0, 0, time.UTC)
	svc := benchService(b, st, func() time.Time { return start.Add(time.Duration(hours.Add(1)) * time.Hour) })
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "db/prod", SecretString: "value"}); err != nil {
			b.Fatal(err)
		}
	}
}

// FullRecord returns the encoded record of a secret holding
// rotor.MaxVersions versions: what BenchPutSecretValue writes at every save,
// for a store's benchmark of a bare write of the same bytes.
func FullRecord() ([]byte, error) {
	now := time.Date(2024, time.March, 9, 0, 0, 0, 0, time.UTC)
	s := &rotor.Secret{ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:db/prod-AbCdEf", Name: "db/prod", CreatedDate: now, LastChangedDate: now}
	for i := 0; i < rotor.MaxVersions; i++ {
		id := fmt.Sprintf("a1b2c3d4-0000-4000-8000-%012d", i)
		s.Versions = append(s.Versions, &rotor.Version{ID: id, Value: rotor.StringValue("value"), CreatedDate: now.Add(time.Duration(i) * time.Hour)})
	}
	s.Stages = []rotor.Stage{{Label: rotor.StageCurrent, VersionID: s.Versions[len(s.Versions)-1].ID}}
	return rotor.EncodeSecret(s)
}
