package policy_test

import (
	"testing"

	"github.com/rotorkit/rotor/policy"
)

// tenStatements is an identity policy of ten statements of the kinds people
// write: Deny guards with conditions, wildcards in actions and resources,
// and the Allow that grants the benchmark's request last, so that every
// statement is examined.
var tenStatements = doc(
	`{"Sid":"DenyPlainHTTP","Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`,
	`{"Sid":"DenyAfterExpiry","Effect":"Deny","Action":"secretsmanager:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}`,
	`{"Sid":"DenyDelete","Effect":"Deny","Action":["secretsmanager:DeleteSecret","secretsmanager:DeleteResourcePolicy"],"Resource":"*"}`,
	`{"Sid":"DenyPendingReads","Effect":"Deny","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringEquals":{"secretsmanager:VersionStage":"AWSPENDING"}}}`,
	`{"Sid":"DenyUntaggedWrites","Effect":"Deny","Action":"secretsmanager:Put*","Resource":"*","Condition":{"Null":{"aws:RequestTag/Owner":"true"}}}`,
	`{"Sid":"DenyForeignRotation","Effect":"Deny","Action":"secretsmanager:RotateSecret","Resource":"*","Condition":{"ArnNotLike":{"secretsmanager:RotationLambdaARN":"arn:aws:lambda:*:123456789012:function:*"}}}`,
	`{"Sid":"AllowDescribe","Effect":"Allow","Action":["secretsmanager:Describe*","secretsmanager:List*"],"Resource":"*"}`,
	`{"Sid":"AllowDev","Effect":"Allow","Action":"secretsmanager:*","Resource":"arn:aws:secretsmanager:*:123456789012:secret:dev/*"}`,
	`{"Sid":"AllowInvoke","Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:123456789012:function:rotate-*"}`,
	`{"Sid":"AllowProdReads","Effect":"Allow","Action":["secretsmanager:GetSecretValue","secretsmanager:Describe*"],"Resource":"arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/*","Condition":{"StringEquals":{"secretsmanager:ResourceTag/Team":["red","blue"]},"ForAllValues:StringLike":{"aws:TagKeys":["Team","Env*"]}}}`,
)

// BenchmarkEvaluate parses once and evaluates in the loop; the target is at
// most 2 µs per evaluation.
func BenchmarkEvaluate(b *testing.B) {
	p := mustParse(b, tenStatements, policy.Identity)
	ids := []*policy.Policy{p}
	req := get(map[string][]string{
		"aws:SecureTransport":             {"true"},
		"aws:CurrentTime":                 {"2026-11-25T19:00:00Z"},
		"secretsmanager:VersionStage":     {"AWSCURRENT"},
		"secretsmanager:ResourceTag/Team": {"blue"},
		"aws:TagKeys":                     {"Team", "Env"},
	})
	if d := policy.Evaluate(ids, nil, req); !d.Allowed || d.Statement != "AllowProdReads" {
		b.Fatalf("the benchmark's request must be allowed by the last statement, got %+v", d)
	}
	b.Run("identity", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			policy.Evaluate(ids, nil, req)
		}
	})
	res := mustParse(b, doc(
		`{"Sid":"DenyOthers","Effect":"Deny","NotPrincipal":{"AWS":["`+alice+`","`+root+`"]},"Action":"secretsmanager:GetSecretValue","Resource":"*"}`,
		`{"Sid":"Alice","Effect":"Allow","Principal":{"AWS":"`+alice+`"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}`,
	), policy.Resource)
	b.Run("identity+resource", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			policy.Evaluate(ids, res, req)
		}
	})
	denied := req
	denied.Action = "secretsmanager:DeleteSecret"
	b.Run("denied", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			d := policy.Evaluate(ids, res, denied)
			_ = d.Message(denied)
		}
	})
}

// BenchmarkParse is the one-time cost of a ten-statement policy.
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := policy.Parse(tenStatements, policy.Identity); err != nil {
			b.Fatal(err)
		}
	}
}
