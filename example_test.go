package rotor_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rotorkit/rotor"
)

// Create a secret and read it back.
func Example() {
	ctx := context.Background()
	svc := rotor.New(rotor.NewMemoryStore())

	_, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "prod/db", SecretString: `{"password":"hunter2"}`})
	if err != nil {
		panic(err)
	}
	v, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "prod/db"})
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Name, v.VersionStages, v.SecretString)
	// Outputs never print their value, whatever the verb.
	fmt.Println(strings.Contains(fmt.Sprintf("%+v", v), "hunter2"))
	// Output:
	// prod/db [AWSCURRENT] {"password":"hunter2"}
	// false
}

// A new value becomes AWSCURRENT; the version it replaced becomes AWSPREVIOUS.
func Example_putSecretValue() {
	ctx := context.Background()
	svc := rotor.New(rotor.NewMemoryStore())
	first, _ := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "api-key", SecretString: "one"})
	second, _ := svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "api-key", SecretString: "two"})

	d, _ := svc.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: "api-key"})
	fmt.Println("first: ", d.VersionIdsToStages[first.VersionId])
	fmt.Println("second:", d.VersionIdsToStages[second.VersionId])
	prev, _ := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "api-key", VersionStage: rotor.StagePrevious})
	fmt.Println("AWSPREVIOUS reads", prev.SecretString)
	// Output:
	// first:  [AWSPREVIOUS]
	// second: [AWSCURRENT]
	// AWSPREVIOUS reads one
}

// Rotate a secret with an in-process rotation function shaped like AWS's
// template: only generating, setting and testing the value is yours.
func Example_rotateSecret() {
	ctx := context.Background()
	functions := &rotor.FunctionRegistry{}
	svc := rotor.New(rotor.NewMemoryStore(), rotor.WithInvoker(functions))
	functions.Register("arn:aws:lambda:us-east-1:000000000000:function:rotate-db", &rotor.TemplateRotator{
		API: svc,
		Generate: func(ctx context.Context, current rotor.GetSecretValueOutput) (string, error) {
			return current.SecretString + "-rotated", nil
		},
		Set: func(ctx context.Context, pending rotor.GetSecretValueOutput) error {
			return nil // ALTER USER ... PASSWORD ... in real life
		},
	})
	_, _ = svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db", SecretString: "pw1"})

	out, err := svc.RotateSecret(ctx, rotor.RotateSecretInput{
		SecretId:          "db",
		RotationLambdaARN: "arn:aws:lambda:us-east-1:000000000000:function:rotate-db",
		RotationRules:     &rotor.RotationRules{AutomaticallyAfterDays: 10},
	})
	if err != nil {
		panic(err)
	}
	v, _ := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "db"})
	fmt.Println(v.SecretString, v.VersionId == out.VersionId, v.VersionStages)
	// Output:
	// pw1-rotated true [AWSCURRENT]
}

// Unit-test a rotation function in-process: without an engine the four steps
// run inside RotateSecret, so the test reads the outcome when it returns. A
// failed step is a *rotor.StepError carrying the function's own error.
func Example_testARotationFunction() {
	ctx := context.Background()
	functions := &rotor.FunctionRegistry{}
	svc := rotor.New(rotor.NewMemoryStore(), rotor.WithInvoker(functions))
	const fn = "arn:aws:lambda:us-east-1:000000000000:function:rotate-db"
	password, readOnly := "initial", false // the database under test
	functions.Register(fn, &rotor.TemplateRotator{
		API: svc,
		Set: func(ctx context.Context, pending rotor.GetSecretValueOutput) error {
			if !readOnly {
				password = pending.SecretString
			}
			return nil
		},
		Test: func(ctx context.Context, pending rotor.GetSecretValueOutput) error {
			if pending.SecretString != password {
				return errors.New("cannot log in with the new password")
			}
			return nil
		},
	})
	if _, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "prod/db", SecretString: "initial"}); err != nil {
		panic(err)
	}

	out, err := svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "prod/db", RotationLambdaARN: fn})
	if err != nil {
		panic(err)
	}
	v, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "prod/db"})
	if err != nil {
		panic(err)
	}
	fmt.Println("rotated:", v.VersionId == out.VersionId, v.SecretString == password)

	readOnly = true // setSecret now changes nothing: testSecret catches it
	_, err = svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "prod/db"})
	var failed *rotor.StepError
	if errors.As(err, &failed) {
		fmt.Printf("failed at %s: %v\n", failed.Step, failed.Err)
	}
	v, _ = svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "prod/db"})
	fmt.Println("AWSCURRENT unchanged:", v.VersionId == out.VersionId)
	// Output:
	// rotated: true true
	// failed at testSecret: cannot log in with the new password
	// AWSCURRENT unchanged: true
}

