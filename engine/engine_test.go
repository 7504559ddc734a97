package engine_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slowRotator wraps a rotator and takes delay per step (or until its
// context is done).
type slowRotator struct {
	inner rotor.Rotator
	delay time.Duration
}

func (s slowRotator) wait(ctx context.Context) error {
	t := time.NewTimer(s.delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s slowRotator) CreateSecret(ctx context.Context, ev rotor.RotationEvent) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	return s.inner.CreateSecret(ctx, ev)
}

func (s slowRotator) SetSecret(ctx context.Context, ev rotor.RotationEvent) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	return s.inner.SetSecret(ctx, ev)
}

func (s slowRotator) TestSecret(ctx context.Context, ev rotor.RotationEvent) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	return s.inner.TestSecret(ctx, ev)
}

func (s slowRotator) FinishSecret(ctx context.Context, ev rotor.RotationEvent) error {
	if err := s.wait(ctx); err != nil {
		return err
	}
	return s.inner.FinishSecret(ctx, ev)
}

func TestRotateSecretReturnsBeforeTheSteps(t *testing.T) {
	clock := &fakeClock{now: epoch}
	n := newNode(t, rotor.NewMemoryStore(), clock, 1, engine.Config{})
	v0 := n.create(t, "db", "initial").VersionId
	n.fns.Register(lambdaARN, slowRotator{inner: n.template("unused"), delay: 2 * time.Second})

	began := time.Now()
	out, err := n.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN,
		RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 30}})
	elapsed := time.Since(began)
	require.NoError(t, err)
	assert.Less(t, elapsed, 100*time.Millisecond, "RotateSecret must not wait for the 2 s steps")
	assert.NotEmpty(t, out.VersionId)
	assert.Equal(t, map[string][]string{v0: {"AWSCURRENT"}, out.VersionId: {"AWSPENDING"}}, n.stages(t, "db"))
	assert.Equal(t, "initial", n.current(t, "db"))
	// Close cuts the slow step short; the rotation stays pending for the next engine.
	n.eng.Close()
	sec := n.load(t, "db")
	require.NotNil(t, sec.Rotation)
	assert.Equal(t, out.VersionId, sec.Rotation.Token)
	assert.Empty(t, sec.Rotation.LeaseOwner, "a shutdown releases the lease")
}

func TestRotationFinishesInTheBackground(t *testing.T) {
	clock := &fakeClock{now: epoch}
	n := newNode(t, rotor.NewMemoryStore(), clock, 1, engine.Config{})
	v0 := n.create(t, "db", "initial").VersionId
	n.fns.Register(lambdaARN, slowRotator{inner: n.template("unused"), delay: 10 * time.Millisecond})
	out, err := n.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN,
		RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 30}})
	require.NoError(t, err)
	require.NoError(t, n.eng.Wait(waitCtx(t), out.ARN, out.VersionId))
	assert.Equal(t, map[string][]string{v0: {"AWSPREVIOUS"}, out.VersionId: {"AWSCURRENT"}}, n.stages(t, "db"))
	require.NoError(t, n.eng.WaitIdle(waitCtx(t)))
	assert.Equal(t, int64(1), n.eng.Stats().Finished)

	t.Run("a retry of the finished rotation's token starts nothing", func(t *testing.T) {
		_, err := n.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "db", ClientRequestToken: out.VersionId})
		require.NoError(t, err)
		require.NoError(t, n.eng.WaitIdle(waitCtx(t)))
		assert.Equal(t, int64(1), n.eng.Stats().Started)
	})
}

// injector fails chosen steps a chosen number of times, per token.
type injector struct {
	inner rotor.Rotator
	mu    sync.Mutex
	plan  map[string]plan // by secret ARN
}

type plan struct {
	step  rotor.Step
	times int
}

func (f *injector) do(ctx context.Context, ev rotor.RotationEvent, next func(context.Context, rotor.RotationEvent) error) error {
	f.mu.Lock()
	p := f.plan[ev.SecretId]
	if p.step == ev.Step && p.times > 0 {
		p.times--
		f.plan[ev.SecretId] = p
		f.mu.Unlock()
		return fmt.Errorf("injected failure in %s", ev.Step)
	}
	f.mu.Unlock()
	return next(ctx, ev)
}

