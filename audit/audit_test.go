package audit_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/audit"
	"github.com/rotorkit/rotor/awsapi"
	"github.com/rotorkit/rotor/policy"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

const (
	keyID     = "AKIDAUDIT"
	secretKey = "audit-secret-key"
	account   = "123456789012"
	principal = "arn:aws:iam::123456789012:user/auditor"
)

// lockedBuffer is the trail's file: records, one a line.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	err error // when set, every write fails
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return 0, b.err
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *lockedBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &rec), "every line is one JSON object: %s", sc.Text())
		out = append(out, rec)
	}
	return out
}

// newAudited serves a handler whose every request goes through a trail
// into buf, with an SDK client that retries nothing.
func newAudited(t *testing.T, buf *lockedBuffer, opts audit.Options) (*secretsmanager.Client, *audit.Trail) {
	t.Helper()
	opts.AccountID = account
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	trail := audit.New(buf, opts)
	all, err := policy.Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, policy.Identity)
	require.NoError(t, err)
	store := rotor.NewMemoryStore()
	h := awsapi.NewHandler(awsapi.Config{
		Store: store, AccountID: account, Credentials: map[string]string{keyID: secretKey},
		Principals: map[string]awsapi.Principal{keyID: {ARN: principal, Policies: []*policy.Policy{all}}},
		Observer:   trail, Logger: opts.Logger,
		NewService: func(o ...rotor.Option) *rotor.Service {
			svc := rotor.New(store, o...)
			svc.Subscribe(trail.ServiceEvent(svc.Region()))
			return svc
		},
	})
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return secretsmanager.New(secretsmanager.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(ts.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secretKey, ""),
	}), trail
}

func TestEveryRequestIsRecordedAsCloudTrailRecordsIt(t *testing.T) {
	ctx := context.Background()
	buf := &lockedBuffer{}
	c, _ := newAudited(t, buf, audit.Options{})
	created, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("prod/db"), SecretString: aws.String("s3cret-value"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}})
	require.NoError(t, err)
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")})
	require.NoError(t, err)
	_, err = c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("prod/none")})
	require.Error(t, err)

	recs := buf.records(t)
	require.Len(t, recs, 3, "one record a request, refused or not")
	create, get, refused := recs[0], recs[1], recs[2]

	assert.Equal(t, "CreateSecret", create["eventName"])
	assert.Equal(t, "secretsmanager.amazonaws.com", create["eventSource"])
	assert.Equal(t, "1.08", create["eventVersion"])
	assert.Equal(t, "AwsApiCall", create["eventType"])
	assert.Equal(t, "us-east-1", create["awsRegion"])
	assert.Equal(t, "127.0.0.1", create["sourceIPAddress"])
	assert.Contains(t, create["userAgent"], "aws-sdk-go-v2")
	assert.Equal(t, account, create["recipientAccountId"])
	assert.Equal(t, false, create["readOnly"])
	assert.NotEmpty(t, create["requestID"])
	assert.NotEmpty(t, create["eventID"])
	assert.Equal(t, map[string]any{"type": "IAMUser", "arn": principal, "accountId": account, "accessKeyId": keyID}, create["userIdentity"])
	params := create["requestParameters"].(map[string]any)
	assert.Equal(t, "prod/db", params["name"])
	assert.NotContains(t, params, "secretString", "the value is left out")
	assert.Equal(t, []any{map[string]any{"key": "team", "value": "core"}}, params["tags"])
	assert.Equal(t, map[string]any{"arn": aws.ToString(created.ARN), "name": "prod/db", "versionId": aws.ToString(created.VersionId)}, create["responseElements"])
	assert.Equal(t, []any{map[string]any{"ARN": aws.ToString(created.ARN), "accountId": account, "type": "AWS::SecretsManager::Secret"}}, create["resources"])

	assert.Equal(t, "GetSecretValue", get["eventName"])
	assert.Equal(t, true, get["readOnly"])
	assert.Nil(t, get["responseElements"], "reads record no answer")
	assert.Equal(t, map[string]any{"secretId": "prod/db"}, get["requestParameters"])

	assert.Equal(t, "ResourceNotFoundException", refused["errorCode"])
	assert.Contains(t, refused["errorMessage"], "can't find the specified secret")
	assert.Nil(t, refused["responseElements"])
}

