package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
)

// binary is a running rotor serve.
type binary struct {
	cmd   *exec.Cmd
	url   string
	lines chan string
	logs  []string
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
	buildDir  string
)

// buildBinary builds the command once per test run.
func buildBinary() (string, error) {
	buildOnce.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = err
			return
		}
		if buildDir, buildErr = os.MkdirTemp("", "rotor-bin-"); buildErr != nil {
			return
		}
		builtBin = filepath.Join(buildDir, "rotor")
		build := exec.Command(goTool, "build", "-o", builtBin, ".")
		build.Stderr = os.Stderr
		buildErr = build.Run()
	})
	return builtBin, buildErr
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// startBinary builds the command (once) and runs
// rotor serve with args and the environment pair AKIDBINARY/binary-secret.
func startBinary(t *testing.T, args ...string) *binary {
	t.Helper()
	return startBinaryEnv(t, []string{"ROTOR_ACCESS_KEY_ID=AKIDBINARY", "ROTOR_SECRET_ACCESS_KEY=binary-secret"}, args...)
}

// startBinaryEnv runs rotor serve with args and env added to the
// environment.
func startBinaryEnv(t *testing.T, env []string, args ...string) *binary {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := buildBinary()
	require.NoError(t, err)

	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	// The default store is rotor.db in the working directory: keep it in
	// the test's own folder unless the test chose one.
	cmd.Dir = workDir(t)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	b := &binary{cmd: cmd, lines: make(chan string, 1000)}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			b.lines <- sc.Text()
		}
		close(b.lines)
	}()
	deadline := time.After(30 * time.Second)
	for b.url == "" {
		select {
		case line, ok := <-b.lines:
			require.True(t, ok, "the server exited: %v", b.logs)
			b.logs = append(b.logs, line)
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == "listening" {
				b.url, _ = rec["url"].(string)
				assert.Equal(t, true, rec["signed"])
			}
		case <-deadline:
			t.Fatalf("the server did not listen: %v", b.logs)
		}
	}
	return b
}

// stop sends SIGTERM, waits for the exit and returns all the logs.
func (b *binary) stop(t *testing.T) string {
	t.Helper()
	require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
	for line := range b.lines {
		b.logs = append(b.logs, line)
	}
	require.NoError(t, b.cmd.Wait(), "a clean exit after SIGTERM")
	return strings.Join(b.logs, "\n")
}

func TestTheBinaryServesTheSDKAndStopsCleanlyOnSIGTERM(t *testing.T) {
	b := startBinary(t)
	ctx := context.Background()
	c := secretsmanager.New(secretsmanager.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(b.url), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKIDBINARY", "binary-secret", ""),
	})
	_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("bin"), SecretString: aws.String("binary-value")})
	require.NoError(t, err)
	got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("bin")})
	require.NoError(t, err)
	assert.Equal(t, "binary-value", *got.SecretString)

	all := b.stop(t)
	assert.Contains(t, all, `"msg":"stopped"`)
	assert.Contains(t, all, `"operation":"GetSecretValue"`)
	assert.NotContains(t, all, "binary-value")
	assert.NotContains(t, all, "binary-secret")
}

// awsCommand returns a runner of the aws command against url, with its own
// empty configuration, or skips the test when aws is not installed.
func awsCommand(t *testing.T, url string) func(args ...string) map[string]any {
	awsTool := requireAWS(t)
	dir := t.TempDir()
	return func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(awsTool, append([]string{"--endpoint-url", url, "--output", "json"}, args...)...)
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "AWS_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID=AKIDBINARY", "AWS_SECRET_ACCESS_KEY=binary-secret",
			"AWS_DEFAULT_REGION=us-west-2", "AWS_CONFIG_FILE="+filepath.Join(dir, "config"),
			"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"))
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		var m map[string]any
		require.NoError(t, json.Unmarshal(out, &m), "%s", out)
		return m
	}
}

