package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sdkClient is an SDK client of a rotor server whose retryer tries up to ten
// times. Over loopback the Go HTTP transport of the SDK sometimes closes a
// connection while a response larger than one read is still arriving ("use
// of closed network connection" on a 200 the server sent whole; known as
// aws/aws-sdk-go-v2#2737), and the SDK retries that error; every call here
// is idempotent by its ClientRequestToken, so retrying is safe.
func sdkClient(url string) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url),
		Retryer:     retry.AddWithMaxAttempts(retry.NewStandard(), 10),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDBINARY", "binary-secret", ""),
	})
}

// requireSoundLabels checks what every history must keep: one AWSCURRENT,
// AWSPENDING on at most one version (DescribeSecret's map already holds a
// label on one version only), and every acknowledged value where it was put.
func requireSoundLabels(t *testing.T, ctx context.Context, c *secretsmanager.Client, id string) {
	t.Helper()
	d, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
	require.NoError(t, err)
	seen := map[string]int{}
	for _, stages := range d.VersionIdsToStages {
		for _, s := range stages {
			seen[s]++
		}
	}
	for label, n := range seen {
		require.Equal(t, 1, n, "label %s is on %d versions", label, n)
	}
	require.Equal(t, 1, seen["AWSCURRENT"], "exactly one AWSCURRENT")
}

// TestAcknowledgedWritesSurviveSIGKILLOfServe runs rotor serve on a bbolt
// file, drives PutSecretValue and RotateSecret at it, kills it with SIGKILL
// at random moments 50 times, restarts it each time and checks that every
// acknowledged write is there and every label rule holds.
func TestAcknowledgedWritesSurviveSIGKILLOfServe(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts the server 50 times")
	}
	ctx := context.Background()
	store := filepath.Join(t.TempDir(), "crash.db")
	var url atomic.Pointer[string]
	fn := rotationLambda(t, &url)
	rng := rand.New(rand.NewPCG(1, 2))
	type version struct{ secret, token string }
	acked := map[version]string{} // acknowledged put -> value
	var rotations []version       // accepted rotations
	var mu sync.Mutex
	const lambdaARN = "arn:aws:lambda:us-east-1:000000000000:function:crash"

	start := func() *binary {
		b := startBinary(t, "--store", store, "--lambda-endpoint", fn.URL)
		url.Store(&b.url)
		go drain(b)
		return b
	}
	b := start()
	for round := range 50 {
		// A secret per round keeps each below the 100-versions-a-day quota.
		secret := fmt.Sprintf("crash-%02d", round)
		c := sdkClient(b.url)
		_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(secret), SecretString: aws.String("v0")})
		require.NoError(t, err)
		// The writer's calls end with the round: one in flight when the
		// server dies is not acknowledged, and is not retried forever.
		wctx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; wctx.Err() == nil; i++ {
				if i%7 == 3 {
					tok := uuid.NewString()
					if _, err := c.RotateSecret(wctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(secret), ClientRequestToken: aws.String(tok), RotationLambdaARN: aws.String(lambdaARN)}); err == nil {
						mu.Lock()
						rotations = append(rotations, version{secret, tok})
						mu.Unlock()
					}
					continue
				}
				tok, value := uuid.NewString(), fmt.Sprintf("round %d put %d", round, i)
				if _, err := c.PutSecretValue(wctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(secret), ClientRequestToken: aws.String(tok), SecretString: aws.String(value)}); err == nil {
					mu.Lock()
					acked[version{secret, tok}] = value
					mu.Unlock()
				}
			}
		}()
		killUnderLoad(t, b, rng, stop, &wg)

		b = start()
		c = sdkClient(b.url)
		mu.Lock()
		for v, value := range acked {
			got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(v.secret), VersionId: aws.String(v.token)})
			require.NoError(t, err, "round %d: acknowledged version %s of %s is lost", round, v.token, v.secret)
			require.Equal(t, value, *got.SecretString, "round %d", round)
		}
		for _, v := range rotations {
			vs, err := c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(v.secret), IncludeDeprecated: aws.Bool(true)})
			require.NoError(t, err)
			found := slices.ContainsFunc(vs.Versions, func(e types.SecretVersionsListEntry) bool { return *e.VersionId == v.token })
			require.True(t, found, "round %d: accepted rotation %s of %s is lost", round, v.token, v.secret)
		}
		mu.Unlock()
		for r := 0; r <= round; r++ {
			requireSoundLabels(t, ctx, c, fmt.Sprintf("crash-%02d", r))
		}
	}
	t.Logf("%d acknowledged puts and %d accepted rotations survived 50 SIGKILLs", len(acked), len(rotations))
	require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, b.cmd.Wait())
}

// drain reads a server's log lines as they come, so that a long test never
// fills the pipe and blocks the server's logging.
func drain(b *binary) {
	for range b.lines {
	}
}

