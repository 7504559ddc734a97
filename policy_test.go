package rotor_test

import (
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const readPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/app"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`

func TestResourcePolicies(t *testing.T) {
	f := newFixture(t)
	f.create("x", "v")
	t.Run("a policy is stored and returned verbatim", func(t *testing.T) {
		_, err := f.svc.PutResourcePolicy(f.ctx, rotor.PutResourcePolicyInput{SecretId: "x", ResourcePolicy: readPolicy})
		require.NoError(t, err)
		out, err := f.svc.GetResourcePolicy(f.ctx, rotor.GetResourcePolicyInput{SecretId: "x"})
		require.NoError(t, err)
		assert.Equal(t, readPolicy, out.ResourcePolicy)
	})
	t.Run("deleting it leaves none, and deleting again succeeds", func(t *testing.T) {
		_, err := f.svc.DeleteResourcePolicy(f.ctx, rotor.DeleteResourcePolicyInput{SecretId: "x"})
		require.NoError(t, err)
		_, err = f.svc.DeleteResourcePolicy(f.ctx, rotor.DeleteResourcePolicyInput{SecretId: "x"})
		require.NoError(t, err)
		out, err := f.svc.GetResourcePolicy(f.ctx, rotor.GetResourcePolicyInput{SecretId: "x"})
		require.NoError(t, err)
		assert.Empty(t, out.ResourcePolicy)
	})
	cases := []struct {
		name   string
		policy string
		block  bool
		code   string
	}{
		{"text that is not JSON is malformed", `{"Statement":`, false, rotor.CodeMalformedPolicyDocument},
		{"a statement without Effect is malformed", `{"Statement":[{"Principal":"*","Action":"*"}]}`, false, rotor.CodeMalformedPolicyDocument},
		{"a statement without Principal is malformed", `{"Statement":[{"Effect":"Allow","Action":"*"}]}`, false, rotor.CodeMalformedPolicyDocument},
		{"an empty document is refused", ``, false, rotor.CodeValidation},
		{"a public policy is refused with BlockPublicPolicy", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:*","Resource":"*"}]}`, true, rotor.CodePublicPolicy},
		{"a public AWS principal is refused with BlockPublicPolicy", `{"Statement":{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"secretsmanager:*","Resource":"*"}}`, true, rotor.CodePublicPolicy},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			saves := f.store.Saves()
			_, err := f.svc.PutResourcePolicy(f.ctx, rotor.PutResourcePolicyInput{SecretId: "x", ResourcePolicy: c.policy, BlockPublicPolicy: c.block})
			requireCode(t, err, c.code)
			assert.Equal(t, saves, f.store.Saves())
		})
	}
	t.Run("a public policy is accepted without BlockPublicPolicy", func(t *testing.T) {
		_, err := f.svc.PutResourcePolicy(f.ctx, rotor.PutResourcePolicyInput{SecretId: "x", ResourcePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`})
		require.NoError(t, err)
	})
	t.Run("ValidateResourcePolicy reports findings instead of failing", func(t *testing.T) {
		out, err := f.svc.ValidateResourcePolicy(f.ctx, rotor.ValidateResourcePolicyInput{ResourcePolicy: `{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"*","Resource":"*"}]}`})
		require.NoError(t, err)
		assert.False(t, out.PolicyValidationPassed)
		require.Len(t, out.ValidationErrors, 1)
		assert.Contains(t, out.ValidationErrors[0].ErrorMessage, "Effect")
		ok, err := f.svc.ValidateResourcePolicy(f.ctx, rotor.ValidateResourcePolicyInput{SecretId: "x", ResourcePolicy: readPolicy})
		require.NoError(t, err)
		assert.True(t, ok.PolicyValidationPassed)
	})
}

func TestGetRandomPasswordThroughTheService(t *testing.T) {
	f := newFixture(t)
	out, err := f.svc.GetRandomPassword(f.ctx, rotor.GetRandomPasswordInput{})
	require.NoError(t, err)
	assert.Len(t, out.RandomPassword, 32)
	again, err := newFixture(t).svc.GetRandomPassword(f.ctx, rotor.GetRandomPasswordInput{})
	require.NoError(t, err)
	assert.Equal(t, out.RandomPassword, again.RandomPassword, "an injected random source makes passwords reproducible")
	short, err := f.svc.GetRandomPassword(f.ctx, rotor.GetRandomPasswordInput{PasswordLength: 12, ExcludePunctuation: true, ExcludeUppercase: true})
	require.NoError(t, err)
	assert.Regexp(t, `^[a-z0-9]{12}$`, short.RandomPassword)
}
