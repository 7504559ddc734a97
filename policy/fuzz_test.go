package policy_test

import (
	"encoding/json"
	"testing"

	"github.com/rotorkit/rotor/policy"
)

// FuzzParse feeds Parse arbitrary text. It must never panic; a refusal must
// come with a message; a document it accepts must be JSON, must evaluate
// without panicking and must pass Validate's syntax check.
func FuzzParse(f *testing.F) {
	for _, tc := range malformed {
		f.Add(tc.text, tc.kind == policy.Resource)
	}
	for _, tc := range evalCases {
		for _, d := range tc.identity {
			f.Add(d, false)
		}
		if tc.resource != "" {
			f.Add(tc.resource, true)
		}
	}
	f.Add(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, false)
	f.Add(`{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["a*",1,true]}}}}`, true)

	reqs := []policy.Request{
		get(map[string][]string{"aws:TagKeys": {"a", "b"}, "aws:CurrentTime": one("2026-01-01T00:00:00Z"), "aws:SecureTransport": one("true")}),
		{Principal: adminSess, Action: "lambda:InvokeFunction", Resource: rotateFn},
		{Principal: "lambda.amazonaws.com", Action: "x:y", Resource: "*"},
	}
	f.Fuzz(func(t *testing.T, text string, resource bool) {
		kind := policy.Identity
		if resource {
			kind = policy.Resource
		}
		p, err := policy.Parse(text, kind)
		if err != nil {
			if p != nil {
				t.Fatalf("Parse returned a policy and an error %q", err)
			}
			if err.Error() == "" {
				t.Fatalf("Parse refused %q with an empty message", text)
			}
			return
		}
		if !json.Valid([]byte(text)) {
			t.Fatalf("Parse accepted text that is not JSON: %q", text)
		}
		for _, req := range reqs {
			if resource {
				policy.Evaluate(nil, p, req)
			} else {
				policy.Evaluate([]*policy.Policy{p}, nil, req)
			}
		}
		_ = p.IsPublic()
		for _, finding := range policy.Validate(text, kind) {
			if finding.CheckName == policy.CheckSyntax {
				t.Fatalf("Validate disagrees with Parse: %+v", finding)
			}
		}
	})
}
