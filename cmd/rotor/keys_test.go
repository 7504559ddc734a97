package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serveMustRefuse runs rotor serve in the test's working directory and
// returns its standard error once it exits, failing the test if it still
// runs after 30 seconds (it started serving what it should have refused).
func serveMustRefuse(t *testing.T, args ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := buildBinary()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, args...)...)
	cmd.Env = append(os.Environ(), "ROTOR_ACCESS_KEY_ID=AKIDBINARY", "ROTOR_SECRET_ACCESS_KEY=binary-secret", "ROTOR_MASTER_KEY=", "ROTOR_KEYS=")
	cmd.Dir = workDir(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	require.Error(t, err, "serve started instead of refusing: %s", stderr.String())
	require.NoError(t, ctx.Err(), "serve kept running instead of refusing: %s", stderr.String())
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.ExitCode())
	return stderr.String()
}

// sdkOf is an SDK client of a binary, without retries.
func sdkOf(b *binary) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(b.url), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKIDBINARY", "binary-secret", ""),
	})
}

// stopped sends SIGTERM and waits for a clean exit, keeping the logs.
func stopped(t *testing.T, b *binary) string {
	t.Helper()
	require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
	for line := range b.lines {
		b.logs = append(b.logs, line)
	}
	require.NoError(t, b.cmd.Wait())
	return strings.Join(b.logs, "\n")
}

func TestADeletedKeysFileStopsServeInsteadOfBeingReplaced(t *testing.T) {
	ctx := context.Background()
	dir := workDir(t)
	b := startBinary(t)
	_, err := sdkOf(b).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("kept"), SecretString: aws.String("value-before")})
	require.NoError(t, err)
	logs := stopped(t, b)
	assert.Contains(t, logs, `"msg":"created a new store file"`, "the first start says it made the store")

	keys := filepath.Join(dir, "rotor.db.keys")
	saved, err := os.ReadFile(keys)
	require.NoError(t, err)
	require.NoError(t, os.Remove(keys))

	stderr := serveMustRefuse(t)
	assert.Contains(t, stderr, "aws/secretsmanager (secret us-east-1/kept, for one)")
	assert.Contains(t, stderr, "The keys file rotor.db.keys does not exist")
	assert.Contains(t, stderr, "Restore the keys file from a backup, or point --keys at the file that holds these keys")
	assert.NoFileExists(t, keys, "no new key replaces the lost one")

	// The backup comes back: everything is there, and new writes work.
	require.NoError(t, os.WriteFile(keys, saved, 0o600))
	again := startBinary(t)
	got, err := sdkOf(again).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("kept")})
	require.NoError(t, err)
	assert.Equal(t, "value-before", *got.SecretString)
	_, err = sdkOf(again).PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String("kept"), SecretString: aws.String("value-after")})
	require.NoError(t, err)
	assert.NotContains(t, stopped(t, again), "value-")
}

func TestServeRefusesTheKeysFileOfAnotherStore(t *testing.T) {
	ctx := context.Background()
	dir := workDir(t)
	b := startBinary(t)
	_, err := sdkOf(b).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("kept"), SecretString: aws.String("v")})
	require.NoError(t, err)
	stopped(t, b)

	other := "aws/secretsmanager " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)) + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "other.keys"), []byte(other), 0o600))
	stderr := serveMustRefuse(t, "--keys", "other.keys")
	assert.Contains(t, stderr, "the keys file other.keys holds other keys than the ones the store's secrets were sealed with: aws/secretsmanager (secret us-east-1/kept, for one)")
	assert.Contains(t, stderr, "point --keys at it")
}

func TestServeRefusesToStartANewStoreBesideTheKeysOfAMissingOne(t *testing.T) {
	dir := workDir(t)
	b := startBinary(t)
	stopped(t, b)
	require.NoError(t, os.Rename(filepath.Join(dir, "rotor.db"), filepath.Join(dir, "moved.db")))
	stderr := serveMustRefuse(t)
	assert.Contains(t, stderr, "--store rotor.db does not exist, but its keys file rotor.db.keys does")
	assert.NoFileExists(t, filepath.Join(dir, "rotor.db"))
}

