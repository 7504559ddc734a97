package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
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
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// regionalClient is sdkClient for another Region.
func regionalClient(url, region string) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region: region, BaseEndpoint: aws.String(url),
		Retryer:     retry.AddWithMaxAttempts(retry.NewStandard(), 10),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDBINARY", "binary-secret", ""),
	})
}

// secretState is what a replica must hold of its primary: every version
// with its labels, each version's value, and the tags and description.
func secretState(t *testing.T, ctx context.Context, c *secretsmanager.Client, id string) string {
	t.Helper()
	vs, err := c.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(id), IncludeDeprecated: aws.Bool(true)})
	require.NoError(t, err)
	var lines []string
	for _, v := range vs.Versions {
		got, err := c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(id), VersionId: v.VersionId})
		var notFound *types.ResourceNotFoundException
		if errors.As(err, &notFound) {
			// A rotation's version before createSecret put its value.
			got, err = &secretsmanager.GetSecretValueOutput{SecretString: aws.String("(no value)")}, nil
		}
		require.NoError(t, err)
		stages := slices.Clone(v.VersionStages)
		sort.Strings(stages)
		lines = append(lines, fmt.Sprintf("%s %v %s", *v.VersionId, stages, aws.ToString(got.SecretString)))
	}
	sort.Strings(lines)
	d, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(id)})
	require.NoError(t, err)
	var tags []string
	for _, tag := range d.Tags {
		tags = append(tags, *tag.Key+"="+*tag.Value)
	}
	sort.Strings(tags)
	return fmt.Sprintf("%q %v\n%v", aws.ToString(d.Description), tags, lines)
}

// TestReplicasCatchUpAfterSIGKILLOfServe runs rotor serve on a bbolt file
// with secrets replicated to two Regions, changes the primaries (puts, tags,
// rotations) and kills the server with SIGKILL at random moments, some of
// them between a primary's commit and its replicas' saves. Each time the
// restarted server must bring every replica to exactly its primary's state,
// each acknowledged put included.
func TestReplicasCatchUpAfterSIGKILLOfServe(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts the server 20 times")
	}
	ctx := context.Background()
	store := filepath.Join(t.TempDir(), "replicas.db")
	var url atomic.Pointer[string]
	fn := rotationLambda(t, &url)
	rng := rand.New(rand.NewPCG(3, 4))
	replicas := []string{"eu-west-1", "ap-southeast-2"}
	type version struct{ secret, token string }
	acked := map[version]string{}
	var mu sync.Mutex
	const lambdaARN = "arn:aws:lambda:us-east-1:000000000000:function:replicated"

	var caughtUp atomic.Int32 // restarts that found replicas behind
	start := func() *binary {
		b := startBinary(t, "--store", store, "--lambda-endpoint", fn.URL)
		url.Store(&b.url)
		for _, line := range b.logs {
			if strings.Contains(line, `"msg":"replicas caught up"`) {
				caughtUp.Add(1)
			}
		}
		go drain(b)
		return b
	}
	b := start()
	var secrets []string
	for round := range 20 {
		// A secret per round keeps each below the 100-versions-a-day quota.
		secret := fmt.Sprintf("replicated-%02d", round)
		secrets = append(secrets, secret)
		c := sdkClient(b.url)
		_, err := c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(secret), SecretString: aws.String("v0"),
			AddReplicaRegions: []types.ReplicaRegionType{{Region: aws.String(replicas[0])}, {Region: aws.String(replicas[1])}}})
		require.NoError(t, err)
		wctx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; wctx.Err() == nil; i++ {
				switch i % 6 {
				case 2:
					_, _ = c.TagResource(wctx, &secretsmanager.TagResourceInput{SecretId: aws.String(secret),
						Tags: []types.Tag{{Key: aws.String(fmt.Sprintf("k%d", i%4)), Value: aws.String(fmt.Sprint(i))}}})
				case 4:
					_, _ = c.RotateSecret(wctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(secret), RotationLambdaARN: aws.String(lambdaARN)})
				case 5:
					_, _ = c.UpdateSecret(wctx, &secretsmanager.UpdateSecretInput{SecretId: aws.String(secret), Description: aws.String(fmt.Sprint("update ", i))})
				default:
					tok, value := uuid.NewString(), fmt.Sprintf("round %d put %d", round, i)
					if _, err := c.PutSecretValue(wctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(secret), ClientRequestToken: aws.String(tok), SecretString: aws.String(value)}); err == nil {
						mu.Lock()
						acked[version{secret, tok}] = value
						mu.Unlock()
					}
				}
			}
		}()
		killUnderLoad(t, b, rng, stop, &wg)

		b = start()
		primary := sdkClient(b.url)
		for _, secret := range secrets {
			// A rotation the kill interrupted resumes and changes the
			// primary again: compare once the primary holds still.
			var want string
			require.Eventually(t, func() bool {
				before := secretState(t, ctx, primary, secret)
				d, err := primary.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(secret)})
				require.NoError(t, err)
				for _, r := range d.ReplicationStatus {
					if r.Status != types.StatusTypeInSync {
						return false
					}
				}
				for _, region := range replicas {
					if secretState(t, ctx, regionalClient(b.url, region), secret) != before {
						return false
					}
				}
				want = before
				return secretState(t, ctx, primary, secret) == before
			}, 20*time.Second, 20*time.Millisecond, "round %d: the replicas of %s never reached their primary", round, secret)
			for _, region := range replicas {
				require.Equal(t, want, secretState(t, ctx, regionalClient(b.url, region), secret), "round %d, %s in %s", round, secret, region)
			}
		}
		mu.Lock()
		for v, value := range acked {
			for _, region := range replicas {
				got, err := regionalClient(b.url, region).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(v.secret), VersionId: aws.String(v.token)})
				require.NoError(t, err, "round %d: acknowledged version %s of %s is not in %s", round, v.token, v.secret, region)
				require.Equal(t, value, *got.SecretString)
			}
		}
		mu.Unlock()
	}
	t.Logf("%d acknowledged puts reached both replicas across 20 SIGKILLs; %d secrets were found behind at a restart", len(acked), caughtUp.Load())
	require.Positive(t, caughtUp.Load(), "no kill fell between a commit and its replication: the test proved nothing")
	require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, b.cmd.Wait())
}

