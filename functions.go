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
// first step with the same token.
type Rotator interface {
	CreateSecret(ctx context.Context, event RotationEvent) error
	SetSecret(ctx context.Context, event RotationEvent) error
	TestSecret(ctx context.Context, event RotationEvent) error
	FinishSecret(ctx context.Context, event RotationEvent) error
}

// RotatorFunc is a rotation function in the shape of a Lambda handler: one
// function that dispatches on event.Step.
type RotatorFunc func(ctx context.Context, event RotationEvent) error

// Functions is an Invoker that runs rotation functions registered in-process
// by ARN. It is safe for concurrent use. The zero value is ready to use.
type Functions struct {
	mu sync.RWMutex
	m  map[string]RotatorFunc
}

// Register makes r callable as functionARN, replacing any earlier one.
func (f *Functions) Register(functionARN string, r Rotator) {
	f.RegisterFunc(functionARN, func(ctx context.Context, ev RotationEvent) error {
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
		return fmt.Errorf("rotor: unknown rotation step %q", ev.Step)
	})
}

// RegisterFunc makes fn callable as functionARN, replacing any earlier one.
func (f *Functions) RegisterFunc(functionARN string, fn RotatorFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = make(map[string]RotatorFunc)
	}
	f.m[functionARN] = fn
}

// Invoke implements Invoker.
func (f *Functions) Invoke(ctx context.Context, functionARN string, ev RotationEvent) error {
	f.mu.RLock()
	fn := f.m[functionARN]
	f.mu.RUnlock()
	if fn == nil {
		return fmt.Errorf("rotor: no rotation function registered as %s", functionARN)
	}
	return fn(ctx, ev)
}

// CheckFunction implements FunctionChecker: only registered functions exist.
func (f *Functions) CheckFunction(_ context.Context, functionARN string) error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.m[functionARN] == nil {
		return fmt.Errorf("rotor: no rotation function registered as %s", functionARN)
	}
	return nil
}
