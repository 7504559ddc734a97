package rotor_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRotateSecretWithTheTemplate(t *testing.T) {
	f := newFixture(t)
	v0 := f.create("db", "initial").VersionId
	f.template(lambdaARN)
	out, err := f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", ClientRequestToken: token("rot1"),
		RotationLambdaARN: lambdaARN, RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 10}})
	require.NoError(t, err)
	assert.Equal(t, token("rot1"), out.VersionId)
	assert.Equal(t, map[string][]string{v0: {"AWSPREVIOUS"}, token("rot1"): {"AWSCURRENT"}}, f.stages("db"), "AWSPENDING is removed after success")
	assert.NotEqual(t, "initial", f.current("db"))
	d, err := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "db"})
	require.NoError(t, err)
	assert.Equal(t, ptr(true), d.RotationEnabled)
	assert.Equal(t, lambdaARN, d.RotationLambdaARN)
	assert.Equal(t, &rotor.RotationRules{AutomaticallyAfterDays: 10}, d.RotationRules)
	assert.Equal(t, epoch, d.LastRotatedDate)
	assert.Equal(t, time.Date(2026, 1, 25, 23, 59, 59, 0, time.UTC), d.NextRotationDate)

	t.Run("a second rotation without parameters uses the stored configuration", func(t *testing.T) {
		out, err := f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", ClientRequestToken: token("rot2")})
		require.NoError(t, err)
		assert.Equal(t, map[string][]string{token("rot1"): {"AWSPREVIOUS"}, token("rot2"): {"AWSCURRENT"}}, f.stages("db"))
		assert.Equal(t, token("rot2"), out.VersionId)
	})
	t.Run("a token naming the current version is a rotation already done", func(t *testing.T) {
		saves := f.store.Saves()
		out, err := f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", ClientRequestToken: token("rot2")})
		require.NoError(t, err)
		assert.Equal(t, token("rot2"), out.VersionId)
		assert.Equal(t, saves, f.store.Saves())
	})
	t.Run("a token naming an older version is a token conflict", func(t *testing.T) {
		_, err := f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", ClientRequestToken: token("rot1")})
		requireCode(t, err, rotor.CodeResourceExists)
	})
}

// stepFailer is a rotation function that fails chosen steps.
type stepFailer struct {
	inner rotor.Rotator
	mu    sync.Mutex
	fail  map[rotor.Step]int // how many more times each step fails
	calls []rotor.Step
}

func (s *stepFailer) do(ctx context.Context, ev rotor.RotationEvent, next func(context.Context, rotor.RotationEvent) error) error {
	s.mu.Lock()
	s.calls = append(s.calls, ev.Step)
	if s.fail[ev.Step] > 0 {
		s.fail[ev.Step]--
		s.mu.Unlock()
		return fmt.Errorf("injected failure in %s", ev.Step)
	}
	s.mu.Unlock()
	return next(ctx, ev)
}

func (s *stepFailer) CreateSecret(ctx context.Context, ev rotor.RotationEvent) error {
	return s.do(ctx, ev, s.inner.CreateSecret)
}
func (s *stepFailer) SetSecret(ctx context.Context, ev rotor.RotationEvent) error {
	return s.do(ctx, ev, s.inner.SetSecret)
}
func (s *stepFailer) TestSecret(ctx context.Context, ev rotor.RotationEvent) error {
	return s.do(ctx, ev, s.inner.TestSecret)
}
func (s *stepFailer) FinishSecret(ctx context.Context, ev rotor.RotationEvent) error {
	return s.do(ctx, ev, s.inner.FinishSecret)
}