// TestServeStartsTheEngineOfEveryStoredRegion leaves a primary in a Region
// other than the server's default with replicas behind it (as a crash
// between its commit and their writes would) and restarts the server: the
// engine of that Region starts with the server, and brings the replicas up
// to date before any request names the Region.
func TestServeStartsTheEngineOfEveryStoredRegion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "regions.db")
	b := startBinary(t, "--store", path)
	west := regionalClient(b.url, "eu-west-1")
	_, err := west.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("regional"), SecretString: aws.String("v1"),
		AddReplicaRegions: []types.ReplicaRegionType{{Region: aws.String("ap-southeast-2")}}})
	require.NoError(t, err)
	b.stop(t)

	// The primary's commit without its replicas' writes.
	st, closeStore, err := openStore(ctx, storeConfig{spec: path, getenv: func(string) string { return "" }, logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	sec, rev, err := st.Load(ctx, "eu-west-1", "regional")
	require.NoError(t, err)
	next := sec.Clone()
	next.Description = "changed while its replicas lagged"
	next.Generation++
	_, err = st.Save(ctx, next, rev)
	require.NoError(t, err)
	require.NoError(t, closeStore())

	b = startBinary(t, "--store", path) // its default Region is us-east-1
	found := func(line string) bool {
		return strings.Contains(line, `"msg":"replicas caught up"`) && strings.Contains(line, ":eu-west-1:")
	}
	deadline := time.After(20 * time.Second)
	for caughtUp := slices.ContainsFunc(b.logs, found); !caughtUp; {
		select {
		case line, ok := <-b.lines:
			require.True(t, ok, "the server exited: %v", b.logs)
			b.logs = append(b.logs, line)
			caughtUp = found(line)
		case <-deadline:
			t.Fatalf("no engine caught up eu-west-1's replicas: %v", b.logs)
		}
	}
	go drain(b)
	d, err := regionalClient(b.url, "ap-southeast-2").DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("regional")})
	require.NoError(t, err)
	require.Equal(t, "changed while its replicas lagged", aws.ToString(d.Description))
}
