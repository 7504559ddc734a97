package engine_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/engine"
)

// Run rotations after RotateSecret returns, as AWS does: engine.New builds
// the Service the engine runs rotations for, with one clock for both.
// RotateSecret returns at once and the engine's workers run the four steps;
// Wait blocks until they did.
func Example() {
	ctx := context.Background()
	functions := &rotor.FunctionRegistry{}
	store := engine.NewIndexedStore(rotor.NewMemoryStore()) // any rotor.Store works

	// A fixed clock keeps the output stable; leave it out to use time.Now.
	now := func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }

	e := engine.New(store, engine.Config{Workers: 2, MaxAttempts: 5, StepTimeout: time.Minute, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		rotor.WithClock(now), rotor.WithInvoker(functions))
	defer e.Close()
	svc := e.Service()
	// Start resumes rotations a crash left pending and ticks the scheduler
	// every Config.TickInterval until ctx is done or the engine is closed.
	if err := e.Start(ctx); err != nil {
		panic(err)
	}

	functions.Register("arn:aws:lambda:us-east-1:000000000000:function:rotate-db", &rotor.TemplateRotator{
		API: svc,
		Generate: func(context.Context, rotor.GetSecretValueOutput) (string, error) {
			return "s3cret-2", nil
		},
	})
	first, _ := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "prod/db", SecretString: "s3cret-1"})
	out, err := svc.RotateSecret(ctx, rotor.RotateSecretInput{
		SecretId:          "prod/db",
		RotationLambdaARN: "arn:aws:lambda:us-east-1:000000000000:function:rotate-db",
		RotationRules:     &rotor.RotationRules{ScheduleExpression: "cron(0 16 1,15 * ? *)", Duration: "2h"},
	})
	if err != nil {
		panic(err)
	}
	// RotateSecret returned once the AWSPENDING placeholder was saved; the
	// steps may still be running.
	if err := e.Wait(ctx, out.ARN, out.VersionId); err != nil {
		panic(err)
	}
	d, _ := svc.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: "prod/db"})
	fmt.Println("new version:", d.VersionIdsToStages[out.VersionId])
	fmt.Println("old version:", d.VersionIdsToStages[first.VersionId])
	fmt.Println("next rotation by:", d.NextRotationDate.Format(time.DateTime))
	// Output:
	// new version: [AWSCURRENT]
	// old version: [AWSPREVIOUS]
	// next rotation by: 2026-12-01 17:59:59
}
