package lambda_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
	"github.com/rotorkit/rotor/lambda"
)

const functionARN = "arn:aws:lambda:us-east-1:000000000000:function:SecretsManagerRotation"

// templateStep does one step as AWS's rotation template does, through the SDK.
func templateStep(ctx context.Context, c *secretsmanager.Client, ev rotor.RotationEvent) error {
	d, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: &ev.SecretId})
	if err != nil {
		return err
	}
	if d.RotationEnabled == nil || !*d.RotationEnabled {
		return fmt.Errorf("secret %s is not enabled for rotation", ev.SecretId)
	}
	stages, ok := d.VersionIdsToStages[ev.ClientRequestToken]
	if !ok {
		return fmt.Errorf("secret version %s has no stage for rotation", ev.ClientRequestToken)
	}
	if slices.Contains(stages, "AWSCURRENT") {
		return nil
	}
	if !slices.Contains(stages, "AWSPENDING") {
		return fmt.Errorf("secret version %s not set as AWSPENDING", ev.ClientRequestToken)
	}
	switch ev.Step {
	case rotor.StepCreateSecret:
		_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &ev.SecretId, VersionStage: aws.String("AWSCURRENT")})
		if err != nil {
			return err
		}
		_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &ev.SecretId, VersionId: &ev.ClientRequestToken, VersionStage: aws.String("AWSPENDING")})
		var notFound *types.ResourceNotFoundException
		if !errors.As(err, &notFound) {
			return err
		}
		pw, err := c.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{})
		if err != nil {
			return err
		}
		_, err = c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: &ev.SecretId, ClientRequestToken: &ev.ClientRequestToken,
			SecretString: pw.RandomPassword, VersionStages: []string{"AWSPENDING"}})
		return err
	case rotor.StepFinishSecret:
		for id, stages := range d.VersionIdsToStages {
			if slices.Contains(stages, "AWSCURRENT") {
				_, err := c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: &ev.SecretId,
					VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: &ev.ClientRequestToken, RemoveFromVersionId: aws.String(id)})
				return err
			}
		}
	}
	return nil
}

// stepsMu guards the step lists lambdaEndpoint appends to; a test reads its
// list only after the invocations returned.
var stepsMu sync.Mutex

// lambdaEndpoint is a Lambda Invoke API serving fn as functionARN; it
// records the steps it was asked for.
func lambdaEndpoint(t *testing.T, fn func(ctx context.Context, ev rotor.RotationEvent) error, steps *[]rotor.Step) *httptest.Server {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.EscapedPath() != "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3ASecretsManagerRotation/invocations" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"Type":"User","message":"Function not found"}`)
			return
		}
		if r.Header.Get("X-Amz-Invocation-Type") != "RequestResponse" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var ev rotor.RotationEvent
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if steps != nil {
			stepsMu.Lock()
			*steps = append(*steps, ev.Step)
			stepsMu.Unlock()
		}
		if err := fn(r.Context(), ev); err != nil {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			_ = json.NewEncoder(w).Encode(map[string]string{"errorMessage": err.Error(), "errorType": "RotationError"})
			return
		}
		_, _ = io.WriteString(w, "null")
	}))
	t.Cleanup(ts.Close)
	return ts
}

func TestAFullRotationRunsThroughTheLambdaInvokeAPI(t *testing.T) {
	ctx := context.Background()
	inv := &lambda.Invoker{}
	h := awsapi.NewHandler(awsapi.Config{Invoker: inv, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Credentials: map[string]string{"AKID": "secret"}})
	rotorServer := httptest.NewServer(h)
	t.Cleanup(rotorServer.Close)
	client := secretsmanager.New(secretsmanager.Options{Region: "us-east-1", BaseEndpoint: aws.String(rotorServer.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), Retryer: aws.NopRetryer{}})
	var steps []rotor.Step
	inv.Endpoint = lambdaEndpoint(t, func(ctx context.Context, ev rotor.RotationEvent) error { return templateStep(ctx, client, ev) }, &steps).URL

	created, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("first")})
	require.NoError(t, err)
	rot, err := client.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("db"),
		RotationLambdaARN: aws.String(functionARN), RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(10)}})
	require.NoError(t, err)
	assert.Equal(t, []rotor.Step{rotor.StepCreateSecret, rotor.StepSetSecret, rotor.StepTestSecret, rotor.StepFinishSecret}, steps)

	cur, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})
	require.NoError(t, err)
	assert.Equal(t, *rot.VersionId, *cur.VersionId)
	assert.Len(t, *cur.SecretString, 32)
	prev, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db"), VersionStage: aws.String("AWSPREVIOUS")})
	require.NoError(t, err)
	assert.Equal(t, *created.VersionId, *prev.VersionId)

	steps = nil
	_, err = client.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("db")})
	require.NoError(t, err, "the stored configuration rotates again")
	assert.Len(t, steps, 4)
}

func TestAStepFailsWhenTheFunctionFails(t *testing.T) {
	ev := rotor.RotationEvent{Step: rotor.StepSetSecret, SecretId: "arn:aws:secretsmanager:us-east-1:000000000000:secret:s-abcdef", ClientRequestToken: "t"}
	t.Run("a function error keeps its message", func(t *testing.T) {
		ts := lambdaEndpoint(t, func(context.Context, rotor.RotationEvent) error {
			return errors.New("the database refused the password")
		}, nil)
		err := (&lambda.Invoker{Endpoint: ts.URL}).Invoke(context.Background(), functionARN, ev)
		var fe *lambda.FunctionError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "the database refused the password", fe.Message)
		assert.Equal(t, "RotationError", fe.Type)
	})
	t.Run("an unknown function is an HTTP error", func(t *testing.T) {
		ts := lambdaEndpoint(t, func(context.Context, rotor.RotationEvent) error { return nil }, nil)
		err := (&lambda.Invoker{Endpoint: ts.URL}).Invoke(context.Background(), functionARN+"-other", ev)
		assert.ErrorContains(t, err, "HTTP 404")
	})
	t.Run("a function that hangs times out", func(t *testing.T) {
		release := make(chan struct{})
		ts := lambdaEndpoint(t, func(ctx context.Context, _ rotor.RotationEvent) error {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}, nil)
		defer close(release)
		start := time.Now()
		err := (&lambda.Invoker{Endpoint: ts.URL, Timeout: 100 * time.Millisecond}).Invoke(context.Background(), functionARN, ev)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 5*time.Second)
	})
	t.Run("an endpoint that is down fails at once", func(t *testing.T) {
		ts := httptest.NewServer(http.NotFoundHandler())
		url := ts.URL
		ts.Close()
		err := (&lambda.Invoker{Endpoint: url}).Invoke(context.Background(), functionARN, ev)
		assert.Error(t, err)
	})
	t.Run("a successful step is nil", func(t *testing.T) {
		var got []rotor.Step
		ts := lambdaEndpoint(t, func(context.Context, rotor.RotationEvent) error { return nil }, &got)
		require.NoError(t, (&lambda.Invoker{Endpoint: ts.URL}).Invoke(context.Background(), functionARN, ev))
		assert.Equal(t, []rotor.Step{rotor.StepSetSecret}, got)
	})
}

func TestNewChecksTheEndpoint(t *testing.T) {
	_, err := lambda.New("")
	assert.ErrorIs(t, err, lambda.ErrNoEndpoint)
	_, err = lambda.New("127.0.0.1:3001")
	assert.Error(t, err)
	inv, err := lambda.New("http://127.0.0.1:3001")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:3001", inv.Endpoint)
}
