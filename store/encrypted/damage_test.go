package encrypted_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/encrypted"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A secret whose master key is gone keeps its metadata: it is listed,
// described, tagged, deleted and restored as before; only reading (or
// adding) a value fails, and nothing it holds is lost: with the key back,
// every value reads again.
func TestASecretWhoseKeyIsGoneTakesNothingElseDown(t *testing.T) {
	ctx := context.Background()
	inner := rotor.NewMemoryStore()
	full := keyringWith(t, 7)
	require.NoError(t, full.Add("alias/team", bytes.Repeat([]byte{9}, encrypted.KeySize)))
	before := rotor.New(encrypted.New(inner, full))
	_, err := before.CreateSecret(ctx, rotor.CreateSecretInput{Name: "app/good", SecretString: "good value"})
	require.NoError(t, err)
	_, err = before.CreateSecret(ctx, rotor.CreateSecretInput{Name: "team/db", SecretString: "team value", KmsKeyId: "alias/team"})
	require.NoError(t, err)

	// Restarted with a keyring that lacks alias/team.
	svc := rotor.New(encrypted.New(inner, keyringWith(t, 7)))
	list, err := svc.ListSecrets(ctx, rotor.ListSecretsInput{})
	require.NoError(t, err)
	assert.Len(t, list.SecretList, 2)
	list, err = svc.ListSecrets(ctx, rotor.ListSecretsInput{Filters: []rotor.Filter{{Key: "name", Values: []string{"app"}}}})
	require.NoError(t, err)
	assert.Len(t, list.SecretList, 1)
	list, err = svc.ListSecrets(ctx, rotor.ListSecretsInput{SortBy: rotor.SortByName, SortOrder: "desc"})
	require.NoError(t, err, "a sorted listing walks the inner store's index through the wrapper")
	require.Len(t, list.SecretList, 2)
	assert.Equal(t, "team/db", list.SecretList[0].Name)
	d, err := svc.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: "team/db"})
	require.NoError(t, err)
	assert.Equal(t, "alias/team", d.KmsKeyId)

	good, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "app/good"})
	require.NoError(t, err)
	assert.Equal(t, "good value", good.SecretString)
	_, err = svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "team/db"})
	assertDecryptionFailure(t, err)

	batch, err := svc.BatchGetSecretValue(ctx, rotor.BatchGetSecretValueInput{Filters: []rotor.Filter{{Key: "all", Values: []string{"db"}}}})
	require.NoError(t, err)
	require.Len(t, batch.Errors, 1, "the secret that cannot be read is an entry of Errors")
	assert.Equal(t, rotor.CodeDecryptionFailure, batch.Errors[0].ErrorCode)
	batch, err = svc.BatchGetSecretValue(ctx, rotor.BatchGetSecretValueInput{SecretIdList: []string{"app/good", "team/db"}})
	require.NoError(t, err)
	assert.Len(t, batch.SecretValues, 1)
	assert.Len(t, batch.Errors, 1)

	_, err = svc.TagResource(ctx, rotor.TagResourceInput{SecretId: "team/db", Tags: []rotor.Tag{{Key: "owner", Value: "team"}}})
	require.NoError(t, err)
	_, err = svc.DeleteSecret(ctx, rotor.DeleteSecretInput{SecretId: "team/db"})
	require.NoError(t, err)
	_, err = svc.RestoreSecret(ctx, rotor.RestoreSecretInput{SecretId: "team/db"})
	require.NoError(t, err)
	_, err = svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "team/db", SecretString: "new"})
	var e *rotor.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, rotor.CodeEncryptionFailure, e.Code, "a new value needs the key")

	// The key comes back: nothing was lost or rewritten.
	after := rotor.New(encrypted.New(inner, full))
	v, err := after.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "team/db"})
	require.NoError(t, err)
	assert.Equal(t, "team value", v.SecretString)

	_, err = svc.DeleteSecret(ctx, rotor.DeleteSecretInput{SecretId: "team/db", ForceDeleteWithoutRecovery: true})
	require.NoError(t, err, "it can be deleted without its key")
	_, err = svc.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: "team/db"})
	assert.ErrorIs(t, err, rotor.ErrResourceNotFound)
}

// One damaged byte in one old version spoils that version only: the others
// read, new values are added, and the damaged envelope is kept as it was.
func TestADamagedVersionSpoilsOnlyItself(t *testing.T) {
	ctx := context.Background()
	inner := rotor.NewMemoryStore()
	keys := keyringWith(t, 7)
	svc := rotor.New(encrypted.New(inner, keys))
	first, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db", SecretString: "v1"})
	require.NoError(t, err)
	for _, v := range []string{"v2", "v3"} {
		_, err := svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "db", SecretString: v})
		require.NoError(t, err)
	}
	sealed, rev, err := inner.Load(ctx, "us-east-1", "db")
	require.NoError(t, err)
	bad := sealed.Clone()
	env := bad.Version(first.VersionId).Value.Bytes()
	env[len(env)-3] ^= 0x40
	bad.Version(first.VersionId).Value = rotor.BinaryValue(env)
	_, err = inner.Save(ctx, bad, rev)
	require.NoError(t, err)

	svc = rotor.New(encrypted.New(inner, keys)) // a fresh process: nothing cached
	cur, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "db"})
	require.NoError(t, err)
	assert.Equal(t, "v3", cur.SecretString)
	_, err = svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "db", VersionId: first.VersionId})
	assertDecryptionFailure(t, err)
	versions, err := svc.ListSecretVersionIds(ctx, rotor.ListSecretVersionIdsInput{SecretId: "db", IncludeDeprecated: true})
	require.NoError(t, err)
	assert.Len(t, versions.Versions, 3)
	_, err = svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "db", SecretString: "v4"})
	require.NoError(t, err)

	stored, _, err := inner.Load(ctx, "us-east-1", "db")
	require.NoError(t, err)
	assert.Equal(t, env, stored.Version(first.VersionId).Value.Bytes(), "the damaged envelope is written back as it was")
	_, err = svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "db", ClientRequestToken: first.VersionId, SecretString: "v1"})
	assertDecryptionFailure(t, err) // a replay that cannot be told from a conflict
}
