package rotortest_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/rotortest"
)

func TestARegisteredHandlerRunsEveryStepInOrder(t *testing.T) {
	ctx := context.Background()
	srv := rotortest.NewServer(t, rotortest.WithRegion("eu-west-1"))
	client := secretsmanager.NewFromConfig(srv.Config)
	const lambda = "arn:aws:lambda:eu-west-1:000000000000:function:rotate"
	var steps []rotor.Step
	handler := rotationHandler(client)
	srv.Functions.Register(lambda, rotor.RotatorFunc(func(ctx context.Context, ev rotor.RotationEvent) error {
		steps = append(steps, ev.Step)
		return handler(ctx, ev)
	}))
	created, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("v1")})
	require.NoError(t, err)
	assert.Contains(t, *created.ARN, ":eu-west-1:")
	_, err = client.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("s"), RotationLambdaARN: aws.String(lambda)})
	require.NoError(t, err)
	assert.Equal(t, []rotor.Step{rotor.StepCreateSecret, rotor.StepSetSecret, rotor.StepTestSecret, rotor.StepFinishSecret}, steps)

	svc, err := srv.Service()
	require.NoError(t, err)
	got, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "s"})
	require.NoError(t, err)
	assert.Equal(t, "rotated-password", got.SecretString)
}

func TestAFailingHandlerLeavesTheRotationPending(t *testing.T) {
	ctx := context.Background()
	srv := rotortest.NewServer(t)
	client := secretsmanager.NewFromConfig(srv.Config)
	const lambda = "arn:aws:lambda:us-east-1:000000000000:function:broken"
	srv.Functions.Register(lambda, rotor.RotatorFunc(func(context.Context, rotor.RotationEvent) error { return errors.New("cannot reach the database") }))
	_, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("v1")})
	require.NoError(t, err)
	out, err := client.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("s"), RotationLambdaARN: aws.String(lambda)})
	require.NoError(t, err)
	d, err := client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")})
	require.NoError(t, err)
	assert.Equal(t, []string{"AWSPENDING"}, d.VersionIdsToStages[*out.VersionId])
}

func TestOtherCredentialsAreRefused(t *testing.T) {
	srv := rotortest.NewServer(t, rotortest.WithCredentials("AKIDMINE", "mine"))
	cfg := srv.Config.Copy()
	cfg.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: rotortest.AccessKeyID, SecretAccessKey: rotortest.SecretAccessKey}, nil
	}))
	_, err := secretsmanager.NewFromConfig(cfg).ListSecrets(context.Background(), &secretsmanager.ListSecretsInput{})
	require.Error(t, err)
	_, err = secretsmanager.NewFromConfig(srv.Config).ListSecrets(context.Background(), &secretsmanager.ListSecretsInput{})
	require.NoError(t, err)
}

func TestWaitRotationReportsTheOutcome(t *testing.T) {
	const lambda = "arn:aws:lambda:us-east-1:000000000000:function:rotate"
	for _, async := range []bool{false, true} {
		var opts []rotortest.Option
		name := "steps inside the call"
		if async {
			opts, name = append(opts, rotortest.WithAsyncRotation()), "steps after the call"
		}
		t.Run(name+": a rotation that finishes", func(t *testing.T) {
			ctx := context.Background()
			srv := rotortest.NewServer(t, opts...)
			client := secretsmanager.NewFromConfig(srv.Config)
			srv.Functions.Register(lambda, rotor.RotatorFunc(rotationHandler(client)))
			_, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("v1")})
			require.NoError(t, err)
			out, err := client.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("db"), RotationLambdaARN: aws.String(lambda)})
			require.NoError(t, err)
			require.NoError(t, srv.WaitRotation(ctx, "db", *out.VersionId))
			got, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})
			require.NoError(t, err)
			assert.Equal(t, "rotated-password", *got.SecretString)
		})
		t.Run(name+": a rotation that fails names the step and the function's error", func(t *testing.T) {
			ctx := context.Background()
			srv := rotortest.NewServer(t, opts...)
			client := secretsmanager.NewFromConfig(srv.Config)
			handler := rotationHandler(client)
			srv.Functions.Register(lambda, rotor.RotatorFunc(func(ctx context.Context, ev rotor.RotationEvent) error {
				if ev.Step == rotor.StepTestSecret {
					return errors.New("the new password does not log in")
				}
				return handler(ctx, ev)
			}))
			_, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("v1")})
			require.NoError(t, err)
			out, err := client.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("db"), RotationLambdaARN: aws.String(lambda)})
			require.NoError(t, err, "a failed step is not the call's error, as on AWS")
			err = srv.WaitRotation(ctx, "db", *out.VersionId)
			var stepErr *rotor.StepError
			require.ErrorAs(t, err, &stepErr)
			assert.Equal(t, rotor.StepTestSecret, stepErr.Step)
			assert.Contains(t, stepErr.Err.Error(), "the new password does not log in")
		})
	}
}

// The server's clock moves everything rotor decides, while the SDK's
// signatures, made with the real time, are still accepted; with an engine,
// Tick rotates a secret whose rotation is due.
func TestTheClockMovesTheScheduleNotTheSignatures(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2031, 6, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv := rotortest.NewServer(t, rotortest.WithClock(clock), rotortest.WithAsyncRotation())
	client := secretsmanager.NewFromConfig(srv.Config)
	const lambda = "arn:aws:lambda:us-east-1:000000000000:function:rotate"
	srv.Functions.Register(lambda, rotor.RotatorFunc(rotationHandler(client)))
	created, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("v1")})
	require.NoError(t, err, "a clock years away does not fail the signature")
	_, err = client.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("db"), RotationLambdaARN: aws.String(lambda),
		RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(7)}, RotateImmediately: aws.Bool(false)})
	require.NoError(t, err)
	d, err := client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("db")})
	require.NoError(t, err)
	assert.Equal(t, time.Date(2031, 6, 8, 23, 59, 59, 0, time.UTC), d.NextRotationDate.UTC())

	started, err := srv.Tick(ctx)
	require.NoError(t, err)
	assert.Zero(t, started, "not due yet")
	svc, err := srv.Service()
	require.NoError(t, err)
	sec, err := svc.Lookup(ctx, "db")
	require.NoError(t, err)
	due, ok := rotor.DueAt(sec)
	require.True(t, ok)
	mu.Lock()
	now = due
	mu.Unlock()
	started, err = srv.Tick(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, started)
	sec, err = svc.Lookup(ctx, "db")
	require.NoError(t, err)
	require.NotNil(t, sec.Rotation)
	require.NoError(t, srv.WaitRotation(ctx, "db", sec.Rotation.Token))
	got, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db"), VersionStage: aws.String("AWSPREVIOUS")})
	require.NoError(t, err)
	assert.Equal(t, *created.VersionId, *got.VersionId)
}
