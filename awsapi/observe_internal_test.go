package awsapi

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzRequestParameters feeds the audit's decoder any body: it never
// panics, and what it keeps never holds a member that carries a value,
// at any depth.
func FuzzRequestParameters(f *testing.F) {
	f.Add([]byte(`{"SecretId":"db","SecretString":"hunter2"}`))
	f.Add([]byte(`{"Tags":[{"Key":"k","Value":"v"}],"RotationRules":{"AutomaticallyAfterDays":3}}`))
	f.Add([]byte(`{"SecretValues":[{"SecretString":"x"}],"ARN":"arn:aws:secretsmanager:us-east-1:1:secret:a-AbCdEf"}`))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte(`{"A":{"SecretBinary":"eA=="}}`))
	f.Add([]byte(`{"secretString":"sent in the wrong case","SECRETBINARY":"eA=="}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		x := &Exchange{request: body, response: body, Operation: "PutSecretValue"}
		for _, m := range []map[string]any{x.RequestParameters(), x.ResponseElements()} {
			if m == nil {
				continue
			}
			out, err := json.Marshal(m)
			if err != nil {
				t.Fatalf("kept members do not encode: %v", err)
			}
			for name := range secretMembers {
				if strings.Contains(strings.ToLower(string(out)), `"`+name+`"`) {
					t.Fatalf("%s kept in %s", name, out)
				}
			}
		}
	})
}

func TestLowerCamelIsCloudTrailsName(t *testing.T) {
	for in, want := range map[string]string{"SecretId": "secretId", "ARN": "arn", "KmsKeyId": "kmsKeyId", "secretId": "secretId", "": ""} {
		if got := lowerCamel(in); got != want {
			t.Errorf("lowerCamel(%q) = %q, want %q", in, got, want)
		}
	}
}
