package awsapi_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor/awsapi"
)

const policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`

func TestTheSDKRunsEveryOperation(t *testing.T) {
	for _, signed := range []bool{false, true} {
		name := "unsigned"
		if signed {
			name = "signed"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c := newServer(t, awsapi.Config{}, signed).client

			created, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
				Name: aws.String("app/db"), SecretString: aws.String("s3cret"), Description: aws.String("the db"),
				Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}},
			})
			require.NoError(t, err)
			assert.Regexp(t, `^arn:aws:secretsmanager:us-east-1:000000000000:secret:app/db-[A-Za-z0-9]{6}$`, *created.ARN)
			assert.Equal(t, "app/db", *created.Name)
			require.NotNil(t, created.VersionId)

			got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db")})
			require.NoError(t, err)
			assert.Equal(t, "s3cret", *got.SecretString)
			assert.Equal(t, []string{"AWSCURRENT"}, got.VersionStages)
			assert.WithinDuration(t, time.Now(), *got.CreatedDate, time.Minute)

			put, err := c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: created.ARN, SecretBinary: []byte{0, 1, 2, 255}})
			require.NoError(t, err)
			assert.Equal(t, []string{"AWSCURRENT"}, put.VersionStages)
			bin, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db")})
			require.NoError(t, err)
			assert.Equal(t, []byte{0, 1, 2, 255}, bin.SecretBinary)
			assert.Nil(t, bin.SecretString)
			prev, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db"), VersionStage: aws.String("AWSPREVIOUS")})
			require.NoError(t, err)
			assert.Equal(t, *created.VersionId, *prev.VersionId)

			upd, err := c.UpdateSecret(ctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String("app/db"), Description: aws.String("new"), SecretString: aws.String("v3")})
			require.NoError(t, err)
			require.NotNil(t, upd.VersionId)

			_, err = c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
				SecretId: aws.String("app/db"), VersionStage: aws.String("AWSCURRENT"),
				MoveToVersionId: put.VersionId, RemoveFromVersionId: upd.VersionId,
			})
			require.NoError(t, err)

			desc, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/db")})
			require.NoError(t, err)
			assert.Equal(t, "new", *desc.Description)
			assert.Equal(t, []string{"AWSCURRENT"}, desc.VersionIdsToStages[*put.VersionId])
			assert.Equal(t, []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}, desc.Tags)
			require.NotNil(t, desc.LastChangedDate)
			require.NotNil(t, desc.CreatedDate)
			assert.Nil(t, desc.DeletedDate)

			versions, err := c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("app/db")})
			require.NoError(t, err)
			assert.Len(t, versions.Versions, 2, "the unlabelled version is deprecated")
			versions, err = c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String("app/db"), IncludeDeprecated: aws.Bool(true)})
			require.NoError(t, err)
			assert.Len(t, versions.Versions, 3)

			_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("other"), SecretString: aws.String("x")})
			require.NoError(t, err)
			list, err := c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"app/"}}}})
			require.NoError(t, err)
			require.Len(t, list.SecretList, 1)
			assert.Equal(t, "app/db", *list.SecretList[0].Name)
			assert.Equal(t, []string{"AWSCURRENT"}, list.SecretList[0].SecretVersionsToStages[*put.VersionId])

			batch, err := c.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"app/db", "other", "missing"}})
			require.NoError(t, err)
			require.Len(t, batch.SecretValues, 2)
			require.Len(t, batch.Errors, 1)
			assert.Equal(t, "ResourceNotFoundException", *batch.Errors[0].ErrorCode)

			_, err = c.TagResource(ctx, &secretsmanager.TagResourceInput{SecretId: aws.String("app/db"), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}})
			require.NoError(t, err)
			_, err = c.UntagResource(ctx, &secretsmanager.UntagResourceInput{SecretId: aws.String("app/db"), TagKeys: []string{"team", "env"}})
			require.NoError(t, err)
			desc, err = c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/db")})
			require.NoError(t, err)
			assert.Empty(t, desc.Tags)

			valid, err := c.ValidateResourcePolicy(ctx, &secretsmanager.ValidateResourcePolicyInput{ResourcePolicy: aws.String(policy)})
			require.NoError(t, err)
			assert.True(t, valid.PolicyValidationPassed)
			_, err = c.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("app/db"), ResourcePolicy: aws.String(policy)})
			require.NoError(t, err)
			pol, err := c.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String("app/db")})
			require.NoError(t, err)
			assert.JSONEq(t, policy, *pol.ResourcePolicy)
			_, err = c.DeleteResourcePolicy(ctx, &secretsmanager.DeleteResourcePolicyInput{SecretId: aws.String("app/db")})
			require.NoError(t, err)
			pol, err = c.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: aws.String("app/db")})
			require.NoError(t, err)
			assert.Nil(t, pol.ResourcePolicy)

			pw, err := c.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(20), ExcludePunctuation: aws.Bool(true)})
			require.NoError(t, err)
			assert.Regexp(t, `^[A-Za-z0-9]{20}$`, *pw.RandomPassword)

			del, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("app/db"), RecoveryWindowInDays: aws.Int64(7)})
			require.NoError(t, err)
			assert.WithinDuration(t, time.Now().Add(7*24*time.Hour), *del.DeletionDate, time.Minute)
			desc, err = c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/db")})
			require.NoError(t, err)
			require.NotNil(t, desc.DeletedDate)
			_, err = c.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String("app/db")})
			require.NoError(t, err)
			_, err = c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("other"), ForceDeleteWithoutRecovery: aws.Bool(true)})
			require.NoError(t, err)
			_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("other")})
			var notFound *types.ResourceNotFoundException
			require.ErrorAs(t, err, &notFound)
		})
	}
}

func TestTheSDKDecodesEveryErrorAsItsType(t *testing.T) {
	ctx := context.Background()
	c := newServer(t, awsapi.Config{}, true).client
	_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("v")})
	require.NoError(t, err)
	_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("gone"), SecretString: aws.String("v")})
	require.NoError(t, err)
	_, err = c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("gone")})
	require.NoError(t, err)

	tests := []struct {
		name    string
		call    func() error
		target  any
		message string
	}{
		{"an unknown secret is a ResourceNotFoundException", func() error {
			_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("nope")})
			return err
		}, new(*types.ResourceNotFoundException), "Secrets Manager can't find the specified secret."},
		{"a second secret of one name is a ResourceExistsException", func() error {
			_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("v")})
			return err
		}, new(*types.ResourceExistsException), "The operation failed because the secret s already exists."},
		{"a secret marked for deletion is an InvalidRequestException", func() error {
			_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("gone")})
			return err
		}, new(*types.InvalidRequestException), ""},
		{"a recovery window of 3 days is an InvalidParameterException", func() error {
			_, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("s"), RecoveryWindowInDays: aws.Int64(3)})
			return err
		}, new(*types.InvalidParameterException), "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive)."},
		{"a bad pagination token is an InvalidNextTokenException", func() error {
			_, err := c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{NextToken: aws.String("garbage")})
			return err
		}, new(*types.InvalidNextTokenException), ""},
		{"a policy that is not JSON is a MalformedPolicyDocumentException", func() error {
			_, err := c.PutResourcePolicy(ctx, &secretsmanager.PutResourcePolicyInput{SecretId: aws.String("s"), ResourcePolicy: aws.String("{")})
			return err
		}, new(*types.MalformedPolicyDocumentException), ""},
		{"a rotation without a function is an InvalidRequestException", func() error {
			_, err := c.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("s")})
			return err
		}, new(*types.InvalidRequestException), "No Lambda rotation function ARN is associated with this secret."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.Error(t, err)
			assert.True(t, errors.As(err, tt.target), "got %T: %v", errors.Unwrap(err), err)
			var api smithy.APIError
			require.ErrorAs(t, err, &api)
			if tt.message != "" {
				assert.Equal(t, tt.message, api.ErrorMessage())
			}
		})
	}

	t.Run("a bad name is a ValidationException the SDK reports by code", func(t *testing.T) {
		_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("bad name!"), SecretString: aws.String("v")})
		var api smithy.APIError
		require.ErrorAs(t, err, &api)
		assert.Equal(t, "ValidationException", api.ErrorCode())
	})
}
