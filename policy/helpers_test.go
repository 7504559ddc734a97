package policy_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor/policy"
)

const (
	account    = "123456789012"
	alice      = "arn:aws:iam::123456789012:user/alice"
	bob        = "arn:aws:iam::123456789012:user/bob"
	root       = "arn:aws:iam::123456789012:root"
	adminRole  = "arn:aws:iam::123456789012:role/ops/admin"
	adminSess  = "arn:aws:sts::123456789012:assumed-role/admin/laptop"
	prodSecret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"
	devSecret  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:dev/db-XyZ123"
	euSecret   = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-QwErTy"
	getValue   = "secretsmanager:GetSecretValue"
	putValue   = "secretsmanager:PutSecretValue"
	rotateFn   = "arn:aws:lambda:us-east-1:123456789012:function:rotate-db"
)

// doc wraps statements (JSON objects) in a 2012-10-17 policy document.
func doc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// allowGetIf is an identity policy allowing GetSecretValue on every secret
// when the condition (a JSON object of operators) holds.
func allowGetIf(condition string) []string {
	return []string{doc(`{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":` + condition + `}`)}
}

// get is alice calling GetSecretValue on the prod secret with the context.
func get(ctx map[string][]string) policy.Request {
	return policy.Request{Principal: alice, Action: getValue, Resource: prodSecret, Context: ctx}
}

func one(v string) []string { return []string{v} }

func mustParse(t testing.TB, text string, kind policy.Kind) *policy.Policy {
	t.Helper()
	p, err := policy.Parse(text, kind)
	require.NoError(t, err, "policy:\n%s", text)
	return p
}

func parseAll(t testing.TB, identity []string, resource string) ([]*policy.Policy, *policy.Policy) {
	t.Helper()
	var ids []*policy.Policy
	for _, d := range identity {
		ids = append(ids, mustParse(t, d, policy.Identity))
	}
	var res *policy.Policy
	if resource != "" {
		res = mustParse(t, resource, policy.Resource)
	}
	return ids, res
}
