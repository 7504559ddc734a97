package engine_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/engine"
	"github.com/rotorkit/rotor/store/postgres"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// simRules is the mix of schedules the simulation draws from, each with a
// weight. The schedules that fire several times a day (frequent) are given
// to a few secrets only, so that two simulated years stay fast.
var simRules = []struct {
	rules    rotor.RotationRules
	weight   int
	frequent bool
}{
	{rotor.RotationRules{AutomaticallyAfterDays: 30}, 20, false},
	{rotor.RotationRules{AutomaticallyAfterDays: 60, Duration: "3h"}, 10, false},
	{rotor.RotationRules{AutomaticallyAfterDays: 90}, 10, false},
	{rotor.RotationRules{ScheduleExpression: "rate(45 days)"}, 10, false},
	{rotor.RotationRules{ScheduleExpression: "rate(36 hours)", Duration: "2h"}, 0, true},
	{rotor.RotationRules{ScheduleExpression: "rate(8 hours)"}, 0, true},
	{rotor.RotationRules{ScheduleExpression: "cron(0 16 15 * ? *)", Duration: "2h"}, 10, false},
	{rotor.RotationRules{ScheduleExpression: "cron(0 8 ? * MON#2 *)"}, 10, false},
	{rotor.RotationRules{ScheduleExpression: "cron(0 0 ? * SUN#1 *)", Duration: "1h"}, 10, false},
	{rotor.RotationRules{ScheduleExpression: "cron(0 17 L * ? *)"}, 10, false},
	{rotor.RotationRules{ScheduleExpression: "cron(0 4/12 * * ? *)", Duration: "4h"}, 0, true},
	{rotor.RotationRules{ScheduleExpression: "cron(0 1 ? 1/3 SUN#1 *)"}, 6, false},
}

// quickRotator is a minimal, idempotent rotation function: createSecret
// fills the placeholder, finishSecret moves AWSCURRENT. It calls the API far
// less than the template, which keeps a two-year simulation fast.
func quickRotator(api rotor.SecretsAPI) rotor.RotatorFunc {
	return func(ctx context.Context, ev rotor.RotationEvent) error {
		switch ev.Step {
		case rotor.StepCreateSecret:
			_, err := api.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: ev.SecretId, ClientRequestToken: ev.ClientRequestToken,
				SecretString: "value-" + ev.ClientRequestToken, VersionStages: []string{rotor.StagePending}, RotationToken: ev.RotationToken})
			return err
		case rotor.StepFinishSecret:
			d, err := api.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: ev.SecretId})
			if err != nil {
				return err
			}
			var current string
			for id, stages := range d.VersionIdsToStages {
				if slices.Contains(stages, rotor.StageCurrent) {
					current = id
				}
			}
			if current == ev.ClientRequestToken {
				return nil
			}
			_, err = api.UpdateSecretVersionStage(ctx, rotor.UpdateSecretVersionStageInput{SecretId: ev.SecretId,
				VersionStage: rotor.StageCurrent, MoveToVersionId: ev.ClientRequestToken, RemoveFromVersionId: current})
			return err
		}
		return nil
	}
}

type simConfig struct {
	secrets int
	days    int
	engines int
	indexed bool
	// store, when set, makes the shared store (else a memory store).
	store func(t *testing.T) rotor.Store
}

