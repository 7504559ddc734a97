package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/lambda"
)

// The rotate-secret reference page's first example, as written, rotates a
// secret on a fresh rotor serve told that its function is a random value.
func TestTheSeedsRotateSecretExampleRunsWithABuiltInFunction(t *testing.T) {
	requireAWS(t)
	b := startBinary(t, "--rotation-function", "SecretsManagerTestRotationLambda=random-value")
	run := awsCommand(t, b.url)
	run("secretsmanager", "create-secret", "--name", "MyTestDatabaseSecret", "--secret-string", `{"username":"u","password":"p"}`)

	first := run("secretsmanager", "rotate-secret",
		"--secret-id", "MyTestDatabaseSecret",
		"--rotation-lambda-arn", "arn:aws:lambda:us-west-2:1234566789012:function:SecretsManagerTestRotationLambda",
		"--rotation-rules", "AutomaticallyAfterDays=10")
	require.NotEmpty(t, first["VersionId"])
	var current map[string]any
	require.Eventually(t, func() bool {
		current = run("secretsmanager", "get-secret-value", "--secret-id", "MyTestDatabaseSecret")
		return first["VersionId"] == current["VersionId"]
	}, 30*time.Second, 50*time.Millisecond, "the rotation finished")
	var value struct{ Username, Password string }
	require.NoError(t, json.Unmarshal([]byte(current["SecretString"].(string)), &value))
	assert.Equal(t, "u", value.Username, "the other fields kept")
	assert.Len(t, value.Password, 32, "a new password")
	previous := run("secretsmanager", "get-secret-value", "--secret-id", "MyTestDatabaseSecret", "--version-stage", "AWSPREVIOUS")
	assert.Equal(t, `{"username":"u","password":"p"}`, previous["SecretString"])

	second := run("secretsmanager", "rotate-secret", "--secret-id", "MyTestDatabaseSecret")
	require.Eventually(t, func() bool {
		return second["VersionId"] == run("secretsmanager", "get-secret-value", "--secret-id", "MyTestDatabaseSecret")["VersionId"]
	}, 30*time.Second, 50*time.Millisecond, "the second rotation finished")
	logs := b.stop(t)
	assert.NotContains(t, logs, value.Password, "no value in the logs")
}

// Without the function, rotate-secret keeps AWS's answer, and the log says
// which function was asked for and how to provide it.
func TestAMissingFunctionIsAnsweredAsAWSDoesAndExplainedInTheLog(t *testing.T) {
	b := startBinary(t)
	ctx := context.Background()
	c := secretsmanager.New(secretsmanager.Options{
		Region: "us-west-2", BaseEndpoint: aws.String(b.url), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKIDBINARY", "binary-secret", ""),
	})
	_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("MyTestDatabaseSecret"), SecretString: aws.String("v")})
	require.NoError(t, err)
	const fn = "arn:aws:lambda:us-west-2:1234566789012:function:SecretsManagerTestRotationLambda"
	_, err = c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("MyTestDatabaseSecret"),
		RotationLambdaARN: aws.String(fn), RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(10)}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.")
	logs := b.stop(t)
	assert.Contains(t, logs, fn)
	assert.Contains(t, logs, "--rotation-function SecretsManagerTestRotationLambda=KIND")
	assert.Contains(t, logs, "--lambda-endpoint URL")
}

func TestRotationFunctionFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want map[string]string
		err  string
	}{
		{"several functions are kept by name", []string{"--rotation-function", "a=random-value", "--rotation-function", "db-1=postgres-single-user"},
			map[string]string{"a": "random-value", "db-1": "postgres-single-user"}, ""},
		{"a value without = is refused", []string{"--rotation-function", "a"}, nil, "want NAME=KIND"},
		{"an unknown kind is refused, naming the kinds", []string{"--rotation-function", "a=oracle"}, nil, "mysql-alternating-users"},
		{"a name Lambda would refuse is refused", []string{"--rotation-function", "a:b=random-value"}, nil, "not a Lambda function name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseServeFlags(tc.args, io.Discard)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, map[string]string(c.functions))
		})
	}
}

func TestAFunctionIsMatchedByNameInAnyRegionAndAccount(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:lambda:us-west-2:1234566789012:function:SecretsManagerTestRotationLambda":        "SecretsManagerTestRotationLambda",
		"arn:aws:lambda:eu-west-1:000000000000:function:SecretsManagerTestRotationLambda:$LATEST": "SecretsManagerTestRotationLambda",
		"SecretsManagerTestRotationLambda": "SecretsManagerTestRotationLambda",
		"arn:aws:s3:::bucket":              "arn:aws:s3:::bucket",
	} {
		assert.Equal(t, want, functionName(arn), arn)
	}
	r := &functionRouter{kinds: functionFlag{"f": "random-value"}, logger: discardLogger()}
	assert.NoError(t, r.CheckFunction(context.Background(), "arn:aws:lambda:ap-south-1:111111111111:function:f"))
	err := r.CheckFunction(context.Background(), "arn:aws:lambda:ap-south-1:111111111111:function:g")
	assert.True(t, errors.Is(err, errNoFunction))
	assert.True(t, strings.Contains(err.Error(), "function:g"))
}

// A function the Lambda endpoint does not have either is explained in the
// log the same way.
func TestAFunctionTheLambdaEndpointLacksIsExplainedInTheLog(t *testing.T) {
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"Type":"User","message":"Function not found"}`, http.StatusNotFound)
	}))
	defer endpoint.Close()
	inv, err := lambda.New(endpoint.URL)
	require.NoError(t, err)
	var logs strings.Builder
	r := &functionRouter{kinds: functionFlag{}, lambda: inv, logger: slog.New(slog.NewTextHandler(&logs, nil)), ready: make(chan struct{})}
	const fn = "arn:aws:lambda:us-east-1:000000000000:function:rotate-db"
	err = r.Invoke(context.Background(), fn, rotor.RotationEvent{Step: rotor.StepCreateSecret, SecretId: "s", ClientRequestToken: "t"})
	require.Error(t, err)
	assert.Contains(t, logs.String(), fn)
	assert.Contains(t, logs.String(), "--rotation-function rotate-db=KIND")
}

// A built-in function finds each secret in its ARN's Region, and one named
// without an ARN in the Region of the secret being rotated.
func TestABuiltInFunctionRunsOnTheServiceOfTheSecretsRegion(t *testing.T) {
	ctx := context.Background()
	services := map[string]*rotor.Service{}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		services[region] = rotor.New(rotor.NewMemoryStore(), rotor.WithRegion(region))
	}
	r := &functionRouter{kinds: functionFlag{"rnd": "random-value"}, region: "us-east-1", logger: discardLogger(), ready: make(chan struct{}),
		services: func(region string) (*rotor.Service, error) { return services[region], nil }}
	close(r.ready)
	svc := services["eu-west-1"]
	created, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "k", SecretString: "old"})
	require.NoError(t, err)
	err = r.Invoke(ctx, "arn:aws:lambda:us-east-1:000000000000:function:rnd", rotor.RotationEvent{Step: rotor.StepFinishSecret, SecretId: created.ARN, ClientRequestToken: "none"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has no stage for rotation", "the secret was found in eu-west-1, whatever the function's Region")
}