// While AWSPENDING sits on a version that is not AWSCURRENT, a new rotation
// is refused; the pending one must finish (or be cleaned up) first.
func Example_rotationInProgress() {
	ctx := context.Background()
	functions := &rotor.FunctionRegistry{}
	svc := rotor.New(rotor.NewMemoryStore(), rotor.WithInvoker(functions))
	const fn = "arn:aws:lambda:us-east-1:000000000000:function:flaky"
	functions.Register(fn, &rotor.TemplateRotator{API: svc, Test: func(context.Context, rotor.GetSecretValueOutput) error {
		return errors.New("database unreachable")
	}})
	_, _ = svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db", SecretString: "pw1"})

	_, err := svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "db", RotationLambdaARN: fn})
	var step *rotor.StepError
	fmt.Println("failed at", errors.As(err, &step), step.Step)

	_, err = svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "db"})
	fmt.Println(err)
	fmt.Println(errors.Is(err, rotor.ErrInvalidRequest))
	// Output:
	// failed at true testSecret
	// InvalidRequestException: A previous rotation isn't complete. That rotation will be reattempted.
	// true
}

// A retry with the same ClientRequestToken resumes the pending rotation
// instead of starting another.
func Example_retryRotation() {
	ctx := context.Background()
	functions := &rotor.FunctionRegistry{}
	svc := rotor.New(rotor.NewMemoryStore(), rotor.WithInvoker(functions))
	const fn = "arn:aws:lambda:us-east-1:000000000000:function:rotate"
	down := true
	functions.Register(fn, &rotor.TemplateRotator{API: svc, Set: func(context.Context, rotor.GetSecretValueOutput) error {
		if down {
			return errors.New("database unreachable")
		}
		return nil
	}})
	_, _ = svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db", SecretString: "pw1"})

	const token = "3b8fd6f0-9d4b-4c4c-8a52-2c1f5f0d2a11"
	in := rotor.RotateSecretInput{SecretId: "db", ClientRequestToken: token, RotationLambdaARN: fn}
	_, err := svc.RotateSecret(ctx, in)
	fmt.Println("first attempt failed:", err != nil)

	down = false
	out, err := svc.RotateSecret(ctx, in)
	fmt.Println("retry:", err, out.VersionId == token)
	v, _ := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "db"})
	fmt.Println("AWSCURRENT is the pending version:", v.VersionId == token)
	// Output:
	// first attempt failed: true
	// retry: <nil> true
	// AWSCURRENT is the pending version: true
}

// The next rotation date of a cron schedule with a two-hour window: AWS
// reports the last second of the window.
func ExampleSchedule_NextRotationDate() {
	sched, err := rotor.ParseSchedule(rotor.RotationRules{ScheduleExpression: "cron(0 16 1,15 * ? *)", Duration: "2h"})
	if err != nil {
		panic(err)
	}
	after := time.Date(2026, 2, 3, 17, 34, 0, 0, time.UTC)
	fmt.Println(sched.NextRotationDate(after).Format(time.RFC3339))
	start, end := sched.Window(after)
	fmt.Println(start.Format(time.RFC3339), "to", end.Format(time.RFC3339))
	// Output:
	// 2026-02-15T17:59:59Z
	// 2026-02-15T16:00:00Z to 2026-02-15T18:00:00Z
}

// Replicate a secret to another Region: one store serves every Region, and
// the replica follows each change of its primary. Writes go to the
// primary's Region; the replica answers reads.
func Example_replicateSecret() {
	ctx := context.Background()
	store := rotor.NewMemoryStore()
	east := rotor.New(store, rotor.WithRegion("us-east-1"))
	west := rotor.New(store, rotor.WithRegion("eu-west-1"))

	_, err := east.CreateSecret(ctx, rotor.CreateSecretInput{Name: "prod/db", SecretString: "v1",
		AddReplicaRegions: []rotor.ReplicaRegion{{Region: "eu-west-1"}}})
	if err != nil {
		panic(err)
	}
	if _, err := east.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "prod/db", SecretString: "v2"}); err != nil {
		panic(err)
	}
	v, err := west.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "prod/db"})
	if err != nil {
		panic(err)
	}
	fmt.Println("eu-west-1 reads", v.SecretString)

	_, err = west.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "prod/db", SecretString: "v3"})
	fmt.Println(err)

	d, err := east.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: "prod/db"})
	if err != nil {
		panic(err)
	}
	for _, r := range d.ReplicationStatus {
		fmt.Println(r.Region, r.Status)
	}
	// Output:
	// eu-west-1 reads v2
	// InvalidParameterException: Operation not permitted on a replica secret. Call must be made in primary secret's region.
	// eu-west-1 InSync
}
