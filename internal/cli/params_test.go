package cli

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rotorkit/rotor"
)

// params parses a command line and returns its request as JSON.
func params(t *testing.T, args ...string) (string, error) {
	t.Helper()
	inv, err := parseArgs(loadModel(), args)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(inv.params)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), nil
}

func TestParseArgs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rulesJSON := write("rules.json", `{"AutomaticallyAfterDays": 30}`)
	inputJSON := write("input.json", `{"SecretId": "from-file", "RotationRules": {"AutomaticallyAfterDays": 5}, "RotateImmediately": false}`)
	inputYAML := write("input.yaml", "SecretId: from-yaml  # a comment\nRotationRules:\n  ScheduleExpression: rate(10 days)\n  Duration: 2h\n")
	binary := write("secret.bin", "\x00\x01binary\xff")
	text := write("secret.txt", "line one\nline two\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"rotate-secret", "--secret-id", "s"}, `{"SecretId":"s"}`},
		{[]string{"rotate-secret", "--secret-id=s"}, `{"SecretId":"s"}`},
		{[]string{"rotate-secret", "--secret-id", "s", "--rotation-rules", "AutomaticallyAfterDays=10"}, `{"RotationRules":{"AutomaticallyAfterDays":10},"SecretId":"s"}`},
		{[]string{"rotate-secret", "--secret-id", "s", "--rotation-rules", "AutomaticallyAfterDays=10,Duration=2h"}, `{"RotationRules":{"AutomaticallyAfterDays":10,"Duration":"2h"},"SecretId":"s"}`},
		{[]string{"rotate-secret", "--secret-id", "s", "--rotation-rules", "ScheduleExpression='cron(0 16 1,15 * ? *)',Duration=2h"}, `{"RotationRules":{"Duration":"2h","ScheduleExpression":"cron(0 16 1,15 * ? *)"},"SecretId":"s"}`},
		{[]string{"rotate-secret", "--secret-id", "s", "--rotation-rules", `{"ScheduleExpression": "rate(4 hours)"}`}, `{"RotationRules":{"ScheduleExpression":"rate(4 hours)"},"SecretId":"s"}`},
		{[]string{"rotate-secret", "--secret-id", "s", "--rotation-rules", "file://" + rulesJSON}, `{"RotationRules":{"AutomaticallyAfterDays":30},"SecretId":"s"}`},
		{[]string{"rotate-secret", "--secret-id", "s", "--rotate-immediately"}, `{"RotateImmediately":true,"SecretId":"s"}`},
		{[]string{"rotate-secret", "--secret-id", "s", "--no-rotate-immediately"}, `{"RotateImmediately":false,"SecretId":"s"}`},
		{[]string{"rotate-secret", "--cli-input-json", "file://" + inputJSON}, `{"RotateImmediately":false,"RotationRules":{"AutomaticallyAfterDays":5},"SecretId":"from-file"}`},
		// Flags override the file's members, whole.
		{[]string{"rotate-secret", "--cli-input-json", "file://" + inputJSON, "--secret-id", "flag", "--rotation-rules", "Duration=3h", "--rotate-immediately"}, `{"RotateImmediately":true,"RotationRules":{"Duration":"3h"},"SecretId":"flag"}`},
		{[]string{"rotate-secret", "--cli-input-json", `{"SecretId": "inline"}`}, `{"SecretId":"inline"}`},
		{[]string{"rotate-secret", "--cli-input-yaml", "file://" + inputYAML}, `{"RotationRules":{"Duration":"2h","ScheduleExpression":"rate(10 days)"},"SecretId":"from-yaml"}`},
		{[]string{"rotate-secret", "--cli-input-yaml", "file://" + inputYAML, "--secret-id", "flag"}, `{"RotationRules":{"Duration":"2h","ScheduleExpression":"rate(10 days)"},"SecretId":"flag"}`},
		{[]string{"create-secret", "--name", "n", "--tags", "Key=a,Value=b", "Key=c,Value=d"}, `{"Name":"n","Tags":[{"Key":"a","Value":"b"},{"Key":"c","Value":"d"}]}`},
		{[]string{"create-secret", "--name", "n", "--tags", `[{"Key":"a","Value":"b"}]`}, `{"Name":"n","Tags":[{"Key":"a","Value":"b"}]}`},
		{[]string{"create-secret", "--name", "n", "--tags", `{"Key":"a","Value":"b"}`, `{"Key":"c","Value":""}`}, `{"Name":"n","Tags":[{"Key":"a","Value":"b"},{"Key":"c","Value":""}]}`},
		{[]string{"create-secret", "--name", "n", "--secret-string", "file://" + text}, `{"Name":"n","SecretString":"line one\nline two\n"}`},
		{[]string{"create-secret", "--name", "n", "--secret-binary", "fileb://" + binary}, `{"Name":"n","SecretBinary":"AAFiaW5hcnn/"}`},
		{[]string{"create-secret", "--name", "n", "--secret-binary", "aGVsbG8="}, `{"Name":"n","SecretBinary":"aGVsbG8="}`},
		{[]string{"create-secret", "--name", "n", "--secret-binary", "hello", "--cli-binary-format", "raw-in-base64-out"}, `{"Name":"n","SecretBinary":"aGVsbG8="}`},
		{[]string{"list-secrets", "--filters", "Key=name,Values=a,b", "Key=tag-key,Values=env"}, `{"Filters":[{"Key":"name","Values":["a","b"]},{"Key":"tag-key","Values":["env"]}]}`},
		{[]string{"list-secrets", "--filters", "Key=string,Values=string,string"}, `{"Filters":[{"Key":"string","Values":["string","string"]}]}`},
		{[]string{"untag-resource", "--secret-id", "s", "--tag-keys", "a", "b", "c"}, `{"SecretId":"s","TagKeys":["a","b","c"]}`},
		{[]string{"untag-resource", "--secret-id", "s", "--tag-keys", `["a","b"]`}, `{"SecretId":"s","TagKeys":["a","b"]}`},
		// As aws CLI v2 sends them (checked against a stub endpoint).
		{[]string{"untag-resource", "--secret-id", "s", "--tag-keys", "a,b"}, `{"SecretId":"s","TagKeys":["a,b"]}`},
		{[]string{"untag-resource", "--secret-id", "s", "--tag-keys", "a, b", "c"}, `{"SecretId":"s","TagKeys":["a, b","c"]}`},
		{[]string{"tag-resource", "--secret-id", "s", "--tags", "Key=a,Value="}, `{"SecretId":"s","Tags":[{"Key":"a","Value":""}]}`},
		{[]string{"put-secret-value", "--secret-id", "s", "--secret-string", "v", "--version-stages", "AWSCURRENT", "x"}, `{"SecretId":"s","SecretString":"v","VersionStages":["AWSCURRENT","x"]}`},
		{[]string{"delete-secret", "--secret-id", "s", "--force-delete-without-recovery"}, `{"ForceDeleteWithoutRecovery":true,"SecretId":"s"}`},
		{[]string{"delete-secret", "--secret-id", "s", "--no-force-delete-without-recovery", "--recovery-window-in-days", "7"}, `{"ForceDeleteWithoutRecovery":false,"RecoveryWindowInDays":7,"SecretId":"s"}`},
		{[]string{"get-random-password", "--password-length", "12", "--no-require-each-included-type"}, `{"PasswordLength":12,"RequireEachIncludedType":false}`},
		{[]string{"--output", "text", "get-secret-value", "--secret-id", "s", "--query", "Name"}, `{"SecretId":"s"}`},
	} {
		got, err := params(t, c.args...)
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.args, got, c.want)
		}
	}
}

func TestParseArgsErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"rotate-secret"}, "the following arguments are required: --secret-id"},
		{[]string{"tag-resource"}, "the following arguments are required: --secret-id, --tags"},
		{[]string{"rotate-secret", "--secret-id"}, "argument --secret-id: expected one argument"},
		{[]string{"rotate-secret", "--secret-id", "s", "--nope", "x"}, "Unknown options: --nope, x"},
		{[]string{"rotate-secret", "--secret-id", "s", "--rotation-rules", "AutomaticallyAfterDays"}, "Error parsing parameter '--rotation-rules': Expected: '='"},
		{[]string{"rotate-secret", "--secret-id", "s", "--rotation-rules", "Days=1"}, `Unknown parameter in RotationRules: "Days"`},
		{[]string{"rotate-secret", "--secret-id", "s", "--rotation-rules", "file:///does/not/exist"}, "Unable to load paramfile file:///does/not/exist"},
		{[]string{"rotate-secret", "--cli-input-json", "{}", "--cli-input-yaml", "{}"}, "not allowed with argument --cli-input-json"},
		{[]string{"rotate-secret", "--cli-input-json", "{bad"}, "Error parsing parameter 'cli-input-json': Invalid JSON received."},
		{[]string{"rotate-secret", "--cli-input-json", `{"SecretId": "s", "Bogus": 1}`}, `Unknown parameter in input: "Bogus"`},
		{[]string{"rotate-secret", "--cli-input-json", `{}`}, `Missing required parameter in input: "SecretId"`},
		{[]string{"rotate-secret", "--secret-id", "s", "--output", "xml"}, "argument --output: Invalid choice"},
		{[]string{"rotate-secret", "--secret-id", "s", "--query", "[["}, "Bad value for --query"},
		{[]string{"rotate-secret", "--secret-id", "s", "--generate-cli-skeleton", "nope"}, "argument --generate-cli-skeleton: Invalid choice"},
		{[]string{"rotate-secrets"}, "argument operation: Invalid choice"},
		{[]string{"delete-secret", "--secret-id", "s", "--recovery-window-in-days", "x"}, "invalid literal for int()"},
		{[]string{}, "the following arguments are required: operation"},
	} {
		_, err := params(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want an error containing %q", c.args, err, c.want)
		}
		if code := run(t, nil, c.args...).code; code != ExitUsage {
			t.Errorf("%q: exit %d, want %d", c.args, code, ExitUsage)
		}
	}
}

