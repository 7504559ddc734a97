package rotor

import (
	"context"
	"errors"
	"time"
)

// RotationRunner runs the rotations a Service accepts after RotateSecret has
// returned, as AWS does: package engine is one. A Service built with
// WithRotationRunner hands every rotation that must run to StartRotation,
// which must not block; the runner then drives it through the Service's
// Runtime. Without a runner, RotateSecret runs the steps inside the call.
type RotationRunner interface {
	StartRotation(secretARN, token string)
}

// Runtime is what a rotation engine drives a Service with: claim an attempt
// of a pending rotation, run its steps, and apply the scheduler's rule to a
// secret. Every decision stays the Service's: the runtime only says when.
// Users of the Secrets Manager operations do not need it.
type Runtime struct{ s *Service }

// Runtime returns the service's rotation runtime.
func (s *Service) Runtime() *Runtime { return s.runtime }

// Service returns the runtime's Service.
func (rt *Runtime) Service() *Service { return rt.s }

// Now returns the service's time, the clock every rotation decision uses.
func (rt *Runtime) Now() time.Time { return rt.s.now() }

// Claim takes the next attempt of the pending rotation of secretARN with
// token: it takes the rotation's lease (RotationLease, renewed by every step)
// so that no other worker runs it meanwhile. It fails with ErrRotationBusy
// while another worker holds the lease, and with an error matching
// ErrNotRotating when the rotation is no longer pending under that token.
// When the rotation's finishSecret had moved AWSCURRENT but its worker died
// before recording the end, Claim records the end and returns an Attempt that
// is already Finished.
func (rt *Runtime) Claim(ctx context.Context, secretARN, token string) (*Attempt, error) {
	owner, err := rt.s.newToken()
	if err != nil {
		return nil, err
	}
	sec, out, err := rt.s.apply(ctx, secretARN, func(sec *Secret, now time.Time) (*Secret, outcome, error) {
		return claimAttempt(sec, token, owner, now)
	})
	if err != nil {
		return nil, err
	}
	return rt.attempt(sec, token, out), nil
}

// attempt returns the Attempt a decision gave the caller.
func (rt *Runtime) attempt(sec *Secret, token string, out outcome) *Attempt {
	a := &Attempt{rt: rt, arn: sec.ARN, token: token, finished: out.finished}
	if r := sec.Rotation; r != nil && r.Token == token && out.owner != "" {
		a.owner, a.function, a.rotationToken = out.owner, sec.RotationLambdaARN, r.RotationToken
		a.number, a.next = r.Attempts, r.StepsDone
	}
	return a
}

// Tick applies the scheduler's rule to the secret named name at the
// service's time, as stored now (a listing that found it due may be stale):
// a due secret starts a rotation; a pending rotation whose worker is gone, or
// given up until a window that has come, is to run again; a finishSecret
// whose end was never recorded is recorded; a NextRotationDate that has
// passed moves to the next window; and the replicas of a primary that a
// crash left behind are brought up to date. It returns the token of the
// rotation to run, "" if none; a scheduled rotation the version quota refuses is
// reported as an error while the rest of the decision is saved.
func (rt *Runtime) Tick(ctx context.Context, name string) (string, error) {
	var tr tickRequest
	var err error
	if tr.token, err = rt.s.newToken(); err != nil {
		return "", err
	}
	if tr.rotationToken, err = rt.s.newToken(); err != nil {
		return "", err
	}
	sec, out, err := rt.s.apply(ctx, name, func(sec *Secret, now time.Time) (*Secret, outcome, error) {
		next, out := tickRotation(sec, tr, now)
		return next, out, nil
	})
	if err != nil {
		return "", err
	}
	if len(sec.lagging()) > 0 {
		// A crash left the replicas behind: bring them up to date.
		rt.s.replicate(ctx, sec, sec.LastChangedDate)
	}
	return out.run, out.warn
}

// CatchUp brings sec's replicas up to date when they lag behind it, as a
// server that died between a change of the primary and its replication left
// them, and reports whether any lagged. An engine starting up calls it for
// every secret of its Region, so that replicas do not wait for
// ReplicationGrace; it is safe while other servers replicate the same
// secret, since a replica never goes back to an earlier generation.
func (rt *Runtime) CatchUp(ctx context.Context, sec *Secret) bool {
	if sec.IsReplica() || len(sec.lagging()) == 0 {
		return false
	}
	rt.s.replicate(ctx, sec, sec.LastChangedDate)
	return true
}

