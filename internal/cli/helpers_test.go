package cli

import (
	"bytes"
	"context"
	"io"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
)

// testClock is a clock that moves 1.234567 s forward at each reading.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(1234567 * time.Microsecond)
	return c.t
}

// newService returns a deterministic service over a memory store with a
// rotation function registered as testLambda.
func newService(t *testing.T) *rotor.Service {
	t.Helper()
	clock := &testClock{t: time.Date(2026, 1, 15, 10, 30, 0, 0, time.UTC)}
	functions := &rotor.FunctionRegistry{}
	svc := rotor.New(rotor.NewMemoryStore(),
		rotor.WithClock(clock.now),
		rotor.WithRandom(rand.New(rand.NewSource(1))),
		rotor.WithInvoker(functions))
	functions.Register(testLambda, &rotor.TemplateRotator{
		API:  svc,
		Set:  func(context.Context, rotor.GetSecretValueOutput) error { return nil },
		Test: func(context.Context, rotor.GetSecretValueOutput) error { return nil },
	})
	return svc
}

const testLambda = "arn:aws:lambda:us-east-1:000000000000:function:rotate"

type result struct {
	code           int
	stdout, stderr string
}

// run runs a command line (split on spaces unless given as several args)
// against api with dates in UTC.
func run(t *testing.T, api API, args ...string) result {
	t.Helper()
	if len(args) == 1 {
		args = strings.Fields(args[0])
	}
	var out, errb bytes.Buffer
	code := RunWith(context.Background(), Options{Location: time.UTC}, args, io.NopCloser(strings.NewReader("")), &out, &errb, api)
	return result{code, out.String(), errb.String()}
}