func TestServeRefusesAnEmptyStoreFileWhoseKeysSayItHeldSecrets(t *testing.T) {
	dir := workDir(t)
	b := startBinary(t)
	stopped(t, b)
	require.NoError(t, os.Truncate(filepath.Join(dir, "rotor.db"), 0))
	stderr := serveMustRefuse(t)
	assert.Contains(t, stderr, "--store rotor.db is empty (0 bytes) and its master keys (aws/secretsmanager) say it held secrets: its data is lost. Restore it from a backup")
	info, err := os.Stat(filepath.Join(dir, "rotor.db"))
	require.NoError(t, err)
	assert.Zero(t, info.Size(), "the file is left as it was")
}

func TestServeStartsANewStoreInAnEmptyFileThatNoKeyWasMadeFor(t *testing.T) {
	dir := workDir(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "rotor.db"), nil, 0o600))
	b := startBinary(t)
	logs := stopped(t, b)
	assert.Contains(t, logs, "the store file is empty and no master key exists for it")
	assert.FileExists(t, filepath.Join(dir, "rotor.db.keys"))
}

func TestServeRefusesAStoreFileCutShort(t *testing.T) {
	ctx := context.Background()
	dir := workDir(t)
	b := startBinary(t)
	for _, name := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		_, err := sdkOf(b).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(strings.Repeat(name, 5000))})
		require.NoError(t, err)
	}
	stopped(t, b)
	path := filepath.Join(dir, "rotor.db")
	info, err := os.Stat(path)
	require.NoError(t, err)
	require.NoError(t, os.Truncate(path, info.Size()/2))
	stderr := serveMustRefuse(t)
	assert.Contains(t, stderr, "rotor serve: --store rotor.db: bolt: open rotor.db: ")
	assert.Contains(t, stderr, "restore the file from a backup")
	assert.NotContains(t, stderr, "SIGBUS")
	assert.NotContains(t, stderr, "panic")
}

func TestAnOperationRefusesAStorePathThatDoesNotExist(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := rotorCmd(t, "list-secrets", "--store", filepath.Join(dir, "typo.db"))
	assert.Equal(t, 255, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "no such store file; an operation never creates a store")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "neither a store nor a keys file was created")
}

func TestHelpAndSkeletonsOpenNoStore(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "not-yet.db")
	for _, line := range [][]string{
		{"describe-secret", "--store", store, "--help"},
		{"create-secret", "--store", store, "--generate-cli-skeleton"},
		{"get-random-password", "--store", store, "--generate-cli-skeleton", "output"},
	} {
		code, out, errOut := rotorCmd(t, line...)
		assert.Equal(t, 0, code, "%v: %s", line, errOut)
		assert.NotEmpty(t, out, "%v", line)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

func TestAnOperationRefusesAStoreWhoseKeysFileIsGone(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "local.db")
	newLocalStore(t, store)
	code, _, errOut := rotorCmd(t, "create-secret", "--store", store, "--name", "kept", "--secret-string", "v")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, os.Remove(store+".keys"))
	code, _, errOut = rotorCmd(t, "get-secret-value", "--store", store, "--secret-id", "kept")
	assert.Equal(t, 255, code)
	assert.Contains(t, errOut, "aws/secretsmanager (secret us-east-1/kept, for one)")
	assert.NoFileExists(t, store+".keys")
}

