package cache_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/cache"
)

// benchCache returns a cache holding one secret's AWSCURRENT, in-process.
func benchCache(b *testing.B) *cache.Cache {
	ctx := context.Background()
	svc := rotor.New(rotor.NewMemoryStore())
	if _, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "app/db", SecretString: "s3cret"}); err != nil {
		b.Fatal(err)
	}
	c := cache.New(svc)
	b.Cleanup(func() { _ = c.Close() })
	if _, err := c.Get(ctx, "app/db"); err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkGetHit is the cost of a Get that the cache answers: the target
// is under 100 ns and no allocation.
func BenchmarkGetHit(b *testing.B) {
	ctx := context.Background()
	c := benchCache(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Get(ctx, "app/db"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetHitParallel is BenchmarkGetHit from every core at once.
func BenchmarkGetHitParallel(b *testing.B) {
	ctx := context.Background()
	c := benchCache(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Get(ctx, "app/db"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGetServiceDirect is the read the cache saves: GetSecretValue on
// an in-memory rotor.Service.
func BenchmarkGetServiceDirect(b *testing.B) {
	ctx := context.Background()
	svc := rotor.New(rotor.NewMemoryStore())
	if _, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "app/db", SecretString: "s3cret"}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "app/db"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetStageHit is a hit on another label, the map keyed by
// SecretId and label.
func BenchmarkGetStageHit(b *testing.B) {
	ctx := context.Background()
	svc := rotor.New(rotor.NewMemoryStore())
	if _, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "app/db", SecretString: "s3cret"}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "app/db", SecretString: "s3cret2"}); err != nil {
		b.Fatal(err)
	}
	c := cache.New(svc)
	b.Cleanup(func() { _ = c.Close() })
	if _, err := c.GetStage(ctx, "app/db", rotor.StagePrevious); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.GetStage(ctx, "app/db", rotor.StagePrevious); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGetHitOf1000 reads 1,000 cached secrets in turn, so that each
// hit moves its entry to the front of the recency list.
func BenchmarkGetHitOf1000(b *testing.B) {
	ctx := context.Background()
	svc := rotor.New(rotor.NewMemoryStore())
	c := cache.New(svc)
	b.Cleanup(func() { _ = c.Close() })
	ids := make([]string, 1000)
	for i := range ids {
		ids[i] = "app/db-" + strconv.Itoa(i)
		if _, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: ids[i], SecretString: "s3cret"}); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Get(ctx, ids[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := c.Get(ctx, ids[i]); err != nil {
			b.Fatal(err)
		}
		i = (i + 1) % len(ids)
	}
}
