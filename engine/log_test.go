package engine_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe for the engine's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLogging(t *testing.T) {
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := &fakeClock{now: epoch}
	n := newNode(t, rotor.NewMemoryStore(), clock, 1, engine.Config{Logger: logger, MaxAttempts: 1})
	n.template(lambdaARN)
	ctx := context.Background()
	n.create(t, "db", "hunter2-initial")

	out, err := n.svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN,
		RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 1}})
	require.NoError(t, err)
	require.NoError(t, n.eng.Wait(waitCtx(t), out.ARN, out.VersionId))
	require.NoError(t, n.eng.WaitIdle(waitCtx(t)))

	t.Run("events are logged without values", func(t *testing.T) {
		log := buf.String()
		for _, kind := range []rotor.EventKind{rotor.EventCreated, rotor.EventRotationStarted, rotor.EventStepDone, rotor.EventRotationFinished} {
			assert.Contains(t, log, "event="+string(kind))
		}
		assert.Contains(t, log, out.VersionId)
		assert.NotContains(t, log, "hunter2")
		assert.NotContains(t, log, "generated-", "the rotated value is not logged either")
	})

	t.Run("a failure is logged with its step and error, still without values", func(t *testing.T) {
		n.fns.Register(lambdaARN, rotor.RotatorFunc(func(ctx context.Context, ev rotor.RotationEvent) error {
			return fmt.Errorf("database refused the login")
		}))
		out, err := n.svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "db"})
		require.NoError(t, err)
		require.ErrorIs(t, n.eng.Wait(waitCtx(t), out.ARN, out.VersionId), engine.ErrAbandoned)
		require.NoError(t, n.eng.WaitIdle(waitCtx(t))) // the engine logs after the commit Wait sees
		log := buf.String()
		assert.Contains(t, log, "level=WARN msg=\"secret step-failed\"")
		assert.Contains(t, log, "database refused the login")
		assert.Contains(t, log, "level=ERROR msg=\"secret rotation-abandoned\"")
		assert.NotContains(t, log, "hunter2")
	})

	t.Run("a scheduled rotation the version quota refuses is logged, and the date moves on", func(t *testing.T) {
		m := newNode(t, rotor.NewMemoryStore(), clock, 2, engine.Config{Logger: logger})
		m.template(lambdaARN)
		m.create(t, "busy", "v")
		_, err := m.svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "busy", RotationLambdaARN: lambdaARN,
			RotationRules: &rotor.RotationRules{ScheduleExpression: "rate(4 hours)"}, RotateImmediately: ptr(false)})
		require.NoError(t, err)
		for i := range 99 { // 100 versions, none a day old
			_, err := m.svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "busy", SecretString: fmt.Sprintf("v%d", i)})
			require.NoError(t, err)
		}
		clock.Advance(3 * time.Hour) // past the 12:00–13:00 window
		started, err := m.eng.Tick(ctx)
		require.NoError(t, err)
		assert.Zero(t, started)
		assert.Contains(t, buf.String(), "scheduled rotation not started")
		assert.Contains(t, buf.String(), "LimitExceededException")
		assert.True(t, m.load(t, "busy").NextRotationDate.After(clock.Now()), "the next window is promised instead")
	})
}

// A rotation function that puts the pending value in its error, whole or one
// field of it, leaks it neither into the log nor into the saved state.
func TestAFunctionThatEchoesTheValueLeaksItNowhere(t *testing.T) {
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := &fakeClock{now: epoch}
	n := newNode(t, rotor.NewMemoryStore(), clock, 1, engine.Config{Logger: logger, MaxAttempts: 2})
	ctx := context.Background()
	const pending = `{"username":"admin","password":"s3cret-pending-4711"}`
	n.fns.Register(lambdaARN, rotor.RotatorFunc(func(ctx context.Context, ev rotor.RotationEvent) error {
		switch ev.Step {
		case rotor.StepCreateSecret:
			_, err := n.svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: ev.SecretId, ClientRequestToken: ev.ClientRequestToken,
				SecretString: pending, VersionStages: []string{rotor.StagePending}})
			if err != nil && !errors.Is(err, rotor.ErrResourceExists) {
				return err
			}
			return nil
		case rotor.StepSetSecret:
			return fmt.Errorf("the database refused password s3cret-pending-4711 (value %s) for hunter2-initial", pending)
		}
		return nil
	}))
	n.create(t, "db", "hunter2-initial")
	out, err := n.svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: lambdaARN})
	require.NoError(t, err)
	err = n.eng.Wait(waitCtx(t), out.ARN, out.VersionId)
	require.ErrorIs(t, err, engine.ErrAbandoned)
	require.NoError(t, n.eng.WaitIdle(waitCtx(t)))

	state := n.load(t, "db").Rotation
	require.NotNil(t, state)
	for name, text := range map[string]string{"log": buf.String(), "saved state": state.LastError, "Wait's error": err.Error()} {
		assert.NotContains(t, text, "s3cret-pending-4711", name)
		assert.NotContains(t, text, "hunter2-initial", name)
	}
	assert.Contains(t, state.LastError, "the database refused password [REDACTED]", "the rest of the message stays")
}
