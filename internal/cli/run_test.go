package cli

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// transcript runs command lines in order against one service and records
// each one's exit status, stdout and stderr.
func transcript(t *testing.T, api API, lines [][]string) string {
	t.Helper()
	var b strings.Builder
	for _, args := range lines {
		r := run(t, api, args...)
		fmt.Fprintf(&b, "$ rotor %s\n", strings.Join(args, " "))
		b.WriteString(r.stdout)
		if r.stderr != "" {
			b.WriteString("[stderr]" + r.stderr)
		}
		fmt.Fprintf(&b, "[exit %d]\n\n", r.code)
	}
	return b.String()
}

func words(s string) []string { return strings.Fields(s) }

// The life of a secret through every operation, printed as the aws CLI
// prints it.
func TestGoldenLifecycle(t *testing.T) {
	svc := newService(t)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}`
	lines := [][]string{
		words("create-secret --name MyTestDatabaseSecret --description db --secret-string {\"user\":\"admin\"} --tags Key=team,Value=core Key=env,Value=prod"),
		words("get-secret-value --secret-id MyTestDatabaseSecret"),
		words("put-secret-value --secret-id MyTestDatabaseSecret --client-request-token EXAMPLE1-90ab-cdef-fedc-ba987SECRET1 --secret-string second --version-stages AWSCURRENT staged"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --rotation-lambda-arn " + testLambda + " --rotation-rules AutomaticallyAfterDays=10"),
		words("rotate-secret --secret-id MyTestDatabaseSecret"),
		words("describe-secret --secret-id MyTestDatabaseSecret"),
		words("list-secret-version-ids --secret-id MyTestDatabaseSecret --include-deprecated"),
		words("update-secret-version-stage --secret-id MyTestDatabaseSecret --version-stage staged --remove-from-version-id EXAMPLE1-90ab-cdef-fedc-ba987SECRET1"),
		words("update-secret --secret-id MyTestDatabaseSecret --description updated"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --rotation-rules AutomaticallyAfterDays=10,Duration=2h --no-rotate-immediately"),
		{"rotate-secret", "--secret-id", "MyTestDatabaseSecret", "--rotation-rules", `{"ScheduleExpression": "cron(0 16 1,15 * ? *)", "Duration": "2h"}`},
		words("cancel-rotate-secret --secret-id MyTestDatabaseSecret"),
		words("tag-resource --secret-id MyTestDatabaseSecret --tags [{\"Key\":\"owner\",\"Value\":\"me\"}]"),
		words("untag-resource --secret-id MyTestDatabaseSecret --tag-keys env owner"),
		{"put-resource-policy", "--secret-id", "MyTestDatabaseSecret", "--resource-policy", policy, "--block-public-policy"},
		words("get-resource-policy --secret-id MyTestDatabaseSecret"),
		{"validate-resource-policy", "--resource-policy", policy},
		words("delete-resource-policy --secret-id MyTestDatabaseSecret"),
		words("create-secret --name other --secret-binary aGVsbG8="),
		words("batch-get-secret-value --secret-id-list MyTestDatabaseSecret other missing"),
		words("list-secrets --filters Key=name,Values=My"),
		words("list-secrets --sort-order desc --query SecretList[].Name --output text"),
		words("delete-secret --secret-id MyTestDatabaseSecret --recovery-window-in-days 7"),
		words("get-secret-value --secret-id MyTestDatabaseSecret"),
		words("restore-secret --secret-id MyTestDatabaseSecret"),
		words("delete-secret --secret-id other --force-delete-without-recovery"),
		words("get-random-password --password-length 20 --exclude-punctuation --no-include-space"),
	}
	golden(t, "lifecycle.txt", transcript(t, svc, lines))
}

// The two examples of the rotate-secret page, and its errors.
func TestGoldenRotateSecret(t *testing.T) {
	svc := newService(t)
	lines := [][]string{
		words("create-secret --name MyTestDatabaseSecret --secret-string s3cr3t"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --rotation-lambda-arn " + testLambda + " --rotation-rules AutomaticallyAfterDays=10"),
		words("rotate-secret --secret-id MyTestDatabaseSecret"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --client-request-token 01234567-89ab-cdef-0123-456789abcdef --output yaml"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --client-request-token 01234567-89ab-cdef-0123-456789abcdef --output text"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --query VersionId --output text"),
		words("rotate-secret --secret-id nope"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --rotation-rules AutomaticallyAfterDays=0"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --rotation-rules AutomaticallyAfterDays=1,ScheduleExpression=rate(4hours)"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --rotation-rules AutomaticallyAfterDays"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --rotation-rules Days=3"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --bogus"),
		words("rotate-secret --rotation-rules AutomaticallyAfterDays=3"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --cli-input-json {} --cli-input-yaml {}"),
		words("rotate-secret --cli-input-json {}"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --rotation-rules {bad"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --output xml"),
		words("rotate-secret --secret-id MyTestDatabaseSecret --query [["),
	}
	golden(t, "rotate-secret.txt", transcript(t, svc, lines))
}

func TestGoldenHelp(t *testing.T) {
	r := run(t, nil, "--help")
	if r.code != 0 {
		t.Fatalf("--help: exit %d", r.code)
	}
	golden(t, "help.txt", r.stdout)
	r = run(t, nil, "rotate-secret --help")
	if r.code != 0 {
		t.Fatalf("rotate-secret --help: exit %d", r.code)
	}
	golden(t, "rotate-secret-help.txt", r.stdout)
}

// Every operation's help names every flag it accepts.
func TestHelpDescribesEveryFlag(t *testing.T) {
	m := loadModel()
	main := run(t, nil, "--help").stdout
	for _, op := range m.Operations {
		name := xformName(op.Name)
		if !strings.Contains(main, "  "+name+"\n") {
			t.Errorf("rotor --help does not list %s", name)
		}
		help := run(t, nil, name+" --help").stdout
		for _, a := range arguments(m, op) {
			if a.hidden {
				continue
			}
			flag := "--" + a.name + " ("
			if a.isBool() {
				flag = "--" + a.name + " | --no-" + a.name + " ("
			}
			if !strings.Contains(help, flag) {
				t.Errorf("%s --help does not describe %s", name, flag)
			}
		}
		for _, f := range []string{"--cli-input-json | --cli-input-yaml", "--generate-cli-skeleton", "--output", "--query"} {
			if !strings.Contains(help, f) {
				t.Errorf("%s --help does not describe %s", name, f)
			}
		}
	}
}

// Replication from the primary's Region, then the replica promoted from its
// own, printed as the aws CLI prints it.
func TestGoldenReplication(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC)}
	store := rotor.NewMemoryStore()
	primary := rotor.New(store, rotor.WithClock(clock.now), rotor.WithRandom(rand.New(rand.NewSource(1))))
	replica := rotor.New(store, rotor.WithRegion("eu-west-1"), rotor.WithClock(clock.now), rotor.WithRandom(rand.New(rand.NewSource(2))))
	var b strings.Builder
	for _, step := range []struct {
		api  API
		line string
	}{
		{primary, "create-secret --name db --secret-string s3cr3t --add-replica-regions Region=eu-west-1"},
		{primary, "replicate-secret-to-regions --secret-id db --add-replica-regions Region=eu-central-1,KmsKeyId=alias/eu Region=eu-west-1"},
		{primary, "replicate-secret-to-regions --secret-id db --add-replica-regions Region=EU_1"},
		{primary, "describe-secret --secret-id db --query ReplicationStatus"},
		{replica, "describe-secret --secret-id db --query [PrimaryRegion,Name]"},
		{replica, "get-secret-value --secret-id db --query SecretString"},
		{replica, "put-secret-value --secret-id db --secret-string changed"},
		{primary, "stop-replication-to-replica --secret-id db"},
		{primary, "delete-secret --secret-id db"},
		{primary, "replicate-secret-to-regions --secret-id db --add-replica-regions Region=ap-south-2 --query ReplicationStatus[-1]"},
		{primary, "remove-regions-from-replication --secret-id db --remove-replica-regions eu-central-1"},
		{replica, "stop-replication-to-replica --secret-id db"},
		{replica, "describe-secret --secret-id db --query [PrimaryRegion,ReplicationStatus]"},
		{replica, "put-secret-value --secret-id db --secret-string changed --query Name"},
		{primary, "describe-secret --secret-id db --query ReplicationStatus"},
		{primary, "delete-secret --secret-id db --force-delete-without-recovery --query Name"},
	} {
		b.WriteString(transcript(t, step.api, [][]string{words(step.line)}))
	}
	golden(t, "replication.txt", b.String())
}