func (f *injector) CreateSecret(ctx context.Context, ev rotor.RotationEvent) error {
	return f.do(ctx, ev, f.inner.CreateSecret)
}

func (f *injector) SetSecret(ctx context.Context, ev rotor.RotationEvent) error {
	return f.do(ctx, ev, f.inner.SetSecret)
}

func (f *injector) TestSecret(ctx context.Context, ev rotor.RotationEvent) error {
	return f.do(ctx, ev, f.inner.TestSecret)
}

func (f *injector) FinishSecret(ctx context.Context, ev rotor.RotationEvent) error {
	return f.do(ctx, ev, f.inner.FinishSecret)
}

func TestFailureInjection(t *testing.T) {
	clock := &fakeClock{now: epoch}
	n := newNode(t, rotor.NewMemoryStore(), clock, 7, engine.Config{MaxAttempts: 5})
	inj := &injector{inner: n.template("unused"), plan: map[string]plan{}}
	n.fns.Register(lambdaARN, inj)

	// AWSCURRENT may only ever move to a version whose rotation finished.
	var mu sync.Mutex
	finished := map[string]bool{}
	failedSteps := map[string]bool{} // tokens whose current attempt failed a step
	n.svc.Subscribe(func(ev rotor.Event) {
		mu.Lock()
		defer mu.Unlock()
		switch ev.Kind {
		case rotor.EventStepFailed:
			failedSteps[ev.VersionID] = true
		case rotor.EventStepDone:
			if ev.Step == rotor.StepCreateSecret {
				failedSteps[ev.VersionID] = false
			}
		}
	})
	var violations []string
	n.svc.Subscribe(func(ev rotor.Event) {
		mu.Lock()
		defer mu.Unlock()
		switch ev.Kind {
		case rotor.EventRotationFinished:
			finished[ev.VersionID] = true
		case rotor.EventLabelMoved:
			// finishSecret moves AWSCURRENT to the pending version; only a
			// rotation whose earlier steps all passed may get there.
			if slices.Contains(ev.Stages, rotor.StageCurrent) && failedSteps[ev.VersionID] {
				violations = append(violations, ev.VersionID)
			}
		}
	})

	rng := rand.New(rand.NewPCG(7, 11))
	type rotation struct {
		name, arn, v0, token string
		plan                 plan
	}
	var rotations []rotation
	for i := range 40 {
		name := fmt.Sprintf("secret-%02d", i)
		out := n.create(t, name, "initial-"+name)
		p := plan{step: rotor.Steps()[rng.IntN(4)], times: rng.IntN(9)}
		inj.mu.Lock()
		inj.plan[out.ARN] = p
		inj.mu.Unlock()
		rotations = append(rotations, rotation{name: name, arn: out.ARN, v0: out.VersionId, plan: p})
	}
	for i, r := range rotations {
		out, err := n.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: r.name, RotationLambdaARN: lambdaARN,
			RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 7}})
		require.NoError(t, err)
		rotations[i].token = out.VersionId
	}
	require.NoError(t, n.eng.WaitIdle(waitCtx(t)))

	abandoned := 0
	for _, r := range rotations {
		err := n.eng.Wait(waitCtx(t), r.arn, r.token)
		sec := n.load(t, r.name)
		cur, _ := sec.StageVersion(rotor.StageCurrent)
		if r.plan.times < 5 {
			require.NoError(t, err, "%s fails %d times, within the 5 attempts", r.name, r.plan.times)
			assert.Equal(t, map[string][]string{r.v0: {"AWSPREVIOUS"}, r.token: {"AWSCURRENT"}}, n.stages(t, r.name))
			assert.Nil(t, sec.Rotation)
			continue
		}
		abandoned++
		require.ErrorIs(t, err, engine.ErrAbandoned, r.name)
		assert.Equal(t, r.v0, cur, "a failed rotation never moves AWSCURRENT")
		assert.Equal(t, "initial-"+r.name, n.current(t, r.name))
		assert.Equal(t, map[string][]string{r.v0: {"AWSCURRENT"}, r.token: {"AWSPENDING"}}, n.stages(t, r.name))
		require.NotNil(t, sec.Rotation)
		assert.True(t, sec.Rotation.Abandoned)
		assert.Equal(t, 5, sec.Rotation.Attempts)
		assert.Contains(t, sec.Rotation.LastError, "injected failure in "+string(r.plan.step))
		assert.NotContains(t, sec.Rotation.LastError, "initial-", "no secret value in the state")
		ws, we := mustSchedule(t, rotor.RotationRules{AutomaticallyAfterDays: 7}).Window(epoch)
		assert.False(t, sec.Rotation.NextAttempt.Before(ws), "retried in the next window")
		assert.True(t, sec.Rotation.NextAttempt.Before(ws.Add(we.Sub(ws)/2)), "in its first half")
		due, ok := rotor.DueAt(sec)
		assert.True(t, ok)
		assert.Equal(t, sec.Rotation.NextAttempt, due)
		assert.Equal(t, we.Add(-time.Second), sec.NextRotationDate, "the date promised is that window's end")
	}
	require.Positive(t, abandoned, "the plan abandons some rotations")
	require.Less(t, abandoned, len(rotations), "the plan finishes some rotations")
	mu.Lock()
	for _, r := range rotations {
		if r.plan.times >= 5 {
			assert.False(t, finished[r.token])
		}
	}
	mu.Unlock()
	assert.Empty(t, violations)

	t.Run("the scheduler retries abandoned rotations in their next window, with the same token", func(t *testing.T) {
		clock.Set(epoch.Add(6 * 24 * time.Hour))
		started, err := n.eng.Tick(context.Background())
		require.NoError(t, err)
		assert.Zero(t, started, "the next window has not opened")

		clock.Set(epoch.Add(7*24*time.Hour + 13*time.Hour)) // window: all of day 7, due in its first half
		started, err = n.eng.Tick(context.Background())
		require.NoError(t, err)
		assert.Equal(t, len(rotations), started, "the abandoned rotations resume; the finished secrets are due again")
		require.NoError(t, n.eng.WaitIdle(waitCtx(t)))
		for _, r := range rotations {
			if r.plan.times < 5 {
				continue
			}
			err := n.eng.Wait(waitCtx(t), r.arn, r.token)
			sec := n.load(t, r.name)
			if r.plan.times < 10 {
				require.NoError(t, err, r.name)
				assert.Equal(t, map[string][]string{r.v0: {"AWSPREVIOUS"}, r.token: {"AWSCURRENT"}}, n.stages(t, r.name))
				assert.Equal(t, clock.Now(), sec.LastRotatedDate)
			}
			versions := 0
			for _, v := range sec.Versions {
				if v.ID != r.v0 {
					versions++
				}
			}
			assert.Equal(t, 1, versions, "one placeholder per rotation, whatever the retries")
		}
	})
}

