package awsapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor/awsapi"
)

// signedRequest builds a GetRandomPassword request signed with key and
// secret at the given time. With contentLength false it signs as botocore
// does, without the Content-Length header.
func signedRequest(t *testing.T, url, key, secret, body string, at time.Time, service string, contentLength bool) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetRandomPassword")
	sum := sha256.Sum256([]byte(body))
	if !contentLength {
		req.ContentLength = 0
	}
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", at))
	req.ContentLength = int64(len(body))
	return req
}

// signedRequestWith builds a GetRandomPassword request that also signs the
// extra headers, given in lower case so that the SDK's signer signs them
// all, and sends them under their canonical names.
func signedRequestWith(t *testing.T, url, body string, at time.Time, extra map[string]string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetRandomPassword")
	for k, v := range extra {
		req.Header[k] = []string{v}
	}
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "secretsmanager", "us-east-1", at))
	for k, v := range extra {
		delete(req.Header, k)
		req.Header.Set(k, v)
	}
	return req
}

func TestSigV4(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	s := newServer(t, awsapi.Config{Clock: func() time.Time { return now }}, true)
	const body = `{"PasswordLength":12}`
	changedBody := signedRequest(t, s.url, testKeyID, testSecret, body, now, "secretsmanager", true)
	changedBody.Body = nopCloser{strings.NewReader(`{"PasswordLength":13}`)}
	unsigned := signedRequest(t, s.url, testKeyID, testSecret, body, now, "secretsmanager", true)
	unsigned.Header.Del("Authorization")
	tampered := signedRequest(t, s.url, testKeyID, testSecret, body, now, "secretsmanager", true)
	tampered.Header.Set("X-Amz-Target", "secretsmanager.ListSecrets")
	// The SDK's signer leaves User-Agent out of its signatures; other
	// clients sign it, and the server must check what they signed.
	userAgent := signedRequestWith(t, s.url, body, now, map[string]string{"user-agent": "tool/1.0"})
	require.Contains(t, userAgent.Header.Get("Authorization"), "user-agent")
	changedUserAgent := signedRequestWith(t, s.url, body, now, map[string]string{"user-agent": "tool/1.0"})
	changedUserAgent.Header.Set("User-Agent", "tool/2.0")

	tests := []struct {
		name    string
		req     *http.Request
		status  int
		code    string
		message string
	}{
		{"a correctly signed request passes", signedRequest(t, s.url, testKeyID, testSecret, body, now, "secretsmanager", true), 200, "", ""},
		{"a request signed without Content-Length, as botocore does, passes", signedRequest(t, s.url, testKeyID, testSecret, body, now, "secretsmanager", false), 200, "", ""},
		{"a request signed 4 minutes ago passes", signedRequest(t, s.url, testKeyID, testSecret, body, now.Add(-4*time.Minute), "secretsmanager", true), 200, "", ""},
		{"a wrong secret is refused", signedRequest(t, s.url, testKeyID, "wrong", body, now, "secretsmanager", true), 400, "InvalidSignatureException",
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
		{"a changed body is refused", changedBody, 400, "InvalidSignatureException", ""},
		{"a changed signed header is refused", tampered, 400, "InvalidSignatureException", ""},
		{"a request that signs User-Agent passes", userAgent, 200, "", ""},
		{"a changed signed User-Agent is refused", changedUserAgent, 400, "InvalidSignatureException", ""},
		{"a missing Authorization header is refused", unsigned, 403, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"an unknown access key is refused", signedRequest(t, s.url, "AKIDUNKNOWN", testSecret, body, now, "secretsmanager", true), 400, "UnrecognizedClientException",
			"The security token included in the request is invalid."},
		{"a 6-minute-old date is refused", signedRequest(t, s.url, testKeyID, testSecret, body, now.Add(-6*time.Minute), "secretsmanager", true), 400, "InvalidSignatureException",
			"Signature expired: " + now.Add(-6*time.Minute).Format("20060102T150405Z") + " is now earlier than " + now.Add(-5*time.Minute).Format("20060102T150405Z") +
				" (" + now.Format("20060102T150405Z") + " - 5 min.)"},
		{"a date 6 minutes ahead is refused", signedRequest(t, s.url, testKeyID, testSecret, body, now.Add(6*time.Minute), "secretsmanager", true), 400, "InvalidSignatureException", ""},
		{"a scope of another service is refused", signedRequest(t, s.url, testKeyID, testSecret, body, now, "kms", true), 400, "InvalidSignatureException",
			"Credential should be scoped to correct service: 'secretsmanager'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, m, _ := do(t, tt.req)
			assert.Equal(t, tt.status, status, "%v", m)
			if tt.code == "" {
				assert.Len(t, m["RandomPassword"], 12)
				return
			}
			assert.Equal(t, tt.code, m["__type"])
			if tt.message != "" {
				assert.Equal(t, tt.message, m["Message"])
			}
		})
	}
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

func TestTheSDKSeesSignatureErrorsByCode(t *testing.T) {
	s := newServer(t, awsapi.Config{}, true)
	ctx := context.Background()
	for key, code := range map[string]string{testKeyID: "InvalidSignatureException", "AKIDOTHER": "UnrecognizedClientException"} {
		c := newClient(s.url, "us-east-1", credentials.NewStaticCredentialsProvider(key, "not-the-secret", ""))
		_, err := c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
		var api smithy.APIError
		require.ErrorAs(t, err, &api)
		assert.Equal(t, code, api.ErrorCode())
	}
	c := newClient(s.url, "us-east-1", aws.AnonymousCredentials{})
	_, err := c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	var api smithy.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "MissingAuthenticationTokenException", api.ErrorCode())
}

