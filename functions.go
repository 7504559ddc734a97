package rotor

import (
	"context"
	"fmt"
	"sync"
)

// Invoker runs one step of a rotation function named by its ARN. A returned
// error fails the step; Invoke must return when ctx is done.
type Invoker interface {
	Invoke(ctx context.Context, functionARN string, event RotationEvent) error
}

// FunctionChecker is an optional interface of an Invoker: RotateSecret calls
// it before saving anything, and refuses the rotation with AccessDeniedException
// when it fails, as AWS does for a function that does not exist or does not
// let Secrets Manager invoke it.
type FunctionChecker interface {
	CheckFunction(ctx context.Context, functionARN string) error
}

// Rotator is a rotation function written in Go: one method per step. Each
// step must be idempotent, because a failed rotation is retried from the
// first step with the same token. TemplateRotator is one; a RotatorFunc makes
// one of a Lambda-shaped handler.
type Rotator interface {
	CreateSecret(ctx context.Context, event RotationEvent) error
	SetSecret(ctx context.Context, event RotationEvent) error
	TestSecret(ctx context.Context, event RotationEvent) error
	FinishSecret(ctx context.Context, event RotationEvent) error
}

// RotatorFunc is a rotation function in the shape of a Lambda handler: one
// function that dispatches on event.Step. It is a Rotator.
type RotatorFunc func(ctx context.Context, event RotationEvent) error

// CreateSecret calls f.
func (f RotatorFunc) CreateSecret(ctx context.Context, ev RotationEvent) error { return f(ctx, ev) }

// SetSecret calls f.
func (f RotatorFunc) SetSecret(ctx context.Context, ev RotationEvent) error { return f(ctx, ev) }

// TestSecret calls f.
func (f RotatorFunc) TestSecret(ctx context.Context, ev RotationEvent) error { return f(ctx, ev) }

// FinishSecret calls f.
func (f RotatorFunc) FinishSecret(ctx context.Context, ev RotationEvent) error { return f(ctx, ev) }

// FunctionRegistry is the in-process home of rotation functions: an Invoker
// that runs the Rotator registered under a function's ARN, as Lambda runs
// the function an ARN names. Give it to a Service with WithInvoker. It is
// safe for concurrent use; the zero value is ready to use.
type FunctionRegistry struct {
	mu sync.RWMutex
	m  map[string]Rotator
}

// Register makes r callable as functionARN, replacing any earlier one. A
// Lambda-shaped handler registers as RotatorFunc(handler).
func (f *FunctionRegistry) Register(functionARN string, r Rotator) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = make(map[string]Rotator)
	}
	f.m[functionARN] = r
}

// Invoke implements Invoker: it runs the step of event on the Rotator
// registered as functionARN.
func (f *FunctionRegistry) Invoke(ctx context.Context, functionARN string, ev RotationEvent) error {
	f.mu.RLock()
	r := f.m[functionARN]
	f.mu.RUnlock()
	if r == nil {
		return fmt.Errorf("rotor: no rotation function registered as %s", functionARN)
	}
	return RunStep(ctx, r, ev)
}

// RunStep runs on r the step event names, as a Lambda rotation function's
// handler does: createSecret, setSecret, testSecret or finishSecret. A
// RotatorFunc gets the event whole, and dispatches on the step itself.
func RunStep(ctx context.Context, r Rotator, ev RotationEvent) error {
	if fn, ok := r.(RotatorFunc); ok {
		return fn(ctx, ev)
	}
	switch ev.Step {
	case StepCreateSecret:
		return r.CreateSecret(ctx, ev)
	case StepSetSecret:
		return r.SetSecret(ctx, ev)
	case StepTestSecret:
		return r.TestSecret(ctx, ev)
	case StepFinishSecret:
		return r.FinishSecret(ctx, ev)
	}
	return fmt.Errorf("rotor: unknown rotation step %q: want createSecret, setSecret, testSecret or finishSecret", ev.Step)
}

// CheckFunction implements FunctionChecker: only registered functions exist.
func (f *FunctionRegistry) CheckFunction(_ context.Context, functionARN string) error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.m[functionARN] == nil {
		return fmt.Errorf("rotor: no rotation function registered as %s", functionARN)
	}
	return nil
}
