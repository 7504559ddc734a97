package encrypted_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/encrypted"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func b64(b byte) string {
	return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, encrypted.KeySize))
}

func TestLoadKeyringFileReadsIdsAndBase64Keys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys")
	content := "# a comment\n\n" +
		"aws/secretsmanager " + b64(1) + "\n" +
		"  arn:aws:kms:us-east-1:123456789012:key/abc\t" + b64(2) + "  \n"
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	k, err := encrypted.LoadKeyringFile(path)
	require.NoError(t, err)
	assert.Equal(t, []string{"arn:aws:kms:us-east-1:123456789012:key/abc", "aws/secretsmanager"}, k.IDs())
	assert.NotContains(t, k.String(), b64(1), "a keyring never prints its keys")
}

func TestLoadKeyringFileRefusesBadFiles(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		mode          os.FileMode
	}{
		{"a file others may read", "aws/secretsmanager " + b64(1) + "\n", 0o644},
		{"a key that is not base64", "aws/secretsmanager not-base64!\n", 0o600},
		{"a key of 16 bytes", "aws/secretsmanager " + base64.StdEncoding.EncodeToString(make([]byte, 16)) + "\n", 0o600},
		{"a line without a key", "aws/secretsmanager\n", 0o600},
		{"one id given two keys", "aws/secretsmanager " + b64(1) + "\nalias/aws/secretsmanager " + b64(2) + "\n", 0o600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys")
			require.NoError(t, os.WriteFile(path, []byte(tc.content), tc.mode))
			require.NoError(t, os.Chmod(path, tc.mode))
			_, err := encrypted.LoadKeyringFile(path)
			assert.Error(t, err)
			if err != nil {
				assert.NotContains(t, err.Error(), b64(1), "errors never show a key")
			}
		})
	}
}

func TestKeyringFromEnvReadsTheMasterKeyAndMoreKeys(t *testing.T) {
	env := map[string]string{
		encrypted.EnvMasterKey: b64(1),
		encrypted.EnvKeys:      "alias/payments=" + b64(2) + ",\narn:aws:kms:eu-west-1:123456789012:key/x=" + b64(3),
	}
	k, err := encrypted.KeyringFromEnv(func(name string) string { return env[name] })
	require.NoError(t, err)
	assert.Equal(t, []string{"alias/payments", "arn:aws:kms:eu-west-1:123456789012:key/x", "aws/secretsmanager"}, k.IDs())

	env[encrypted.EnvKeys] = "alias/payments"
	_, err = encrypted.KeyringFromEnv(func(name string) string { return env[name] })
	assert.ErrorContains(t, err, encrypted.EnvKeys)

	k, err = encrypted.KeyringFromEnv(func(string) string { return "" })
	require.NoError(t, err)
	assert.Empty(t, k.IDs(), "unset variables add nothing")
}

func TestEnsureKeyFileCreatesAPrivateDefaultKeyOnceAndKeepsIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rotor.keys")
	created, err := encrypted.EnsureKeyFile(path, rand.Reader)
	require.NoError(t, err)
	assert.True(t, created)
	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	first, err := os.ReadFile(path)
	require.NoError(t, err)

	k, err := encrypted.LoadKeyringFile(path)
	require.NoError(t, err)
	assert.Equal(t, []string{encrypted.DefaultKeyID}, k.IDs())

	created, err = encrypted.EnsureKeyFile(path, rand.Reader)
	require.NoError(t, err)
	assert.False(t, created, "an existing key file is left alone")
	again, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, first, again, "the key never changes once made")

	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")
}

func TestAKeyringNeverPrintsItsKeys(t *testing.T) {
	k := encrypted.NewKeyring()
	key := []byte("0123456789abcdef0123456789abcdef")
	require.NoError(t, k.Add(encrypted.DefaultKeyID, key))
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		type holder struct{ keys encrypted.Keyring }
		for _, arg := range []any{k, *k, holder{*k}, &holder{*k}, []*encrypted.Keyring{k}} {
			out := fmt.Sprintf(format, arg)
			assert.NotContains(t, out, "0123456789abcdef", format)
			assert.NotContains(t, out, "3031323334353637", format)
			assert.NotContains(t, out, "48 49 50 51", format)
		}
	}
}

func TestMergeAddsEveryKeyAndRefusesClashes(t *testing.T) {
	a, b := encrypted.NewKeyring(), encrypted.NewKeyring()
	require.NoError(t, a.Add(encrypted.DefaultKeyID, bytes.Repeat([]byte{1}, encrypted.KeySize)))
	require.NoError(t, b.Add("alias/payments", bytes.Repeat([]byte{2}, encrypted.KeySize)))
	require.NoError(t, a.Merge(b))
	assert.Equal(t, []string{"alias/payments", encrypted.DefaultKeyID}, a.IDs())

	c := encrypted.NewKeyring()
	require.NoError(t, c.Add(encrypted.DefaultKeyID, bytes.Repeat([]byte{3}, encrypted.KeySize)))
	assert.Error(t, a.Merge(c))
}

func TestAKeysFileOfSeveralKeysOpensWhatEachSealed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rotor.keys")
	content := "aws/secretsmanager " + b64(1) + "\nalias/rotor-2026 " + b64(2) + "\n"
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	keys, err := encrypted.LoadKeyringFile(path)
	require.NoError(t, err)
	ctx := context.Background()
	inner := rotor.NewMemoryStore()
	svc := rotor.New(encrypted.New(inner, keys))
	_, err = svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "old", SecretString: "under-the-default-key"})
	require.NoError(t, err)
	_, err = svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "new", KmsKeyId: "alias/rotor-2026", SecretString: "under-the-new-key"})
	require.NoError(t, err)

	// A new server reads both with the same file.
	again := rotor.New(encrypted.New(inner, keys))
	for name, want := range map[string]string{"old": "under-the-default-key", "new": "under-the-new-key"} {
		got, err := again.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: name})
		require.NoError(t, err)
		assert.Equal(t, want, got.SecretString)
	}
	in, err := encrypted.Inspect(ctx, inner, keys, "us-east-1")
	require.NoError(t, err)
	assert.Equal(t, []string{"alias/rotor-2026", encrypted.DefaultKeyID}, in.KeyIDs)
	assert.True(t, in.OK())
}
