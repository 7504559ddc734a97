package awssdk_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/rotators"
	"github.com/rotorkit/rotor/rotators/awssdk"
	"github.com/rotorkit/rotor/rotortest"
)

func TestARotatorRotatesThroughTheAWSSDK(t *testing.T) {
	ctx := context.Background()
	srv := rotortest.Start()
	defer srv.Close()
	client := secretsmanager.NewFromConfig(srv.Config)
	const fn = "arn:aws:lambda:us-east-1:000000000000:function:rotate-key"
	srv.Functions.Register(fn, rotators.RandomValue(awssdk.New(client), rotor.GetRandomPasswordInput{PasswordLength: 40, ExcludePunctuation: true}))

	_, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("api-key"), SecretString: aws.String(`{"id":"k1","password":"old"}`)})
	require.NoError(t, err)
	for range 2 {
		out, err := client.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("api-key"), RotationLambdaARN: aws.String(fn)})
		require.NoError(t, err)
		require.NoError(t, srv.WaitRotation(ctx, "api-key", *out.VersionId))
		v, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("api-key")})
		require.NoError(t, err)
		assert.Equal(t, *out.VersionId, *v.VersionId)
		s, err := rotators.ParseDatabaseSecret(`{"engine":"x","host":"h","username":"u",` + (*v.SecretString)[1:])
		require.NoError(t, err)
		assert.Len(t, s.Password, 40)
		assert.Regexp(t, `^[A-Za-z0-9]+$`, s.Password)
	}
}

func TestTheServicesErrorsKeepTheirCode(t *testing.T) {
	srv := rotortest.Start()
	defer srv.Close()
	api := awssdk.New(secretsmanager.NewFromConfig(srv.Config))
	_, err := api.GetSecretValue(context.Background(), rotor.GetSecretValueInput{SecretId: "nothing"})
	assert.True(t, errors.Is(err, rotor.ErrResourceNotFound), "%v", err)
	var re *rotor.Error
	require.ErrorAs(t, err, &re)
	assert.NotEmpty(t, re.Message)
}
