package rotor_test

import (
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPutSecretValueMovesLabels(t *testing.T) {
	t.Run("a new value becomes AWSCURRENT and the old one AWSPREVIOUS", func(t *testing.T) {
		f := newFixture(t)
		v0 := f.create("x", "one").VersionId
		out := f.put("x", token("v1"), "two")
		assert.Equal(t, []string{"AWSCURRENT"}, out.VersionStages)
		assert.Equal(t, map[string][]string{v0: {"AWSPREVIOUS"}, token("v1"): {"AWSCURRENT"}}, f.stages("x"))
		f.put("x", token("v2"), "three")
		assert.Equal(t, map[string][]string{token("v1"): {"AWSPREVIOUS"}, token("v2"): {"AWSCURRENT"}}, f.stages("x"), "v0 lost AWSPREVIOUS and is deprecated")
	})
	t.Run("custom labels stay on the version that loses AWSCURRENT", func(t *testing.T) {
		f := newFixture(t)
		f.create("x", "one")
		f.put("x", token("p0"), "zero", "AWSCURRENT", "PUT0")
		f.put("x", token("p1"), "one")
		assert.Equal(t, []string{"AWSPREVIOUS", "PUT0"}, f.stages("x")[token("p0")])
	})
	t.Run("explicit stages without AWSCURRENT leave the current value alone", func(t *testing.T) {
		f := newFixture(t)
		f.create("x", "v0")
		f.put("x", token("s1"), "v1", "SAMPLESTAGE1", "SAMPLESTAGE0")
		f.put("x", token("s2"), "v2", "AWSPENDING")
		assert.Equal(t, "v0", f.current("x"))
		assert.Equal(t, []string{"SAMPLESTAGE0", "SAMPLESTAGE1"}, f.stages("x")[token("s1")])
	})
	t.Run("moving a subset of labels leaves the rest on the old version", func(t *testing.T) {
		f := newFixture(t)
		f.create("x", "v0")
		f.put("x", token("a"), "a", "one", "two", "three")
		f.put("x", token("b"), "b", "one", "two", "four")
		st := f.stages("x")
		assert.Equal(t, []string{"three"}, st[token("a")])
		assert.Equal(t, []string{"four", "one", "two"}, st[token("b")])
	})
	t.Run("the first version of an empty secret is AWSCURRENT even with other labels", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.svc.CreateSecret(f.ctx, rotor.CreateSecretInput{Name: "e"})
		require.NoError(t, err)
		out := f.put("e", token("first"), "v", "CUSTOM")
		assert.Equal(t, []string{"AWSCURRENT", "CUSTOM"}, out.VersionStages)
	})
	t.Run("the same token and value is a replay that reports the version's labels now", func(t *testing.T) {
		f := newFixture(t)
		f.create("x", "v0")
		f.put("x", token("r"), "v1")
		f.put("x", token("r2"), "v2")
		saves := f.store.Saves()
		again := f.put("x", token("r"), "v1")
		assert.Equal(t, []string{"AWSPREVIOUS"}, again.VersionStages)
		assert.Equal(t, saves, f.store.Saves())
	})
	t.Run("the same token with another value is refused", func(t *testing.T) {
		f := newFixture(t)
		f.create("x", "v0")
		f.put("x", token("r"), "v1")
		_, err := f.svc.PutSecretValue(f.ctx, rotor.PutSecretValueInput{SecretId: "x", ClientRequestToken: token("r"), SecretString: "other"})
		requireCode(t, err, rotor.CodeResourceExists)
		assert.Equal(t, "v1", f.current("x"))
	})
	t.Run("a string and a binary value with the same bytes are different values", func(t *testing.T) {
		f := newFixture(t)
		f.create("x", "v0")
		f.put("x", token("r"), "abc")
		_, err := f.svc.PutSecretValue(f.ctx, rotor.PutSecretValueInput{SecretId: "x", ClientRequestToken: token("r"), SecretBinary: []byte("abc")})
		requireCode(t, err, rotor.CodeResourceExists)
	})
}

