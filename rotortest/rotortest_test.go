package rotortest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
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
	srv.Register(lambda, func(ctx context.Context, ev rotor.RotationEvent) error {
		steps = append(steps, ev.Step)
		return handler(ctx, ev)
	})
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
	srv.Register(lambda, func(context.Context, rotor.RotationEvent) error { return errors.New("cannot reach the database") })
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