// TestTheAWSCommandWorksUnchanged runs the aws command (botocore signs
// differently from the Go SDK: no Content-Length) when it is installed.
func TestTheAWSCommandWorksUnchanged(t *testing.T) {
	requireAWS(t)
	b := startBinary(t)
	run := awsCommand(t, b.url)
	created := run("secretsmanager", "create-secret", "--name", "MyTestDatabaseSecret", "--secret-string", `{"username":"u","password":"p"}`)
	assert.Contains(t, created["ARN"], "arn:aws:secretsmanager:us-west-2:000000000000:secret:MyTestDatabaseSecret-")
	got := run("secretsmanager", "get-secret-value", "--secret-id", "MyTestDatabaseSecret")
	assert.Equal(t, `{"username":"u","password":"p"}`, got["SecretString"])
	desc := run("secretsmanager", "describe-secret", "--secret-id", created["ARN"].(string))
	assert.Equal(t, "MyTestDatabaseSecret", desc["Name"])
	b.stop(t)
}

// rotationLambda is a Lambda Invoke API whose every function rotates as
// AWS's template does, calling rotor back through the SDK at url.
func rotationLambda(t *testing.T, url *atomic.Pointer[string]) *httptest.Server {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev rotor.RotationEvent
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil || !strings.HasSuffix(r.URL.Path, "/invocations") {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		c := secretsmanager.New(secretsmanager.Options{Region: "us-west-2", BaseEndpoint: url.Load(), Retryer: aws.NopRetryer{},
			Credentials: credentials.NewStaticCredentialsProvider("AKIDBINARY", "binary-secret", "")})
		if err := templateStep(r.Context(), c, ev); err != nil {
			w.Header().Set("X-Amz-Function-Error", "Unhandled")
			_ = json.NewEncoder(w).Encode(map[string]string{"errorMessage": err.Error(), "errorType": "Exception"})
			return
		}
		_, _ = io.WriteString(w, "null")
	}))
	t.Cleanup(ts.Close)
	return ts
}

// templateStep checks the secret as the template does before each step,
// fills the placeholder in createSecret and moves AWSCURRENT in finishSecret.
func templateStep(ctx context.Context, c *secretsmanager.Client, ev rotor.RotationEvent) error {
	d, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: &ev.SecretId})
	if err != nil {
		return err
	}
	stages := d.VersionIdsToStages[ev.ClientRequestToken]
	switch {
	case d.RotationEnabled == nil || !*d.RotationEnabled:
		return errors.New("rotation is not enabled")
	case slices.Contains(stages, "AWSCURRENT"):
		return nil
	case !slices.Contains(stages, "AWSPENDING"):
		return errors.New("the version is not AWSPENDING")
	}
	switch ev.Step {
	case rotor.StepCreateSecret:
		_, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &ev.SecretId, VersionId: &ev.ClientRequestToken})
		var notFound *types.ResourceNotFoundException
		if !errors.As(err, &notFound) {
			return err
		}
		_, err = c.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: &ev.SecretId, ClientRequestToken: &ev.ClientRequestToken,
			SecretString: aws.String(`{"username":"u","password":"rotated-` + ev.ClientRequestToken[:8] + `"}`), VersionStages: []string{"AWSPENDING"}})
		return err
	case rotor.StepFinishSecret:
		for id, st := range d.VersionIdsToStages {
			if slices.Contains(st, "AWSCURRENT") {
				_, err := c.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: &ev.SecretId,
					VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: &ev.ClientRequestToken, RemoveFromVersionId: aws.String(id)})
				return err
			}
		}
	}
	return nil
}

