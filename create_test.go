package rotor_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateSecret(t *testing.T) {
	t.Run("a secret with a value gets one AWSCURRENT version and an ARN with a 6-character suffix", func(t *testing.T) {
		f := newFixture(t)
		out := f.create("prod/db", "s3cret")
		assert.Regexp(t, regexp.MustCompile(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db-[A-Za-z0-9]{6}$`), out.ARN)
		assert.Equal(t, map[string][]string{out.VersionId: {"AWSCURRENT"}}, f.stages("prod/db"))
		assert.Equal(t, "s3cret", f.current(out.ARN))
	})
	t.Run("a secret without a value has no version and no VersionId", func(t *testing.T) {
		f := newFixture(t)
		out, err := f.svc.CreateSecret(f.ctx, rotor.CreateSecretInput{Name: "empty"})
		require.NoError(t, err)
		assert.Empty(t, out.VersionId)
		assert.Nil(t, f.stages("empty"))
		_, err = f.svc.GetSecretValue(f.ctx, rotor.GetSecretValueInput{SecretId: "empty"})
		e := requireCode(t, err, rotor.CodeResourceNotFound)
		assert.Equal(t, "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT", e.Message)
	})
	t.Run("a binary secret reads back only as SecretBinary", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.svc.CreateSecret(f.ctx, rotor.CreateSecretInput{Name: "bin", SecretBinary: []byte("footest")})
		require.NoError(t, err)
		v, err := f.svc.GetSecretValue(f.ctx, rotor.GetSecretValueInput{SecretId: "bin"})
		require.NoError(t, err)
		assert.Equal(t, []byte("footest"), v.SecretBinary)
		assert.Empty(t, v.SecretString)
	})
	t.Run("the same token and value is an idempotent replay", func(t *testing.T) {
		f := newFixture(t)
		in := rotor.CreateSecretInput{Name: "x", SecretString: "v", ClientRequestToken: token("t1")}
		first, err := f.svc.CreateSecret(f.ctx, in)
		require.NoError(t, err)
		saves := f.store.Saves()
		again, err := f.svc.CreateSecret(f.ctx, in)
		require.NoError(t, err)
		assert.Equal(t, first, again)
		assert.Equal(t, saves, f.store.Saves(), "a replay saves nothing")
	})
	t.Run("the same token with another value is a token conflict naming the full ARN", func(t *testing.T) {
		f := newFixture(t)
		out := f.create("x", "v")
		_, err := f.svc.CreateSecret(f.ctx, rotor.CreateSecretInput{Name: "x", SecretString: "other", ClientRequestToken: token("x-v0")})
		e := requireCode(t, err, rotor.CodeResourceExists)
		assert.Equal(t, "You can't use ClientRequestToken "+token("x-v0")+" because that value is already in use for a version of secret "+out.ARN+".", e.Message)
	})
	t.Run("an existing name with a fresh token already exists", func(t *testing.T) {
		f := newFixture(t)
		f.create("x", "v")
		_, err := f.svc.CreateSecret(f.ctx, rotor.CreateSecretInput{Name: "x", SecretString: "v"})
		e := requireCode(t, err, rotor.CodeResourceExists)
		assert.Equal(t, "The operation failed because the secret x already exists.", e.Message)
		assert.True(t, errors.Is(err, rotor.ErrResourceExists))
	})
	t.Run("a name scheduled for deletion cannot be created again", func(t *testing.T) {
		f := newFixture(t)
		f.create("x", "v")
		_, err := f.svc.DeleteSecret(f.ctx, rotor.DeleteSecretInput{SecretId: "x"})
		require.NoError(t, err)
		_, err = f.svc.CreateSecret(f.ctx, rotor.CreateSecretInput{Name: "x", SecretString: "v"})
		e := requireCode(t, err, rotor.CodeInvalidRequest)
		assert.Equal(t, "You can't create this secret because a secret with this name is already scheduled for deletion.", e.Message)
	})
	t.Run("a name created again after a forced delete gets a new ARN suffix", func(t *testing.T) {
		f := newFixture(t)
		first := f.create("x", "v")
		_, err := f.svc.DeleteSecret(f.ctx, rotor.DeleteSecretInput{SecretId: "x", ForceDeleteWithoutRecovery: true})
		require.NoError(t, err)
		second := f.create("x", "v")
		assert.NotEqual(t, first.ARN, second.ARN)
	})
}

func TestCreateSecretValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	cases := []struct {
		name string
		in   rotor.CreateSecretInput
		code string
		msg  string
	}{
		{"a name with a space is refused", rotor.CreateSecretInput{Name: "my secret"}, rotor.CodeValidation, "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"},
		{"a name with a star is refused", rotor.CreateSecretInput{Name: "a*"}, rotor.CodeValidation, "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"},
		{"a name with an exclamation mark is refused", rotor.CreateSecretInput{Name: "rds!x"}, rotor.CodeValidation, "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!"},
		{"an empty name is refused", rotor.CreateSecretInput{Name: ""}, rotor.CodeValidation, "1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"a 513-character name is refused", rotor.CreateSecretInput{Name: long(513)}, rotor.CodeValidation, ""},
		{"both a string and a binary value are refused", rotor.CreateSecretInput{Name: "x", SecretString: "a", SecretBinary: []byte("b")}, rotor.CodeInvalidParameter, "You can't specify both a binary secret value and a string secret value in the same secret."},
		{"a value over 65536 bytes is refused", rotor.CreateSecretInput{Name: "x", SecretString: long(65537)}, rotor.CodeValidation, "1 validation error detected: Value '***' at 'secretString' failed to satisfy constraint: Member must have length less than or equal to 65536"},
		{"a token shorter than 32 characters is refused", rotor.CreateSecretInput{Name: "x", SecretString: "v", ClientRequestToken: "short"}, rotor.CodeValidation, ""},
		{"a token longer than 64 characters is refused", rotor.CreateSecretInput{Name: "x", SecretString: "v", ClientRequestToken: long(65)}, rotor.CodeValidation, ""},
		{"a description over 2048 characters is refused", rotor.CreateSecretInput{Name: "x", Description: long(2049)}, rotor.CodeValidation, ""},
		{"a tag key over 128 characters is refused", rotor.CreateSecretInput{Name: "x", Tags: []rotor.Tag{{Key: long(129)}}}, rotor.CodeValidation, ""},
		{"a tag value over 256 characters is refused", rotor.CreateSecretInput{Name: "x", Tags: []rotor.Tag{{Key: "k", Value: long(257)}}}, rotor.CodeValidation, ""},
		{"a tag key with the reserved aws: prefix is refused", rotor.CreateSecretInput{Name: "x", Tags: []rotor.Tag{{Key: "aws:owner", Value: "v"}}}, rotor.CodeInvalidParameter, ""},
		{"more than 50 tags are refused", rotor.CreateSecretInput{Name: "x", Tags: manyTags(51)}, rotor.CodeLimitExceeded, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			_, err := f.svc.CreateSecret(f.ctx, c.in)
			e := requireCode(t, err, c.code)
			if c.msg != "" {
				assert.Equal(t, c.msg, e.Message)
			}
			assert.NotContains(t, e.Error(), long(100), "a message does not echo a long value")
			_, err = f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "x"})
			requireCode(t, err, rotor.CodeResourceNotFound)
			assert.Zero(t, f.store.Saves(), "refused input saves nothing")
		})
	}
}

func manyTags(n int) []rotor.Tag {
	tags := make([]rotor.Tag, n)
	for i := range tags {
		tags[i] = rotor.Tag{Key: "k" + strings.Repeat("x", i), Value: "v"}
	}
	return tags
}

func TestSecretIdForms(t *testing.T) {
	f := newFixture(t)
	out := f.create("app/key", "v")
	partial := out.ARN[:len(out.ARN)-7]
	for _, id := range []string{"app/key", out.ARN, partial} {
		d, err := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: id})
		require.NoError(t, err, id)
		assert.Equal(t, out.ARN, d.ARN)
		sec, err := f.svc.Lookup(f.ctx, id)
		require.NoError(t, err, id)
		assert.Equal(t, out.ARN, sec.ARN)
	}
	t.Run("a full ARN with another suffix is not found", func(t *testing.T) {
		_, err := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: partial + "-ZZZZZZ"})
		requireCode(t, err, rotor.CodeResourceNotFound)
	})
	t.Run("an ARN of another region is not found", func(t *testing.T) {
		_, err := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: strings.Replace(out.ARN, "us-east-1", "eu-west-1", 1)})
		requireCode(t, err, rotor.CodeResourceNotFound)
	})
	t.Run("a name that looks like a partial ARN target is found by name", func(t *testing.T) {
		f.create("svc-abcdef", "v2")
		assert.Equal(t, "v2", f.current("svc-abcdef"))
	})
	t.Run("a bad name as SecretId is a ValidationException", func(t *testing.T) {
		_, err := f.svc.GetSecretValue(f.ctx, rotor.GetSecretValueInput{SecretId: "bad name"})
		requireCode(t, err, rotor.CodeValidation)
	})
	t.Run("an unknown secret is ResourceNotFoundException with AWS's message", func(t *testing.T) {
		_, err := f.svc.GetSecretValue(f.ctx, rotor.GetSecretValueInput{SecretId: "nope"})
		e := requireCode(t, err, rotor.CodeResourceNotFound)
		assert.Equal(t, "Secrets Manager can't find the specified secret.", e.Message)
		assert.ErrorIs(t, err, rotor.ErrResourceNotFound)
	})
}

func TestRegionsAreKeptApart(t *testing.T) {
	store := rotor.NewMemoryStore()
	east := rotor.New(store)
	west := rotor.New(store, rotor.WithRegion("eu-west-1"))
	ctx := context.Background()
	_, err := east.CreateSecret(ctx, rotor.CreateSecretInput{Name: "same", SecretString: "east"})
	require.NoError(t, err)
	_, err = west.CreateSecret(ctx, rotor.CreateSecretInput{Name: "same", SecretString: "west"})
	require.NoError(t, err)
	e, err := east.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "same"})
	require.NoError(t, err)
	w, err := west.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "same"})
	require.NoError(t, err)
	assert.Equal(t, "east", e.SecretString)
	assert.Equal(t, "west", w.SecretString)
	assert.Contains(t, w.ARN, ":eu-west-1:")
}
