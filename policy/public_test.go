package policy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/rotorkit/rotor/policy"
)

func TestIsPublic(t *testing.T) {
	cases := []struct {
		name string
		text string
		want bool
	}{
		{"an Allow to Principal * with no condition is public",
			doc(`{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}`), true},
		{"an Allow to AWS * in a list is public",
			doc(`{"Effect":"Allow","Principal":{"AWS":["` + alice + `","*"]},"Action":"*","Resource":"*"}`), true},
		{"an Allow with NotPrincipal grants everyone else and is public",
			doc(`{"Effect":"Allow","NotPrincipal":{"AWS":"` + bob + `"},"Action":"*","Resource":"*"}`), true},
		{"a condition on the transport does not narrow who may call",
			doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}`), true},
		{"a condition pinning aws:PrincipalArn to an account narrows it",
			doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/*"}}}`), false},
		{"a condition on aws:PrincipalArn with a wildcard account does not narrow it",
			doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin"}}}`), true},
		{"a negated condition on aws:PrincipalArn does not narrow it",
			doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/*"}}}`), true},
		{"an IfExists condition on aws:PrincipalArn does not narrow it",
			doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"ArnLikeIfExists":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/*"}}}`), true},
		{"a Deny to Principal * is not public",
			doc(`{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}`), false},
		{"an Allow to a named user is not public",
			doc(`{"Effect":"Allow","Principal":{"AWS":"` + alice + `"},"Action":"*","Resource":"*"}`), false},
		{"an Allow to the account is not public",
			doc(`{"Effect":"Allow","Principal":{"AWS":"` + account + `"},"Action":"*","Resource":"*"}`), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, mustParse(t, tc.text, policy.Resource).IsPublic())
		})
	}
	t.Run("an identity-based policy is never public", func(t *testing.T) {
		assert.False(t, mustParse(t, doc(allowGet), policy.Identity).IsPublic())
	})
}

func TestValidate(t *testing.T) {
	t.Run("a good resource policy has no findings", func(t *testing.T) {
		assert.Empty(t, policy.Validate(doc(`{"Effect":"Allow","Principal":{"AWS":"`+alice+`"},"Action":"*","Resource":"*"}`), policy.Resource))
	})
	t.Run("a malformed policy has one syntax finding with Parse's message", func(t *testing.T) {
		f := policy.Validate(doc(allowGet), policy.Resource)
		if assert.Len(t, f, 1) {
			assert.Equal(t, policy.CheckSyntax, f[0].CheckName)
			assert.Contains(t, f[0].ErrorMessage, "no Principal")
		}
	})
	t.Run("a public resource policy has a broad-access finding", func(t *testing.T) {
		f := policy.Validate(doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`), policy.Resource)
		if assert.Len(t, f, 1) {
			assert.Equal(t, policy.CheckBroadAccess, f[0].CheckName)
			assert.NotEmpty(t, f[0].ErrorMessage)
		}
	})
	t.Run("an identity policy is checked for syntax only", func(t *testing.T) {
		assert.Empty(t, policy.Validate(doc(allowGet), policy.Identity))
	})
}