// simulate drives engines sharing one memory store with a simulated clock,
// ticking every 20 simulated minutes, and checks that every secret was
// rotated exactly once per window, inside the window, and that no window
// passed without a rotation.
func simulate(t *testing.T, c simConfig) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const tick = 20 * time.Minute
	end := start.Add(time.Duration(c.days) * 24 * time.Hour)
	clock := &fakeClock{now: start}
	var store rotor.Store = rotor.NewMemoryStore()
	if c.store != nil {
		store = c.store(t)
	}
	if c.indexed {
		store = engine.NewIndexedStore(store)
	}

	// A rotation is counted when finishSecret moves AWSCURRENT to its
	// version (the value changed); its completion event is counted apart.
	var mu sync.Mutex
	rotations := map[string][]time.Time{}
	completed := 0
	var nodes []*node
	for i := range c.engines {
		n := newNode(t, store, clock, uint64(i+1), engine.Config{})
		n.fns.Register(lambdaARN, quickRotator(n.svc))
		n.svc.Subscribe(func(ev rotor.Event) {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case ev.Kind == rotor.EventLabelMoved && slices.Contains(ev.Stages, rotor.StageCurrent):
				rotations[ev.ARN] = append(rotations[ev.ARN], ev.Time)
			case ev.Kind == rotor.EventRotationFinished:
				completed++
			}
		})
		nodes = append(nodes, n)
	}

	var pool, frequent []rotor.RotationRules
	for _, r := range simRules {
		for range r.weight {
			pool = append(pool, r.rules)
		}
		if r.frequent {
			frequent = append(frequent, r.rules)
		}
	}
	type secret struct {
		arn   string
		rules rotor.RotationRules
	}
	secrets := make([]secret, c.secrets)
	ctx := context.Background()
	for i := range secrets {
		n := nodes[i%len(nodes)]
		name := fmt.Sprintf("sim/%04d", i)
		out := n.create(t, name, "v0")
		rules := pool[(i*7919)%len(pool)]
		if i < len(frequent) {
			rules = frequent[i%len(frequent)]
		}
		_, err := n.svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: name, RotationLambdaARN: lambdaARN,
			RotationRules: &rules, RotateImmediately: ptr(false)})
		require.NoError(t, err)
		secrets[i] = secret{arn: out.ARN, rules: rules}
	}

	for now := start; now.Before(end); now = now.Add(tick) {
		clock.Set(now)
		var wg sync.WaitGroup
		for _, n := range nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := n.eng.Tick(ctx)
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
		for _, n := range nodes {
			require.NoError(t, n.eng.WaitIdle(waitCtx(t)))
		}
	}

	total := 0
	for _, s := range secrets {
		sched, err := rotor.ParseSchedule(s.rules)
		require.NoError(t, err)
		base := start
		for k, f := range rotations[s.arn] {
			ws, we := sched.Window(base)
			require.False(t, f.Before(ws), "%s %+v rotation %d at %s before its window [%s, %s)", s.arn, s.rules, k, f, ws, we)
			require.True(t, f.Before(we), "%s %+v rotation %d at %s after its window [%s, %s)", s.arn, s.rules, k, f, ws, we)
			base = f
		}
		ws, we := sched.Window(base)
		require.False(t, we.Add(tick).Before(end), "%s %+v: window [%s, %s) passed without a rotation", s.arn, s.rules, ws, we)
		total += len(rotations[s.arn])
	}
	t.Logf("%d secrets, %d days, %d engines: %d rotations, %d completion events", c.secrets, c.days, c.engines, total, completed)
	assert.Equal(t, total, completed, "every rotation that moved AWSCURRENT completed its bookkeeping")

	for i := range secrets {
		sec := nodes[0].load(t, fmt.Sprintf("sim/%04d", i))
		_, pending := sec.StageVersion(rotor.StagePending)
		assert.False(t, pending, "no rotation left pending")
	}
}

func simScale() (secrets, days int) {
	switch {
	case testing.Short():
		return 100, 120
	case raceEnabled:
		return 200, 180
	}
	return 1000, 730
}

func TestSchedulerSimulation(t *testing.T) {
	secrets, days := simScale()
	t.Run("one engine, indexed store", func(t *testing.T) {
		simulate(t, simConfig{secrets: secrets, days: days, engines: 1, indexed: true})
	})
	t.Run("two engines on one indexed store", func(t *testing.T) {
		simulate(t, simConfig{secrets: secrets, days: days, engines: 2, indexed: true})
	})
	t.Run("two engines on one plain memory store (scanned)", func(t *testing.T) {
		simulate(t, simConfig{secrets: 60, days: 60, engines: 2, indexed: false})
	})
	t.Run("two engines on one PostgreSQL database", func(t *testing.T) {
		url := os.Getenv("ROTOR_TEST_POSTGRES_URL")
		if url == "" {
			if os.Getenv("CI") == "true" {
				t.Fatal("ROTOR_TEST_POSTGRES_URL is not set; .ci/run starts PostgreSQL and sets it")
			}
			t.Skip("SKIPPED: ROTOR_TEST_POSTGRES_URL is not set; the PostgreSQL scheduler simulation did not run")
		}
		simulate(t, simConfig{secrets: 40, days: 60, engines: 2, store: func(t *testing.T) rotor.Store {
			// A schema of its own: the database is shared with other tests.
			pg, err := postgres.Open(context.Background(), url, postgres.WithSchema(fmt.Sprintf("sim_%d", time.Now().UnixNano())))
			require.NoError(t, err)
			t.Cleanup(func() { _ = pg.Close() })
			return pg
		}})
	})
}
