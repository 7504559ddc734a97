package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
)

// cannedAPI answers with the responses that testdata/aws was captured
// from: the real aws CLI (Debian's awscli 2.9.19) called a stub endpoint
// that sent these values.
type cannedAPI struct{ API }

func (cannedAPI) DescribeSecret(context.Context, rotor.DescribeSecretInput) (rotor.DescribeSecretOutput, error) {
	enabled := false
	return rotor.DescribeSecretOutput{
		ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:n-abcdef", Name: "n",
		Description: "café </>", RotationEnabled: &enabled,
		LastChangedDate:    time.Unix(1768473000, 0),
		LastAccessedDate:   time.Unix(1768435200, 0),
		Tags:               []rotor.Tag{},
		VersionIdsToStages: map[string][]string{"a": {"AWSCURRENT"}},
		CreatedDate:        time.UnixMilli(1768473000123),
	}, nil
}

func (cannedAPI) GetSecretValue(context.Context, rotor.GetSecretValueInput) (rotor.GetSecretValueOutput, error) {
	return rotor.GetSecretValueOutput{
		ARN: "a", Name: "n", VersionId: "v", SecretBinary: []byte("hello"),
		VersionStages: []string{"AWSCURRENT"}, CreatedDate: time.UnixMilli(1768473000500),
	}, nil
}

func (cannedAPI) RotateSecret(context.Context, rotor.RotateSecretInput) (rotor.RotateSecretOutput, error) {
	return rotor.RotateSecretOutput{}, &rotor.Error{Code: rotor.CodeResourceNotFound, Message: "Secrets Manager can't find the specified secret."}
}

func TestOutputMatchesAWS(t *testing.T) {
	for _, c := range []struct{ args, file string }{
		{"describe-secret --secret-id n", "describe-secret.json"},
		{"describe-secret --secret-id n --output json", "describe-secret.json"},
		{"describe-secret --secret-id n --output yaml", "describe-secret.yaml"},
		{"describe-secret --secret-id n --output text", "describe-secret.text"},
		{"get-secret-value --secret-id n", "get-secret-value.json"},
		{"get-secret-value --secret-id n --output yaml", "get-secret-value.yaml"},
		{"get-secret-value --secret-id n --output text", "get-secret-value.text"},
	} {
		want, err := os.ReadFile(filepath.Join("testdata", "aws", c.file))
		if err != nil {
			t.Fatal(err)
		}
		r := run(t, cannedAPI{}, c.args)
		if r.code != 0 || r.stdout != string(want) {
			t.Errorf("%s: exit %d, stdout:\n%s\nwant:\n%s\nstderr: %s", c.args, r.code, r.stdout, want, r.stderr)
		}
	}
	want, err := os.ReadFile(filepath.Join("testdata", "aws", "describe-secret.query.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, cannedAPI{}, "describe-secret", "--secret-id", "n", "--query", "{N: Name, T: Tags, D: CreatedDate}")
	if r.stdout != string(want) {
		t.Errorf("query: got\n%s\nwant\n%s", r.stdout, want)
	}
	want, err = os.ReadFile(filepath.Join("testdata", "aws", "rotate-secret.stderr"))
	if err != nil {
		t.Fatal(err)
	}
	r = run(t, cannedAPI{}, "rotate-secret --secret-id n")
	if r.code != ExitServiceError || r.stderr != string(want) || r.stdout != "" {
		t.Errorf("rotate-secret: exit %d, stderr %q, want %q", r.code, r.stderr, want)
	}
}
