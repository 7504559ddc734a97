package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// awsCLI returns the path of an aws CLI v2, or skips the test.
func awsCLI(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("ROTOR_AWS_CLI"), "/usr/bin/aws", "aws"} {
		if p == "" {
			continue
		}
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		out, err := exec.Command(path, "--version").Output()
		if err == nil && strings.HasPrefix(string(out), "aws-cli/2.") {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no aws CLI v2 here: .ci/run installs Debian's awscli, and CI must compare against it")
	}
	t.Skip("SKIPPED: no aws CLI v2 here (Debian: apt-get install awscli); the comparison with the real aws CLI did not run")
	return ""
}

// maxItemsWarning is what the aws CLI prints for a --max-items of 0 or less.
const maxItemsWarning = "warning: Non-positive values for --max-items may result in undefined behavior.\n"

var uuidRE = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// The real aws CLI and Run, each against its own copy of the same
// deterministic service, print the same thing for the same command lines
// (version ids, which each client makes up, compared by shape).
func TestSameAsRealAWS(t *testing.T) {
	aws := awsCLI(t)
	env := []string{"AWS_ACCESS_KEY_ID=AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent", "AWS_PAGER=", "TZ=UTC",
		"AWS_EC2_METADATA_DISABLED=true", "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	awsSrv := wireServer(t, newService(t))
	rotorSrv := wireServer(t, newService(t))
	remote, err := NewRemote(context.Background(), ParseGlobals([]string{"--endpoint-url", rotorSrv.URL}))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	yamlInput := dir + "/in.yaml"
	if err := os.WriteFile(yamlInput, []byte("SecretId: MyTestDatabaseSecret\nVersionStage: AWSPREVIOUS\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	valueFile := dir + "/value.txt"
	if err := os.WriteFile(valueFile, []byte("{\"password\": \"p\u00e9\\\\/\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	odd := "  lead: 'quote' \"dq\" - # x\n\n  tail \u00e9\u2028 end "
	lines := [][]string{
		{"create-secret", "--name", "odd", "--secret-string", odd, "--description", "-", "--tags", "Key=yes,Value=no", "Key=~,Value=null", "Key=1.5,Value=0x1F", "Key=2026-01-01,Value=@at"},
		words("get-secret-value --secret-id odd --output yaml --query [SecretString,Name]"),
		words("describe-secret --secret-id odd --output yaml --query [Description,Tags]"),
		words("create-secret --name MyTestDatabaseSecret --client-request-token EXAMPLE1-90ab-cdef-fedc-ba987SECRET1 --secret-string s3cr3t --description café --tags Key=a,Value=b Key=c,Value=d"),
		words("get-secret-value --secret-id MyTestDatabaseSecret"),
		words("put-secret-value --secret-id MyTestDatabaseSecret --client-request-token EXAMPLE2-90ab-cdef-fedc-ba987SECRET2 --secret-binary aGVsbG8= --version-stages AWSCURRENT extra"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --rotation-lambda-arn " + testLambda + " --rotation-rules AutomaticallyAfterDays=10 --client-request-token EXAMPLE3-90ab-cdef-fedc-ba987SECRET3"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --client-request-token EXAMPLE4-90ab-cdef-fedc-ba987SECRET4"),
		words("describe-secret --secret-id MyTestDatabaseSecret"),
		words("describe-secret --secret-id MyTestDatabaseSecret --output yaml"),
		words("describe-secret --secret-id MyTestDatabaseSecret --output text"),
		{"describe-secret", "--secret-id", "MyTestDatabaseSecret", "--query", "{Name: Name, Rules: RotationRules, Tags: Tags[?Key=='a']}"},
		words("list-secret-version-ids --secret-id MyTestDatabaseSecret --include-deprecated"),
		words("list-secrets"),
		words("list-secrets --filters Key=name,Values=My --output text"),
		words("list-secrets --max-items 1"),
		words("list-secrets --max-items 1 --output text"),
		words("list-secrets --max-items 1 --output yaml"),
		words("list-secrets --page-size 1 --output text"),
		words("list-secrets --page-size 1 --query SecretList[].Name"),
		words("list-secrets --max-items -1 --query SecretList[].Name"),
		words("list-secrets --max-items -1"),
		words("list-secrets --max-items -1 --page-size 1 --output text"),
		words("list-secrets --max-items 0"),
		words("list-secrets --max-items -2 --starting-token eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAtMX0= --query SecretList[].Name"),
		words("list-secrets --max-items -1 --starting-token eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAtMX0= --query SecretList[].Name"),
		words("list-secrets --no-paginate --max-items 3"),
		words("list-secrets --max-results 1 --max-items -3 --page-size 2"),
		words("list-secrets --no-paginate --max-items 0"),
		words("list-secrets --cli-connect-timeout abc"),
		words("describe-secret --secret-id x --cli-read-timeout -1"),
		words("list-secrets --cli-connect-timeout 0 --cli-read-timeout 5 --query length(SecretList)"),
		words("tag-resource --secret-id MyTestDatabaseSecret --tags Key=e,Value=f"),
		words("untag-resource --secret-id MyTestDatabaseSecret --tag-keys a e"),
		words("cancel-rotate-secret --secret-id MyTestDatabaseSecret"),
		words("delete-secret --secret-id MyTestDatabaseSecret"),
		words("get-secret-value --secret-id MyTestDatabaseSecret"),
		words("restore-secret --secret-id MyTestDatabaseSecret"),
		words("rotate-secret --secret-id nope"),
		words("update-secret-version-stage --secret-id MyTestDatabaseSecret --version-stage AWSCURRENT --remove-from-version-id 01234567-89ab-cdef-0123-456789abcdef"),
		words("delete-secret --secret-id MyTestDatabaseSecret --force-delete-without-recovery"),
		words("get-random-password --password-length 8 --query length(RandomPassword)"),
		words("rotate-secret --secret-id x --rotation-rules AutomaticallyAfterDays"),
		words("rotate-secret --secret-id x --rotation-rules Foo=1"),
		words("rotate-secret --cli-input-json {}"),
		words("put-secret-value --secret-id MyTestDatabaseSecret --secret-binary abc"),
		words("put-secret-value --secret-id MyTestDatabaseSecret --secret-binary a@GVsbG8= --client-request-token EXAMPLE6-90ab-cdef-fedc-ba987SECRET6"),
		words("create-secret --name second --client-request-token EXAMPLE5-90ab-cdef-fedc-ba987SECRET5 --secret-string file://" + valueFile),
		words("get-secret-value --secret-id second"),
		words("get-secret-value --secret-id second --output text"),
		words("get-secret-value --secret-id second --output yaml"),
		words("get-secret-value --cli-input-yaml file://" + yamlInput),
		words("get-secret-value --cli-input-yaml file://" + yamlInput + " --secret-id second"),
		words("get-secret-value --secret-id second --query Nothing"),
		words("get-secret-value --secret-id second --query Nothing --output text"),
		words("get-secret-value --secret-id second --query VersionStages --output text"),
		words("list-secret-version-ids --secret-id second --output text"),
		{"put-resource-policy", "--secret-id", "second", "--resource-policy", policy, "--block-public-policy"},
		words("get-resource-policy --secret-id second"),
		{"validate-resource-policy", "--resource-policy", policy},
		words("validate-resource-policy --resource-policy {}"),
		words("delete-resource-policy --secret-id second"),
		words("delete-secret --secret-id second --recovery-window-in-days 7 --force-delete-without-recovery"),
		{"update-secret", "--secret-id", "second", "--description", "new " + strings.Repeat("long words and more words, ", 8) + "\ttab: # x", "--kms-key-id", "alias/x"},
		words("describe-secret --secret-id second"),
		words("describe-secret --secret-id second --output yaml"),
		words("describe-secret --secret-id second --output yaml --query Description"),
		words("describe-secret --secret-id second --output yaml --query [Name,Tags,VersionIdsToStages]"),
		words("list-secrets --output yaml --query SecretList[].[Name,Tags[0]]"),
		words("list-secrets --include-planned-deletion --sort-order desc --query SecretList[].[Name,Description] --output text"),
		words("list-secrets --filters Key=description,Values=new Key=tag-key,Values=zz,yy --no-paginate"),
		words("get-random-password --password-length 2 --exclude-lowercase --exclude-uppercase --exclude-punctuation --query length(RandomPassword)"),
	}
	for _, args := range lines {
		cmd := exec.Command(aws, append([]string{"--endpoint-url", awsSrv.URL, "secretsmanager"}, args...)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		got := RunWith(context.Background(), Options{Location: time.UTC}, args, nil, &out, &errb, remote)
		norm := func(s string) string { return uuidRE.ReplaceAllString(s, "<uuid>") }
		if got != code || norm(out.String()) != norm(stdout.String()) {
			t.Errorf("%s:\nrotor (exit %d):\n%s%s\naws (exit %d):\n%s%s", strings.Join(args, " "), got, out.String(), errb.String(), code, stdout.String(), stderr.String())
			continue
		}
		rotorErr := errb.String()
		if !strings.HasPrefix(stderr.String(), maxItemsWarning) {
			// Older aws CLI v2 releases (Debian bookworm ships 2.9) do not warn yet.
			rotorErr = strings.TrimPrefix(rotorErr, maxItemsWarning)
		}
		if code == ExitServiceError && rotorErr != stderr.String() {
			t.Errorf("%s: stderr\nrotor: %q\naws:   %q", strings.Join(args, " "), errb.String(), stderr.String())
		}
		if (code == ExitUsage || code == ExitOther) && !strings.HasPrefix(stderr.String(), "usage:") && rotorErr != stderr.String() {
			t.Errorf("%s: stderr\nrotor: %q\naws:   %q", strings.Join(args, " "), rotorErr, stderr.String())
		}
	}
}