func TestRotationFailureAndRetry(t *testing.T) {
	for _, step := range rotor.Steps() {
		t.Run(fmt.Sprintf("a failure in %s leaves the rotation pending and a retry with the same token finishes it", step), func(t *testing.T) {
			f := newFixture(t)
			v0 := f.create("db", "initial").VersionId
			failer := &stepFailer{inner: &rotor.TemplateRotator{API: f.svc}, fail: map[rotor.Step]int{step: 1}}
			f.fns.Register(lambdaARN, failer)
			in := rotor.RotateSecretInput{SecretId: "db", ClientRequestToken: token("r1"), RotationLambdaARN: lambdaARN}
			out, err := f.svc.RotateSecret(f.ctx, in)
			var stepErr *rotor.StepError
			require.ErrorAs(t, err, &stepErr)
			assert.Equal(t, step, stepErr.Step)
			assert.Equal(t, token("r1"), out.VersionId)
			assert.Equal(t, "initial", f.current("db"), "a failed rotation never moves AWSCURRENT")
			assert.Contains(t, f.stages("db")[token("r1")], "AWSPENDING")
			assert.Equal(t, []string{"AWSCURRENT"}, f.stages("db")[v0])

			_, err = f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", ClientRequestToken: token("other")})
			e := requireCode(t, err, rotor.CodeInvalidRequest)
			assert.Equal(t, "A previous rotation isn't complete. That rotation will be reattempted.", e.Message)

			out, err = f.svc.RotateSecret(f.ctx, in)
			require.NoError(t, err)
			assert.Equal(t, token("r1"), out.VersionId)
			assert.Equal(t, map[string][]string{v0: {"AWSPREVIOUS"}, token("r1"): {"AWSCURRENT"}}, f.stages("db"))
			versions, err := f.svc.ListSecretVersionIds(f.ctx, rotor.ListSecretVersionIdsInput{SecretId: "db", IncludeDeprecated: true})
			require.NoError(t, err)
			assert.Len(t, versions.Versions, 2, "the retry made no second placeholder")
		})
	}
}

func TestRotateSecretRefusals(t *testing.T) {
	t.Run("without a function ARN stored or given", func(t *testing.T) {
		f := newFixture(t)
		f.create("db", "v")
		_, err := f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db"})
		e := requireCode(t, err, rotor.CodeInvalidRequest)
		assert.Equal(t, "No Lambda rotation function ARN is associated with this secret.", e.Message)
	})
	t.Run("a function that cannot be invoked saves nothing", func(t *testing.T) {
		f := newFixture(t)
		f.create("db", "v")
		_, err := f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN + "-missing", RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 1}})
		e := requireCode(t, err, rotor.CodeAccessDenied)
		assert.Equal(t, "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.", e.Message)
		d, _ := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "db"})
		assert.Nil(t, d.RotationEnabled)
		assert.Nil(t, d.RotationRules)
		assert.Empty(t, d.RotationLambdaARN)
	})
	t.Run("both a frequency and a schedule expression", func(t *testing.T) {
		f := newFixture(t)
		f.create("db", "v")
		f.template(lambdaARN)
		_, err := f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN,
			RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 1, ScheduleExpression: "rate(10 days)"}})
		e := requireCode(t, err, rotor.CodeInvalidParameter)
		assert.Equal(t, "You cannot specify both rotation frequency and schedule expression together.", e.Message)
	})
	t.Run("a secret scheduled for deletion", func(t *testing.T) {
		f := newFixture(t)
		f.create("db", "v")
		f.template(lambdaARN)
		_, err := f.svc.DeleteSecret(f.ctx, rotor.DeleteSecretInput{SecretId: "db"})
		require.NoError(t, err)
		_, err = f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN})
		requireCode(t, err, rotor.CodeInvalidRequest)
	})
}