func mustSchedule(t testing.TB, rules rotor.RotationRules) rotor.Schedule {
	t.Helper()
	s, err := rotor.ParseSchedule(rules)
	require.NoError(t, err)
	return s
}

// hangingRotator blocks in setSecret until its context is done.
type hangingRotator struct {
	inner rotor.Rotator
}

func (h hangingRotator) step(ctx context.Context, ev rotor.RotationEvent, next func(context.Context, rotor.RotationEvent) error) error {
	if ev.Step == rotor.StepSetSecret {
		<-ctx.Done()
		return ctx.Err()
	}
	return next(ctx, ev)
}

func (h hangingRotator) CreateSecret(ctx context.Context, ev rotor.RotationEvent) error {
	return h.step(ctx, ev, h.inner.CreateSecret)
}

func (h hangingRotator) SetSecret(ctx context.Context, ev rotor.RotationEvent) error {
	return h.step(ctx, ev, h.inner.SetSecret)
}

func (h hangingRotator) TestSecret(ctx context.Context, ev rotor.RotationEvent) error {
	return h.step(ctx, ev, h.inner.TestSecret)
}

func (h hangingRotator) FinishSecret(ctx context.Context, ev rotor.RotationEvent) error {
	return h.step(ctx, ev, h.inner.FinishSecret)
}

