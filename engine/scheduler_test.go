package engine_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTickTakesOverAnExpiredLease(t *testing.T) {
	clock := &fakeClock{now: epoch}
	store := rotor.NewMemoryStore()
	first := newNode(t, store, clock, 1, engine.Config{})
	v0 := first.create(t, "db", "initial").VersionId
	g := &gate{inner: first.template("unused"), reached: make(chan struct{}), open: make(chan struct{})}
	first.fns.Register(lambdaARN, g)
	out, err := first.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN,
		RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 30}})
	require.NoError(t, err)
	<-g.reached
	defer close(g.open)

	// A second server that has been running all along notices on a tick.
	second := newNode(t, store, clock, 2, engine.Config{})
	second.template(lambdaARN)
	started, err := second.eng.Tick(context.Background())
	require.NoError(t, err)
	assert.Zero(t, started, "the lease is live")

	clock.Advance(rotor.RotationLease + time.Second)
	started, err = second.eng.Tick(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, started)
	require.NoError(t, second.eng.Wait(waitCtx(t), out.ARN, out.VersionId))
	assert.Equal(t, map[string][]string{v0: {"AWSPREVIOUS"}, out.VersionId: {"AWSCURRENT"}}, second.stages(t, "db"))
}

func TestMissedWindowIsRotatedLate(t *testing.T) {
	clock := &fakeClock{now: epoch}
	n := newNode(t, rotor.NewMemoryStore(), clock, 1, engine.Config{})
	n.template(lambdaARN)
	n.create(t, "db", "initial")
	_, err := n.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN,
		RotationRules: &rotor.RotationRules{ScheduleExpression: "cron(0 16 1,15 * ? *)", Duration: "2h"}, RotateImmediately: ptr(false)})
	require.NoError(t, err)
	nrd := n.load(t, "db").NextRotationDate
	assert.Equal(t, time.Date(2026, 1, 15, 17, 59, 59, 0, time.UTC), nrd)

	t.Run("not before its window", func(t *testing.T) {
		clock.Set(time.Date(2026, 1, 15, 15, 59, 0, 0, time.UTC))
		started, err := n.eng.Tick(context.Background())
		require.NoError(t, err)
		assert.Zero(t, started)
	})
	t.Run("late, when no engine ran during the window", func(t *testing.T) {
		clock.Set(time.Date(2026, 1, 17, 9, 0, 0, 0, time.UTC))
		started, err := n.eng.Tick(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 1, started)
		require.NoError(t, n.eng.WaitIdle(waitCtx(t)))
		sec := n.load(t, "db")
		assert.Equal(t, clock.Now(), sec.LastRotatedDate)
		assert.Equal(t, time.Date(2026, 2, 1, 17, 59, 59, 0, time.UTC), sec.NextRotationDate)
	})
	t.Run("and only once", func(t *testing.T) {
		started, err := n.eng.Tick(context.Background())
		require.NoError(t, err)
		assert.Zero(t, started)
	})
}

// hookStore runs a callback after a Load, once armed.
type hookStore struct {
	rotor.Store
	armed atomic.Bool
	hook  func()
}

func (h *hookStore) Load(ctx context.Context, region, name string) (*rotor.Secret, rotor.Revision, error) {
	sec, rev, err := h.Store.Load(ctx, region, name)
	if h.armed.CompareAndSwap(true, false) {
		h.hook()
	}
	return sec, rev, err
}

// TestAStaleListingStartsNothing: the scheduler decides on the secret as
// stored, under its revision, so a change made between the read that found
// it due and the decision's save wins.
func TestAStaleListingStartsNothing(t *testing.T) {
	clock := &fakeClock{now: epoch}
	store := &hookStore{Store: rotor.NewMemoryStore()}
	n := newNode(t, store, clock, 1, engine.Config{})
	var ran atomic.Int32
	inner := n.template("unused")
	n.fns.Register(lambdaARN, rotor.RotatorFunc(func(ctx context.Context, ev rotor.RotationEvent) error {
		ran.Add(1)
		return rotorFunc(inner)(ctx, ev)
	}))
	n.create(t, "db", "initial")
	_, err := n.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN,
		RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 1}, RotateImmediately: ptr(false)})
	require.NoError(t, err)
	ran.Store(0) // the configuration check ran testSecret

	// Right after the tick's fresh read found the secret due, someone
	// writes a value by hand: that counts as this window's rotation.
	clock.Set(epoch.Add(24*time.Hour + 13*time.Hour))
	store.hook = func() {
		_, err := n.svc.PutSecretValue(context.Background(), rotor.PutSecretValueInput{SecretId: "db", SecretString: "by hand"})
		require.NoError(t, err)
	}
	store.armed.Store(true)
	started, err := n.eng.Tick(context.Background())
	require.NoError(t, err)
	assert.Zero(t, started)
	require.NoError(t, n.eng.WaitIdle(waitCtx(t)))
	assert.Zero(t, ran.Load(), "no rotation ran a step")
	assert.Equal(t, "by hand", n.current(t, "db"))
	sec := n.load(t, "db")
	_, pending := sec.StageVersion(rotor.StagePending)
	assert.False(t, pending, "no placeholder was made")
	assert.Len(t, sec.Versions, 2, "the first value and the one written by hand")
}

