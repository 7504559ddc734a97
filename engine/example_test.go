package engine_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/engine"
)

// Embed rotor in a service: the engine runs rotations after RotateSecret
// has answered, as AWS does, and every secret whose schedule comes due.
func Example() {
	ctx := context.Background()
	functions := &rotor.FunctionRegistry{}
	e := engine.New(rotor.NewMemoryStore(), engine.Config{Logger: slog.New(slog.DiscardHandler)},
		rotor.WithInvoker(functions))
	defer e.Close()
	svc := e.Service()
	const rotateDB = "arn:aws:lambda:us-east-1:000000000000:function:rotate-db"
	functions.Register(rotateDB, &rotor.TemplateRotator{
		API: svc,
		Set: func(ctx context.Context, pending rotor.GetSecretValueOutput) error {
			return nil // ALTER USER app PASSWORD pending.SecretString
		},
		Test: func(ctx context.Context, pending rotor.GetSecretValueOutput) error {
			return nil // log in with pending.SecretString
		},
	})
	if err := e.Start(ctx); err != nil { // resumes what a crash left, runs the scheduler
		panic(err)
	}

	if _, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "prod/db", SecretString: "initial"}); err != nil {
		panic(err)
	}
	out, err := svc.RotateSecret(ctx, rotor.RotateSecretInput{
		SecretId:          "prod/db",
		RotationLambdaARN: rotateDB,
		RotationRules:     &rotor.RotationRules{ScheduleExpression: "cron(0 16 1,15 * ? *)", Duration: "2h"},
	})
	if err != nil {
		panic(err)
	}
	if err := e.Wait(ctx, out.ARN, out.VersionId); err != nil { // the steps ran after the call
		panic(err)
	}
	v, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "prod/db"})
	if err != nil {
		panic(err)
	}
	fmt.Println(v.VersionId == out.VersionId, v.VersionStages, len(v.SecretString))
	// Output:
	// true [AWSCURRENT] 32
}