func TestStepTimeout(t *testing.T) {
	t.Run("a hanging step is cut off and counts as a failed attempt", func(t *testing.T) {
		clock := &fakeClock{now: epoch}
		n := newNode(t, rotor.NewMemoryStore(), clock, 1, engine.Config{StepTimeout: 30 * time.Millisecond, MaxAttempts: 2})
		n.fns.Register(lambdaARN, hangingRotator{inner: n.template("unused")})
		n.create(t, "db", "initial")
		out, err := n.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN,
			RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 1}})
		require.NoError(t, err)
		err = n.eng.Wait(waitCtx(t), out.ARN, out.VersionId)
		require.ErrorIs(t, err, engine.ErrAbandoned)
		assert.Contains(t, err.Error(), "setSecret")
		assert.Contains(t, err.Error(), context.DeadlineExceeded.Error())
		assert.Equal(t, "initial", n.current(t, "db"))
	})
	t.Run("the timeout is per step, not per rotation", func(t *testing.T) {
		clock := &fakeClock{now: epoch}
		n := newNode(t, rotor.NewMemoryStore(), clock, 1, engine.Config{StepTimeout: time.Minute, MaxAttempts: 1})
		inner := n.template("unused")
		var deadlines []time.Time
		n.fns.Register(lambdaARN, rotor.RotatorFunc(func(ctx context.Context, ev rotor.RotationEvent) error {
			d, ok := ctx.Deadline()
			require.True(t, ok, "each step has a deadline")
			deadlines = append(deadlines, d)
			time.Sleep(5 * time.Millisecond)
			return rotorFunc(inner)(ctx, ev)
		}))
		n.create(t, "db", "initial")
		out, err := n.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN,
			RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 1}})
		require.NoError(t, err)
		require.NoError(t, n.eng.Wait(waitCtx(t), out.ARN, out.VersionId))
		require.Len(t, deadlines, 4)
		for i := 1; i < 4; i++ {
			assert.True(t, deadlines[i].After(deadlines[i-1]), "step %d gets a fresh timeout", i)
		}
	})
}

// rotorFunc dispatches an event to a Rotator's method.
func rotorFunc(r rotor.Rotator) rotor.RotatorFunc {
	return func(ctx context.Context, ev rotor.RotationEvent) error {
		switch ev.Step {
		case rotor.StepCreateSecret:
			return r.CreateSecret(ctx, ev)
		case rotor.StepSetSecret:
			return r.SetSecret(ctx, ev)
		case rotor.StepTestSecret:
			return r.TestSecret(ctx, ev)
		}
		return r.FinishSecret(ctx, ev)
	}
}

// gate blocks setSecret on its first call until opened.
type gate struct {
	inner   rotor.Rotator
	once    sync.Once
	reached chan struct{}
	open    chan struct{}
}

func (g *gate) CreateSecret(ctx context.Context, ev rotor.RotationEvent) error {
	return g.inner.CreateSecret(ctx, ev)
}

func (g *gate) SetSecret(ctx context.Context, ev rotor.RotationEvent) error {
	first := false
	g.once.Do(func() { first = true })
	if first {
		close(g.reached)
		<-g.open
	}
	return g.inner.SetSecret(ctx, ev)
}

func (g *gate) TestSecret(ctx context.Context, ev rotor.RotationEvent) error {
	return g.inner.TestSecret(ctx, ev)
}

func (g *gate) FinishSecret(ctx context.Context, ev rotor.RotationEvent) error {
	return g.inner.FinishSecret(ctx, ev)
}