// failingStore fails, once armed, the save that records a rotation's end.
type failingStore struct {
	rotor.Store
	armed atomic.Bool
}

func (f *failingStore) Save(ctx context.Context, s *rotor.Secret, expect rotor.Revision) (rotor.Revision, error) {
	if s.Rotation == nil && !s.LastRotatedDate.IsZero() && f.armed.CompareAndSwap(true, false) {
		return 0, errors.New("disk on fire")
	}
	return f.Store.Save(ctx, s, expect)
}

func TestARotationWhoseEndWasLostDoesNotStallTheSchedule(t *testing.T) {
	clock := &fakeClock{now: epoch}
	store := &failingStore{Store: rotor.NewMemoryStore()}
	n := newNode(t, store, clock, 1, engine.Config{})
	n.template(lambdaARN)
	n.create(t, "db", "initial")
	_, err := n.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN,
		RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 1}, RotateImmediately: ptr(false)})
	require.NoError(t, err)

	// The save that records the end fails once; the retry goes on with the
	// same attempt: finishSecret finds AWSCURRENT already on the pending
	// version, and the end is recorded.
	store.armed.Store(true)
	clock.Set(epoch.Add(24*time.Hour + 13*time.Hour)) // due on day 1
	started, err := n.eng.Tick(context.Background())
	require.NoError(t, err)
	require.Equal(t, 1, started)
	require.NoError(t, n.eng.WaitIdle(waitCtx(t)))
	sec := n.load(t, "db")
	require.Nil(t, sec.Rotation, "the end was recorded by the retry")
	assert.Equal(t, clock.Now().UTC().Truncate(time.Millisecond), sec.LastRotatedDate)
	assert.False(t, store.armed.Load(), "the failing save happened")

	clock.Set(sec.NextRotationDate)
	started, err = n.eng.Tick(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, started, "the next window rotates normally")
	require.NoError(t, n.eng.WaitIdle(waitCtx(t)))
	sec = n.load(t, "db")
	assert.Nil(t, sec.Rotation)
}

// flakyListStore fails its first List calls, as a store that cannot be read
// for a moment.
type flakyListStore struct {
	rotor.Store
	failures atomic.Int32
}

func (f *flakyListStore) List(ctx context.Context, region string, after rotor.Cursor, limit int) ([]*rotor.Secret, error) {
	if f.failures.Add(-1) >= 0 {
		return nil, errors.New("the disk hiccupped")
	}
	return f.Store.List(ctx, region, after, limit)
}

// A store that cannot be read when the engine starts does not stop the
// scheduler: Start reports it, and the ticks resume and rotate as usual.
func TestAnUnreadableStoreAtStartDoesNotStopTheScheduler(t *testing.T) {
	clock := &fakeClock{now: epoch}
	store := &flakyListStore{Store: rotor.NewMemoryStore()}
	n := newNode(t, store, clock, 1, engine.Config{})
	n.template(lambdaARN)
	n.create(t, "db", "initial")
	_, err := n.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN,
		RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 1}, RotateImmediately: ptr(false)})
	require.NoError(t, err)
	due, ok := rotor.DueAt(n.load(t, "db"))
	require.True(t, ok)
	clock.Set(due)

	store.failures.Store(1)
	err = n.eng.Start(context.Background())
	require.Error(t, err, "Start reports that it could not resume")
	require.Eventually(t, func() bool { return !n.load(t, "db").LastRotatedDate.IsZero() }, 10*time.Second, 5*time.Millisecond,
		"the scheduler ticked anyway and rotated the due secret")
}
