package awsapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor/awsapi"
	iam "github.com/rotorkit/rotor/policy"
)

// Replication through the AWS SDK, with a client per Region of one server:
// the Region a request is in is its signature's.
func TestReplicationThroughTheSDK(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t, awsapi.Config{}, true)
	creds := credentials.NewStaticCredentialsProvider(testKeyID, testSecret, "")
	east, west, tokyo := srv.client, newClient(srv.url, "eu-west-1", creds), newClient(srv.url, "ap-northeast-1", creds)

	created, err := east.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/db"), SecretString: aws.String("v1"),
		AddReplicaRegions: []types.ReplicaRegionType{{Region: aws.String("eu-west-1")}}})
	require.NoError(t, err)
	require.Len(t, created.ReplicationStatus, 1)
	assert.Equal(t, types.StatusTypeInProgress, created.ReplicationStatus[0].Status)

	replica, err := west.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db")})
	require.NoError(t, err)
	assert.Equal(t, "v1", *replica.SecretString)
	assert.Equal(t, strings.Replace(*created.ARN, "us-east-1", "eu-west-1", 1), *replica.ARN)

	out, err := east.ReplicateSecretToRegions(ctx, &secretsmanager.ReplicateSecretToRegionsInput{SecretId: created.ARN,
		AddReplicaRegions: []types.ReplicaRegionType{{Region: aws.String("ap-northeast-1"), KmsKeyId: aws.String("alias/tokyo")}}})
	require.NoError(t, err)
	assert.Equal(t, *created.ARN, *out.ARN)
	d, err := east.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/db")})
	require.NoError(t, err)
	assert.Equal(t, "us-east-1", *d.PrimaryRegion)
	require.Len(t, d.ReplicationStatus, 2)
	for _, r := range d.ReplicationStatus {
		assert.Equal(t, types.StatusTypeInSync, r.Status, *r.Region)
	}

	_, err = east.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("app/db"), SecretString: aws.String("v2")})
	require.NoError(t, err)
	got, err := tokyo.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/db")})
	require.NoError(t, err)
	assert.Equal(t, "v2", *got.SecretString)
	list, err := tokyo.ListSecrets(ctx, &secretsmanager.ListSecretsInput{Filters: []types.Filter{{Key: types.FilterNameStringTypePrimaryRegion, Values: []string{"us-east-1"}}}})
	require.NoError(t, err)
	require.Len(t, list.SecretList, 1)
	assert.Equal(t, "us-east-1", *list.SecretList[0].PrimaryRegion)

	_, err = west.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("app/db"), SecretString: aws.String("x")})
	var invalid *types.InvalidParameterException
	require.True(t, errors.As(err, &invalid), "got %v", err)
	assert.Equal(t, "Operation not permitted on a replica secret. Call must be made in primary secret's region.", invalid.ErrorMessage())

	removed, err := east.RemoveRegionsFromReplication(ctx, &secretsmanager.RemoveRegionsFromReplicationInput{SecretId: aws.String("app/db"), RemoveReplicaRegions: []string{"ap-northeast-1"}})
	require.NoError(t, err)
	require.Len(t, removed.ReplicationStatus, 1)
	assert.Equal(t, "eu-west-1", *removed.ReplicationStatus[0].Region)
	_, err = tokyo.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/db")})
	var notFound *types.ResourceNotFoundException
	require.True(t, errors.As(err, &notFound), "got %v", err)

	stopped, err := west.StopReplicationToReplica(ctx, &secretsmanager.StopReplicationToReplicaInput{SecretId: aws.String("app/db")})
	require.NoError(t, err)
	assert.Contains(t, *stopped.ARN, ":eu-west-1:")
	_, err = west.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("app/db"), SecretString: aws.String("mine")})
	require.NoError(t, err)
	_, err = east.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("app/db"), ForceDeleteWithoutRecovery: aws.Bool(true)})
	require.NoError(t, err, "the primary has no replica left")
}

// ReplicateSecretToRegions is authorized on the primary, and the caller must
// be allowed to create the secret in each replica Region.
func TestReplicationIsAuthorized(t *testing.T) {
	ctx := context.Background()
	policy := func(actions, resource string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + actions + `,"Resource":"` + resource + `"}]}`
	}
	cfg := awsapi.Config{Credentials: map[string]string{}, Principals: map[string]awsapi.Principal{}}
	for key, doc := range map[string]string{
		"AKIDEUONLY": policy(`["secretsmanager:CreateSecret","secretsmanager:ReplicateSecretToRegions"]`, "arn:aws:secretsmanager:*:000000000000:secret:*"),
		"AKIDNOEU":   policy(`["secretsmanager:CreateSecret","secretsmanager:ReplicateSecretToRegions"]`, "arn:aws:secretsmanager:us-east-1:000000000000:secret:*"),
		"AKIDNOREPL": policy(`["secretsmanager:CreateSecret"]`, "*"),
	} {
		pol, err := iam.Parse(doc, iam.Identity)
		require.NoError(t, err)
		cfg.Credentials[key] = key + "-secret"
		cfg.Principals[key] = awsapi.Principal{ARN: principalARN(strings.ToLower(key)), Policies: []*iam.Policy{pol}}
	}
	srv := newServer(t, cfg, false)
	client := func(key string) *secretsmanager.Client {
		return newClient(srv.url, "us-east-1", credentials.NewStaticCredentialsProvider(key, key+"-secret", ""))
	}
	in := func(name string) *secretsmanager.CreateSecretInput {
		return &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("v"),
			AddReplicaRegions: []types.ReplicaRegionType{{Region: aws.String("eu-west-1")}}}
	}
	_, err := client("AKIDEUONLY").CreateSecret(ctx, in("a"))
	require.NoError(t, err)
	for _, key := range []string{"AKIDNOEU", "AKIDNOREPL"} {
		_, err := client(key).CreateSecret(ctx, in("b-"+strings.ToLower(key)))
		var api smithy.APIError
		require.True(t, errors.As(err, &api), "%s: %v", key, err)
		assert.Equal(t, "AccessDeniedException", api.ErrorCode(), key)
	}
}