func TestRotateImmediatelyFalse(t *testing.T) {
	t.Run("a passing testSecret saves the configuration and leaves no trace", func(t *testing.T) {
		f := newFixture(t)
		v0 := f.create("db", "initial").VersionId
		var seen string
		f.fns.Register(lambdaARN, &rotor.TemplateRotator{API: f.svc, Test: func(_ context.Context, p rotor.GetSecretValueOutput) error {
			seen = p.SecretString
			return nil
		}})
		out, err := f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN,
			RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 30}, RotateImmediately: ptr(false)})
		require.NoError(t, err)
		assert.Empty(t, out.VersionId)
		assert.Equal(t, "initial", seen, "testSecret saw a copy of the current value")
		assert.Equal(t, map[string][]string{v0: {"AWSCURRENT"}}, f.stages("db"))
		all, _ := f.svc.ListSecretVersionIds(f.ctx, rotor.ListSecretVersionIdsInput{SecretId: "db", IncludeDeprecated: true})
		assert.Len(t, all.Versions, 1, "the temporary version is gone")
		d, _ := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "db"})
		assert.Equal(t, ptr(true), d.RotationEnabled)
		assert.Equal(t, time.Date(2026, 2, 14, 23, 59, 59, 0, time.UTC), d.NextRotationDate)
		assert.True(t, d.LastRotatedDate.IsZero())
	})
	t.Run("a failing testSecret saves nothing and names the step", func(t *testing.T) {
		f := newFixture(t)
		f.create("db", "initial")
		f.fns.Register(lambdaARN, &rotor.TemplateRotator{API: f.svc, Test: func(context.Context, rotor.GetSecretValueOutput) error {
			return errors.New("cannot log in")
		}})
		_, err := f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN, RotateImmediately: ptr(false)})
		e := requireCode(t, err, rotor.CodeInvalidRequest)
		assert.Contains(t, e.Message, "testSecret")
		d, _ := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "db"})
		assert.Nil(t, d.RotationEnabled)
		assert.Empty(t, d.RotationLambdaARN)
		assert.Len(t, d.VersionIdsToStages, 1)
	})
}

func TestCancelRotateSecret(t *testing.T) {
	f := newFixture(t)
	f.create("db", "initial")
	failer := &stepFailer{inner: &rotor.TemplateRotator{API: f.svc}, fail: map[rotor.Step]int{rotor.StepTestSecret: 1}}
	f.fns.Register(lambdaARN, failer)
	_, err := f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", ClientRequestToken: token("r1"), RotationLambdaARN: lambdaARN, RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 5}})
	require.Error(t, err)
	out, err := f.svc.CancelRotateSecret(f.ctx, rotor.CancelRotateSecretInput{SecretId: "db"})
	require.NoError(t, err)
	assert.Equal(t, token("r1"), out.VersionId)
	d, _ := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "db"})
	assert.Equal(t, ptr(false), d.RotationEnabled)
	assert.Equal(t, lambdaARN, d.RotationLambdaARN, "the function is kept")
	assert.Equal(t, &rotor.RotationRules{AutomaticallyAfterDays: 5}, d.RotationRules, "the rules are kept")
	assert.True(t, d.NextRotationDate.IsZero())
	assert.Contains(t, d.VersionIdsToStages[token("r1")], "AWSPENDING", "labels are left where they are")

	_, err = f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", ClientRequestToken: token("r2")})
	requireCode(t, err, rotor.CodeInvalidRequest)
	_, err = f.svc.UpdateSecretVersionStage(f.ctx, rotor.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "AWSPENDING", RemoveFromVersionId: token("r1")})
	require.NoError(t, err)
	_, err = f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", ClientRequestToken: token("r2")})
	require.NoError(t, err, "after the clean-up a rotation with the stored configuration runs")
	d, _ = f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "db"})
	assert.Equal(t, ptr(true), d.RotationEnabled)
	assert.Equal(t, []string{"AWSCURRENT"}, d.VersionIdsToStages[token("r2")])
}

func TestRotatingASecretWithNoValue(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.CreateSecret(f.ctx, rotor.CreateSecretInput{Name: "e"})
	require.NoError(t, err)
	// A custom function for the empty-secret case: it fills the placeholder
	// and attaches AWSCURRENT with no RemoveFromVersionId, as no version has it.
	f.fns.Register(lambdaARN, rotor.RotatorFunc(func(ctx context.Context, ev rotor.RotationEvent) error {
		switch ev.Step {
		case rotor.StepCreateSecret:
			_, err := f.svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: ev.SecretId, ClientRequestToken: ev.ClientRequestToken, SecretString: "first", VersionStages: []string{"AWSPENDING"}})
			if err == nil {
				stages := f.stages("e")[ev.ClientRequestToken]
				if len(stages) != 1 {
					return fmt.Errorf("filling the placeholder added labels: %v", stages)
				}
			}
			return err
		case rotor.StepFinishSecret:
			_, err := f.svc.UpdateSecretVersionStage(ctx, rotor.UpdateSecretVersionStageInput{SecretId: ev.SecretId, VersionStage: "AWSCURRENT", MoveToVersionId: ev.ClientRequestToken})
			return err
		}
		return nil
	}))
	_, err = f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "e", ClientRequestToken: token("r"), RotationLambdaARN: lambdaARN})
	require.NoError(t, err)
	assert.Equal(t, "first", f.current("e"))
	assert.Equal(t, map[string][]string{token("r"): {"AWSCURRENT"}}, f.stages("e"))
}