// TestTheRotateSecretExamplesRunVerbatim runs both examples of the
// rotate-secret reference page with the aws command, through a rotation
// Lambda served over the Lambda Invoke API.
func TestTheRotateSecretExamplesRunVerbatim(t *testing.T) {
	requireAWS(t)
	// The Lambda learns rotor's address once rotor listens; the aws
	// command runs in another process, so the race detector sees no order.
	var url atomic.Pointer[string]
	fn := rotationLambda(t, &url)
	b := startBinary(t, "--lambda-endpoint", fn.URL)
	url.Store(&b.url)
	run := awsCommand(t, b.url)
	created := run("secretsmanager", "create-secret", "--name", "MyTestDatabaseSecret", "--secret-string", `{"username":"u","password":"p"}`)

	// Example 1: configure and start automatic rotation.
	first := run("secretsmanager", "rotate-secret",
		"--secret-id", "MyTestDatabaseSecret",
		"--rotation-lambda-arn", "arn:aws:lambda:us-west-2:1234566789012:function:SecretsManagerTestRotationLambda",
		"--rotation-rules", "AutomaticallyAfterDays=10")
	assert.Equal(t, created["ARN"], first["ARN"])
	assert.Equal(t, "MyTestDatabaseSecret", first["Name"])
	require.NotEmpty(t, first["VersionId"])
	// The server's engine rotates after rotate-secret answered.
	require.Eventually(t, func() bool {
		cur := run("secretsmanager", "get-secret-value", "--secret-id", "MyTestDatabaseSecret")
		return first["VersionId"] == cur["VersionId"]
	}, 30*time.Second, 50*time.Millisecond, "the first rotation finished")

	// Example 2: rotate immediately with the stored configuration.
	second := run("secretsmanager", "rotate-secret",
		"--secret-id", "MyTestDatabaseSecret")
	assert.Equal(t, created["ARN"], second["ARN"])
	assert.Equal(t, "MyTestDatabaseSecret", second["Name"])
	require.NotEmpty(t, second["VersionId"])
	assert.NotEqual(t, first["VersionId"], second["VersionId"])
	require.Eventually(t, func() bool {
		cur := run("secretsmanager", "get-secret-value", "--secret-id", "MyTestDatabaseSecret")
		return second["VersionId"] == cur["VersionId"]
	}, 30*time.Second, 50*time.Millisecond, "the second rotation finished")
	desc := run("secretsmanager", "describe-secret", "--secret-id", "MyTestDatabaseSecret")
	assert.Equal(t, map[string]any{"AutomaticallyAfterDays": float64(10)}, desc["RotationRules"])
	assert.Equal(t, true, desc["RotationEnabled"])
	b.stop(t)
}

func TestServeRefusesWhatItCannotDoSafely(t *testing.T) {
	t.Setenv("ROTOR_ACCESS_KEY_ID", "")
	t.Setenv("ROTOR_SECRET_ACCESS_KEY", "")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a non-loopback address without credentials", []string{"--addr", "0.0.0.0:0"}, "not a loopback address"},
		{"an empty host without credentials", []string{"--addr", ":0"}, "not a loopback address"},
		{"a store file in a folder that does not exist", []string{"--store", "/nonexistent/dir/rotor.db"}, "--store /nonexistent/dir/rotor.db"},
		{"a bad log level", []string{"--log-level", "loud"}, "--log-level"},
		{"a bad log format", []string{"--log-format", "xml"}, "--log-format"},
		{"a missing credentials file", []string{"--credentials", "/nonexistent/creds"}, "--credentials"},
		{"stray arguments", []string{"extra"}, "unexpected arguments"},
		{"a Lambda endpoint that is not a URL", []string{"--lambda-endpoint", "127.0.0.1:3001"}, "--lambda-endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := serve(context.Background(), tt.args, &stderr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestServeListensAnywhereWhenTold(t *testing.T) {
	t.Chdir(t.TempDir()) // the default store is created in the working directory
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--addr", "0.0.0.0:0", "--insecure-listen-any", "--log-level", "error"}, io.Discard)
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	assert.NoError(t, <-done)
}

func TestCredentialsComeFromAFileAndTheEnvironment(t *testing.T) {
	file := filepath.Join(t.TempDir(), "creds")
	require.NoError(t, os.WriteFile(file, []byte("# keys\nAKID1 secret1\n\n  AKID2   secret2  \n"), 0o600))
	env := map[string]string{"ROTOR_ACCESS_KEY_ID": "AKID3", "ROTOR_SECRET_ACCESS_KEY": "secret3"}
	creds, principals, err := loadCredentials(file, "000000000000", func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"AKID1": "secret1", "AKID2": "secret2", "AKID3": "secret3"}, creds)
	assert.Nil(t, principals, "the line format leaves authorization off")

	require.NoError(t, os.WriteFile(file, []byte("AKID1\n"), 0o600))
	_, _, err = loadCredentials(file, "000000000000", func(string) string { return "" })
	assert.ErrorContains(t, err, "line 1")
	_, _, err = loadCredentials("", "000000000000", func(k string) string { return map[string]string{"ROTOR_ACCESS_KEY_ID": "x"}[k] })
	assert.ErrorContains(t, err, "both")
}

func TestLoopbackAddresses(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8000": true, "[::1]:8000": true, "localhost:1": true,
		"0.0.0.0:8000": false, ":8000": false, "10.0.0.1:80": false, "example.com:80": false, "garbage": false,
	} {
		assert.Equal(t, want, loopback(addr), addr)
	}
}

