package cache_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/cache"
)

// clock is a test's time: it moves only when the test says.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// remote is an API as a cache sees one over the network: no events. It
// counts the calls and fails every call with fail while fail is set.
type remote struct {
	api       cache.API
	gets      atomic.Int64
	describes atomic.Int64
	mu        sync.Mutex
	fail      error
	failGets  error
}

func (r *remote) failWith(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = err
}

func (r *remote) failure() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fail
}

func (r *remote) GetSecretValue(ctx context.Context, in rotor.GetSecretValueInput) (rotor.GetSecretValueOutput, error) {
	r.gets.Add(1)
	if err := r.failure(); err != nil {
		return rotor.GetSecretValueOutput{}, err
	}
	r.mu.Lock()
	err := r.failGets
	r.mu.Unlock()
	if err != nil {
		return rotor.GetSecretValueOutput{}, err
	}
	return r.api.GetSecretValue(ctx, in)
}

func (r *remote) DescribeSecret(ctx context.Context, in rotor.DescribeSecretInput) (rotor.DescribeSecretOutput, error) {
	r.describes.Add(1)
	if err := r.failure(); err != nil {
		return rotor.DescribeSecretOutput{}, err
	}
	return r.api.DescribeSecret(ctx, in)
}

// calls returns the GetSecretValue and DescribeSecret calls made so far.
func (r *remote) calls() (gets, describes int64) { return r.gets.Load(), r.describes.Load() }

const rotateFn = "arn:aws:lambda:us-east-1:000000000000:function:rotate"

// world is a service on a test clock whose rotation function makes the
// values "v1", "v2", … in turn.
type world struct {
	svc   *rotor.Service
	clock *clock
	next  atomic.Int64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{clock: newClock()}
	functions := &rotor.FunctionRegistry{}
	w.svc = rotor.New(rotor.NewMemoryStore(), rotor.WithClock(w.clock.Now), rotor.WithInvoker(functions))
	functions.Register(rotateFn, &rotor.TemplateRotator{
		API: w.svc,
		Generate: func(context.Context, rotor.GetSecretValueOutput) (string, error) {
			return w.value(), nil
		},
	})
	return w
}

// value returns the next value of the sequence.
func (w *world) value() string { return "v" + strconv.FormatInt(w.next.Add(1), 10) }

// create makes secret name with the next value and returns its version id.
func (w *world) create(t *testing.T, name string) string {
	t.Helper()
	out, err := w.svc.CreateSecret(context.Background(), rotor.CreateSecretInput{Name: name, SecretString: w.value()})
	require.NoError(t, err)
	return out.VersionId
}

// put makes the next value AWSCURRENT and returns its version id.
func (w *world) put(t *testing.T, name string) string {
	t.Helper()
	out, err := w.svc.PutSecretValue(context.Background(), rotor.PutSecretValueInput{SecretId: name, SecretString: w.value()})
	require.NoError(t, err)
	return out.VersionId
}

// rotate rotates name through the rotation function and returns the new
// AWSCURRENT version id.
func (w *world) rotate(t *testing.T, name string, rules *rotor.RotationRules) string {
	t.Helper()
	out, err := w.svc.RotateSecret(context.Background(), rotor.RotateSecretInput{SecretId: name, RotationLambdaARN: rotateFn, RotationRules: rules})
	require.NoError(t, err)
	return out.VersionId
}

// value returns a function that returns the value a Get answered, failing
// the test on an error: value(t)(c.Get(ctx, id)).
func value(t *testing.T) func(cache.Version, error) string {
	return func(v cache.Version, err error) string {
		t.Helper()
		require.NoError(t, err)
		return v.Value.Text()
	}
}

func ptr[T any](v T) *T { return &v }

// rotor's service is an API, and a Notifier, as it is.
var (
	_ cache.API      = (*rotor.Service)(nil)
	_ cache.Notifier = (*rotor.Service)(nil)
)