// TestConcurrentRotateSecret: while the first accepted rotation is held open
// in createSecret, 99 other callers with distinct tokens are all refused.
func TestConcurrentRotateSecret(t *testing.T) {
	f := newFixture(t)
	v0 := f.create("db", "initial").VersionId
	const callers = 100
	var accepted atomic.Int32
	othersDone := make(chan struct{})
	var returned sync.WaitGroup
	returned.Add(callers - 1)
	template := &rotor.TemplateRotator{API: f.svc}
	var holding atomic.Bool
	f.fns.Register(lambdaARN, rotor.RotatorFunc(func(ctx context.Context, ev rotor.RotationEvent) error {
		if ev.Step == rotor.StepCreateSecret && holding.CompareAndSwap(false, true) {
			accepted.Add(1)
			<-othersDone
		}
		return rotorStep(ctx, template, ev)
	}))
	results := make(chan error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: "db", ClientRequestToken: token(fmt.Sprintf("c%03d", i)), RotationLambdaARN: lambdaARN})
			if err != nil {
				returned.Done()
			}
			results <- err
		}()
	}
	returned.Wait()
	close(othersDone)
	wg.Wait()
	close(results)
	var ok, refused int
	for err := range results {
		if err == nil {
			ok++
			continue
		}
		e := requireCode(t, err, rotor.CodeInvalidRequest)
		assert.Equal(t, "A previous rotation isn't complete. That rotation will be reattempted.", e.Message)
		refused++
	}
	assert.Equal(t, 1, ok)
	assert.Equal(t, callers-1, refused)
	assert.Equal(t, int32(1), accepted.Load())
	st := f.stages("db")
	assert.Len(t, st, 2)
	assert.Equal(t, []string{"AWSPREVIOUS"}, st[v0])
}

func rotorStep(ctx context.Context, r rotor.Rotator, ev rotor.RotationEvent) error {
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

func TestRotationEvents(t *testing.T) {
	f := newFixture(t)
	var kinds []rotor.EventKind
	f.svc.Subscribe(func(ev rotor.Event) { kinds = append(kinds, ev.Kind) })
	f.create("db", "v")
	f.template(lambdaARN)
	_, err := f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN})
	require.NoError(t, err)
	assert.Equal(t, []rotor.EventKind{rotor.EventCreated, rotor.EventRotationStarted,
		rotor.EventValuePut, rotor.EventStepDone, rotor.EventStepDone, rotor.EventStepDone,
		rotor.EventLabelMoved, rotor.EventStepDone, rotor.EventRotationFinished}, kinds)
}