// Resumable returns the token of sec's pending rotation when no worker holds
// it and it was not given up: what an engine starting up runs again after a
// crash, without waiting for OrphanAfter.
func (rt *Runtime) Resumable(sec *Secret) (string, bool) {
	r := sec.Rotation
	if sec.Deleted() || sec.phase() != phasePending || r.Abandoned || r.leaseLive(rt.s.now()) {
		return "", false
	}
	return r.Token, true
}

// AttemptPolicy says how a worker runs one attempt.
type AttemptPolicy struct {
	// StepTimeout cuts off a step that runs longer; 0 means no limit but
	// ctx's. It must stay well below RotationLease, or another worker could
	// take the rotation over while the step runs.
	StepTimeout time.Duration
	// RetryAfter is when, after a failure, the worker tries again; it is
	// saved, so that other workers wait for it before taking over.
	RetryAfter time.Duration
	// Last says this is the round's last attempt: a failure gives the
	// rotation up until the start of its next rotation window.
	Last bool
}

// Attempt is one attempt of a rotation, claimed by a worker: it runs the
// steps in order under the rotation's lease, saving each step's result.
type Attempt struct {
	rt                      *Runtime
	arn, token, owner       string
	function, rotationToken string
	number, next            int
	finished                bool
}

// Token returns the rotation's token, the VersionId of its pending version.
func (a *Attempt) Token() string { return a.token }

// Number returns the attempt's number in its round, from 1.
func (a *Attempt) Number() int { return a.number }

// Finished reports whether the rotation has ended successfully.
func (a *Attempt) Finished() bool { return a.finished }

// Run invokes the remaining steps with the service's Invoker, each under
// p.StepTimeout, and saves each result. It returns nil once finishSecret has
// moved AWSCURRENT and the end is saved. A failed step (an error of the
// function, a timeout, or a finishSecret that did not move AWSCURRENT) is
// saved and returned as an *Error with code InvalidRequestException wrapping
// a *StepError (errors.As) whose Err is the function's error; a worker that
// lost the lease meanwhile gets an error matching ErrNotRotating. When ctx
// is done (the worker is stopping), the lease is released for the next
// worker, the attempt does not count, and Run returns ctx's error.
func (a *Attempt) Run(ctx context.Context, p AttemptPolicy) error {
	s := a.rt.s
	if a.owner == "" && !a.finished {
		return errors.New("rotor: Run of an attempt that holds no lease")
	}
	if s.invoker == nil && !a.finished {
		return newError(CodeAccessDenied, msgCannotInvoke)
	}
	// Progress is saved even when ctx ends: a step that ran is recorded.
	saveCtx := context.WithoutCancel(ctx)
	for !a.finished {
		step := steps[a.next]
		ev := RotationEvent{Step: step, SecretId: a.arn, ClientRequestToken: a.token, RotationToken: a.rotationToken}
		err := ctx.Err()
		if err == nil {
			stepCtx, cancel := ctx, context.CancelFunc(func() {})
			if p.StepTimeout > 0 {
				stepCtx, cancel = context.WithTimeout(ctx, p.StepTimeout)
			}
			err = s.invoker.Invoke(stepCtx, a.function, ev)
			if err == nil && stepCtx.Err() != nil {
				err = stepCtx.Err() // it returned, but too late
			}
			cancel()
		}
		res := stepResult{token: a.token, owner: a.owner, step: step, retryAfter: p.RetryAfter, last: p.Last}
		switch {
		case err != nil && ctx.Err() != nil:
			// The worker itself stopped: not the function's failure.
			res.interrupted = true
		case err != nil:
			res.failure = err.Error()
		}
		_, out, saveErr := s.apply(saveCtx, a.arn, func(sec *Secret, now time.Time) (*Secret, outcome, error) {
			return recordStep(sec, res, now)
		})
		if saveErr != nil {
			return saveErr
		}
		if res.interrupted {
			return ctx.Err()
		}
		if err == nil && out.warn != nil {
			err = out.warn
		}
		if err != nil {
			return &Error{Code: CodeInvalidRequest, Err: &StepError{Step: step, Token: a.token, Err: err},
				Message: "The rotation function failed the " + string(step) + " step for version " + a.token +
					"; the rotation stays pending and a retry with the same ClientRequestToken resumes it."}
		}
		a.finished = out.finished
		a.next++
	}
	return nil
}