func TestRunNamesItsCommands(t *testing.T) {
	var stderr bytes.Buffer
	assert.Equal(t, 252, run(context.Background(), nil, &stderr), "no operation is bad usage, as for the aws CLI")
	assert.Contains(t, stderr.String(), "rotor serve")
	stderr.Reset()
	assert.Equal(t, 252, run(context.Background(), []string{"frobnicate"}, &stderr))
	assert.Contains(t, stderr.String(), "rotate-secret")
	assert.Contains(t, stderr.String(), "rotor serve")
}

func TestSIGTERMFinishesTheRequestsInFlight(t *testing.T) {
	b := startBinary(t)
	// A signed request whose body is still arriving when SIGTERM comes: the
	// server must stop accepting connections, yet read and answer this one.
	addr := strings.TrimPrefix(b.url, "http://")
	body := `{"Name":"in-flight","SecretString":"v","ClientRequestToken":"11111111-2222-3333-4444-555555555555"}`
	sum := sha256.Sum256([]byte(body))
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, b.url+"/", pr)
	require.NoError(t, err)
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.CreateSecret")
	creds := aws.Credentials{AccessKeyID: "AKIDBINARY", SecretAccessKey: "binary-secret"}
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "secretsmanager", "us-east-1", time.Now()))
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	written := make(chan error, 1)
	go func() { written <- req.Write(conn) }()
	_, err = io.WriteString(pw, body[:10])
	require.NoError(t, err)
	time.Sleep(100 * time.Millisecond) // the server has the request's head
	require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
	time.Sleep(200 * time.Millisecond) // the server is shutting down, the request still in flight
	_, err = io.WriteString(pw, body[10:])
	require.NoError(t, err)
	require.NoError(t, pw.Close())
	require.NoError(t, <-written)
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	require.NoError(t, err, "the request in flight was answered")
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusOK, resp.StatusCode, string(answer))
	assert.Contains(t, string(answer), `"Name":"in-flight"`)
	for line := range b.lines {
		b.logs = append(b.logs, line)
	}
	require.NoError(t, b.cmd.Wait())
	assert.Contains(t, strings.Join(b.logs, "\n"), `"msg":"stopped"`)
}

// requireAWS returns the path of the aws command. Without it the test skips
// loudly on a developer's machine and fails in CI (CI=true), where .ci/run
// installs it.
func requireAWS(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("the aws command is not installed; .ci/run installs Debian's awscli package")
	}
	t.Skip("SKIPPED: the aws command is not installed (apt-get install awscli); the aws CLI compatibility tests did not run")
	return ""
}

// workDirs remembers a test's chosen working directory for its binaries.
var workDirs sync.Map

// workDir is the working directory of the binaries a test starts: one
// temporary folder per test, so that restarts see the same files.
func workDir(t *testing.T) string {
	if d, ok := workDirs.Load(t.Name()); ok {
		return d.(string)
	}
	d := t.TempDir()
	workDirs.Store(t.Name(), d)
	return d
}

func TestTheDefaultStoreKeepsSecretsEncryptedAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	client := func(b *binary) *secretsmanager.Client {
		return secretsmanager.New(secretsmanager.Options{
			Region: "us-east-1", BaseEndpoint: aws.String(b.url), Retryer: aws.NopRetryer{},
			Credentials: credentials.NewStaticCredentialsProvider("AKIDBINARY", "binary-secret", ""),
		})
	}
	b := startBinary(t)
	_, err := client(b).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("kept"), SecretString: aws.String("plaintext-that-must-not-be-on-disk")})
	require.NoError(t, err)
	require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
	for range b.lines {
	}
	require.NoError(t, b.cmd.Wait())

	dir := workDir(t)
	for name, mode := range map[string]os.FileMode{"rotor.db": 0o600, "rotor.db.keys": 0o600} {
		info, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err, name)
		assert.Equal(t, mode, info.Mode().Perm(), name)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "rotor.db"))
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "plaintext-that-must-not-be-on-disk", "values are encrypted at rest")

	again := startBinary(t)
	v, err := client(again).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("kept")})
	require.NoError(t, err)
	assert.Equal(t, "plaintext-that-must-not-be-on-disk", *v.SecretString)
}
