package awsapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
)

// builds counts the services Config.NewService builds, per region: the
// regions a Handler keeps.
type builds struct {
	mu     sync.Mutex
	counts map[string]int
}

// config returns a Config over store whose NewService counts into b.
func (b *builds) config(store rotor.Store) awsapi.Config {
	b.counts = map[string]int{}
	return awsapi.Config{Store: store, NewService: func(opts ...rotor.Option) *rotor.Service {
		s := rotor.New(store, opts...)
		b.mu.Lock()
		b.counts[s.Region()]++
		b.mu.Unlock()
		return s
	}}
}

func (b *builds) of(region string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.counts[region]
}

func (b *builds) regions() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.counts)
}

// regionClient signs with the test key for region.
func regionClient(s *server, region string) *secretsmanager.Client {
	return newClient(s.url, region, credentials.NewStaticCredentialsProvider(testKeyID, testSecret, ""))
}

// apiCode returns the error code of an SDK error, "" for none.
func apiCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func TestRequestsInRegionsWithoutSecretsKeepNothing(t *testing.T) {
	ctx := context.Background()
	var b builds
	store := rotor.NewMemoryStore()
	s := newServer(t, b.config(store), true)

	// More made-up regions than the table holds, each named by signed
	// reads and by writes that fail.
	for i := 1; i <= awsapi.MaxRegions+8; i++ {
		c := regionClient(s, fmt.Sprintf("us-east-%d", 100+i))
		_, err := c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
		require.NoError(t, err)
		_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("x")})
		assert.Equal(t, "ResourceNotFoundException", apiCode(err))
		_, err = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("bad name!"), SecretString: aws.String("v")})
		assert.Equal(t, "ValidationException", apiCode(err))
		_, err = c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String("x")})
		assert.Equal(t, "ResourceNotFoundException", apiCode(err))
		_, err = c.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{})
		require.NoError(t, err)
	}
	assert.Zero(t, b.regions(), "no region was kept, no service built")

	// A real region is then served as ever.
	eu := regionClient(s, "eu-central-2")
	created, err := eu.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("v")})
	require.NoError(t, err)
	assert.Contains(t, *created.ARN, ":eu-central-2:")
	assert.Equal(t, 1, b.of("eu-central-2"), "the region is kept once a secret is written there")
	_, err = eu.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db2"), SecretString: aws.String("v")})
	require.NoError(t, err)
	got, err := eu.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})
	require.NoError(t, err)
	assert.Equal(t, "v", *got.SecretString)
	assert.Equal(t, 1, b.of("eu-central-2"), "and its service built once")
	assert.Equal(t, 1, b.regions())
}

func TestARegionWithStoredSecretsIsKeptWhenARequestNamesIt(t *testing.T) {
	ctx := context.Background()
	store := rotor.NewMemoryStore()
	var before builds
	s := newServer(t, before.config(store), true)
	_, err := regionClient(s, "eu-west-1").CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("db"), SecretString: aws.String("v")})
	require.NoError(t, err)

	// A restart: a new Handler over the same store.
	var after builds
	restarted := newServer(t, after.config(store), true)
	_, err = regionClient(restarted, "eu-west-1").DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("missing")})
	assert.Equal(t, "ResourceNotFoundException", apiCode(err))
	assert.Equal(t, 1, after.of("eu-west-1"), "the region holds secrets: its service is built before the request runs")
	got, err := regionClient(restarted, "eu-west-1").GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db")})
	require.NoError(t, err)
	assert.Equal(t, "v", *got.SecretString)
	assert.Equal(t, 1, after.of("eu-west-1"))
}

func TestTheRegionTableFillsOnlyWithRegionsThatHoldSecrets(t *testing.T) {
	ctx := context.Background()
	var b builds
	store := rotor.NewMemoryStore()
	s := newServer(t, b.config(store), true)
	for i := 1; i <= awsapi.MaxRegions; i++ {
		_, err := regionClient(s, fmt.Sprintf("ap-south-%d", i)).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("v")})
		require.NoError(t, err)
	}
	require.Equal(t, awsapi.MaxRegions, b.regions())

	full := regionClient(s, "sa-east-1")
	_, err := full.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("v")})
	var limit *types.LimitExceededException
	require.ErrorAs(t, err, &limit)
	assert.Equal(t, "This server already serves 64 regions; it serves no more.", limit.ErrorMessage())
	listed, err := store.List(ctx, "sa-east-1", rotor.Cursor{}, 1)
	require.NoError(t, err)
	assert.Empty(t, listed, "nothing written")
	_, err = full.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	assert.NoError(t, err, "a read needs no slot")
	_, err = regionClient(s, "ap-south-1").CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("t"), SecretString: aws.String("v")})
	assert.NoError(t, err, "a kept region still takes writes")
	assert.Equal(t, awsapi.MaxRegions, b.regions())
}

