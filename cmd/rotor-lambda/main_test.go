package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/rotators/awssdk"
	"github.com/rotorkit/rotor/rotortest"
)

// The function's handler, invoked with the JSON Secrets Manager sends for
// each step, rotates a secret through the AWS SDK.
func TestTheHandlerTakesAWSsRotationEvent(t *testing.T) {
	ctx := context.Background()
	srv := rotortest.Start()
	defer srv.Close()
	client := secretsmanager.NewFromConfig(srv.Config)
	h, err := newHandler("random-value", awssdk.New(client), slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	invoke := lambda.NewHandler(h).Invoke

	const fn = "arn:aws:lambda:us-east-1:000000000000:function:rotor-lambda"
	var events []string
	srv.Functions.Register(fn, rotor.RotatorFunc(func(ctx context.Context, ev rotor.RotationEvent) error {
		event := fmt.Sprintf(`{"Step": %q, "SecretId": %q, "ClientRequestToken": %q, "RotationToken": %q}`, ev.Step, ev.SecretId, ev.ClientRequestToken, ev.RotationToken)
		events = append(events, string(ev.Step))
		_, err := invoke(ctx, []byte(event))
		return err
	}))
	_, err = client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("hmac"), SecretString: aws.String("first")})
	require.NoError(t, err)
	out, err := client.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("hmac"), RotationLambdaARN: aws.String(fn)})
	require.NoError(t, err)
	require.NoError(t, srv.WaitRotation(ctx, "hmac", *out.VersionId))
	assert.Equal(t, []string{"createSecret", "setSecret", "testSecret", "finishSecret"}, events)
	v, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("hmac")})
	require.NoError(t, err)
	assert.Equal(t, *out.VersionId, *v.VersionId)
	assert.NotEqual(t, "first", *v.SecretString)

	_, err = invoke(ctx, []byte(`{"Step":"create_secret","SecretId":"hmac","ClientRequestToken":"x"}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unknown rotation step")
}

func TestTheKindComesFromTheEnvironment(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tc := range []struct{ kind, want string }{
		{"", "ROTOR_ROTATION_KIND is not set"},
		{"oracle-single-user", `unknown rotation function kind "oracle-single-user"`},
	} {
		_, err := newHandler(tc.kind, nil, logger)
		require.Error(t, err, tc.kind)
		assert.Contains(t, err.Error(), tc.want)
	}
	_, err := newHandler("postgres-single-user", nil, logger)
	assert.NoError(t, err)
}
