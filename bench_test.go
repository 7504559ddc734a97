package rotor_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/storetest"
)

// benchService returns a service over a memory store whose clock the
// benchmark moves by hand.
func benchService(b *testing.B) (*rotor.Service, *time.Time, *rotor.FunctionRegistry) {
	b.Helper()
	now := epoch
	fns := &rotor.FunctionRegistry{}
	svc := rotor.New(rotor.NewMemoryStore(), rotor.WithClock(func() time.Time { return now }), rotor.WithInvoker(fns))
	return svc, &now, fns
}

func BenchmarkGetSecretValue(b *testing.B) {
	for _, versions := range []int{1, 100} {
		b.Run(fmt.Sprintf("versions=%d", versions), func(b *testing.B) {
			svc, now, _ := benchService(b)
			ctx := context.Background()
			if _, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "bench", SecretString: strings.Repeat("v", 100)}); err != nil {
				b.Fatal(err)
			}
			for i := 1; i < versions; i++ {
				if _, err := svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "bench", SecretString: fmt.Sprint("value ", i)}); err != nil {
					b.Fatal(err)
				}
			}
			*now = now.Add(time.Hour)
			in := rotor.GetSecretValueInput{SecretId: "bench"}
			if _, err := svc.GetSecretValue(ctx, in); err != nil { // records today's access once
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := svc.GetSecretValue(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPutSecretValue(b *testing.B) { benchPut(b, 0) }

// BenchmarkPutSecretValueReplicated measures PutSecretValue on a primary
// with one and two replicas: each replica is one more load and save of a
// record, after the primary's commit, in the same call.
func BenchmarkPutSecretValueReplicated(b *testing.B) {
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) { benchPut(b, n) })
	}
}

// benchPut measures PutSecretValue of a 100-byte value on a secret with
// replicas replicas.
func benchPut(b *testing.B, replicas int) {
	svc, now, _ := benchService(b)
	ctx := context.Background()
	in := rotor.CreateSecretInput{Name: "bench", SecretString: "v0"}
	for _, region := range []string{"eu-west-1", "ap-southeast-2"}[:replicas] {
		in.AddReplicaRegions = append(in.AddReplicaRegions, rotor.ReplicaRegion{Region: region})
	}
	if _, err := svc.CreateSecret(ctx, in); err != nil {
		b.Fatal(err)
	}
	value := strings.Repeat("v", 100)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		// 96 writes a day: retention keeps the history at 100 versions
		// instead of refusing the 101st.
		*now = now.Add(15 * time.Minute)
		if _, err := svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "bench", SecretString: value}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRotateSecret(b *testing.B) {
	svc, now, fns := benchService(b)
	ctx := context.Background()
	const fn = "arn:aws:lambda:us-east-1:000000000000:function:bench"
	fns.Register(fn, &rotor.TemplateRotator{API: svc, Generate: func(context.Context, rotor.GetSecretValueOutput) (string, error) {
		return "rotated-value", nil
	}})
	if _, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "bench", SecretString: "v0"}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "bench", RotationLambdaARN: fn, RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 1}}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		// 96 rotations a day: retention always finds a deprecated version
		// older than 24 hours to drop, as it would for a secret rotated
		// every 15 minutes.
		*now = now.Add(15 * time.Minute)
		if _, err := svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListSecrets measures a page of 100, first and middle, unsorted
// and sorted, over the memory store (which walks its indexes) and over a
// store that must be read whole (the top-k fallback).
func BenchmarkListSecrets(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("store=memory/secrets=%d", n), func(b *testing.B) {
			st := rotor.NewMemoryStore()
			storetest.Fill(b, st, "us-east-1", n)
			storetest.BenchListSecrets(b, st, n)
		})
	}
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("store=plain/secrets=%d", n), func(b *testing.B) {
			st := plainStore{rotor.NewMemoryStore()}
			storetest.Fill(b, st, "us-east-1", n)
			storetest.BenchListSecrets(b, st, n)
		})
	}
}

// BenchmarkMemoryFootprint reports the heap that 100,000 secrets with one
// 100-byte value each take in the memory store.
func BenchmarkMemoryFootprint(b *testing.B) {
	value := strings.Repeat("v", 100)
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		store := rotor.NewMemoryStore()
		now := epoch
		svc := rotor.New(store, rotor.WithClock(func() time.Time { return now }))
		ctx := context.Background()
		for i := range 100_000 {
			now = now.Add(time.Millisecond)
			if _, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: fmt.Sprintf("secret-%06d", i), SecretString: value}); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB/100k-secrets")
		runtime.KeepAlive(store)
	}
}