func TestRotationEndsAreRecordedOnce(t *testing.T) {
	t.Run("a rotation whose end was not recorded is completed by a retry with its token", func(t *testing.T) {
		f := newFixture(t)
		f.create("db", "initial")
		template := &rotor.TemplateRotator{API: f.svc}
		crash := true
		f.fns.Register(lambdaARN, rotor.RotatorFunc(func(ctx context.Context, ev rotor.RotationEvent) error {
			err := rotorStep(ctx, template, ev)
			if ev.Step == rotor.StepFinishSecret && crash {
				return errors.New("lost the connection after moving AWSCURRENT")
			}
			return err
		}))
		in := rotor.RotateSecretInput{SecretId: "db", ClientRequestToken: token("r1"), RotationLambdaARN: lambdaARN, RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 3}}
		_, err := f.svc.RotateSecret(f.ctx, in)
		require.Error(t, err)
		d, _ := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "db"})
		assert.True(t, d.LastRotatedDate.IsZero())
		crash = false
		_, err = f.svc.RotateSecret(f.ctx, in)
		require.NoError(t, err)
		d, _ = f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "db"})
		assert.Equal(t, epoch, d.LastRotatedDate)
		assert.Equal(t, []string{"AWSCURRENT"}, d.VersionIdsToStages[token("r1")])
		sec, _, err := f.svc.Store().Load(f.ctx, "us-east-1", "db")
		require.NoError(t, err)
		assert.Nil(t, sec.Rotation)
	})
	t.Run("another rotation is refused while a run still holds its lease after finishSecret", func(t *testing.T) {
		f := newFixture(t)
		f.create("db", "initial")
		template := &rotor.TemplateRotator{API: f.svc}
		var during error
		f.fns.Register(lambdaARN, rotor.RotatorFunc(func(ctx context.Context, ev rotor.RotationEvent) error {
			err := rotorStep(ctx, template, ev)
			if ev.Step == rotor.StepFinishSecret {
				_, during = f.svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "db", ClientRequestToken: token("r2")})
			}
			return err
		}))
		_, err := f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", ClientRequestToken: token("r1"), RotationLambdaARN: lambdaARN})
		require.NoError(t, err)
		requireCode(t, during, rotor.CodeInvalidRequest)
		d, _ := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "db"})
		assert.Equal(t, epoch, d.LastRotatedDate, "the first rotation's end was recorded")
	})
	t.Run("removing AWSPENDING from a stuck rotation ends it, so a manual value reschedules", func(t *testing.T) {
		f := newFixture(t)
		f.create("db", "initial")
		failer := &stepFailer{inner: &rotor.TemplateRotator{API: f.svc}, fail: map[rotor.Step]int{rotor.StepSetSecret: 1}}
		f.fns.Register(lambdaARN, failer)
		_, err := f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", ClientRequestToken: token("r1"), RotationLambdaARN: lambdaARN, RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 2}})
		require.Error(t, err)
		_, err = f.svc.UpdateSecretVersionStage(f.ctx, rotor.UpdateSecretVersionStageInput{SecretId: "db", VersionStage: "AWSPENDING", RemoveFromVersionId: token("r1")})
		require.NoError(t, err)
		f.clock.Advance(10 * 24 * time.Hour)
		f.put("db", token("manual"), "by hand")
		d, _ := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "db"})
		assert.Equal(t, time.Date(2026, 1, 27, 23, 59, 59, 0, time.UTC), d.NextRotationDate)
	})
}

// Both a failed step and a refused rotation answer InvalidRequestException,
// as AWS codes them; errors.As with a *rotor.StepError tells them apart, and
// reaches the rotation function's own error.
func TestAFailedStepIsToldFromARefusal(t *testing.T) {
	f := newFixture(t)
	f.create("db", "initial")
	errDatabase := errors.New("the database refused the new password")
	f.fns.Register(lambdaARN, rotor.RotatorFunc(func(ctx context.Context, ev rotor.RotationEvent) error {
		if ev.Step == rotor.StepSetSecret {
			return fmt.Errorf("setting it: %w", errDatabase)
		}
		return (&rotor.TemplateRotator{API: f.svc}).CreateSecret(ctx, ev)
	}))
	_, failed := f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN})
	_, refused := f.svc.RotateSecret(f.ctx, rotor.RotateSecretInput{SecretId: "db"})

	var stepErr *rotor.StepError
	require.ErrorAs(t, failed, &stepErr)
	assert.Equal(t, rotor.StepSetSecret, stepErr.Step)
	assert.ErrorIs(t, failed, errDatabase, "the function's own error is reachable")
	assert.ErrorIs(t, failed, rotor.ErrInvalidRequest, "with AWS's code")

	assert.ErrorIs(t, refused, rotor.ErrInvalidRequest)
	assert.False(t, errors.As(refused, &stepErr), "a refusal is no failed step")
}
