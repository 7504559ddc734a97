package awsapi_test

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor/awsapi"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestEveryRequestIsLoggedWithoutItsValues(t *testing.T) {
	var logs lockedBuffer
	s := newServer(t, awsapi.Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}, true)
	ctx := context.Background()
	_, err := s.client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("TOPSECRET-VALUE")})
	require.NoError(t, err)
	_, err = s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
	require.NoError(t, err)
	_, err = s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("missing")})
	require.Error(t, err)

	out := logs.String()
	assert.NotContains(t, out, "TOPSECRET")
	assert.NotContains(t, out, testSecret)
	assert.Contains(t, out, `"operation":"CreateSecret"`)
	assert.Contains(t, out, `"operation":"GetSecretValue","region":"us-east-1","status":200`)
	assert.Contains(t, out, `"status":400`)
	assert.Contains(t, out, `"error_code":"ResourceNotFoundException"`)
	assert.Contains(t, out, `"duration":`)
}