// TestOneKeysFileHoldsTheOldAndTheNewMasterKey rotates the master key as an
// operator would: add a key to the keys file, move each secret to it (which
// seals its versions again), and retire the old key once the start-up check
// no longer finds it in use.
func TestOneKeysFileHoldsTheOldAndTheNewMasterKey(t *testing.T) {
	dir := t.TempDir()
	store, keys := filepath.Join(dir, "local.db"), filepath.Join(dir, "local.db.keys")
	newLocalStore(t, store)
	ok := func(line ...string) string {
		t.Helper()
		code, out, errOut := rotorCmd(t, append(line, "--store", store)...)
		require.Equal(t, 0, code, "%v: %s", line, errOut)
		return out
	}
	ok("create-secret", "--name", "old", "--secret-string", "sealed-under-the-old-key")
	old, err := os.ReadFile(keys)
	require.NoError(t, err)
	next := "alias/rotor-2026 " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{42}, 32)) + "\n"
	require.NoError(t, os.WriteFile(keys, append(old, next...), 0o600))

	ok("create-secret", "--name", "new", "--kms-key-id", "alias/rotor-2026", "--secret-string", "sealed-under-the-new-key")
	assert.Equal(t, "sealed-under-the-old-key\n", ok("get-secret-value", "--secret-id", "old", "--query", "SecretString", "--output", "text"), "old envelopes still open")
	ok("update-secret", "--secret-id", "old", "--kms-key-id", "alias/rotor-2026")
	ok("put-secret-value", "--secret-id", "old", "--secret-string", "second-value")

	// The old key is no longer used: a keys file without it is enough.
	require.NoError(t, os.WriteFile(keys, []byte(next), 0o600))
	assert.Equal(t, "sealed-under-the-old-key\n", ok("get-secret-value", "--secret-id", "old", "--version-stage", "AWSPREVIOUS", "--query", "SecretString", "--output", "text"))
	assert.Equal(t, "sealed-under-the-new-key\n", ok("get-secret-value", "--secret-id", "new", "--query", "SecretString", "--output", "text"))
}

// newLocalStore makes a store file and its keys file as the first start of
// rotor serve does.
func newLocalStore(t *testing.T, path string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store, closeStore, err := openStore(ctx, storeConfig{spec: path, create: true, region: "us-east-1", getenv: func(string) string { return "" }, logger: discardLogger()})
	require.NoError(t, err)
	require.NotNil(t, store)
	require.NoError(t, closeStore())
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// A secret sealed under a key that is gone for good need not keep the rest
// from being served: with --allow-missing-keys, the server starts, lists and
// describes every secret, reads the others, answers DecryptionFailure for
// that secret's values, and deletes it.
func TestAllowMissingKeysServesEverythingButTheLostValues(t *testing.T) {
	ctx := context.Background()
	dir := workDir(t)
	keys := filepath.Join(dir, "rotor.db.keys")
	b := startBinary(t)
	client := sdkOf(b)
	_, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app/good"), SecretString: aws.String("good-value")})
	require.NoError(t, err)
	stopped(t, b)
	first, err := os.ReadFile(keys)
	require.NoError(t, err)
	team := "alias/team " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)) + "\n"
	require.NoError(t, os.WriteFile(keys, append(append([]byte{}, first...), team...), 0o600))
	b = startBinary(t)
	_, err = sdkOf(b).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("team/db"), KmsKeyId: aws.String("alias/team"), SecretString: aws.String("team-value")})
	require.NoError(t, err)
	stopped(t, b)

	require.NoError(t, os.WriteFile(keys, first, 0o600)) // alias/team is lost
	stderr := serveMustRefuse(t)
	assert.Contains(t, stderr, "alias/team")
	assert.Contains(t, stderr, "--allow-missing-keys")

	b = startBinary(t, "--allow-missing-keys")
	client = sdkOf(b)
	list, err := client.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	require.NoError(t, err)
	assert.Len(t, list.SecretList, 2)
	_, err = client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("team/db")})
	require.NoError(t, err)
	good, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/good")})
	require.NoError(t, err)
	assert.Equal(t, "good-value", *good.SecretString)
	_, err = client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("team/db")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "DecryptionFailure")
	_, err = client.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("team/db"), ForceDeleteWithoutRecovery: aws.Bool(true)})
	require.NoError(t, err)
	stopped(t, b)

	// Nothing sealed under the lost key is left: serve starts without the flag.
	b = startBinary(t)
	list, err = sdkOf(b).ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	require.NoError(t, err)
	assert.Len(t, list.SecretList, 1)
}
