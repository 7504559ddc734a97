package policy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/rotorkit/rotor/policy"
)

type evalCase struct {
	name      string
	identity  []string // identity-based policy documents
	resource  string   // resource-based policy document, "" for none
	req       policy.Request
	want      policy.Reason
	statement string // when set, the statement the decision must name
}

// Each case is named by the AWS rule it checks, from the IAM User Guide's
// "Policy evaluation logic", "IAM JSON policy elements" (Principal, Action,
// NotAction, Resource, NotResource, Condition) and "Condition operators"
// pages.
var evalCases = []evalCase{
	// Policy evaluation logic.
	{
		name: "by default every request is implicitly denied",
		req:  get(nil),
		want: policy.ImplicitDeny,
	},
	{
		name:      "an identity-based Allow of the action on the resource allows the request",
		identity:  []string{doc(`{"Sid":"Read","Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"` + prodSecret + `"}`)},
		req:       get(nil),
		want:      policy.Allowed,
		statement: "Read",
	},
	{
		name:     "an Allow for another action leaves the request implicitly denied",
		identity: []string{doc(`{"Effect":"Allow","Action":"secretsmanager:DescribeSecret","Resource":"*"}`)},
		req:      get(nil),
		want:     policy.ImplicitDeny,
	},
	{
		name: "an explicit deny in an identity-based policy overrides an Allow in the same policy",
		identity: []string{doc(
			`{"Effect":"Allow","Action":"secretsmanager:*","Resource":"*"}`,
			`{"Effect":"Deny","Action":"secretsmanager:GetSecretValue","Resource":"*"}`,
		)},
		req:       get(nil),
		want:      policy.ExplicitDenyIdentity,
		statement: "Statement[1]",
	},
	{
		name: "an explicit deny in one identity-based policy overrides an Allow in another",
		identity: []string{
			doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`),
			doc(`{"Sid":"NoProd","Effect":"Deny","Action":"*","Resource":"arn:aws:secretsmanager:*:*:secret:prod/*"}`),
		},
		req:       get(nil),
		want:      policy.ExplicitDenyIdentity,
		statement: "NoProd",
	},
	{
		name:     "an explicit deny in an identity-based policy overrides an Allow in the resource-based policy",
		identity: []string{doc(`{"Effect":"Deny","Action":"secretsmanager:GetSecretValue","Resource":"*"}`)},
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"` + alice + `"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}`),
		req:      get(nil),
		want:     policy.ExplicitDenyIdentity,
	},
	{
		name:      "an explicit deny in the resource-based policy overrides an Allow in an identity-based policy",
		identity:  []string{doc(`{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}`)},
		resource:  doc(`{"Sid":"Lock","Effect":"Deny","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}`),
		req:       get(nil),
		want:      policy.ExplicitDenyResource,
		statement: "Lock",
	},
	{
		name:      "within one account a resource-based Allow naming the caller is enough without any identity-based policy",
		resource:  doc(`{"Sid":"Alice","Effect":"Allow","Principal":{"AWS":"` + alice + `"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}`),
		req:       get(nil),
		want:      policy.Allowed,
		statement: "Alice",
	},
	{
		name:     "within one account an identity-based Allow is enough when the resource-based policy says nothing of the action",
		identity: []string{doc(`{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}`)},
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"` + alice + `"},"Action":"secretsmanager:DescribeSecret","Resource":"*"}`),
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "a resource-based Deny that names another principal does not apply to the caller",
		identity: []string{doc(`{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"*"}`)},
		resource: doc(`{"Effect":"Deny","Principal":{"AWS":"` + bob + `"},"Action":"*","Resource":"*"}`),
		req:      get(nil),
		want:     policy.Allowed,
	},

	// Principal and NotPrincipal.
	{
		name:     "a resource-based Allow naming another user does not allow the caller",
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"` + bob + `"},"Action":"*","Resource":"*"}`),
		req:      get(nil),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "a resource-based Allow to Principal \"*\" allows every caller",
		resource: doc(`{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}`),
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "a resource-based Allow to {\"AWS\": \"*\"} allows every caller",
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}`),
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "a Principal list allows each principal it names",
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":["` + bob + `","` + alice + `"]},"Action":"secretsmanager:GetSecretValue","Resource":"*"}`),
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "a resource-based Allow to the account delegates to the account's identity-based policies and does not by itself allow its users",
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"` + account + `"},"Action":"*","Resource":"*"}`),
		req:      get(nil),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "a resource-based Allow to the account's root ARN allows the account's root user",
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"` + root + `"},"Action":"*","Resource":"*"}`),
		req:      policy.Request{Principal: root, Action: getValue, Resource: prodSecret},
		want:     policy.Allowed,
	},
	{
		name:     "a resource-based Deny to the account applies to every identity in the account",
		identity: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)},
		resource: doc(`{"Effect":"Deny","Principal":{"AWS":"` + account + `"},"Action":"*","Resource":"*"}`),
		req:      get(nil),
		want:     policy.ExplicitDenyResource,
	},
	{
		name:     "a Principal naming a role applies to the role's sessions",
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"` + adminRole + `"},"Action":"*","Resource":"*"}`),
		req:      policy.Request{Principal: adminSess, Action: getValue, Resource: prodSecret},
		want:     policy.Allowed,
	},
	{
		name:     "a Principal naming a role does not apply to a session of another role of the same name in another account",
		resource: doc(`{"Effect":"Allow","Principal":{"AWS":"` + adminRole + `"},"Action":"*","Resource":"*"}`),
		req:      policy.Request{Principal: "arn:aws:sts::999999999999:assumed-role/admin/laptop", Action: getValue, Resource: prodSecret},
		want:     policy.ImplicitDeny,
	},
	{
		name:     "a Service principal allows calls made by that service",
		resource: doc(`{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}`),
		req:      policy.Request{Principal: "lambda.amazonaws.com", Action: getValue, Resource: prodSecret},
		want:     policy.Allowed,
	},
	{
		name:     "a Deny with NotPrincipal applies to every principal it does not list",
		identity: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)},
		resource: doc(`{"Effect":"Deny","NotPrincipal":{"AWS":["` + bob + `","` + account + `"]},"Action":"*","Resource":"*"}`),
		req:      get(nil),
		want:     policy.ExplicitDenyResource,
	},
	{
		name:     "a Deny with NotPrincipal spares a user listed together with its account",
		identity: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)},
		resource: doc(`{"Effect":"Deny","NotPrincipal":{"AWS":["` + alice + `","` + root + `"]},"Action":"*","Resource":"*"}`),
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "a Deny with NotPrincipal listing a user but not its account still denies the user, as AWS also evaluates the request as the account's",
		identity: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)},
		resource: doc(`{"Effect":"Deny","NotPrincipal":{"AWS":"` + alice + `"},"Action":"*","Resource":"*"}`),
		req:      get(nil),
		want:     policy.ExplicitDenyResource,
	},
	{
		name:     "an Allow with NotPrincipal allows every principal it does not list",
		resource: doc(`{"Effect":"Allow","NotPrincipal":{"AWS":"` + bob + `"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}`),
		req:      get(nil),
		want:     policy.Allowed,
	},

	// Action and NotAction.
	{
		name:     "a multi-character wildcard in Action matches secretsmanager:Get*",
		identity: []string{doc(`{"Effect":"Allow","Action":"secretsmanager:Get*","Resource":"*"}`)},
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "secretsmanager:Get* does not match PutSecretValue",
		identity: []string{doc(`{"Effect":"Allow","Action":"secretsmanager:Get*","Resource":"*"}`)},
		req:      policy.Request{Principal: alice, Action: putValue, Resource: prodSecret},
		want:     policy.ImplicitDeny,
	},
	{
		name:     "a single-character wildcard ? in Action matches exactly one character",
		identity: []string{doc(`{"Effect":"Allow","Action":"secretsmanager:?etSecretValu?","Resource":"*"}`)},
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "a single-character wildcard ? in Action does not match two characters",
		identity: []string{doc(`{"Effect":"Allow","Action":"secretsmanager:?SecretValue","Resource":"*"}`)},
		req:      get(nil),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "action names are case-insensitive",
		identity: []string{doc(`{"Effect":"Allow","Action":"SecretsManager:getsecretVALUE","Resource":"*"}`)},
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "Action \"*\" matches every action of every service",
		identity: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)},
		req:      policy.Request{Principal: alice, Action: "lambda:InvokeFunction", Resource: rotateFn},
		want:     policy.Allowed,
	},
	{
		name:     "a list of actions matches when any of them matches",
		identity: []string{doc(`{"Effect":"Allow","Action":["secretsmanager:DescribeSecret","secretsmanager:GetSecretValue"],"Resource":"*"}`)},
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "an Allow with NotAction allows every action it does not list",
		identity: []string{doc(`{"Effect":"Allow","NotAction":"secretsmanager:DeleteSecret","Resource":"*"}`)},
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "an Allow with NotAction does not allow an action it lists",
		identity: []string{doc(`{"Effect":"Allow","NotAction":"secretsmanager:Get*","Resource":"*"}`)},
		req:      get(nil),
		want:     policy.ImplicitDeny,
	},
	{
		name: "a Deny with NotAction denies every action it does not list",
		identity: []string{doc(
			`{"Effect":"Allow","Action":"*","Resource":"*"}`,
			`{"Effect":"Deny","NotAction":"secretsmanager:Describe*","Resource":"*"}`,
		)},
		req:  get(nil),
		want: policy.ExplicitDenyIdentity,
	},
	{
		name:     "lambda:InvokeFunction on the rotation function is matched like any other action and resource",
		identity: []string{doc(`{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:123456789012:function:rotate-*"}`)},
		req:      policy.Request{Principal: alice, Action: "lambda:InvokeFunction", Resource: rotateFn},
		want:     policy.Allowed,
	},

	// Resource and NotResource.
	{
		name:     "a partial-ARN wildcard secret:prod/* matches a secret named under prod/",
		identity: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/*"}`)},
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "secret:prod/* does not match a secret under dev/",
		identity: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/*"}`)},
		req:      policy.Request{Principal: alice, Action: getValue, Resource: devSecret},
		want:     policy.ImplicitDeny,
	},
	{
		name:     "resource ARNs are case-sensitive",
		identity: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:Prod/*"}`)},
		req:      get(nil),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "a ? in a resource ARN matches one character",
		identity: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-??????"}`)},
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "a * standing for a whole ARN segment matches any region",
		identity: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:secretsmanager:*:123456789012:secret:prod/*"}`)},
		req:      policy.Request{Principal: alice, Action: getValue, Resource: euSecret},
		want:     policy.Allowed,
	},
	{
		name:     "a * inside an ARN segment does not reach across the colons that follow",
		identity: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:secretsmanager:us-*:123456789012:secret:prod/*"}`)},
		req:      policy.Request{Principal: alice, Action: getValue, Resource: euSecret},
		want:     policy.ImplicitDeny,
	},
	{
		name:     "a * ending the last segment given extends across the colons of the rest of the ARN",
		identity: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:secretsmanager:*"}`)},
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "Resource \"*\" matches every resource",
		identity: []string{doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)},
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "an Allow with NotResource allows every resource it does not list",
		identity: []string{doc(`{"Effect":"Allow","Action":"*","NotResource":"arn:aws:secretsmanager:*:*:secret:dev/*"}`)},
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "an Allow with NotResource does not allow a resource it lists",
		identity: []string{doc(`{"Effect":"Allow","Action":"*","NotResource":["arn:aws:secretsmanager:*:*:secret:dev/*","arn:aws:secretsmanager:*:*:secret:prod/*"]}`)},
		req:      get(nil),
		want:     policy.ImplicitDeny,
	},
	{
		name: "a Deny with NotResource denies every resource it does not list",
		identity: []string{doc(
			`{"Effect":"Allow","Action":"*","Resource":"*"}`,
			`{"Effect":"Deny","Action":"*","NotResource":"arn:aws:secretsmanager:*:*:secret:dev/*"}`,
		)},
		req:  get(nil),
		want: policy.ExplicitDenyIdentity,
	},

	// String operators.
	{
		name:     "StringEquals holds when the tag value is equal",
		identity: allowGetIf(`{"StringEquals":{"secretsmanager:ResourceTag/Env":"prod"}}`),
		req:      get(map[string][]string{"secretsmanager:ResourceTag/Env": one("prod")}),
		want:     policy.Allowed,
	},
	{
		name:     "StringEquals is case-sensitive",
		identity: allowGetIf(`{"StringEquals":{"secretsmanager:ResourceTag/Env":"prod"}}`),
		req:      get(map[string][]string{"secretsmanager:ResourceTag/Env": one("Prod")}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "a condition on a key missing from the request is false",
		identity: allowGetIf(`{"StringEquals":{"secretsmanager:ResourceTag/Env":"prod"}}`),
		req:      get(nil),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "several values for one key are alternatives (OR)",
		identity: allowGetIf(`{"StringEquals":{"aws:ResourceTag/Team":["red","blue"]}}`),
		req:      get(map[string][]string{"aws:ResourceTag/Team": one("blue")}),
		want:     policy.Allowed,
	},
	{
		name:     "several keys under one operator must all hold (AND)",
		identity: allowGetIf(`{"StringEquals":{"aws:ResourceTag/Team":"red","aws:ResourceTag/Env":"prod"}}`),
		req:      get(map[string][]string{"aws:ResourceTag/Team": one("red"), "aws:ResourceTag/Env": one("dev")}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "several operators must all hold (AND)",
		identity: allowGetIf(`{"StringEquals":{"aws:ResourceTag/Team":"red"},"Bool":{"aws:SecureTransport":"true"}}`),
		req:      get(map[string][]string{"aws:ResourceTag/Team": one("red"), "aws:SecureTransport": one("true")}),
		want:     policy.Allowed,
	},
	{
		name:     "StringNotEquals holds when the value differs",
		identity: allowGetIf(`{"StringNotEquals":{"secretsmanager:VersionStage":"AWSPENDING"}}`),
		req:      get(map[string][]string{"secretsmanager:VersionStage": one("AWSCURRENT")}),
		want:     policy.Allowed,
	},
	{
		name:     "StringNotEquals with several values fails when the value is any of them",
		identity: allowGetIf(`{"StringNotEquals":{"secretsmanager:VersionStage":["AWSPENDING","AWSPREVIOUS"]}}`),
		req:      get(map[string][]string{"secretsmanager:VersionStage": one("AWSPREVIOUS")}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "a negated operator on a key missing from the request is true",
		identity: allowGetIf(`{"StringNotEquals":{"secretsmanager:VersionStage":"AWSPENDING"}}`),
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "StringEqualsIgnoreCase ignores case",
		identity: allowGetIf(`{"StringEqualsIgnoreCase":{"aws:RequestTag/Owner":"ALICE"}}`),
		req:      get(map[string][]string{"aws:RequestTag/Owner": one("alice")}),
		want:     policy.Allowed,
	},
	{
		name:     "StringNotEqualsIgnoreCase fails for a value equal but for case",
		identity: allowGetIf(`{"StringNotEqualsIgnoreCase":{"aws:RequestTag/Owner":"ALICE"}}`),
		req:      get(map[string][]string{"aws:RequestTag/Owner": one("Alice")}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "StringLike matches a multi-character wildcard",
		identity: allowGetIf(`{"StringLike":{"secretsmanager:Name":"prod/*"}}`),
		req:      get(map[string][]string{"secretsmanager:Name": one("prod/db")}),
		want:     policy.Allowed,
	},
	{
		name:     "StringLike matches a single-character wildcard",
		identity: allowGetIf(`{"StringLike":{"secretsmanager:SecretId":"prod/d?"}}`),
		req:      get(map[string][]string{"secretsmanager:SecretId": one("prod/db")}),
		want:     policy.Allowed,
	},
	{
		name:     "StringNotLike fails for a value that matches the pattern",
		identity: allowGetIf(`{"StringNotLike":{"secretsmanager:Name":"prod/*"}}`),
		req:      get(map[string][]string{"secretsmanager:Name": one("prod/db")}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "StringNotLike holds for a value that does not match the pattern",
		identity: allowGetIf(`{"StringNotLike":{"secretsmanager:Name":"prod/*"}}`),
		req:      get(map[string][]string{"secretsmanager:Name": one("dev/db")}),
		want:     policy.Allowed,
	},

	// ARN operators.
	{
		name:     "ArnEquals on aws:PrincipalArn holds for the caller's own ARN, which rotor puts in the request context",
		identity: allowGetIf(`{"ArnEquals":{"aws:PrincipalArn":"` + alice + `"}}`),
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "ArnLike matches each ARN segment with wildcards",
		resource: doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/*"}}}`),
		req:      policy.Request{Principal: adminSess, Action: getValue, Resource: prodSecret},
		want:     policy.Allowed,
	},
	{
		name:     "aws:PrincipalArn of a role session is the role's ARN",
		identity: allowGetIf(`{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/admin"}}`),
		req:      policy.Request{Principal: adminSess, Action: getValue, Resource: prodSecret},
		want:     policy.Allowed,
	},
	{
		name:     "ArnLike fails for an ARN of another account",
		identity: allowGetIf(`{"ArnLike":{"secretsmanager:RotationLambdaARN":"arn:aws:lambda:*:123456789012:function:*"}}`),
		req:      get(map[string][]string{"secretsmanager:RotationLambdaARN": one("arn:aws:lambda:us-east-1:999999999999:function:evil")}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "ArnNotEquals holds for another ARN",
		identity: allowGetIf(`{"ArnNotEquals":{"secretsmanager:RotationLambdaARN":"arn:aws:lambda:us-east-1:123456789012:function:other"}}`),
		req:      get(map[string][]string{"secretsmanager:RotationLambdaARN": one(rotateFn)}),
		want:     policy.Allowed,
	},
	{
		name:     "ArnNotLike fails for a matching ARN",
		identity: allowGetIf(`{"ArnNotLike":{"secretsmanager:RotationLambdaARN":"arn:aws:lambda:*:*:function:rotate-*"}}`),
		req:      get(map[string][]string{"secretsmanager:RotationLambdaARN": one(rotateFn)}),
		want:     policy.ImplicitDeny,
	},

	// Bool.
	{
		name:     "Bool aws:SecureTransport true holds over TLS",
		identity: allowGetIf(`{"Bool":{"aws:SecureTransport":"true"}}`),
		req:      get(map[string][]string{"aws:SecureTransport": one("true")}),
		want:     policy.Allowed,
	},
	{
		name:     "Bool accepts a JSON boolean and fails for the other value",
		identity: allowGetIf(`{"Bool":{"aws:SecureTransport":true}}`),
		req:      get(map[string][]string{"aws:SecureTransport": one("false")}),
		want:     policy.ImplicitDeny,
	},
	{
		name: "a Deny on Bool aws:SecureTransport false refuses plain HTTP",
		identity: []string{doc(
			`{"Effect":"Allow","Action":"*","Resource":"*"}`,
			`{"Sid":"TLSOnly","Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`,
		)},
		req:       get(map[string][]string{"aws:SecureTransport": one("false")}),
		want:      policy.ExplicitDenyIdentity,
		statement: "TLSOnly",
	},

	// Date operators.
	{
		name:     "DateLessThan holds before the date",
		identity: allowGetIf(`{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}`),
		req:      get(map[string][]string{"aws:CurrentTime": one("2026-11-25T19:00:00Z")}),
		want:     policy.Allowed,
	},
	{
		name:     "DateLessThan fails after the date",
		identity: allowGetIf(`{"DateLessThan":{"aws:CurrentTime":"2026-01-01"}}`),
		req:      get(map[string][]string{"aws:CurrentTime": one("2026-11-25T19:00:00Z")}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "DateGreaterThan holds after the date, given in epoch seconds",
		identity: allowGetIf(`{"DateGreaterThan":{"aws:CurrentTime":"1767225600"}}`),
		req:      get(map[string][]string{"aws:CurrentTime": one("2026-11-25T19:00:00Z")}),
		want:     policy.Allowed,
	},
	{
		name:     "DateGreaterThan fails when rotor is given no current time, as the key is missing",
		identity: allowGetIf(`{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`),
		req:      get(nil),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "DateEquals compares instants, whatever the time zone",
		identity: allowGetIf(`{"DateEquals":{"aws:CurrentTime":"2026-11-25T20:00:00+01:00"}}`),
		req:      get(map[string][]string{"aws:CurrentTime": one("2026-11-25T19:00:00Z")}),
		want:     policy.Allowed,
	},
	{
		name:     "DateNotEquals fails for the same instant",
		identity: allowGetIf(`{"DateNotEquals":{"aws:CurrentTime":"2026-11-25T19:00:00Z"}}`),
		req:      get(map[string][]string{"aws:CurrentTime": one("2026-11-25T19:00:00Z")}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "DateLessThanEquals and DateGreaterThanEquals hold at the boundary",
		identity: allowGetIf(`{"DateLessThanEquals":{"aws:CurrentTime":"2026-11-25T19:00:00Z"},"DateGreaterThanEquals":{"aws:CurrentTime":"2026-11-25T19:00:00Z"}}`),
		req:      get(map[string][]string{"aws:CurrentTime": one("2026-11-25T19:00:00Z")}),
		want:     policy.Allowed,
	},

	// Numeric operators.
	{
		name:     "NumericLessThan holds for a smaller number",
		identity: allowGetIf(`{"NumericLessThan":{"secretsmanager:RecoveryWindowInDays":"30"}}`),
		req:      get(map[string][]string{"secretsmanager:RecoveryWindowInDays": one("7")}),
		want:     policy.Allowed,
	},
	{
		name:     "NumericLessThan compares numbers, not text",
		identity: allowGetIf(`{"NumericLessThan":{"secretsmanager:RecoveryWindowInDays":9}}`),
		req:      get(map[string][]string{"secretsmanager:RecoveryWindowInDays": one("10")}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "NumericGreaterThanEquals and NumericLessThanEquals hold at the boundary",
		identity: allowGetIf(`{"NumericGreaterThanEquals":{"secretsmanager:RecoveryWindowInDays":"7"},"NumericLessThanEquals":{"secretsmanager:RecoveryWindowInDays":"7"}}`),
		req:      get(map[string][]string{"secretsmanager:RecoveryWindowInDays": one("7")}),
		want:     policy.Allowed,
	},
	{
		name:     "NumericGreaterThan fails at the boundary",
		identity: allowGetIf(`{"NumericGreaterThan":{"secretsmanager:RecoveryWindowInDays":"7"}}`),
		req:      get(map[string][]string{"secretsmanager:RecoveryWindowInDays": one("7")}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "NumericEquals holds for the same number written differently",
		identity: allowGetIf(`{"NumericEquals":{"secretsmanager:RecoveryWindowInDays":"7"}}`),
		req:      get(map[string][]string{"secretsmanager:RecoveryWindowInDays": one("7.0")}),
		want:     policy.Allowed,
	},
	{
		name:     "NumericNotEquals fails for the same number",
		identity: allowGetIf(`{"NumericNotEquals":{"secretsmanager:RecoveryWindowInDays":"7"}}`),
		req:      get(map[string][]string{"secretsmanager:RecoveryWindowInDays": one("7")}),
		want:     policy.ImplicitDeny,
	},

	// Null.
	{
		name:     "Null true holds when the key is missing from the request",
		identity: allowGetIf(`{"Null":{"aws:TagKeys":"true"}}`),
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "Null true fails when the key is present",
		identity: allowGetIf(`{"Null":{"aws:TagKeys":"true"}}`),
		req:      get(map[string][]string{"aws:TagKeys": {"Env"}}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "Null false holds when the key is present",
		identity: allowGetIf(`{"Null":{"secretsmanager:VersionId":false}}`),
		req:      get(map[string][]string{"secretsmanager:VersionId": one("11111111-2222-3333-4444-555555555555")}),
		want:     policy.Allowed,
	},

	// IfExists.
	{
		name:     "an ...IfExists operator holds when the key is missing",
		identity: allowGetIf(`{"StringEqualsIfExists":{"secretsmanager:VersionStage":"AWSCURRENT"}}`),
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "an ...IfExists operator compares as usual when the key is present",
		identity: allowGetIf(`{"StringEqualsIfExists":{"secretsmanager:VersionStage":"AWSCURRENT"}}`),
		req:      get(map[string][]string{"secretsmanager:VersionStage": one("AWSPENDING")}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "ArnLikeIfExists holds when the key is missing",
		identity: allowGetIf(`{"ArnLikeIfExists":{"secretsmanager:RotationLambdaARN":"arn:aws:lambda:*:123456789012:function:*"}}`),
		req:      get(nil),
		want:     policy.Allowed,
	},

	// ForAnyValue and ForAllValues on a multivalued key.
	{
		name:     "ForAnyValue holds when at least one request value matches",
		identity: allowGetIf(`{"ForAnyValue:StringEquals":{"aws:TagKeys":["Env","Team"]}}`),
		req:      get(map[string][]string{"aws:TagKeys": {"Owner", "Team"}}),
		want:     policy.Allowed,
	},
	{
		name:     "ForAnyValue fails when no request value matches",
		identity: allowGetIf(`{"ForAnyValue:StringEquals":{"aws:TagKeys":["Env","Team"]}}`),
		req:      get(map[string][]string{"aws:TagKeys": {"Owner"}}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "ForAnyValue fails when the key is missing",
		identity: allowGetIf(`{"ForAnyValue:StringEquals":{"aws:TagKeys":"Env"}}`),
		req:      get(nil),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "ForAllValues holds when every request value matches one of the policy's",
		identity: allowGetIf(`{"ForAllValues:StringLike":{"aws:TagKeys":["Env","Team*"]}}`),
		req:      get(map[string][]string{"aws:TagKeys": {"Env", "TeamLead"}}),
		want:     policy.Allowed,
	},
	{
		name:     "ForAllValues fails when one request value matches none of the policy's",
		identity: allowGetIf(`{"ForAllValues:StringLike":{"aws:TagKeys":["Env","Team*"]}}`),
		req:      get(map[string][]string{"aws:TagKeys": {"Env", "Owner"}}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "ForAllValues holds when the key is missing, as every one of no values matches",
		identity: allowGetIf(`{"ForAllValues:StringEquals":{"aws:TagKeys":"Env"}}`),
		req:      get(nil),
		want:     policy.Allowed,
	},
	{
		name:     "ForAllValues with a negated operator needs every request value to match none of the policy's",
		identity: allowGetIf(`{"ForAllValues:StringNotEquals":{"aws:TagKeys":["Admin","Root"]}}`),
		req:      get(map[string][]string{"aws:TagKeys": {"Env", "Admin"}}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "ForAnyValue with a negated operator needs one request value that matches none of the policy's",
		identity: allowGetIf(`{"ForAnyValue:StringNotLike":{"aws:TagKeys":"Admin*"}}`),
		req:      get(map[string][]string{"aws:TagKeys": {"AdminX", "Env"}}),
		want:     policy.Allowed,
	},
	{
		name:     "ForAllValues...IfExists holds when the key is missing",
		identity: allowGetIf(`{"ForAllValues:StringEqualsIfExists":{"aws:TagKeys":"Env"}}`),
		req:      get(nil),
		want:     policy.Allowed,
	},

	// Condition keys.
	{
		name:     "condition key names are case-insensitive in the policy",
		identity: allowGetIf(`{"StringEquals":{"SECRETSMANAGER:resourcetag/env":"prod"}}`),
		req:      get(map[string][]string{"secretsmanager:ResourceTag/Env": one("prod")}),
		want:     policy.Allowed,
	},
	{
		name:     "condition key names are case-insensitive in the request context",
		identity: allowGetIf(`{"StringEquals":{"aws:ResourceTag/Env":"prod"}}`),
		req:      get(map[string][]string{"AWS:RESOURCETAG/ENV": one("prod")}),
		want:     policy.Allowed,
	},
	{
		name:     "aws:ResourceTag and secretsmanager:ResourceTag are different keys",
		identity: allowGetIf(`{"StringEquals":{"aws:ResourceTag/Env":"prod"}}`),
		req:      get(map[string][]string{"secretsmanager:ResourceTag/Env": one("prod")}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "aws:RequestTag holds the tags a call sets",
		identity: allowGetIf(`{"StringEquals":{"aws:RequestTag/Env":"dev"}}`),
		req:      get(map[string][]string{"aws:RequestTag/Env": one("dev")}),
		want:     policy.Allowed,
	},
	{
		name:     "secretsmanager:SecretId is compared as given",
		identity: allowGetIf(`{"StringEquals":{"secretsmanager:SecretId":"` + prodSecret + `"}}`),
		req:      get(map[string][]string{"secretsmanager:SecretId": one(prodSecret)}),
		want:     policy.Allowed,
	},
	{
		name:     "secretsmanager:VersionId is compared as given",
		identity: allowGetIf(`{"StringEquals":{"secretsmanager:VersionId":"v1"}}`),
		req:      get(map[string][]string{"secretsmanager:VersionId": one("v2")}),
		want:     policy.ImplicitDeny,
	},
	{
		name:     "an aws:PrincipalArn given in the context overrides the derived one",
		identity: allowGetIf(`{"StringEquals":{"aws:PrincipalArn":"` + bob + `"}}`),
		req:      get(map[string][]string{"aws:PrincipalArn": one(bob)}),
		want:     policy.Allowed,
	},
	{
		name:     "a condition in the resource-based policy narrows its Allow",
		resource: doc(`{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringEquals":{"secretsmanager:ResourceTag/Env":"prod"}}}`),
		req:      get(map[string][]string{"secretsmanager:ResourceTag/Env": one("dev")}),
		want:     policy.ImplicitDeny,
	},
}

func TestEvaluate(t *testing.T) {
	for _, tc := range evalCases {
		t.Run(tc.name, func(t *testing.T) {
			ids, res := parseAll(t, tc.identity, tc.resource)
			d := policy.Evaluate(ids, res, tc.req)
			assert.Equal(t, tc.want, d.Reason, "decision %+v", d)
			assert.Equal(t, tc.want == policy.Allowed, d.Allowed)
			if tc.statement != "" {
				assert.Equal(t, tc.statement, d.Statement)
			}
			if tc.want == policy.ImplicitDeny {
				assert.Empty(t, d.Statement)
			}
		})
	}
}

func TestMessage(t *testing.T) {
	req := get(nil)
	head := "User: " + alice + " is not authorized to perform: " + getValue + " on resource: " + prodSecret
	cases := []struct {
		name string
		d    policy.Decision
		want string
	}{
		{"an implicit deny says no identity-based policy allows the action",
			policy.Decision{Reason: policy.ImplicitDeny},
			head + " because no identity-based policy allows the " + getValue + " action"},
		{"an explicit deny in an identity-based policy says so",
			policy.Decision{Reason: policy.ExplicitDenyIdentity, Statement: "X"},
			head + " with an explicit deny in an identity-based policy"},
		{"an explicit deny in a resource-based policy says so",
			policy.Decision{Reason: policy.ExplicitDenyResource, Statement: "X"},
			head + " with an explicit deny in a resource-based policy"},
		{"an allowed request has no message",
			policy.Decision{Allowed: true, Reason: policy.Allowed, Statement: "X"},
			""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.d.Message(req))
		})
	}
}
