package rotor_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A SecretId names a secret by its name, its complete ARN or a partial ARN
// (without the hyphen and six characters that end every secret's ARN). An
// ARN ending with a hyphen and six letters or digits is read as complete,
// as AWS reads it, so a secret whose own name ends that way is found only
// by its name or its complete ARN.
func TestSecretIdResolution(t *testing.T) {
	ctx := context.Background()
	svc := rotor.New(rotor.NewMemoryStore(), rotor.WithRandom(newSeededReader(3)))
	plain, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db/prod", SecretString: "p"})
	require.NoError(t, err)
	tricky, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "app-a1b2c3", SecretString: "t"})
	require.NoError(t, err)
	dotted, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "cfg-ab.cde", SecretString: "d"})
	require.NoError(t, err)
	prefix := "arn:aws:secretsmanager:us-east-1:000000000000:secret:"
	tests := []struct {
		name, id string
		want     string // the ARN found; "" for ResourceNotFoundException
	}{
		{"a name names its secret", "db/prod", plain.ARN},
		{"a complete ARN names its secret", plain.ARN, plain.ARN},
		{"a partial ARN names the secret of that name", prefix + "db/prod", plain.ARN},
		{"a complete ARN with another suffix names nothing", prefix + "db/prod-ZZZZZZ", ""},
		{"a name with the suffix appended names nothing", strings.TrimPrefix(plain.ARN, prefix), ""},
		{"an ARN of another region names nothing", strings.Replace(plain.ARN, "us-east-1", "eu-west-1", 1), ""},
		{"an ARN of another account names nothing", strings.Replace(plain.ARN, "000000000000", "111111111111", 1), ""},
		{"a name ending like a suffix is found by name", "app-a1b2c3", tricky.ARN},
		{"and by its complete ARN", tricky.ARN, tricky.ARN},
		{"but its partial ARN reads as a complete one and names nothing", prefix + "app-a1b2c3", ""},
		{"a partial ARN whose last six characters cannot be a suffix is partial", prefix + "cfg-ab.cde", dotted.ARN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := svc.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: tt.id})
			if tt.want == "" {
				requireCode(t, err, rotor.CodeResourceNotFound)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.ARN)
		})
	}
}
