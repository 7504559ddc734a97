package rotor_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func names(entries []rotor.SecretListEntry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Name
	}
	return out
}

func TestListSecrets(t *testing.T) {
	f := newFixture(t)
	for _, n := range []string{"c", "a", "b", "d"} {
		f.create(n, "v")
		f.clock.Advance(time.Minute)
	}
	_, err := f.svc.DeleteSecret(f.ctx, rotor.DeleteSecretInput{SecretId: "d"})
	require.NoError(t, err)

	t.Run("the default order is creation, ascending, without deleted secrets", func(t *testing.T) {
		out, err := f.svc.ListSecrets(f.ctx, rotor.ListSecretsInput{})
		require.NoError(t, err)
		assert.Equal(t, []string{"c", "a", "b"}, names(out.SecretList))
		assert.Empty(t, out.NextToken)
	})
	t.Run("IncludePlannedDeletion shows deleted secrets with their DeletedDate", func(t *testing.T) {
		out, err := f.svc.ListSecrets(f.ctx, rotor.ListSecretsInput{IncludePlannedDeletion: true})
		require.NoError(t, err)
		require.Equal(t, []string{"c", "a", "b", "d"}, names(out.SecretList))
		assert.False(t, out.SecretList[3].DeletedDate.IsZero())
	})
	t.Run("pages of one visit every secret once", func(t *testing.T) {
		var seen []string
		tok := ""
		for {
			out, err := f.svc.ListSecrets(f.ctx, rotor.ListSecretsInput{MaxResults: 1, NextToken: tok})
			require.NoError(t, err)
			seen = append(seen, names(out.SecretList)...)
			if tok = out.NextToken; tok == "" {
				break
			}
		}
		assert.Equal(t, []string{"c", "a", "b"}, seen)
	})
	t.Run("sorting by name descending pages correctly", func(t *testing.T) {
		first, err := f.svc.ListSecrets(f.ctx, rotor.ListSecretsInput{SortBy: "name", SortOrder: "desc", MaxResults: 2})
		require.NoError(t, err)
		assert.Equal(t, []string{"c", "b"}, names(first.SecretList))
		second, err := f.svc.ListSecrets(f.ctx, rotor.ListSecretsInput{SortBy: "name", SortOrder: "desc", MaxResults: 2, NextToken: first.NextToken})
		require.NoError(t, err)
		assert.Equal(t, []string{"a"}, names(second.SecretList))
	})
	t.Run("a name filter matches prefixes", func(t *testing.T) {
		out, err := f.svc.ListSecrets(f.ctx, rotor.ListSecretsInput{Filters: []rotor.Filter{{Key: "name", Values: []string{"a", "b"}}}})
		require.NoError(t, err)
		assert.Equal(t, []string{"a", "b"}, names(out.SecretList))
	})
	t.Run("a bad token, sort or page size is refused", func(t *testing.T) {
		_, err := f.svc.ListSecrets(f.ctx, rotor.ListSecretsInput{NextToken: "garbage"})
		requireCode(t, err, rotor.CodeInvalidNextToken)
		_, err = f.svc.ListSecrets(f.ctx, rotor.ListSecretsInput{SortBy: "size"})
		requireCode(t, err, rotor.CodeValidation)
		_, err = f.svc.ListSecrets(f.ctx, rotor.ListSecretsInput{MaxResults: 101})
		requireCode(t, err, rotor.CodeValidation)
		first, err := f.svc.ListSecrets(f.ctx, rotor.ListSecretsInput{MaxResults: 1})
		require.NoError(t, err)
		_, err = f.svc.ListSecrets(f.ctx, rotor.ListSecretsInput{MaxResults: 1, SortBy: "name", NextToken: first.NextToken})
		requireCode(t, err, rotor.CodeInvalidNextToken)
	})
}

func TestListSecretVersionIds(t *testing.T) {
	f := newFixture(t)
	f.create("x", "v0")
	for i := 1; i <= 5; i++ {
		f.clock.Advance(time.Second)
		f.put("x", token(fmt.Sprintf("v%d", i)), fmt.Sprintf("value %d", i))
	}
	t.Run("without IncludeDeprecated only labelled versions, newest first", func(t *testing.T) {
		out, err := f.svc.ListSecretVersionIds(f.ctx, rotor.ListSecretVersionIdsInput{SecretId: "x"})
		require.NoError(t, err)
		require.Len(t, out.Versions, 2)
		assert.Equal(t, token("v5"), out.Versions[0].VersionId)
		assert.Equal(t, []string{"AWSCURRENT"}, out.Versions[0].VersionStages)
		assert.Equal(t, []string{"DefaultEncryptionKey"}, out.Versions[0].KmsKeyIds)
	})
	t.Run("pages of two with IncludeDeprecated visit all six once", func(t *testing.T) {
		var ids []string
		tok := ""
		for {
			out, err := f.svc.ListSecretVersionIds(f.ctx, rotor.ListSecretVersionIdsInput{SecretId: "x", IncludeDeprecated: true, MaxResults: 2, NextToken: tok})
			require.NoError(t, err)
			for _, v := range out.Versions {
				ids = append(ids, v.VersionId)
			}
			if tok = out.NextToken; tok == "" {
				break
			}
		}
		assert.Len(t, ids, 6)
		assert.Equal(t, token("v5"), ids[0])
		assert.Equal(t, token("x-v0"), ids[5])
	})
}

func TestDescribeSecretShowsWhatAWSShows(t *testing.T) {
	f := newFixture(t)
	f.create("x", "v")
	d, err := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "x"})
	require.NoError(t, err)
	assert.Nil(t, d.Tags, "never tagged: no Tags member")
	assert.Nil(t, d.RotationEnabled, "never configured: no RotationEnabled member")
	assert.Empty(t, d.KmsKeyId, "the default key is not shown")
	_, err = f.svc.TagResource(f.ctx, rotor.TagResourceInput{SecretId: "x", Tags: []rotor.Tag{{Key: "team", Value: "a"}, {Key: "env", Value: "prod"}}})
	require.NoError(t, err)
	_, err = f.svc.TagResource(f.ctx, rotor.TagResourceInput{SecretId: "x", Tags: []rotor.Tag{{Key: "team", Value: "b"}}})
	require.NoError(t, err)
	d, _ = f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "x"})
	assert.Equal(t, []rotor.Tag{{Key: "team", Value: "b"}, {Key: "env", Value: "prod"}}, d.Tags)
	_, err = f.svc.UntagResource(f.ctx, rotor.UntagResourceInput{SecretId: "x", TagKeys: []string{"team", "env", "absent"}})
	require.NoError(t, err)
	d, _ = f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "x"})
	assert.NotNil(t, d.Tags, "all tags removed: an empty Tags member")
	assert.Empty(t, d.Tags)
}
