package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keysFile has a reader of prod/* and an admin, AKIDBINARY, whose key the
// rotation Lambda of serve_test.go signs with.
const keysFile = `{"keys": [
  {"accessKeyId": "AKIDREADER", "secretAccessKey": "reader-secret",
   "principal": "arn:aws:iam::000000000000:user/reader",
   "policies": [{"Version": "2012-10-17", "Statement": [
     {"Effect": "Allow",
      "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds", "secretsmanager:GetResourcePolicy"],
      "Resource": "arn:aws:secretsmanager:*:000000000000:secret:prod/*"},
     {"Effect": "Allow", "Action": ["secretsmanager:ListSecrets", "secretsmanager:BatchGetSecretValue"], "Resource": "*"}]}]},
  {"accessKeyId": "AKIDBINARY", "secretAccessKey": "binary-secret",
   "principal": "arn:aws:iam::000000000000:role/ops/admin",
   "policies": ["{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"secretsmanager:*\",\"lambda:InvokeFunction\"],\"Resource\":\"*\"}]}"]}
]}`

func TestTheJSONCredentialsFileGivesEachKeyAPrincipal(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "keys.json")
	require.NoError(t, os.WriteFile(file, []byte("\n  "+keysFile), 0o600))
	none := func(string) string { return "" }
	creds, principals, err := loadCredentials(file, "000000000000", none)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"AKIDREADER": "reader-secret", "AKIDBINARY": "binary-secret"}, creds)
	require.Len(t, principals, 2)
	assert.Equal(t, "arn:aws:iam::000000000000:user/reader", principals["AKIDREADER"].ARN)
	assert.Len(t, principals["AKIDREADER"].Policies, 1)
	assert.Equal(t, "arn:aws:iam::000000000000:role/ops/admin", principals["AKIDBINARY"].ARN)
	assert.Len(t, principals["AKIDBINARY"].Policies, 1, "a policy may be a JSON string")

	env := map[string]string{"ROTOR_ACCESS_KEY_ID": "AKID3", "ROTOR_SECRET_ACCESS_KEY": "secret3"}
	_, _, err = loadCredentials(file, "000000000000", func(k string) string { return env[k] })
	assert.ErrorContains(t, err, "no principal")

	key := func(principal, policies string) string {
		return `{"keys":[{"accessKeyId":"A","secretAccessKey":"s","principal":"` + principal + `","policies":[` + policies + `]}]}`
	}
	tests := []struct{ name, file, want string }{
		{"not JSON", `{"keys":`, "not a credentials file"},
		{"an unknown member", `{"keys":[],"extra":1}`, "unknown field"},
		{"no keys", `{"keys":[]}`, "no keys"},
		{"no secret", `{"keys":[{"accessKeyId":"A","principal":"arn:aws:iam::000000000000:user/u"}]}`, "secretAccessKey are required"},
		{"a principal that is not a user or role", key("arn:aws:iam::000000000000:group/g", ""), "is not arn:aws:iam::ACCOUNT:user/NAME"},
		{"a principal of another account", key("arn:aws:iam::111122223333:user/u", ""), "not of account 000000000000"},
		{"a malformed policy", key("arn:aws:iam::000000000000:user/u", `{"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`), "keys[0].policies[0]"},
		{"an unknown condition key", key("arn:aws:iam::000000000000:user/u",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:Nope":"x"}}}]}`), "keys[0].policies[0]"},
		{"a key twice", `{"keys":[{"accessKeyId":"A","secretAccessKey":"s","principal":"arn:aws:iam::000000000000:user/u"},{"accessKeyId":"A","secretAccessKey":"t","principal":"arn:aws:iam::000000000000:user/v"}]}`, "appears twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(dir, "bad.json")
			require.NoError(t, os.WriteFile(f, []byte(tt.file), 0o600))
			_, _, err := loadCredentials(f, "000000000000", none)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestTheBinaryAuthorizesEveryOperation runs every operation against
// rotor serve --credentials keys.json, first as the reader of prod/*, then
// as the admin: the reader's refusals are typed AccessDeniedExceptions and
// change nothing.
func TestTheBinaryAuthorizesEveryOperation(t *testing.T) {
	file := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(file, []byte(keysFile), 0o600))
	var url atomic.Pointer[string]
	fn := rotationLambda(t, &url)
	b := startBinaryEnv(t, []string{"ROTOR_ACCESS_KEY_ID=", "ROTOR_SECRET_ACCESS_KEY="}, "--credentials", file, "--lambda-endpoint", fn.URL)
	url.Store(&b.url)
	client := func(key, secret string) *secretsmanager.Client {
		return secretsmanager.New(secretsmanager.Options{Region: "us-west-2", BaseEndpoint: aws.String(b.url), Retryer: aws.NopRetryer{},
			Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
	}
	reader, admin := client("AKIDREADER", "reader-secret"), client("AKIDBINARY", "binary-secret")
	ctx := context.Background()
	const lambdaARN = "arn:aws:lambda:us-west-2:000000000000:function:rotate"
	const resourcePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/reader"},"Action":"secretsmanager:DescribeSecret","Resource":"*"}]}`
	id := aws.String("prod/db")

	// snapshot is what the admin sees of every secret.
	snapshot := func() []any {
		var out []any
		list, err := admin.ListSecrets(ctx, &secretsmanager.ListSecretsInput{IncludePlannedDeletion: aws.Bool(true)})
		require.NoError(t, err)
		for _, e := range list.SecretList {
			d, err := admin.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: e.ARN})
			require.NoError(t, err)
			d.ResultMetadata, d.LastAccessedDate = middleware.Metadata{}, nil
			out = append(out, *d)
			if p, err := admin.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: e.ARN}); err == nil {
				out = append(out, p.ResourcePolicy) // not readable once the secret is deleted
			}
		}
		return out
	}
	current := func() string {
		v, err := admin.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: id})
		require.NoError(t, err)
		return *v.VersionId
	}

	// In order: each admin call makes the state the next operation needs.
	ops := []struct {
		op        string
		readerMay bool
		call      func(c *secretsmanager.Client) error
	}{
		{"CreateSecret", false, func(c *secretsmanager.Client) error {
			_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: id, SecretString: aws.String("v1"),
				Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}})
			return err
		}},
		{"GetSecretValue", true, func(c *secretsmanager.Client) error {
			_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: id})
			return err
		}},
		{"BatchGetSecretValue", true, func(c *secretsmanager.Client) error {
			out, err := c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{*id}})
			if err == nil && len(out.SecretValues) != 1 {
				return errors.New("no value")
			}
			return err
		}},
		{"DescribeSecret", true, func(c *secretsmanager.Client) error {
			_, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: id})
			return err
		}},
		{"ListSecretVersionIds", true, func(c *secretsmanager.Client) error {
			_, err := c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: id})
			return err
		}},
		{"ListSecrets", true, func(c *secretsmanager.Client) error {
			_, err := c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
			return err
		}},
		{"GetResourcePolicy", true, func(c *secretsmanager.Client) error {
			_, err := c.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: id})
			return err
		}},
		{"PutSecretValue", false, func(c *secretsmanager.Client) error {
			_, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: id, SecretString: aws.String("v2")})
			return err
		}},
		{"UpdateSecret", false, func(c *secretsmanager.Client) error {
			_, err := c.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: id, Description: aws.String("the db")})
			return err
		}},
		{"UpdateSecretVersionStage", false, func(c *secretsmanager.Client) error {
			_, err := c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: id,
				VersionStage: aws.String("blue"), MoveToVersionId: aws.String(current())})
			return err
		}},
		{"TagResource", false, func(c *secretsmanager.Client) error {
			_, err := c.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: id, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
			return err
		}},
		{"UntagResource", false, func(c *secretsmanager.Client) error {
			_, err := c.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: id, TagKeys: []string{"env"}})
			return err
		}},
		{"ValidateResourcePolicy", false, func(c *secretsmanager.Client) error {
			_, err := c.ValidateResourcePolicy(ctx, &secretsmanager.ValidateResourcePolicyInput{SecretId: id, ResourcePolicy: aws.String(resourcePolicy)})
			return err
		}},
		{"PutResourcePolicy", false, func(c *secretsmanager.Client) error {
			_, err := c.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: id, ResourcePolicy: aws.String(resourcePolicy)})
			return err
		}},
		{"DeleteResourcePolicy", false, func(c *secretsmanager.Client) error {
			_, err := c.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: id})
			return err
		}},
		{"GetRandomPassword", false, func(c *secretsmanager.Client) error {
			_, err := c.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{})
			return err
		}},
		{"RotateSecret", false, func(c *secretsmanager.Client) error {
			_, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: id, RotationLambdaARN: aws.String(lambdaARN),
				RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}})
			return err
		}},
		{"CancelRotateSecret", false, func(c *secretsmanager.Client) error {
			_, err := c.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: id})
			return err
		}},
		{"DeleteSecret", false, func(c *secretsmanager.Client) error {
			_, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: id, RecoveryWindowInDays: aws.Int64(7)})
			return err
		}},
		{"RestoreSecret", false, func(c *secretsmanager.Client) error {
			_, err := c.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: id})
			return err
		}},
	}
	require.Len(t, ops, 20, "every operation")
	for _, o := range ops {
		before := snapshot()
		err := o.call(reader)
		if o.readerMay {
			require.NoError(t, err, o.op)
		} else {
			var apiErr smithy.APIError
			require.True(t, errors.As(err, &apiErr), "%s: %v", o.op, err)
			require.Equal(t, "AccessDeniedException", apiErr.ErrorCode(), o.op)
			assert.Contains(t, apiErr.ErrorMessage(), "User: arn:aws:iam::000000000000:user/reader is not authorized to perform: secretsmanager:"+o.op, o.op)
			assert.Equal(t, before, snapshot(), "%s: a refusal changes nothing", o.op)
		}
		require.NoError(t, o.call(admin), o.op)
		if o.op == "RotateSecret" {
			// The server's engine rotates after RotateSecret answered: let it
			// finish before the next refusal is checked against a snapshot.
			require.Eventually(t, func() bool {
				d, err := admin.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: id})
				if err != nil {
					return false
				}
				for _, stages := range d.VersionIdsToStages {
					if slices.Contains(stages, "AWSPENDING") && !slices.Contains(stages, "AWSCURRENT") {
						return false
					}
				}
				return d.LastRotatedDate != nil
			}, 20*time.Second, 20*time.Millisecond, "the rotation finished")
		}
	}
	// The rotation runs in the server's engine, after RotateSecret answered.
	require.Eventually(t, func() bool {
		v, err := admin.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: id})
		return err == nil && strings.Contains(*v.SecretString, "rotated-")
	}, 20*time.Second, 20*time.Millisecond, "the rotation ran through the Lambda, signed as the admin")

	// Outside prod/ the reader is refused even what it may do under prod/.
	_, err := admin.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("dev/app"), SecretString: aws.String("d")})
	require.NoError(t, err)
	_, err = reader.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("dev/app")})
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "AccessDeniedException", apiErr.ErrorCode())

	all := b.stop(t)
	assert.Contains(t, all, `"authorization":true`)
	assert.Contains(t, all, `"error_code":"AccessDeniedException"`)
	assert.NotContains(t, all, "reader-secret")
}
