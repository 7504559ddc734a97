package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// metricsURL is the metrics address a server logged.
func metricsURL(t *testing.T, b *binary) string {
	t.Helper()
	for _, line := range b.logs {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "serving metrics" {
			return strings.TrimSuffix(rec["url"].(string), "/metrics")
		}
	}
	t.Fatalf("the server logged no metrics address: %v", b.logs)
	return ""
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

func TestServeWritesAnAuditTrailAndServesMetrics(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	trailPath := filepath.Join(dir, "audit.log")
	b := startBinary(t, "--store", "memory", "--audit-log", trailPath, "--metrics-addr", "127.0.0.1:0")
	go drain(b)
	ops := metricsURL(t, b)
	c := sdkClient(b.url)
	_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("prod/db"), SecretString: aws.String("correct-horse-battery")})
	require.NoError(t, err)
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")})
	require.NoError(t, err)
	_, err = c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("prod/none")})
	require.Error(t, err)

	st, err := os.Stat(trailPath)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	raw, err := os.ReadFile(trailPath)
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "correct-horse-battery")
	var names []string
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	for sc.Scan() {
		var rec struct {
			EventName    string `json:"eventName"`
			ErrorCode    string `json:"errorCode"`
			UserIdentity struct {
				AccessKeyID string `json:"accessKeyId"`
			} `json:"userIdentity"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &rec))
		assert.Equal(t, "AKIDBINARY", rec.UserIdentity.AccessKeyID)
		names = append(names, rec.EventName+"/"+rec.ErrorCode)
	}
	assert.Equal(t, []string{"CreateSecret/", "GetSecretValue/", "DescribeSecret/ResourceNotFoundException"}, names)

	code, body := httpGet(t, ops+"/metrics")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `rotor_requests_total{code="",operation="GetSecretValue",region="us-east-1"} 1`)
	assert.Contains(t, body, `rotor_engine_running{region="us-east-1"} 1`)
	code, _ = httpGet(t, ops+"/healthz")
	assert.Equal(t, http.StatusOK, code)
	code, body = httpGet(t, ops+"/readyz")
	assert.Equal(t, http.StatusOK, code, body)
}

func TestARequestTheAuditTrailCannotHoldFails(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	ctx := context.Background()
	b := startBinary(t, "--store", "memory", "--audit-log", "/dev/full", "--metrics-addr", "127.0.0.1:0")
	go drain(b)
	c := secretsmanager.NewFromConfig(aws.Config{}, func(o *secretsmanager.Options) {
		*o = sdkClient(b.url).Options()
		o.Retryer = aws.NopRetryer{}
	})
	_, err := c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	var api smithy.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "InternalServiceError", api.ErrorCode())
	code, body := httpGet(t, metricsURL(t, b)+"/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Contains(t, body, "no space left on device")
}
