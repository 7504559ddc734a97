package policy_test

import (
	"fmt"
	"strings"

	"github.com/rotorkit/rotor/policy"
)

// A read-only user on prod/* secrets, a resource policy that locks out plain
// HTTP, and three calls.
func Example() {
	readOnly, err := policy.Parse(`{
		"Version": "2012-10-17",
		"Statement": [{
			"Sid": "ReadProd",
			"Effect": "Allow",
			"Action": ["secretsmanager:GetSecretValue", "secretsmanager:Describe*"],
			"Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/*"
		}]
	}`, policy.Identity)
	if err != nil {
		fmt.Println(err)
		return
	}
	tlsOnly, err := policy.Parse(`{
		"Version": "2012-10-17",
		"Statement": {
			"Sid": "TLSOnly",
			"Effect": "Deny",
			"Principal": "*",
			"Action": "secretsmanager:*",
			"Resource": "*",
			"Condition": {"Bool": {"aws:SecureTransport": "false"}}
		}
	}`, policy.Resource)
	if err != nil {
		fmt.Println(err)
		return
	}

	secret := "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"
	tls := map[string][]string{"aws:SecureTransport": {"true"}}
	plain := map[string][]string{"aws:SecureTransport": {"false"}}
	for _, req := range []policy.Request{
		{Principal: "arn:aws:iam::123456789012:user/reader", Action: "secretsmanager:GetSecretValue", Resource: secret, Context: tls},
		{Principal: "arn:aws:iam::123456789012:user/reader", Action: "secretsmanager:PutSecretValue", Resource: secret, Context: tls},
		{Principal: "arn:aws:iam::123456789012:user/reader", Action: "secretsmanager:GetSecretValue", Resource: secret, Context: plain},
	} {
		d := policy.Evaluate([]*policy.Policy{readOnly}, tlsOnly, req)
		fmt.Println(strings.TrimSpace(d.Reason.String() + " " + d.Statement))
		if !d.Allowed {
			fmt.Println(" ", d.Message(req))
		}
	}
	// Output:
	// Allowed ReadProd
	// ImplicitDeny
	//   User: arn:aws:iam::123456789012:user/reader is not authorized to perform: secretsmanager:PutSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf because no identity-based policy allows the secretsmanager:PutSecretValue action
	// ExplicitDenyResource TLSOnly
	//   User: arn:aws:iam::123456789012:user/reader is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf with an explicit deny in a resource-based policy
}

// Validate reports problems as ValidateResourcePolicy does.
func ExampleValidate() {
	for _, f := range policy.Validate(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*"}}`, policy.Resource) {
		fmt.Println(f.CheckName)
	}
	for _, f := range policy.Validate(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue","Resource":"*","Condition":{"StringEquals":{"aws:SourceIp":"10.0.0.1"}}}}`, policy.Resource) {
		fmt.Println(f.CheckName, f.ErrorMessage)
	}
	// Output:
	// BROAD_ACCESS_CHECK
	// SYNTAX_CHECK Statement.Condition.StringEquals: unknown condition key "aws:SourceIp"
}
