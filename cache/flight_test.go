package cache

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
)

// gated is a service whose GetSecretValue reads, says so on read, and
// answers only once the test opens the gate.
type gated struct {
	svc   *rotor.Service
	gate  chan struct{}
	read  chan struct{}
	calls atomic.Int64
}

func newGated(svc *rotor.Service) *gated {
	return &gated{svc: svc, gate: make(chan struct{}), read: make(chan struct{}, 64)}
}

func (g *gated) GetSecretValue(ctx context.Context, in rotor.GetSecretValueInput) (rotor.GetSecretValueOutput, error) {
	g.calls.Add(1)
	out, err := g.svc.GetSecretValue(ctx, in)
	g.read <- struct{}{}
	<-g.gate
	return out, err
}

func (g *gated) DescribeSecret(ctx context.Context, in rotor.DescribeSecretInput) (rotor.DescribeSecretOutput, error) {
	return g.svc.DescribeSecret(ctx, in)
}

func (g *gated) Subscribe(fn func(rotor.Event)) { g.svc.Subscribe(fn) }

// waitFor yields until n callers wait for the call in flight for k.
func (c *Cache) waitFor(k key, n int) {
	for {
		c.mu.Lock()
		f := c.flights[k]
		done := f != nil && f.waiters >= n
		c.mu.Unlock()
		if done {
			return
		}
		runtime.Gosched()
	}
}

func TestConcurrentMissesMakeOneCall(t *testing.T) {
	tests := []struct {
		name string
		call func(c *Cache, ctx context.Context) (Version, error)
	}{
		{"Gets of a missing entry", func(c *Cache, ctx context.Context) (Version, error) { return c.Get(ctx, "app/db") }},
		{"Refreshes", func(c *Cache, ctx context.Context) (Version, error) { return c.Refresh(ctx, "app/db") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			svc := rotor.New(rotor.NewMemoryStore())
			_, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "app/db", SecretString: "v1"})
			require.NoError(t, err)
			g := newGated(svc)
			c := New(g)
			defer c.Close()

			const callers = 8
			var wg sync.WaitGroup
			got := make([]string, callers)
			for i := range callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					v, err := tt.call(c, ctx)
					assert.NoError(t, err)
					got[i] = v.Value.Text()
				}()
			}
			// One more caller gives up while waiting; the call goes on for the others.
			quitter, quit := context.WithCancel(ctx)
			gaveUp := make(chan error)
			go func() {
				_, err := tt.call(c, quitter)
				gaveUp <- err
			}()
			c.waitFor(key{id: "app/db", by: byCurrent, sel: rotor.StageCurrent}, callers+1)
			quit()
			assert.ErrorIs(t, <-gaveUp, context.Canceled)
			close(g.gate)
			wg.Wait()
			assert.Equal(t, int64(1), g.calls.Load(), "GetSecretValue calls")
			for _, v := range got {
				assert.Equal(t, "v1", v)
			}
		})
	}
}

// A read made before a commit and answered after it goes to the callers
// already waiting (their Gets overlapped the commit), but a Get that begins
// after the commit does not join it, and the old value is not kept.
func TestAReadInFlightAcrossACommitIsNotKept(t *testing.T) {
	ctx := context.Background()
	svc := rotor.New(rotor.NewMemoryStore())
	_, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "app/db", SecretString: "v1"})
	require.NoError(t, err)
	g := newGated(svc)
	c := New(g)
	defer c.Close()

	early := make(chan string)
	go func() {
		v, err := c.Get(ctx, "app/db")
		assert.NoError(t, err)
		early <- v.Value.Text()
	}()
	<-g.read // v1 is read, not yet answered
	_, err = svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "app/db", SecretString: "v2"})
	require.NoError(t, err)
	late := make(chan string)
	go func() {
		v, err := c.Get(ctx, "app/db")
		assert.NoError(t, err)
		late <- v.Value.Text()
	}()
	select {
	case <-g.read:
	case <-time.After(10 * time.Second):
		close(g.gate)
		t.Fatal("the Get that began after the commit joined the read that began before it")
	}
	close(g.gate)
	assert.Equal(t, "v1", <-early, "the Get that overlapped the commit")
	assert.Equal(t, "v2", <-late, "the Get that began after the commit")
	v, err := c.Get(ctx, "app/db")
	require.NoError(t, err)
	assert.Equal(t, "v2", v.Value.Text(), "the old value was kept")
	assert.Equal(t, int64(2), g.calls.Load())
}