func TestConcurrentFirstWritesKeepARegionOnce(t *testing.T) {
	ctx := context.Background()
	var b builds
	s := newServer(t, b.config(rotor.NewMemoryStore()), true)
	c := regionClient(s, "ap-northeast-3")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(fmt.Sprintf("s%d", i)), SecretString: aws.String("v")})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 1, b.of("ap-northeast-3"))
	list, err := c.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
	require.NoError(t, err)
	assert.Len(t, list.SecretList, 8)
}

func TestRegionNamesMustHaveAWSForm(t *testing.T) {
	ctx := context.Background()
	for _, signed := range []bool{false, true} {
		t.Run(fmt.Sprint("signed=", signed), func(t *testing.T) {
			var b builds
			s := newServer(t, b.config(rotor.NewMemoryStore()), signed)
			for _, region := range []string{"us-east-1", "eu-central-2", "ap-southeast-4", "us-gov-west-1", "cn-north-1", "us-iso-east-1",
				"us-isob-east-1", "il-central-1", "mx-central-1", "eusc-de-east-1", "eu-isoe-west-1", "us-isof-south-1"} {
				t.Run(region+" is a region", func(t *testing.T) {
					out, err := regionClient(s, region).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("v")})
					require.NoError(t, err)
					assert.Contains(t, *out.ARN, ":"+region+":")
				})
			}
			code := "IncompleteSignatureException"
			if signed {
				code = "InvalidSignatureException"
			}
			for _, region := range []string{"local", "US-EAST-1", "us-east", "us-east-1a", "mars-north-1", "us_east_1", "us-east-1-",
				"us--1", "useast1", "gov-west-1", "us-East-1", "us-east-" + strings.Repeat("1", 30), "eusc-fr-east-1", "us-east-1 "} {
				t.Run(strconv.Quote(region)+" is refused", func(t *testing.T) {
					// Signed by hand: the SDK refuses such regions itself.
					req, err := http.NewRequest(http.MethodPost, s.url+"/", strings.NewReader(`{}`))
					require.NoError(t, err)
					req.Header.Set("Content-Type", "application/x-amz-json-1.1")
					req.Header.Set("X-Amz-Target", "secretsmanager.ListSecrets")
					sum := sha256.Sum256([]byte(`{}`))
					creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
					require.NoError(t, v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "secretsmanager", region, time.Now()))
					status, m, _ := do(t, req)
					assert.Equal(t, http.StatusBadRequest, status)
					assert.Equal(t, code, m["__type"])
					assert.Contains(t, m["Message"], "Credential should be scoped to a valid region, not \"")
					assert.Contains(t, m["Message"], "a region name is a partition's prefix")
				})
			}
			assert.Equal(t, 12, b.regions(), "only the valid regions were kept")
			_, err := s.handler.Service("local")
			assert.ErrorContains(t, err, `"local" is not a region name`)
		})
	}
}

func TestAMalformedRegionIsNamedButCut(t *testing.T) {
	s := newServer(t, awsapi.Config{}, false)
	req, err := http.NewRequest(http.MethodPost, s.url+"/", strings.NewReader(`{}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.ListSecrets")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=k/20260101/"+strings.Repeat("x", 500)+"/secretsmanager/aws4_request, SignedHeaders=host, Signature=00")
	status, m, _ := do(t, req)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "IncompleteSignatureException", m["__type"])
	assert.Less(t, len(m["Message"].(string)), 400)
}

// savePanics panics on every save in a region whose name starts with me-,
// as a buggy Store would.
type savePanics struct{ rotor.Store }

func (s savePanics) Save(ctx context.Context, sec *rotor.Secret, expect rotor.Revision) (rotor.Revision, error) {
	if strings.HasPrefix(sec.Region(), "me-") {
		panic("store bug")
	}
	return s.Store.Save(ctx, sec, expect)
}

func TestACreateSecretThatPanicsFreesItsRegionSlot(t *testing.T) {
	ctx := context.Background()
	var b builds
	s := newServer(t, b.config(savePanics{rotor.NewMemoryStore()}), true)
	for i := 1; i <= awsapi.MaxRegions+1; i++ {
		_, err := regionClient(s, fmt.Sprintf("me-south-%d", i)).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("v")})
		require.Equal(t, "InternalServiceError", apiCode(err))
	}
	_, err := regionClient(s, "eu-west-3").CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("s"), SecretString: aws.String("v")})
	require.NoError(t, err)
	assert.Equal(t, 1, b.regions())
}
