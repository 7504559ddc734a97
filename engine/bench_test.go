package engine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/engine"
	"github.com/stretchr/testify/require"
)

// BenchmarkTick measures one scheduler tick over 100,000 secrets of which
// 100 are due: finding them, and starting each rotation (RotateSecret). The
// rotations themselves run between iterations, off the clock, and the 100
// secrets are then put back as they were.
//
//	go test -run '^$' -bench Tick -benchtime 20x ./engine/
func BenchmarkTick(b *testing.B) {
	for _, indexed := range []bool{true, false} {
		name := "scan"
		if indexed {
			name = "indexed"
		}
		b.Run(name, func(b *testing.B) { benchmarkTick(b, 100_000, 100, indexed) })
	}
}

func benchmarkTick(b *testing.B, total, due int, indexed bool) {
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: start}
	mem := rotor.NewMemoryStore()
	var store rotor.Store = mem
	if indexed {
		store = engine.NewIndexedStore(mem)
	}
	n := newNode(b, store, clock, 1, engine.Config{})
	n.fns.Register(lambdaARN, quickRotator(n.svc))

	// One secret made by the service is the model of all the others.
	n.create(b, "model", "v0")
	_, err := n.svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "model", RotationLambdaARN: lambdaARN,
		RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 30}, RotateImmediately: ptr(false)})
	require.NoError(b, err)
	model := n.load(b, "model")
	dueSoon := model.NextRotationDate // the end of day 30
	later := dueSoon.Add(30 * 24 * time.Hour)

	var dueSecrets []*rotor.Secret
	for i := range total {
		s := model.Clone()
		s.Name = fmt.Sprintf("bench/%06d", i)
		s.ARN = "arn:aws:secretsmanager:us-east-1:000000000000:secret:" + s.Name + "-AbCdEf"
		s.NextRotationDate = later
		if i%(total/due) == 0 {
			s.NextRotationDate = dueSoon
			dueSecrets = append(dueSecrets, s.Clone())
		}
		_, err := mem.Save(ctx, s, 0) // behind the index's back: it is built by its first scan
		require.NoError(b, err)
	}
	now := dueSoon.Add(-11 * time.Hour) // 13:00 on the due day: past every due moment
	clock.Set(now)
	// The first ListDue of an IndexedStore builds its index: off the clock.
	if dl, ok := store.(rotor.DueLister); ok {
		_, err = dl.ListDue(ctx, "us-east-1", start, 1)
		require.NoError(b, err)
	}

	b.ResetTimer()
	for range b.N {
		started, err := n.eng.Tick(ctx)
		b.StopTimer()
		require.NoError(b, err)
		// The model secret is due too.
		require.Equal(b, due+1, started)
		require.NoError(b, n.eng.WaitIdle(waitCtx(b)))
		for _, s := range append(dueSecrets, model) {
			_, rev, err := store.Load(ctx, "us-east-1", s.Name)
			require.NoError(b, err)
			_, err = store.Save(ctx, s.Clone(), rev)
			require.NoError(b, err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(total), "secrets")
	b.ReportMetric(float64(due), "due")
}

// BenchmarkListDue measures the IndexedStore's part of a tick alone:
// finding and loading the 100 due secrets among 100,000.
func BenchmarkListDue(b *testing.B) {
	ctx := context.Background()
	mem := rotor.NewMemoryStore()
	store := engine.NewIndexedStore(mem)
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	n := newNode(b, mem, clock, 1, engine.Config{})
	n.fns.Register(lambdaARN, quickRotator(n.svc))
	n.create(b, "model", "v0")
	_, err := n.svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "model", RotationLambdaARN: lambdaARN,
		RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 30}, RotateImmediately: ptr(false)})
	require.NoError(b, err)
	model := n.load(b, "model")
	for i := range 100_000 {
		s := model.Clone()
		s.Name = fmt.Sprintf("bench/%06d", i)
		s.ARN = "arn:aws:secretsmanager:us-east-1:000000000000:secret:" + s.Name + "-AbCdEf"
		if i%1000 != 0 {
			s.NextRotationDate = s.NextRotationDate.Add(30 * 24 * time.Hour)
		}
		_, err := mem.Save(ctx, s, 0)
		require.NoError(b, err)
	}
	now := model.NextRotationDate.Add(-11 * time.Hour)
	_, err = store.ListDue(ctx, "us-east-1", now, 1000)
	require.NoError(b, err)
	b.ResetTimer()
	for range b.N {
		due, err := store.ListDue(ctx, "us-east-1", now, 1000)
		if err != nil || len(due) != 101 {
			b.Fatalf("ListDue: %d, %v", len(due), err)
		}
	}
}
