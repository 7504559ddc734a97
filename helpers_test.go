package rotor_test

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/require"
)

// fakeClock is a settable clock for deterministic tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// seededReader is a deterministic io.Reader for the service's randomness.
type seededReader struct{ r *rand.ChaCha8 }

func newSeededReader(seed uint64) *seededReader {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	return &seededReader{r: rand.NewChaCha8(s)}
}

func (s *seededReader) Read(p []byte) (int, error) { return s.r.Read(p) }

// countingStore counts saves, to prove reads stay reads.
type countingStore struct {
	rotor.Store
	mu    sync.Mutex
	saves int
}

func (c *countingStore) Save(ctx context.Context, s *rotor.Secret, expect rotor.Revision) (rotor.Revision, error) {
	c.mu.Lock()
	c.saves++
	c.mu.Unlock()
	return c.Store.Save(ctx, s, expect)
}

func (c *countingStore) Saves() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.saves
}

var epoch = time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC)

type fixture struct {
	t     testing.TB
	ctx   context.Context
	svc   *rotor.Service
	clock *fakeClock
	fns   *rotor.FunctionRegistry
	store *countingStore
}

const lambdaARN = "arn:aws:lambda:us-east-1:000000000000:function:rotate"

func newFixture(t testing.TB, opts ...rotor.Option) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), clock: &fakeClock{now: epoch}, fns: &rotor.FunctionRegistry{},
		store: &countingStore{Store: rotor.NewMemoryStore()}}
	all := append([]rotor.Option{rotor.WithClock(f.clock.Now), rotor.WithRandom(newSeededReader(1)), rotor.WithInvoker(f.fns)}, opts...)
	f.svc = rotor.New(f.store, all...)
	return f
}

// template registers the AWS-template rotator with a counter-based generator.
func (f *fixture) template(arn string) *rotor.TemplateRotator {
	n := 0
	r := &rotor.TemplateRotator{API: f.svc, Generate: func(context.Context, rotor.GetSecretValueOutput) (string, error) {
		n++
		return "generated-" + string(rune('a'+n%26)), nil
	}}
	f.fns.Register(arn, r)
	return r
}

func (f *fixture) create(name, value string) rotor.CreateSecretOutput {
	f.t.Helper()
	out, err := f.svc.CreateSecret(f.ctx, rotor.CreateSecretInput{Name: name, SecretString: value, ClientRequestToken: token(name + "-v0")})
	require.NoError(f.t, err)
	return out
}

func (f *fixture) put(id, tok, value string, stages ...string) rotor.PutSecretValueOutput {
	f.t.Helper()
	out, err := f.svc.PutSecretValue(f.ctx, rotor.PutSecretValueInput{SecretId: id, ClientRequestToken: tok, SecretString: value, VersionStages: stages})
	require.NoError(f.t, err)
	return out
}

func (f *fixture) stages(id string) map[string][]string {
	f.t.Helper()
	d, err := f.svc.DescribeSecret(f.ctx, rotor.DescribeSecretInput{SecretId: id})
	require.NoError(f.t, err)
	return d.VersionIdsToStages
}

func (f *fixture) current(id string) string {
	f.t.Helper()
	v, err := f.svc.GetSecretValue(f.ctx, rotor.GetSecretValueInput{SecretId: id})
	require.NoError(f.t, err)
	return v.SecretString
}

// token pads s to a valid 32–64 character ClientRequestToken.
func token(s string) string {
	for len(s) < 32 {
		s += "-0000000000"
	}
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}

func requireCode(t *testing.T, err error, code string) *rotor.Error {
	t.Helper()
	require.Error(t, err)
	var e *rotor.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, code, e.Code, "message: %s", e.Message)
	return e
}

func ptr[T any](v T) *T { return &v }