func TestARequestTheTrailCannotRecordFails(t *testing.T) {
	ctx := context.Background()
	buf := &lockedBuffer{}
	c, trail := newAudited(t, buf, audit.Options{})
	_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("v1")})
	require.NoError(t, err)
	require.NoError(t, trail.Failing())

	buf.mu.Lock()
	buf.err = errors.New("no space left on device")
	buf.mu.Unlock()
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})
	var api smithy.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "InternalServiceError", api.ErrorCode(), "no answer the trail does not hold")
	assert.ErrorIs(t, trail.Failing(), audit.ErrTrailFailing)

	buf.mu.Lock()
	buf.err = nil
	buf.mu.Unlock()
	_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})
	require.NoError(t, err)
	assert.NoError(t, trail.Failing(), "a write that succeeds clears the failure")
	assert.Len(t, buf.records(t), 2)

	t.Run("best effort answers and logs", func(t *testing.T) {
		buf := &lockedBuffer{err: errors.New("disk gone")}
		c, _ := newAudited(t, buf, audit.Options{BestEffort: true})
		_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("v1")})
		assert.NoError(t, err)
	})
}

func TestOpenCreatesTheTrailReadableByItsOwnerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	trail, err := audit.Open(path, audit.Options{})
	require.NoError(t, err)
	require.NoError(t, trail.Close())
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())

	require.NoError(t, os.Chmod(path, 0o644))
	_, err = audit.Open(path, audit.Options{})
	assert.ErrorContains(t, err, "others may read it")
}

// TestNoValueEverEntersTheTrail writes random values through every
// operation that carries one (values, binary values, random passwords,
// resource policies) and finds none of them in the trail.
func TestNoValueEverEntersTheTrail(t *testing.T) {
	ctx := context.Background()
	rapid.Check(t, func(rt *rapid.T) {
		buf := &lockedBuffer{}
		c, _ := newAudited(t, buf, audit.Options{})
		marker := func(label string) string {
			// Distinct by their prefix, and never a word a record holds.
			return "Q" + label + "Z" + rapid.StringMatching(`[A-Za-z0-9]{12,40}`).Draw(rt, label)
		}
		value, next := marker("value"), marker("next")
		binary := []byte(marker("binary"))
		name := "app/" + rapid.StringMatching(`[a-z0-9]{8}`).Draw(rt, "name")
		var secrets []string

		_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)})
		require.NoError(rt, err)
		secrets = append(secrets, value)
		_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name + "-bin"), SecretBinary: binary})
		require.NoError(rt, err)
		secrets = append(secrets, string(binary))
		_, err = c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String(next)})
		require.NoError(rt, err)
		secrets = append(secrets, next)
		_, err = c.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String(name), SecretString: aws.String(next + "x")})
		require.NoError(rt, err)
		secrets = append(secrets, next+"x")
		// A value sent with a refused request stays out too.
		_, err = c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("missing"), SecretString: aws.String(value + "y")})
		require.Error(rt, err)
		secrets = append(secrets, value+"y")
		_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
		require.NoError(rt, err)
		_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name + "-bin")})
		require.NoError(rt, err)
		_, err = c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{name, name + "-bin"}})
		require.NoError(rt, err)
		pw, err := c.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(32)})
		require.NoError(rt, err)
		secrets = append(secrets, aws.ToString(pw.RandomPassword))
		sid := marker("sid")
		pol := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"%s","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`, sid, account)
		_, err = c.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String(name), ResourcePolicy: aws.String(pol)})
		require.NoError(rt, err)
		_, err = c.ValidateResourcePolicy(ctx, &secretsmanager.ValidateResourcePolicyInput{ResourcePolicy: aws.String(pol)})
		require.NoError(rt, err)
		_, err = c.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String(name)})
		require.NoError(rt, err)
		secrets = append(secrets, sid)

		trail := buf.String()
		assert.Equal(rt, 12, strings.Count(trail, "\n"), "one record a request")
		for _, s := range secrets {
			assert.NotContains(rt, trail, s)
		}
	})
}