func TestPutSecretValueValidation(t *testing.T) {
	cases := []struct {
		name string
		in   rotor.PutSecretValueInput
		code string
		msg  string
	}{
		{"no value is refused", rotor.PutSecretValueInput{SecretId: "x"}, rotor.CodeInvalidRequest, "You must provide either SecretString or SecretBinary."},
		{"both values are refused", rotor.PutSecretValueInput{SecretId: "x", SecretString: "a", SecretBinary: []byte{1}}, rotor.CodeInvalidParameter, "You can't specify both a binary secret value and a string secret value in the same secret."},
		{"an empty label is refused", rotor.PutSecretValueInput{SecretId: "x", SecretString: "a", VersionStages: []string{""}}, rotor.CodeValidation, ""},
		{"an empty label list is refused", rotor.PutSecretValueInput{SecretId: "x", SecretString: "a", VersionStages: []string{}}, rotor.CodeValidation, ""},
		{"21 labels are refused", rotor.PutSecretValueInput{SecretId: "x", SecretString: "a", VersionStages: labels(21)}, rotor.CodeValidation, ""},
		{"a bad rotation token is refused", rotor.PutSecretValueInput{SecretId: "x", SecretString: "a", RotationToken: "not valid!"}, rotor.CodeValidation, ""},
		{"an unknown secret is not found", rotor.PutSecretValueInput{SecretId: "nope", SecretString: "a"}, rotor.CodeResourceNotFound, "Secrets Manager can't find the specified secret."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.create("x", "v0")
			saves := f.store.Saves()
			_, err := f.svc.PutSecretValue(f.ctx, c.in)
			e := requireCode(t, err, c.code)
			if c.msg != "" {
				assert.Equal(t, c.msg, e.Message)
			}
			assert.Equal(t, saves, f.store.Saves())
		})
	}
	t.Run("labels beyond 20 across the secret are a LimitExceededException", func(t *testing.T) {
		f := newFixture(t)
		f.create("x", "v0")
		f.put("x", token("a"), "a", labels(19)...)
		_, err := f.svc.PutSecretValue(f.ctx, rotor.PutSecretValueInput{SecretId: "x", ClientRequestToken: token("b"), SecretString: "b", VersionStages: []string{"EXTRA"}})
		requireCode(t, err, rotor.CodeLimitExceeded)
	})
}

func labels(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "L" + string(rune('A'+i))
	}
	return out
}

func TestUpdateSecret(t *testing.T) {
	t.Run("a description alone changes metadata and makes no version", func(t *testing.T) {
		f := newFixture(t)
		f.create("x", "v0")
		out, err := f.svc.UpdateSecret(f.ctx, rotor.UpdateSecretInput{SecretId: "x", Description: ptr("new")})
		require.NoError(t, err)
		assert.Empty(t, out.VersionId)
		d, _ := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "x"})
		assert.Equal(t, "new", d.Description)
		assert.Len(t, d.VersionIdsToStages, 1)
	})
	t.Run("a value becomes AWSCURRENT and the old one AWSPREVIOUS", func(t *testing.T) {
		f := newFixture(t)
		v0 := f.create("x", "v0").VersionId
		out, err := f.svc.UpdateSecret(f.ctx, rotor.UpdateSecretInput{SecretId: "x", SecretString: "v1", ClientRequestToken: token("u1")})
		require.NoError(t, err)
		assert.Equal(t, token("u1"), out.VersionId)
		assert.Equal(t, map[string][]string{v0: {"AWSPREVIOUS"}, token("u1"): {"AWSCURRENT"}}, f.stages("x"))
	})
	t.Run("an empty KmsKeyId goes back to the default key", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.svc.CreateSecret(f.ctx, rotor.CreateSecretInput{Name: "x", KmsKeyId: "alias/mine"})
		require.NoError(t, err)
		_, err = f.svc.UpdateSecret(f.ctx, rotor.UpdateSecretInput{SecretId: "x", KmsKeyId: ptr("")})
		require.NoError(t, err)
		d, _ := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "x"})
		assert.Empty(t, d.KmsKeyId)
	})
	t.Run("the same token with another value is refused and the description is not changed", func(t *testing.T) {
		f := newFixture(t)
		f.create("x", "v0")
		_, err := f.svc.UpdateSecret(f.ctx, rotor.UpdateSecretInput{SecretId: "x", SecretString: "other", ClientRequestToken: token("x-v0"), Description: ptr("d")})
		requireCode(t, err, rotor.CodeResourceExists)
		d, _ := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "x"})
		assert.Empty(t, d.Description)
	})
	t.Run("every update moves LastChangedDate", func(t *testing.T) {
		f := newFixture(t)
		f.create("x", "v0")
		f.clock.Advance(90 * 1e9)
		_, err := f.svc.UpdateSecret(f.ctx, rotor.UpdateSecretInput{SecretId: "x", Description: ptr("d")})
		require.NoError(t, err)
		d, _ := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: "x"})
		assert.Equal(t, epoch.Add(90*1e9), d.LastChangedDate)
	})
}
