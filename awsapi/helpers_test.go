package awsapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor/awsapi"
)

const (
	testKeyID  = "AKIDROTORTEST"
	testSecret = "rotor-test-secret-access-key"
	token1     = "11111111-1111-4111-8111-111111111111"
	token2     = "22222222-2222-4222-8222-222222222222"
	token3     = "33333333-3333-4333-8333-333333333333"
)

// server is a handler behind httptest with an SDK client for it.
type server struct {
	handler *awsapi.Handler
	url     string
	client  *secretsmanager.Client
}

// newServer starts cfg's handler. With signed, the handler demands SigV4 and
// the client signs with testKeyID; without, the client sends no signature.
func newServer(t *testing.T, cfg awsapi.Config, signed bool) *server {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var creds aws.CredentialsProvider = aws.AnonymousCredentials{}
	if signed {
		cfg.Credentials = map[string]string{testKeyID: testSecret}
		creds = credentials.NewStaticCredentialsProvider(testKeyID, testSecret, "")
	}
	h := awsapi.NewHandler(cfg)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &server{handler: h, url: ts.URL, client: newClient(ts.URL, "us-east-1", creds)}
}

func newClient(url, region string, creds aws.CredentialsProvider) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials:  creds,
		Retryer:      aws.NopRetryer{},
	})
}

// raw posts body as operation op, unsigned, and returns the status, the
// decoded JSON reply and the response.
func (s *server) raw(t *testing.T, op string, body string) (int, map[string]any, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+"/", bytes.NewBufferString(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager."+op)
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, map[string]any, *http.Response) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), "reply %q", b)
	return resp.StatusCode, m, resp
}