// TestTwoServersOnOnePostgreSQLKeepTheRules runs two rotor serve processes
// on one PostgreSQL database.
func TestTwoServersOnOnePostgreSQLKeepTheRules(t *testing.T) {
	pgURL := postgresSchemaURL(t)
	ctx := context.Background()
	// Both servers must share the master key.
	env := []string{"ROTOR_ACCESS_KEY_ID=AKIDBINARY", "ROTOR_SECRET_ACCESS_KEY=binary-secret",
		"ROTOR_MASTER_KEY=" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="}
	prefix := "two-" + uuid.NewString()[:8]

	// The rotation function holds createSecret open until every caller has
	// its answer, so the burst meets the rotation in progress.
	var burstDone atomic.Bool
	release := make(chan struct{})
	fn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if !burstDone.Load() {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		_, _ = io.WriteString(w, `{"errorMessage":"held","errorType":"Exception"}`)
	}))
	t.Cleanup(fn.Close)
	t.Cleanup(func() {
		if !burstDone.Swap(true) {
			close(release)
		}
	})
	one := startBinaryEnv(t, env, "--store", pgURL, "--lambda-endpoint", fn.URL)
	two := startBinaryEnv(t, env, "--store", pgURL, "--lambda-endpoint", fn.URL)
	go drain(one)
	go drain(two)
	clients := []*secretsmanager.Client{sdkClient(one.url), sdkClient(two.url)}

	t.Run("100 concurrent rotations split across both servers accept exactly one", func(t *testing.T) {
		name := prefix + "-rot"
		_, err := clients[0].CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("v0")})
		require.NoError(t, err)
		var accepted, refused atomic.Int32
		var wg sync.WaitGroup
		for i := range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := clients[i%2].RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(name),
					RotationLambdaARN: aws.String("arn:aws:lambda:us-east-1:000000000000:function:held")})
				var apiErr smithy.APIError
				switch {
				case err == nil:
					accepted.Add(1)
				case errors.As(err, &apiErr) && apiErr.ErrorCode() == "InvalidRequestException":
					refused.Add(1)
				default:
					t.Errorf("unexpected answer: %v", err)
				}
			}()
		}
		wg.Wait()
		burstDone.Store(true)
		close(release)
		assert.Equal(t, int32(1), accepted.Load())
		assert.Equal(t, int32(99), refused.Load())
		requireSoundLabels(t, ctx, clients[1], name)
	})

	t.Run("1,000 concurrent puts over 20 secrets, retried on the other server, lose none and never make two versions of a token", func(t *testing.T) {
		const secrets, puts = 20, 1000
		for s := range secrets {
			_, err := clients[s%2].CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(fmt.Sprintf("%s-p%02d", prefix, s)), SecretString: aws.String("v0")})
			require.NoError(t, err)
		}
		sem := make(chan struct{}, 32)
		var wg sync.WaitGroup
		for i := range puts {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				in := &secretsmanager.PutSecretValueInput{SecretId: aws.String(fmt.Sprintf("%s-p%02d", prefix, i%secrets)),
					ClientRequestToken: aws.String(fmt.Sprintf("token-%04d-%s", i, uuid.NewString())), SecretString: aws.String(fmt.Sprint("value ", i))}
				var err error
				for attempt := range 6 {
					// A retry goes to the other server with the same token.
					if _, err = clients[(i+attempt)%2].PutSecretValue(ctx, in); err == nil {
						// Replay it once more: an idempotent success, no new version.
						_, err = clients[(i+attempt+1)%2].PutSecretValue(ctx, in)
						break
					}
				}
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
		total := 0
		for s := range secrets {
			vs, err := clients[s%2].ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(fmt.Sprintf("%s-p%02d", prefix, s)), IncludeDeprecated: aws.Bool(true)})
			require.NoError(t, err)
			assert.Len(t, vs.Versions, puts/secrets+1, "every put is a version, once")
			total += len(vs.Versions) - 1
			requireSoundLabels(t, ctx, clients[(s+1)%2], fmt.Sprintf("%s-p%02d", prefix, s))
		}
		assert.Equal(t, puts, total)
	})
}

// postgresSchemaURL returns the test database's URL with a search_path of a
// new schema, dropped when the test ends: the servers under test then meet
// none of the tables other tests (or older checkouts) left in the database.
// Without a database the test is skipped, loudly, unless CI=true.
func postgresSchemaURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("ROTOR_TEST_POSTGRES_URL")
	if url == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ROTOR_TEST_POSTGRES_URL is not set; .ci/run starts PostgreSQL and sets it")
		}
		t.Skip("SKIPPED: ROTOR_TEST_POSTGRES_URL is not set; the PostgreSQL test did not run")
	}
	ctx := context.Background()
	schema := "serve_" + strings.ReplaceAll(uuid.NewString()[:13], "-", "")
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	quoted := pgx.Identifier{schema}.Sanitize()
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+quoted)
	require.NoError(t, err)
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Logf("cannot drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+quoted+" CASCADE"); err != nil {
			t.Logf("cannot drop schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}

// killUnderLoad lets the writers run for 10 to 160 ms, SIGKILLs the server
// among their requests, then stops the writers and waits for them.
func killUnderLoad(t *testing.T, b *binary, rng *rand.Rand, stop context.CancelFunc, writers *sync.WaitGroup) {
	t.Helper()
	time.Sleep(time.Duration(10+rng.IntN(150)) * time.Millisecond)
	require.NoError(t, b.cmd.Process.Kill())
	_ = b.cmd.Wait()
	stop()
	writers.Wait()
}
