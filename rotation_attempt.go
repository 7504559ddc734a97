package rotor

import (
	"errors"
	"time"
)

// stepResult is what a worker reports about one step of its attempt.
type stepResult struct {
	token, owner string
	step         Step
	// failure is the rotation function's error text; "" for success.
	failure string
	// retryAfter is when, after a failure, the worker means to try again.
	retryAfter time.Duration
	// last says the attempt was the round's last: a failure gives the
	// rotation up until its next window.
	last bool
	// interrupted says the worker stopped (it is shutting down) before the
	// step's end: the attempt is released without counting as a failure.
	interrupted bool
}

// errFinishDidNotMove is the failure of a finishSecret that returned without
// moving AWSCURRENT to the pending version: the rotation did not happen.
var errFinishDidNotMove = errors.New("finishSecret returned without moving AWSCURRENT to the pending version")

// claimAttempt decides a worker's claim of the next attempt of the rotation
// with token: it takes the lease for owner and starts the attempt from the
// first step. A rotation given up after its last attempt starts a new round.
// A rotation whose finishSecret moved AWSCURRENT but whose end was never
// recorded (its worker died) is recorded as finished instead.
func claimAttempt(sec *Secret, token, owner string, now time.Time) (*Secret, outcome, error) {
	if sec.Deleted() {
		return nil, outcome{}, errMarkedForDeletion()
	}
	r := sec.Rotation
	switch sec.phase() {
	case phaseFinishing:
		if r.Token != token {
			break
		}
		if r.leaseLive(now) {
			return nil, outcome{}, ErrRotationBusy
		}
		next := sec.shallowClone()
		return next, next.endRotation(now), nil
	case phasePending:
		if r.Token != token {
			break
		}
		if r.leaseLive(now) {
			return nil, outcome{}, ErrRotationBusy
		}
		next := sec.shallowClone()
		startAttempt(next.Rotation, owner, now)
		return next, outcome{changed: true, run: token, owner: owner}, nil
	}
	return nil, outcome{}, errNotRotating(sec, token)
}

// startAttempt gives r's next attempt to owner.
func startAttempt(r *RotationState, owner string, now time.Time) {
	if r.Abandoned {
		r.Abandoned, r.Attempts = false, 0
	}
	r.Attempts++
	r.StepsDone = 0
	r.LeaseOwner, r.LeaseExpires = owner, now.Add(RotationLease)
}

// recordStep decides what a step's result does to the rotation: a success
// renews the lease for the next step, and finishSecret's success, once
// AWSCURRENT is on the pending version, ends the rotation; a failure (or a
// finishSecret that did not move AWSCURRENT) is recorded, releases the lease,
// and either plans the retry or, after the round's last attempt, gives the
// rotation up until the start of its next window. A worker that stops before
// the step's end releases the lease, and the attempt does not count.
func recordStep(sec *Secret, res stepResult, now time.Time) (*Secret, outcome, error) {
	if err := checkLease(sec, res.token, res.owner); err != nil {
		return nil, outcome{}, err
	}
	if res.interrupted {
		next := sec.shallowClone()
		r := next.Rotation
		r.LeaseOwner, r.LeaseExpires = "", time.Time{}
		r.Attempts = max(r.Attempts-1, 0)
		r.StepsDone = 0
		return next, outcome{changed: true}, nil
	}
	if res.failure == "" && res.step == StepFinishSecret {
		if c, _ := sec.StageVersion(StageCurrent); c != res.token {
			res.failure = errFinishDidNotMove.Error()
			next, out := failAttempt(sec, res, now)
			out.warn = errFinishDidNotMove
			return next, out, nil
		}
		next := sec.shallowClone()
		out := outcome{}
		out.event(next, EventStepDone, res.token, now).Step = res.step
		end := next.endRotation(now)
		end.events = append(out.events, end.events...)
		return next, end, nil
	}
	if res.failure != "" {
		next, out := failAttempt(sec, res, now)
		return next, out, nil
	}
	next := sec.shallowClone()
	r := next.Rotation
	r.StepsDone = stepIndex(res.step) + 1
	r.LeaseExpires = now.Add(RotationLease)
	out := outcome{changed: true, run: res.token, owner: res.owner}
	out.event(next, EventStepDone, res.token, now).Step = res.step
	return next, out, nil
}

// failAttempt records a failed step.
func failAttempt(sec *Secret, res stepResult, now time.Time) (*Secret, outcome) {
	next := sec.shallowClone()
	r := next.Rotation
	r.FailedStep, r.LastError = res.step, sec.failureText(res.failure)
	r.LeaseOwner, r.LeaseExpires = "", time.Time{}
	out := outcome{changed: true}
	ev := out.event(next, EventStepFailed, res.token, now)
	ev.Step, ev.Error = res.step, r.LastError
	if !res.last {
		r.NextAttempt = now.Add(res.retryAfter)
		return next, out
	}
	r.Abandoned = true
	r.NextAttempt = time.Time{}
	if sched, ok := next.schedule(); ok && next.RotationEnabled {
		// The next window after the failure: the scheduler tries again at
		// its due moment, and that window's end is the date the secret is
		// now promised to rotate by.
		start, end := sched.Window(now)
		if !start.IsZero() {
			r.NextAttempt = dueMoment(next.ARN, start, end)
			next.NextRotationDate = end.Add(-time.Second)
		}
	}
	out.event(next, EventRotationAbandon, res.token, now).Error = r.LastError
	return next, out
}

// endRotation records, on a secret of the caller's, the end of the rotation
// in progress, whose version is AWSCURRENT: AWSPENDING leaves it,
// LastRotatedDate is now and the next rotation date counts from now.
func (next *Secret) endRotation(now time.Time) outcome {
	token := next.Rotation.Token
	if p, _ := next.StageVersion(StagePending); p == token {
		next.removeLabel(StagePending)
	}
	next.Rotation = nil
	next.LastRotatedDate, next.LastChangedDate = now, now
	if next.RotationEnabled {
		next.NextRotationDate = next.nextRotationDate(now)
	}
	out := outcome{changed: true, finished: true}
	out.event(next, EventRotationFinished, token, now).Stages = next.StagesOf(token)
	return out
}

// checkLease refuses progress from a worker that no longer owns the
// rotation: it was cancelled, finished elsewhere or taken over after the
// lease expired. The saved state, not the labels, says who owns it: after
// finishSecret the pending version is already AWSCURRENT.
func checkLease(sec *Secret, token, owner string) error {
	if sec.Deleted() {
		return errMarkedForDeletion()
	}
	if r := sec.Rotation; r == nil || r.Probe || r.Token != token || r.LeaseOwner != owner || owner == "" {
		return errNotRotating(sec, token)
	}
	return nil
}

func errNotRotating(sec *Secret, token string) error {
	return &Error{Code: CodeInvalidRequest, Err: ErrNotRotating,
		Message: "Version " + token + " of secret " + sec.Name + " is not a rotation in progress: it was cancelled, finished, or taken over by another worker."}
}

func stepIndex(step Step) int {
	for i, s := range steps {
		if s == step {
			return i
		}
	}
	return -1
}