func TestResumeAfterCrash(t *testing.T) {
	clock := &fakeClock{now: epoch}
	store := rotor.NewMemoryStore()
	first := newNode(t, store, clock, 1, engine.Config{})
	v0 := first.create(t, "db", "initial").VersionId
	g := &gate{inner: first.template("unused"), reached: make(chan struct{}), open: make(chan struct{})}
	first.fns.Register(lambdaARN, g)
	out, err := first.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN,
		RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 30}})
	require.NoError(t, err)
	<-g.reached // the first engine is inside setSecret, holding the lease: now it "dies"

	var placeholders int
	second := newNode(t, store, clock, 2, engine.Config{})
	second.template(lambdaARN)
	second.svc.Subscribe(func(ev rotor.Event) {
		if ev.Kind == rotor.EventRotationStarted {
			placeholders++
		}
	})

	t.Run("a live lease is left alone", func(t *testing.T) {
		n, err := second.eng.Resume(context.Background())
		require.NoError(t, err)
		assert.Zero(t, n)
		started, err := second.eng.Tick(context.Background())
		require.NoError(t, err)
		assert.Zero(t, started)
	})

	clock.Advance(rotor.RotationLease + time.Second)
	require.NoError(t, second.eng.Start(context.Background()))
	require.NoError(t, second.eng.Wait(waitCtx(t), out.ARN, out.VersionId))
	require.NoError(t, second.eng.WaitIdle(waitCtx(t)))
	assert.Equal(t, int64(1), second.eng.Stats().Resumed)
	assert.Equal(t, map[string][]string{v0: {"AWSPREVIOUS"}, out.VersionId: {"AWSCURRENT"}}, second.stages(t, "db"))
	assert.Zero(t, placeholders, "the new engine resumed with the same token: no second placeholder")
	sec := second.load(t, "db")
	assert.Len(t, sec.Versions, 2)
	assert.Nil(t, sec.Rotation)
	value := second.current(t, "db")

	// The old worker wakes up: its progress is refused, nothing changes.
	close(g.open)
	require.NoError(t, first.eng.WaitIdle(waitCtx(t)))
	assert.Equal(t, int64(0), first.eng.Stats().Finished)
	assert.Equal(t, value, second.current(t, "db"))
	assert.Equal(t, map[string][]string{v0: {"AWSPREVIOUS"}, out.VersionId: {"AWSCURRENT"}}, second.stages(t, "db"))
}

func TestResumeAfterShutdown(t *testing.T) {
	clock := &fakeClock{now: epoch}
	store := rotor.NewMemoryStore()
	first := newNode(t, store, clock, 1, engine.Config{})
	v0 := first.create(t, "db", "initial").VersionId
	first.fns.Register(lambdaARN, hangingRotator{inner: first.template("unused")})
	out, err := first.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN,
		RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 30}})
	require.NoError(t, err)
	// Wait until the rotation is inside setSecret, then shut down.
	for first.load(t, "db").Rotation.StepsDone < 1 {
		time.Sleep(time.Millisecond)
	}
	first.eng.Close()

	second := newNode(t, store, clock, 2, engine.Config{})
	second.template(lambdaARN)
	n, err := second.eng.Resume(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 1, n, "a shutdown leaves no lease: resumed at once")
	require.NoError(t, second.eng.Wait(waitCtx(t), out.ARN, out.VersionId))
	assert.Equal(t, map[string][]string{v0: {"AWSPREVIOUS"}, out.VersionId: {"AWSCURRENT"}}, second.stages(t, "db"))
	assert.Len(t, second.load(t, "db").Versions, 2)
}

func TestWaitReportsACancelledRotation(t *testing.T) {
	clock := &fakeClock{now: epoch}
	n := newNode(t, rotor.NewMemoryStore(), clock, 1, engine.Config{})
	n.fns.Register(lambdaARN, hangingRotator{inner: n.template("unused")})
	n.create(t, "db", "initial")
	out, err := n.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN})
	require.NoError(t, err)
	_, err = n.svc.UpdateSecretVersionStage(context.Background(), rotor.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: rotor.StagePending, RemoveFromVersionId: out.VersionId})
	require.NoError(t, err)
	err = n.eng.Wait(waitCtx(t), out.ARN, out.VersionId)
	require.True(t, errors.Is(err, engine.ErrNotPending), "got %v", err)
}
