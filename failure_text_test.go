package rotor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"pgregory.net/rapid"
)

func TestFailureTextRedactsSecretsAndKeepsTheRestReadable(t *testing.T) {
	db := `{"engine":"postgres","host":"db-1.example.com","port":5432,"username":"app_user","password":"p4ss-Word-81","dbname":"orders",` +
		`"masterarn":"arn:aws:secretsmanager:us-east-1:123456789012:secret:master-AbC123","api_key":"short1","nested":{"token":"t0k3n-value"},"sessionId":87654321,"note":"Zq8vLm2Xc9"}`
	sec := &Secret{Versions: []*Version{
		{ID: "v1", Value: StringValue(db)},
		{ID: "v2", Value: StringValue("hunter2-plain-value")},
		{ID: "v3", Value: BinaryValue([]byte("binary-secret-bytes"))},
	}}
	for _, tc := range []struct {
		name, text, want string
	}{
		{"a host, a port, a user and a database stay readable",
			`connecting to db-1.example.com:5432 as app_user to orders: connection refused`,
			`connecting to db-1.example.com:5432 as app_user to orders: connection refused`},
		{"the password field is redacted wherever it appears",
			`login as app_user with p4ss-Word-81 failed`, `login as app_user with [REDACTED] failed`},
		{"a whole plain value is redacted", `the value hunter2-plain-value is bad`, `the value [REDACTED] is bad`},
		{"a binary value and its base64 are redacted", `got binary-secret-bytes, YmluYXJ5LXNlY3JldC1ieXRlcw==`, `got [REDACTED], [REDACTED]`},
		{"a whole JSON value is redacted", "bad secret " + db, "bad secret [REDACTED]"},
		{"values under sensitive keys are redacted, however short or nested", `short1 t0k3n-value 87654321`, `[REDACTED] [REDACTED] [REDACTED]`},
		{"a string that looks secret is redacted under a harmless key", `note Zq8vLm2Xc9`, `note [REDACTED]`},
		{"an ARN stays readable", `cannot read arn:aws:secretsmanager:us-east-1:123456789012:secret:master-AbC123`,
			`cannot read arn:aws:secretsmanager:us-east-1:123456789012:secret:master-AbC123`},
		{"a sensitive JSON member of the text is redacted even when the secret does not hold it",
			`request {"user":"bob","Password":"other-pw","clientSecret":42} refused`, `request {"user":"bob","Password":"[REDACTED]","clientSecret":[REDACTED]} refused`},
		{"a sensitive key=value of the text is redacted", `dsn host=db user=bob password=zzz sslmode=disable`, `dsn host=db user=bob password=[REDACTED] sslmode=disable`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, sec.failureText(tc.text))
		})
	}
}

func TestLooksSecret(t *testing.T) {
	for s, want := range map[string]bool{
		"Xk9#mQ2!vL8$": true, "Zq8vLm2Xc9": true, "0123456789abcdef0123456789abcdef": true, "dGhpcyBpcyBhIGtleQ0123==": true,
		"db-1.example.com": false, "app_user": false, "postgres": false, "5432": false, "orders": false,
		"a sentence With 3 words": false, "arn:aws:lambda:us-east-1:123456789012:function:Fn1": false,
		"123e4567-e89b-12d3-a456-426614174000": false, "Short1": false,
	} {
		assert.Equal(t, want, looksSecret(s), s)
	}
}

// No field value of a JSON secret under a sensitive key, and no whole
// value, survives in a failure text that quotes it.
func TestFailureTextNeverKeepsASensitiveValue(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		key := rapid.SampledFrom([]string{"password", "Secret", "apiKey", "token", "credentials", "PASSWD"}).Draw(t, "key")
		value := rapid.StringMatching(`[A-Za-z0-9!#%&*+=?^_~-]{4,30}`).Draw(t, "value")
		whole := `{"user":"u","` + key + `":"` + value + `"}`
		sec := &Secret{Versions: []*Version{{ID: "v", Value: StringValue(whole)}}}
		prefix := rapid.StringMatching(`[a-z :]{0,20}`).Draw(t, "prefix")
		for _, text := range []string{prefix + value, prefix + whole, value + " " + prefix} {
			got := sec.failureText(text)
			assert.NotContains(t, got, value, "%q", text)
		}
	})
}