func TestParseGlobals(t *testing.T) {
	g := ParseGlobals([]string{"--endpoint-url", "http://127.0.0.1:4566", "rotate-secret", "--secret-id", "s", "--region=eu-west-1", "--profile", "p", "--no-paginate", "--output", "yaml"})
	want := Globals{Output: "yaml", EndpointURL: "http://127.0.0.1:4566", Region: "eu-west-1", Profile: "p", NoPaginate: true,
		Values: map[string]string{"endpoint-url": "http://127.0.0.1:4566", "region": "eu-west-1", "profile": "p", "output": "yaml", "no-paginate": ""}}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("got %+v\nwant %+v", g, want)
	}
}

func TestXformName(t *testing.T) {
	for in, want := range map[string]string{
		"RotationLambdaARN": "rotation-lambda-arn", "KmsKeyId": "kms-key-id", "SecretIdList": "secret-id-list",
		"ForceDeleteWithoutRecovery": "force-delete-without-recovery", "ListSecretVersionIds": "list-secret-version-ids",
		"BatchGetSecretValue": "batch-get-secret-value", "RemoveFromVersionId": "remove-from-version-id",
	} {
		if got := xformName(in); got != want {
			t.Errorf("xformName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCallerGlobals(t *testing.T) {
	extra := []GlobalOption{{Name: "store", TakesValue: true, Help: "Work on the store file PATH."}, {Name: "offline", Help: "Call nothing."}}
	args := []string{"--store", "/tmp/s.db", "get-random-password", "--offline", "--password-length", "4"}
	g := ParseGlobals(args, extra...)
	if g.Values["store"] != "/tmp/s.db" {
		t.Errorf("store: %+v", g)
	}
	if _, ok := g.Values["offline"]; !ok {
		t.Errorf("offline: %+v", g)
	}
	var out, errb strings.Builder
	opts := Options{Globals: extra}
	if code := RunWith(context.Background(), opts, args, nil, &out, &errb, newService(t)); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	out.Reset()
	if code := RunWith(context.Background(), opts, []string{"--help"}, nil, &out, &errb, nil); code != 0 || !strings.Contains(out.String(), "--store <value>\n      Work on the store file PATH.") {
		t.Errorf("help: %d\n%s", code, out.String())
	}
	if code := Run(context.Background(), args, nil, &out, &errb, newService(t)); code != ExitUsage {
		t.Errorf("without the option declared: exit %d", code)
	}
}

type failingAPI struct{ API }

func (failingAPI) DescribeSecret(context.Context, rotor.DescribeSecretInput) (rotor.DescribeSecretOutput, error) {
	return rotor.DescribeSecretOutput{}, errors.New("dial tcp 127.0.0.1:1: connection refused")
}

func TestExitCodes(t *testing.T) {
	svc := newService(t)
	for _, c := range []struct {
		api  API
		args string
		code int
	}{
		{svc, "get-random-password", ExitOK},
		{svc, "--help", ExitOK},
		{svc, "describe-secret --help", ExitOK},
		{svc, "describe-secret help", ExitOK},
		{svc, "describe-secret --secret-id missing", ExitServiceError},
		{svc, "delete-secret --secret-id x --recovery-window-in-days 3", ExitServiceError},
		{svc, "describe-secret", ExitUsage},
		{svc, "describe-secret --secret-id x --bogus", ExitUsage},
		{svc, "describe-secret --secret-id x extra", ExitUsage},
		{svc, "no-such-operation", ExitUsage},
		{svc, "rotate-secret --secret-id x --rotation-rules a=b=,", ExitUsage},
		{svc, "create-secret --name x --add-replica-regions Region=eu-west-1,Bogus=1", ExitUsage},
		{svc, "replicate-secret-to-regions --secret-id x", ExitUsage},
		{svc, "replicate-secret-to-regions --secret-id missing --add-replica-regions Region=eu-west-1", ExitServiceError},
		{failingAPI{}, "describe-secret --secret-id x", ExitOther},
		{nil, "describe-secret --secret-id x", ExitOther},
	} {
		if r := run(t, c.api, c.args); r.code != c.code {
			t.Errorf("%s: exit %d, want %d (stderr %q)", c.args, r.code, c.code, r.stderr)
		}
	}
	r := run(t, failingAPI{}, "describe-secret --secret-id x")
	if r.stderr != "\ndial tcp 127.0.0.1:1: connection refused\n" {
		t.Errorf("other error: %q", r.stderr)
	}
}
