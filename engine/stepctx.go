package engine

import (
	"context"
	"sync"
	"time"
)

// stepContext is the context one rotation attempt runs under: it is done
// when its parent is, or when a step runs longer than the step timeout. The
// timer restarts every time a step is saved (the engine sees the step-done
// event), so the limit applies to each step, not to the whole attempt, which
// a context.WithTimeout given to RunRotation could not do.
type stepContext struct {
	context.Context // the parent, for Value

	timeout time.Duration
	done    chan struct{}
	stop    func() bool // detaches from the parent

	mu       sync.Mutex
	err      error
	timer    *time.Timer
	deadline time.Time
}

func newStepContext(parent context.Context, timeout time.Duration) *stepContext {
	c := &stepContext{Context: parent, timeout: timeout, done: make(chan struct{})}
	c.mu.Lock()
	c.deadline = time.Now().Add(timeout)
	c.timer = time.AfterFunc(timeout, func() { c.cancel(context.DeadlineExceeded) })
	c.mu.Unlock()
	c.stop = context.AfterFunc(parent, func() { c.cancel(context.Cause(parent)) })
	return c
}

// nextStep gives the next step a full timeout.
func (c *stepContext) nextStep() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.timer.Reset(c.timeout)
	c.deadline = time.Now().Add(c.timeout)
}

func (c *stepContext) cancel(err error) {
	if err == nil {
		err = context.Canceled
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err = err
	c.timer.Stop()
	close(c.done)
}

// release frees the timer and the parent's callback once the attempt ended.
func (c *stepContext) release() {
	c.stop()
	c.cancel(context.Canceled)
}

func (c *stepContext) Deadline() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deadline, true
}

func (c *stepContext) Done() <-chan struct{} { return c.done }

func (c *stepContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == context.DeadlineExceeded || c.err == context.Canceled || c.err == nil {
		return c.err
	}
	// A parent cancelled with a cause: Err reports the plain sentinel, as
	// the context package's own contexts do.
	return context.Canceled
}
