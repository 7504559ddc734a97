package engine_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/engine"
	"github.com/stretchr/testify/require"
)

const lambdaARN = "arn:aws:lambda:us-east-1:000000000000:function:rotate"

var epoch = time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC)

// fakeClock is a settable clock shared by services and engines.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// seeded is a deterministic io.Reader.
func seeded(seed uint64) io.Reader {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	return rand.NewChaCha8(s)
}

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// node is one server: a service with its engine and rotation functions.
type node struct {
	svc *rotor.Service
	eng *engine.Engine
	fns *rotor.FunctionRegistry
}

// newNode builds one server's wiring: an engine over store, which makes the
// service with the clock, randomness and function registry given.
func newNode(t testing.TB, store rotor.Store, clock *fakeClock, seed uint64, cfg engine.Config) *node {
	t.Helper()
	if cfg.Random == nil {
		cfg.Random = seeded(seed)
	}
	if cfg.Logger == nil {
		cfg.Logger = discard()
	}
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase, cfg.BackoffMax = time.Millisecond, 4*time.Millisecond
	}
	n := &node{fns: &rotor.FunctionRegistry{}}
	n.eng = engine.New(store, cfg, rotor.WithClock(clock.Now), rotor.WithRandom(seeded(seed+1000)), rotor.WithInvoker(n.fns))
	n.svc = n.eng.Service()
	t.Cleanup(n.eng.Close)
	return n
}

// template registers the AWS template rotator with a generated value.
func (n *node) template(arn string) *rotor.TemplateRotator {
	var c atomic.Int64
	r := &rotor.TemplateRotator{API: n.svc, Generate: func(context.Context, rotor.GetSecretValueOutput) (string, error) {
		return fmt.Sprintf("generated-%d", c.Add(1)), nil
	}}
	n.fns.Register(arn, r)
	return r
}

func (n *node) create(t testing.TB, name, value string) rotor.CreateSecretOutput {
	t.Helper()
	out, err := n.svc.CreateSecret(context.Background(), rotor.CreateSecretInput{Name: name, SecretString: value})
	require.NoError(t, err)
	return out
}

func (n *node) stages(t testing.TB, id string) map[string][]string {
	t.Helper()
	d, err := n.svc.DescribeSecret(context.Background(), rotor.DescribeSecretInput{SecretId: id})
	require.NoError(t, err)
	return d.VersionIdsToStages
}

func (n *node) current(t testing.TB, id string) string {
	t.Helper()
	v, err := n.svc.GetSecretValue(context.Background(), rotor.GetSecretValueInput{SecretId: id})
	require.NoError(t, err)
	return v.SecretString
}

func (n *node) load(t testing.TB, name string) *rotor.Secret {
	t.Helper()
	sec, _, err := n.svc.Store().Load(context.Background(), n.svc.Region(), name)
	require.NoError(t, err)
	return sec
}

func ptr[T any](v T) *T { return &v }

func waitCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
