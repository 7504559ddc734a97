package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rotorCmd runs one rotor command line in-process and returns its exit
// status, standard output and standard error.
func rotorCmd(t *testing.T, line ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runIO(context.Background(), line, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestOperationsOnALocalStore(t *testing.T) {
	dir := t.TempDir()
	store := dir + "/local.db"
	newLocalStore(t, store)
	code, out, errOut := rotorCmd(t, "create-secret", "--store", store, "--name", "MyTestDatabaseSecret", "--secret-string", "s3cret")
	require.Equal(t, 0, code, errOut)
	var created map[string]string
	require.NoError(t, json.Unmarshal([]byte(out), &created))
	assert.Equal(t, "MyTestDatabaseSecret", created["Name"])
	assert.Contains(t, out, "\n    \"ARN\": ", "the aws CLI's four-space indentation")

	code, out, _ = rotorCmd(t, "get-secret-value", "--store", store, "--secret-id", "MyTestDatabaseSecret", "--query", "SecretString", "--output", "text")
	require.Equal(t, 0, code)
	assert.Equal(t, "s3cret\n", out)

	code, _, errOut = rotorCmd(t, "describe-secret", "--store", store, "--secret-id", "missing")
	assert.Equal(t, 254, code, "a service error exits 254")
	assert.Contains(t, errOut, "An error occurred (ResourceNotFoundException) when calling the DescribeSecret operation: Secrets Manager can't find the specified secret.")

	code, _, _ = rotorCmd(t, "describe-secret", "--store", store, "--no-such-flag", "x")
	assert.Equal(t, 252, code, "bad usage exits 252")

	raw, err := os.ReadFile(store)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "s3cret", "the local store is encrypted at rest too")
}

func TestOperationsAgainstAServer(t *testing.T) {
	b := startBinary(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDBINARY")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "binary-secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	code, out, errOut := rotorCmd(t, "create-secret", "--endpoint-url", b.url, "--name", "remote", "--secret-string", "over-http")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"Name": "remote"`)
	code, out, errOut = rotorCmd(t, "get-secret-value", "--endpoint-url", b.url, "--secret-id", "remote", "--query", "SecretString")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "\"over-http\"\n", out)
	code, _, errOut = rotorCmd(t, "rotate-secret", "--endpoint-url", b.url, "--secret-id", "remote")
	assert.Equal(t, 254, code)
	assert.Contains(t, errOut, "An error occurred (InvalidRequestException) when calling the RotateSecret operation: No Lambda rotation function ARN is associated with this secret.")
}
