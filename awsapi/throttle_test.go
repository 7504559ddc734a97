package awsapi_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
)

// gatedStore holds every ListSorted, once armed, until the gate opens; it
// reports each one that waits on entered.
type gatedStore struct {
	*rotor.MemoryStore
	armed   atomic.Bool
	entered chan struct{}
	gate    chan struct{}
}

func (g *gatedStore) ListSorted(ctx context.Context, region string, order rotor.ListOrder, after rotor.ListPosition, limit int) ([]*rotor.Secret, error) {
	if g.armed.Load() {
		g.entered <- struct{}{}
		<-g.gate
	}
	return g.MemoryStore.ListSorted(ctx, region, order, after, limit)
}

// throttleCounter counts the replies refused with ThrottlingException.
func throttleCounter(h http.Handler, n *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if w.Header().Get("X-Amzn-ErrorType") == "ThrottlingException" {
			n.Add(1)
		}
	})
}

func TestListingCallsBeyondMaxConcurrentListsAreThrottledAndTheSDKRetriesThem(t *testing.T) {
	ctx := context.Background()
	st := &gatedStore{MemoryStore: rotor.NewMemoryStore(), entered: make(chan struct{}), gate: make(chan struct{})}
	var throttled atomic.Int64
	ts := httptest.NewServer(throttleCounter(awsapi.NewHandler(awsapi.Config{
		Store: st, MaxConcurrentLists: 1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}), &throttled))
	t.Cleanup(ts.Close)
	once := newClient(ts.URL, "us-east-1", aws.AnonymousCredentials{})
	_, err := once.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("app"), SecretString: aws.String("v"), ClientRequestToken: aws.String(token1)})
	require.NoError(t, err)

	st.armed.Store(true)
	first := make(chan error, 1)
	go func() {
		_, err := once.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
		first <- err
	}()
	<-st.entered // the only slot is taken until the gate opens

	t.Run("a ListSecrets over the bound is refused with ThrottlingException, HTTP 400", func(t *testing.T) {
		_, err := once.ListSecrets(ctx, &secretsmanager.ListSecretsInput{SortBy: types.SortByTypeName})
		assertThrottled(t, err)
	})
	t.Run("so is a BatchGetSecretValue with Filters", func(t *testing.T) {
		_, err := once.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{
			Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"app"}}}})
		assertThrottled(t, err)
	})
	t.Run("calls that list nothing still run", func(t *testing.T) {
		out, err := once.BatchGetSecretValue(ctx, &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"app"}})
		require.NoError(t, err)
		assert.Len(t, out.SecretValues, 1)
		_, err = once.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String("app")})
		require.NoError(t, err)
	})
	t.Run("the SDK's standard retryer retries until a slot is free", func(t *testing.T) {
		retrying := secretsmanager.New(secretsmanager.Options{
			Region: "us-east-1", BaseEndpoint: aws.String(ts.URL), Credentials: aws.AnonymousCredentials{},
			Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 50
				o.RateLimiter = ratelimit.None
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 10 * time.Millisecond, nil })
			}),
		})
		before := throttled.Load()
		done := make(chan error, 1)
		go func() {
			out, err := retrying.ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
			if err == nil && len(out.SecretList) != 1 {
				err = errors.New("the retried call listed the wrong secrets")
			}
			done <- err
		}()
		for throttled.Load() == before {
			time.Sleep(time.Millisecond)
		}
		// Refused at least once; now the first call finishes, and a retry
		// takes its slot.
		st.armed.Store(false)
		close(st.gate)
		require.NoError(t, <-first)
		require.NoError(t, <-done)
	})
}

func assertThrottled(t *testing.T, err error) {
	t.Helper()
	var apiErr smithy.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "ThrottlingException", apiErr.ErrorCode())
	assert.Equal(t, "Rate exceeded", apiErr.ErrorMessage())
	var respErr *awshttp.ResponseError
	require.ErrorAs(t, err, &respErr)
	assert.Equal(t, http.StatusBadRequest, respErr.HTTPStatusCode())
	assert.True(t, retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool(), "the SDK sees a throttle, which it retries")
}
