package awsapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rotorkit/rotor/awsapi"
)

func quietHandler(creds map[string]string) *awsapi.Handler {
	return awsapi.NewHandler(awsapi.Config{
		Credentials: creds,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

// FuzzHandler sends arbitrary bodies to arbitrary operations: the handler
// must never panic and never answer malformed input with a 5xx.
func FuzzHandler(f *testing.F) {
	seeds := []struct{ target, body string }{
		{"CreateSecret", `{"Name":"s","SecretString":"v","ClientRequestToken":"` + token1 + `"}`},
		{"CreateSecret", `{"Name":"b","SecretBinary":"AAEC","ClientRequestToken":"` + token2 + `","Tags":[{"Key":"k","Value":"v"}]}`},
		{"PutSecretValue", `{"SecretId":"s","SecretString":"w","ClientRequestToken":"` + token3 + `","VersionStages":["A","B"]}`},
		{"GetSecretValue", `{"SecretId":"s","VersionStage":"AWSPREVIOUS"}`},
		{"BatchGetSecretValue", `{"Filters":[{"Key":"name","Values":["s"]}],"MaxResults":2}`},
		{"UpdateSecret", `{"SecretId":"s","Description":""}`},
		{"UpdateSecretVersionStage", `{"SecretId":"s","VersionStage":"AWSCURRENT","MoveToVersionId":"` + token1 + `"}`},
		{"RotateSecret", `{"SecretId":"s","ClientRequestToken":"` + token2 + `","RotationRules":{"ScheduleExpression":"cron(0 0 * * ? *)"}}`},
		{"CancelRotateSecret", `{"SecretId":"s"}`},
		{"DescribeSecret", `{"SecretId":"arn:aws:secretsmanager:us-east-1:000000000000:secret:s-abcdef"}`},
		{"ListSecretVersionIds", `{"SecretId":"s","MaxResults":1,"IncludeDeprecated":true}`},
		{"ListSecrets", `{"Filters":[{"Key":"all","Values":["!x"]}],"SortOrder":"asc","NextToken":"zz"}`},
		{"DeleteSecret", `{"SecretId":"s","RecoveryWindowInDays":7}`},
		{"RestoreSecret", `{"SecretId":"s"}`},
		{"GetRandomPassword", `{"PasswordLength":4096,"ExcludeCharacters":"abc","RequireEachIncludedType":false}`},
		{"TagResource", `{"SecretId":"s","Tags":[]}`},
		{"UntagResource", `{"SecretId":"s","TagKeys":["k"]}`},
		{"PutResourcePolicy", `{"SecretId":"s","ResourcePolicy":"` + strings.ReplaceAll(policy, `"`, `\"`) + `"}`},
		{"GetResourcePolicy", `{"SecretId":"s"}`},
		{"DeleteResourcePolicy", `{"SecretId":"s"}`},
		{"ValidateResourcePolicy", `{"ResourcePolicy":"{}"}`},
		{"GetSecretValue", `{"SecretId":`},
		{"GetSecretValue", `null`},
		{"GetSecretValue", `{"SecretId":"\ud800"}`},
		{"PutSecretValue", `{"SecretId":"s","SecretString":"\udc00\ud800","ClientRequestToken":"` + token3 + `"}`},
		{"GetSecretValue", `{"secretid":"s"}`},
		{"GetSecretValue", `{"SecretId":"s","SecretId":"t"}`},
		{"CreateSecret", `{"Name":"t","Tags":[{"Key":"k","\u212aey":"v"}]}`},
		{"ListSecrets", `{"MaxResults":1e400}`},
		{"Nope", `{}`},
	}
	for _, s := range seeds {
		f.Add(s.target, s.body)
	}
	h := quietHandler(nil)
	f.Fuzz(func(t *testing.T, target, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "secretsmanager."+target)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: status %d: %s", target, body, rec.Code, rec.Body)
		}
		if rec.Header().Get("x-amzn-RequestId") == "" {
			t.Fatal("no x-amzn-RequestId")
		}
	})
}

// FuzzSigV4 sends arbitrary Authorization and X-Amz-Date headers to a
// handler that demands signatures: never a panic, never a 5xx, never a pass.
func FuzzSigV4(f *testing.F) {
	date := time.Now().UTC().Format("20060102T150405Z")
	seeds := []string{
		"",
		"AWS4-HMAC-SHA256 Credential=" + testKeyID + "/" + date[:8] + "/us-east-1/secretsmanager/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + strings.Repeat("0", 64),
		"AWS4-HMAC-SHA256 Credential=" + testKeyID + "/" + date[:8] + "/us-east-1/secretsmanager/aws4_request, SignedHeaders=host;x-amz-date;x-missing, Signature=ab",
		"AWS4-HMAC-SHA256 Credential=" + testKeyID + "/x/Bad Region/secretsmanager/aws4_request, SignedHeaders=host;x-amz-date, Signature=",
		"AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=, Signature=",
		"AWS4-HMAC-SHA256 ,,,===",
		"AWS AKID:sig",
		"AWS4-HMAC-SHA256 Credential=////, SignedHeaders=;;;, Signature=",
	}
	for _, s := range seeds {
		f.Add(s, date)
		f.Add(s, "garbage")
	}
	h := quietHandler(map[string]string{testKeyID: testSecret})
	f.Fuzz(func(t *testing.T, authorization, amzDate string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "secretsmanager.ListSecrets")
		req.Header["Authorization"] = []string{authorization}
		req.Header["X-Amz-Date"] = []string{amzDate}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code < 400 || rec.Code >= 500 {
			t.Fatalf("%q %q: status %d: %s", authorization, amzDate, rec.Code, rec.Body)
		}
	})
}
