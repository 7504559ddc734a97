package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// requiredArgs are the arguments each operation needs before the aws CLI
// prints its output skeleton (testdata/skeleton was captured with these).
var requiredArgs = map[string]string{
	"create-secret":                   "--name n",
	"put-secret-value":                "--secret-id x",
	"get-secret-value":                "--secret-id x",
	"batch-get-secret-value":          "",
	"update-secret":                   "--secret-id x",
	"update-secret-version-stage":     "--secret-id x --version-stage s",
	"rotate-secret":                   "--secret-id x",
	"cancel-rotate-secret":            "--secret-id x",
	"describe-secret":                 "--secret-id x",
	"list-secret-version-ids":         "--secret-id x",
	"list-secrets":                    "",
	"delete-secret":                   "--secret-id x",
	"restore-secret":                  "--secret-id x",
	"get-random-password":             "",
	"tag-resource":                    "--secret-id x --tags Key=a,Value=b",
	"untag-resource":                  "--secret-id x --tag-keys a",
	"get-resource-policy":             "--secret-id x",
	"put-resource-policy":             "--secret-id x --resource-policy p",
	"delete-resource-policy":          "--secret-id x",
	"validate-resource-policy":        "--resource-policy p",
	"replicate-secret-to-regions":     "--secret-id x --add-replica-regions Region=r",
	"remove-regions-from-replication": "--secret-id x --remove-replica-regions r",
	"stop-replication-to-replica":     "--secret-id x",
}

// The golden files in testdata/skeleton are what the aws CLI (Debian's
// awscli 2.9.19) prints for the same command lines. That aws CLI has no
// batch-get-secret-value: its input skeleton is aws-cli 1.45's with the first
// enum value where aws-cli 1 picks one at random, as aws CLI v2 does.
func TestSkeletonsMatchAWS(t *testing.T) {
	m := loadModel()
	if len(requiredArgs) != len(m.Operations) {
		t.Fatalf("requiredArgs lists %d operations, the model %d", len(requiredArgs), len(m.Operations))
	}
	for op, req := range requiredArgs {
		t.Run(op, func(t *testing.T) {
			for _, c := range []struct{ args, file string }{
				{op + " --generate-cli-skeleton", op + ".input.json"},
				{op + " --generate-cli-skeleton input", op + ".input.json"},
				{op + " --generate-cli-skeleton yaml-input", op + ".yaml-input.yaml"},
				{op + " " + req + " --generate-cli-skeleton output", op + ".output.json"},
			} {
				want, err := os.ReadFile(filepath.Join("testdata", "skeleton", c.file))
				if os.IsNotExist(err) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				r := run(t, nil, c.args)
				if r.code != 0 || r.stdout != string(want) {
					t.Errorf("%s: exit %d, stdout:\n%s\nwant:\n%s\nstderr: %s", c.args, r.code, r.stdout, want, r.stderr)
				}
			}
			want, err := os.ReadFile(filepath.Join("testdata", "skeleton", op+".output.stderr"))
			if err == nil {
				args := op + " " + req + " --generate-cli-skeleton output"
				r := run(t, nil, args)
				if r.code != ExitUsage || r.stderr != string(want) || r.stdout != "" {
					t.Errorf("%s: exit %d, stderr:\n%q\nwant:\n%q", args, r.code, r.stderr, want)
				}
			}
		})
	}
}

func TestSkeletonOutputNeedsRequiredArgs(t *testing.T) {
	r := run(t, nil, "rotate-secret --generate-cli-skeleton output")
	if r.code != ExitUsage || !strings.Contains(r.stderr, "the following arguments are required: --secret-id") {
		t.Errorf("got %d %q", r.code, r.stderr)
	}
	r = run(t, nil, "rotate-secret --generate-cli-skeleton bogus")
	if r.code != ExitUsage {
		t.Errorf("bad skeleton choice: exit %d", r.code)
	}
}

// A skeleton read back with --cli-input-json and --cli-input-yaml parses.
func TestSkeletonRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for op := range requiredArgs {
		for _, kind := range []string{"input", "yaml-input"} {
			r := run(t, nil, op+" --generate-cli-skeleton "+kind)
			path := filepath.Join(dir, op+"."+kind)
			if err := os.WriteFile(path, []byte(r.stdout), 0o600); err != nil {
				t.Fatal(err)
			}
			flag := "--cli-input-json"
			if kind == "yaml-input" {
				flag = "--cli-input-yaml"
			}
			inv, err := parseArgs(loadModel(), []string{op, flag, "file://" + path})
			if err != nil {
				// Skeleton values may break the model's constraints; they
				// must still parse.
				if ue, ok := err.(*usageError); !ok || !strings.Contains(ue.msg, "Parameter validation failed") {
					t.Errorf("%s %s: %v", op, kind, err)
				}
				continue
			}
			if len(inv.params) == 0 && op != "get-random-password" {
				t.Errorf("%s %s: no params read", op, kind)
			}
		}
	}
}
