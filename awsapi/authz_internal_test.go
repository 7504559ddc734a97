package awsapi

import (
	"context"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/policy"
)

// BenchmarkAuthorizeGetSecretValue measures the authorization of one
// GetSecretValue alone: finding the secret, its cached resource policy, the
// condition keys and the evaluation.
func BenchmarkAuthorizeGetSecretValue(b *testing.B) {
	ctx := context.Background()
	svc := rotor.New(rotor.NewMemoryStore())
	if _, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "bench", SecretString: "v", Tags: []rotor.Tag{{Key: "team", Value: "core"}}}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.PutResourcePolicy(ctx, rotor.PutResourcePolicyInput{SecretId: "bench", ResourcePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::000000000000:user/intruder"},"Action":"secretsmanager:*","Resource":"*"}]}`}); err != nil {
		b.Fatal(err)
	}
	for _, conditions := range []bool{false, true} {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:000000000000:secret:bench-*"}]}`
		name := "conditions=false"
		if conditions {
			name = "conditions=true"
			doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"arn:aws:secretsmanager:us-east-1:000000000000:secret:bench-*"},
				{"Effect":"Deny","Action":"secretsmanager:*","Resource":"*","Condition":{"StringEquals":{"secretsmanager:ResourceTag/classified":"yes"}}}]}`
		}
		p, err := policy.Parse(doc, policy.Identity)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			c := &call{op: "GetSecretValue", principal: newIdentity(Principal{ARN: "arn:aws:iam::000000000000:user/reader", Policies: []*policy.Policy{p}}),
				known: true, now: time.Now(), cache: &policyCache{m: map[string]cachedPolicy{}}}
			req := &getSecretValueRequest{SecretId: "bench"}
			b.ReportAllocs()
			for b.Loop() {
				if err := c.authorize(ctx, svc, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
