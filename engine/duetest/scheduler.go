package duetest

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// RunScheduler runs the engine's scheduler over st: a secret whose
// rotation is not due is left alone, is rotated once its window comes, and
// only once.
func RunScheduler(t *testing.T, st rotor.Store) {
	ctx := context.Background()
	const lambdaARN = "arn:aws:lambda:us-east-1:123456789012:function:rotate"
	var nanos atomic.Int64
	nanos.Store(time.Date(2026, time.January, 1, 9, 0, 0, 0, time.UTC).UnixNano())
	clock := func() time.Time { return time.Unix(0, nanos.Load()).UTC() }

	functions := &rotor.FunctionRegistry{}
	e := engine.New(st, engine.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		rotor.WithInvoker(functions), rotor.WithClock(clock), rotor.WithAccountID("123456789012"))
	defer e.Close()
	svc := e.Service()
	functions.Register(lambdaARN, &rotor.TemplateRotator{API: svc})

	_, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db/prod", SecretString: "initial"})
	require.NoError(t, err)
	immediately := false
	_, err = svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "db/prod", RotationLambdaARN: lambdaARN,
		RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 1}, RotateImmediately: &immediately})
	require.NoError(t, err)

	started, err := e.Tick(ctx)
	require.NoError(t, err)
	assert.Zero(t, started, "nothing is due yet")

	nanos.Add(int64(3 * 24 * time.Hour))
	started, err = e.Tick(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, started, "the window came")
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	require.NoError(t, e.WaitIdle(waitCtx))

	out, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "db/prod"})
	require.NoError(t, err)
	assert.NotEqual(t, "initial", out.SecretString, "AWSCURRENT is the rotated value")
	started, err = e.Tick(ctx)
	require.NoError(t, err)
	assert.Zero(t, started, "a window is rotated once")
}
