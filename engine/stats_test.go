package engine_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/engine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type movableClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *movableClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *movableClock) set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

func TestStatsReportTheSchedulersLag(t *testing.T) {
	ctx := context.Background()
	clk := &movableClock{now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	functions := &rotor.FunctionRegistry{}
	e := engine.New(rotor.NewMemoryStore(), engine.Config{Logger: slog.New(slog.DiscardHandler), TickInterval: time.Hour},
		rotor.WithInvoker(functions), rotor.WithClock(clk.Now))
	defer e.Close()
	svc := e.Service()
	const fn = "arn:aws:lambda:us-east-1:000000000000:function:rotate"
	functions.Register(fn, &rotor.TemplateRotator{API: svc})
	assert.False(t, e.Stats().Running)
	require.NoError(t, e.Start(ctx))

	_, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db", SecretString: "v1"})
	require.NoError(t, err)
	out, err := svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: fn, RotationRules: &rotor.RotationRules{AutomaticallyAfterDays: 1}})
	require.NoError(t, err)
	require.NoError(t, e.Wait(ctx, out.ARN, out.VersionId))
	// Start's first tick runs in the scheduler's goroutine: wait for it.
	require.Eventually(t, func() bool { return !e.Stats().LastTick.IsZero() }, 10*time.Second, time.Millisecond)
	st := e.Stats()
	assert.True(t, st.Running)
	assert.Zero(t, st.Lag, "nothing was due")
	assert.Equal(t, clk.Now(), st.LastTick, "Start ticked at once")

	sec, _, err := svc.Store().Load(ctx, svc.Region(), "db")
	require.NoError(t, err)
	due, ok := rotor.DueAt(sec)
	require.True(t, ok)
	clk.set(due.Add(3 * time.Hour))
	n, err := e.Tick(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	st = e.Stats()
	assert.Equal(t, 3*time.Hour, st.Lag, "the oldest due rotation was three hours late")
	assert.Equal(t, due.Add(3*time.Hour), st.LastTick)
	require.NoError(t, e.WaitIdle(ctx))
	assert.Zero(t, e.Stats().Active)
	e.Close()
	assert.False(t, e.Stats().Running)
}