// signedOver builds a request for target with body, signed with the test key
// over host, x-amz-date and only the headers of signed; the Content-Type and
// X-Amz-Target it carries are set after signing when not in signed, to
// sentTarget.
func signedOver(t *testing.T, url, body string, at time.Time, signed map[string]string, sentTarget string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	require.NoError(t, err)
	req.ContentLength = 0 // so that the signer leaves Content-Length out
	for k, v := range signed {
		req.Header.Set(k, v)
	}
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "secretsmanager", "us-east-1", at))
	req.ContentLength = int64(len(body))
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	}
	req.Header.Set("X-Amz-Target", sentTarget)
	return req
}

func TestTheOperationAndItsMediaTypeMustBeSigned(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	s := newServer(t, awsapi.Config{Clock: func() time.Time { return now }}, true)
	ctx := context.Background()
	_, err := s.client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("v")})
	require.NoError(t, err)
	const body = `{"SecretId":"s","ForceDeleteWithoutRecovery":true}`
	const ct = "application/x-amz-json-1.1"

	tests := []struct {
		name    string
		req     *http.Request
		missing string
	}{
		{"a DescribeSecret signed without x-amz-target and replayed as a DeleteSecret is refused",
			signedOver(t, s.url, body, now, nil, "secretsmanager.DeleteSecret"), "content-type"},
		{"a request that signs content-type but not x-amz-target is refused",
			signedOver(t, s.url, body, now, map[string]string{"Content-Type": ct}, "secretsmanager.DeleteSecret"), "x-amz-target"},
		{"a request that signs x-amz-target but not content-type is refused",
			signedOver(t, s.url, body, now, map[string]string{"X-Amz-Target": "secretsmanager.DeleteSecret"}, "secretsmanager.DeleteSecret"), "content-type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotContains(t, tt.req.Header.Get("Authorization"), tt.missing)
			status, m, _ := do(t, tt.req)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, "InvalidSignatureException", m["__type"])
			assert.Equal(t, "The SignedHeaders must include "+tt.missing+": a request must sign its host, x-amz-date, content-type and x-amz-target headers.", m["Message"])
			desc, err := s.client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("s")})
			require.NoError(t, err, "the secret is still there")
			assert.Nil(t, desc.DeletedDate)
		})
	}

	t.Run("the same request signed over both headers passes", func(t *testing.T) {
		req := signedOver(t, s.url, `{"SecretId":"s"}`, now, map[string]string{"Content-Type": ct, "X-Amz-Target": "secretsmanager.DescribeSecret"}, "secretsmanager.DescribeSecret")
		status, m, _ := do(t, req)
		assert.Equal(t, http.StatusOK, status, "%v", m)
		assert.Equal(t, "s", m["Name"])
	})
}
