package rotor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Step is one of the four steps of a rotation, named as AWS sends them to a
// rotation function.
type Step string

// The rotation steps, in the order they run.
const (
	StepCreateSecret Step = "createSecret"
	StepSetSecret    Step = "setSecret"
	StepTestSecret   Step = "testSecret"
	StepFinishSecret Step = "finishSecret"
)

// Steps returns the rotation steps in the order they run.
func Steps() []Step {
	return []Step{StepCreateSecret, StepSetSecret, StepTestSecret, StepFinishSecret}
}

// RotationEvent is what a rotation function receives for one step, with the
// field names of AWS's event. SecretId is the secret's ARN and
// ClientRequestToken the VersionId of the pending version.
type RotationEvent struct {
	Step               Step
	SecretId           string
	ClientRequestToken string
	RotationToken      string
}

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

// RotationRunner runs accepted rotations asynchronously (an engine). When a
// Service has one, RotateSecret returns as soon as the rotation is saved and
// hands it to StartRotation, which must not block; the runner then calls
// Service.RunRotation, retrying as it sees fit.
type RotationRunner interface {
	StartRotation(secretARN, token string)
}

// StepError is the cause of a failed rotation step, reachable with errors.As
// from the error RunRotation (and a synchronous RotateSecret) returns.
type StepError struct {
	Step  Step
	Token string
	Err   error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("rotation step %s of version %s failed: %v", e.Step, e.Token, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// ErrRotationBusy is returned by RunRotation when another worker holds an
// unexpired lease on the rotation. Nothing changed; try again after the lease
// expires.
var ErrRotationBusy = &Error{Code: CodeInvalidRequest, Message: "The rotation is being run by another worker."}

// RotationLease is how long a worker owns a rotation after its last saved
// progress; a worker that dies is replaced once it expires.
const RotationLease = 5 * time.Minute

// RotateSecretInput is the input of RotateSecret. RotationLambdaARN and
// RotationRules, when given, replace the stored ones; when absent, the stored
// configuration is used. RotateImmediately nil means true.
type RotateSecretInput struct {
	SecretId string
	// ClientRequestToken becomes the VersionId of the pending version; empty
	// means a fresh UUID.
	ClientRequestToken string
	RotationLambdaARN  string
	RotationRules      *RotationRules
	RotateImmediately  *bool
}

// RotateSecretOutput is the output of RotateSecret. VersionId is the pending
// version; it is empty when RotateImmediately was false.
type RotateSecretOutput struct {
	ARN       string
	Name      string
	VersionId string
}

// RotateSecret configures rotation and starts one. It saves the configuration
// and a value-less version labelled AWSPENDING (the placeholder the rotation
// function fills), then runs the four steps: inside the call without a
// RotationRunner (a failed step returns an error wrapping a *StepError, and a
// retry with the same token resumes), or in the runner with one.
//
// While AWSPENDING sits on a version that is not AWSCURRENT, another rotation
// is refused; a token naming that pending version is a retry of it, and a
// token naming the current version is a rotation already done.
func (s *Service) RotateSecret(ctx context.Context, in RotateSecretInput) (RotateSecretOutput, error) {
	token, err := s.tokenOrNew(in.ClientRequestToken, "clientRequestToken")
	if err != nil {
		return RotateSecretOutput{}, err
	}
	if err := checkLength(in.RotationLambdaARN, "rotationLambdaARN", 0, MaxLambdaARNLength); err != nil {
		return RotateSecretOutput{}, err
	}
	if in.RotationRules != nil && *in.RotationRules != (RotationRules{}) {
		if _, err := ParseSchedule(*in.RotationRules); err != nil {
			return RotateSecretOutput{}, err
		}
	}
	immediately := in.RotateImmediately == nil || *in.RotateImmediately

	sec, _, err := s.find(ctx, in.SecretId)
	if err != nil {
		return RotateSecretOutput{}, err
	}
	if err := live(sec); err != nil {
		return RotateSecretOutput{}, err
	}
	if out, done, err := s.rotateReplay(ctx, sec, token); done || err != nil {
		return out, err
	}
	if rotationBusy(sec, token, s.now()) {
		return RotateSecretOutput{}, newError(CodeInvalidRequest, msgRotationIncomplete)
	}
	lambda := in.RotationLambdaARN
	if lambda == "" {
		lambda = sec.RotationLambdaARN
	}
	if lambda == "" {
		return RotateSecretOutput{}, newError(CodeInvalidRequest, msgNoLambda)
	}
	if err := s.checkFunction(ctx, lambda); err != nil {
		return RotateSecretOutput{}, err
	}
	configure := func(sec *Secret, now time.Time) {
		sec.RotationConfigured, sec.RotationEnabled = true, true
		sec.RotationLambdaARN = lambda
		if in.RotationRules != nil {
			sec.RotationRules = *in.RotationRules
		}
		sec.NextRotationDate = s.nextRotationDate(sec.RotationRules, scheduleBase(sec, now))
		sec.LastChangedDate = now
	}
	if !immediately {
		return s.probeRotation(ctx, in.SecretId, lambda, configure)
	}
	rotationToken, err := s.newToken()
	if err != nil {
		return RotateSecretOutput{}, err
	}
	// Without a runner this call runs the steps itself: it takes the lease
	// in the same save that accepts the rotation.
	var owner string
	if s.runner == nil {
		if owner, err = s.newToken(); err != nil {
			return RotateSecretOutput{}, err
		}
	}
	created := false
	sec, err = s.update(ctx, in.SecretId, func(sec *Secret) error {
		created = false
		if err := live(sec); err != nil {
			return err
		}
		if sec.Version(token) != nil {
			// A concurrent call with the same token won the race.
			return errUnchanged
		}
		now := s.now()
		if rotationBusy(sec, token, now) {
			return newError(CodeInvalidRequest, msgRotationIncomplete)
		}
		configure(sec, now)
		if err := sec.addVersion(&Version{ID: token, CreatedDate: now}); err != nil {
			return err
		}
		sec.attachLabel(StagePending, token)
		if err := sec.checkLabelLimit(); err != nil {
			return err
		}
		sec.Rotation = &RotationState{Token: token, FunctionARN: lambda, StartedAt: now, RotationToken: rotationToken}
		if owner != "" {
			sec.Rotation.Attempts = 1
			sec.Rotation.LeaseOwner, sec.Rotation.LeaseExpires = owner, now.Add(RotationLease)
		}
		created = true
		return nil
	})
	if err != nil {
		return RotateSecretOutput{}, err
	}
	if !created {
		out, _, err := s.rotateReplay(ctx, sec, token)
		return out, err
	}
	out := RotateSecretOutput{ARN: sec.ARN, Name: sec.Name, VersionId: token}
	s.emit(Event{Kind: EventRotationStarted, ARN: sec.ARN, Name: sec.Name, VersionID: token, Stages: []string{StagePending}, Time: sec.LastChangedDate})
	if s.runner != nil {
		s.runner.StartRotation(sec.ARN, token)
		return out, nil
	}
	return out, s.runSteps(ctx, sec, token, owner)
}

// rotateReplay handles a token that names an existing version (SEMANTICS
// Decision 1): the pending version resumes, the current one is done, any
// other is a conflict. done is false when the token is new.
func (s *Service) rotateReplay(ctx context.Context, sec *Secret, token string) (RotateSecretOutput, bool, error) {
	if sec.Version(token) == nil {
		return RotateSecretOutput{}, false, nil
	}
	out := RotateSecretOutput{ARN: sec.ARN, Name: sec.Name, VersionId: token}
	switch {
	case sec.pending() == token:
		if r := sec.Rotation; r != nil && r.Token == token && r.LeaseExpires.After(s.now()) {
			return out, true, nil // a run of it is active
		}
		if s.runner != nil && sec.Rotation != nil && sec.Rotation.Token == token && !sec.Rotation.Abandoned {
			return out, true, nil // the engine has it
		}
		return out, true, s.startRotation(ctx, sec.ARN, token)
	case func() bool { c, _ := sec.StageVersion(StageCurrent); return c == token }():
		if r := sec.Rotation; r != nil && r.Token == token && !r.LeaseExpires.After(s.now()) {
			// Done by the function, but the end was never recorded.
			return out, true, s.startRotation(ctx, sec.ARN, token)
		}
		return out, true, nil
	}
	return RotateSecretOutput{}, true, errTokenInUse(token, sec.ARN)
}

// rotationBusy reports whether another rotation is in progress: AWSPENDING
// on a version that is not AWSCURRENT, or a run of another token that still
// holds its lease (between finishSecret moving AWSCURRENT and the run
// recording the end, the labels alone look complete).
func rotationBusy(sec *Secret, token string, now time.Time) bool {
	if sec.pending() != "" {
		return true
	}
	r := sec.Rotation
	return r != nil && r.Token != token && r.LeaseOwner != "" && r.LeaseExpires.After(now)
}

// startRotation hands an accepted rotation to the runner, or runs it now.
func (s *Service) startRotation(ctx context.Context, arn, token string) error {
	if s.runner != nil {
		s.runner.StartRotation(arn, token)
		return nil
	}
	return s.RunRotation(ctx, arn, token)
}

func (s *Service) checkFunction(ctx context.Context, lambda string) error {
	if s.invoker == nil {
		return newError(CodeAccessDenied, msgCannotInvoke)
	}
	if c, ok := s.invoker.(FunctionChecker); ok {
		if err := c.CheckFunction(ctx, lambda); err != nil {
			return &Error{Code: CodeAccessDenied, Message: msgCannotInvoke, Err: err}
		}
	}
	return nil
}

// scheduleBase is what the next rotation date counts from: the later of the
// last rotation and the creation of the current value, else now.
func scheduleBase(sec *Secret, now time.Time) time.Time {
	base := sec.LastRotatedDate
	if id, ok := sec.StageVersion(StageCurrent); ok {
		if v := sec.Version(id); v != nil && v.CreatedDate.After(base) {
			base = v.CreatedDate
		}
	}
	if base.IsZero() {
		return now
	}
	return base
}

// RunRotation runs one attempt of the pending rotation with this token: the
// four steps in order, from the first, saving progress after each. It claims
// the rotation's lease first, so two workers never run one rotation at once
// (ErrRotationBusy if another holds it). On success AWSPENDING is removed,
// LastRotatedDate and NextRotationDate are recorded and the rotation state is
// cleared. On failure the error wraps a *StepError and the rotation stays
// pending, ready for another attempt with the same token.
func (s *Service) RunRotation(ctx context.Context, secretID, token string) error {
	if s.invoker == nil {
		return newError(CodeAccessDenied, msgCannotInvoke)
	}
	owner, err := s.newToken()
	if err != nil {
		return err
	}
	finished := false
	sec, err := s.update(ctx, secretID, func(sec *Secret) error {
		finished = false
		now := s.now()
		if r := sec.Rotation; r != nil && r.Token == token && !sec.Deleted() && sec.pending() == "" {
			if c, _ := sec.StageVersion(StageCurrent); c == token {
				// finishSecret ran but the run died before recording the
				// end: record it now instead of running the steps again.
				s.completeRotation(sec, token, now)
				finished = true
				return nil
			}
		}
		if err := checkStillRotating(sec, token); err != nil {
			return err
		}
		r := sec.Rotation
		if r == nil || r.Token != token {
			// Resumed after a cancel, or AWSPENDING was moved by hand to
			// another version since: this token's rotation starts afresh.
			rt, err := s.newToken()
			if err != nil {
				return err
			}
			r = &RotationState{Token: token, FunctionARN: sec.RotationLambdaARN, StartedAt: now, RotationToken: rt}
			sec.Rotation = r
			sec.RotationEnabled = true
		}
		if r.LeaseOwner != "" && r.LeaseExpires.After(now) {
			return ErrRotationBusy
		}
		r.Attempts++
		r.StepsDone = 0
		r.Abandoned = false
		r.LeaseOwner, r.LeaseExpires = owner, now.Add(RotationLease)
		return nil
	})
	if err != nil {
		return err
	}
	if finished {
		s.emit(Event{Kind: EventRotationFinished, ARN: sec.ARN, Name: sec.Name, VersionID: token, Stages: sec.StagesOf(token), Time: sec.LastRotatedDate})
		return nil
	}
	return s.runSteps(ctx, sec, token, owner)
}

// completeRotation records a successful rotation: AWSPENDING leaves the new
// current version, the dates move, the rotation state goes.
func (s *Service) completeRotation(sec *Secret, token string, now time.Time) {
	if p, _ := sec.StageVersion(StagePending); p == token {
		sec.removeLabel(StagePending)
	}
	sec.Rotation = nil
	sec.LastRotatedDate = now
	sec.LastChangedDate = now
	if sec.RotationEnabled {
		sec.NextRotationDate = s.nextRotationDate(sec.RotationRules, now)
	}
}

// runSteps runs the four steps of the rotation whose lease owner holds.
func (s *Service) runSteps(ctx context.Context, sec *Secret, token, owner string) error {
	r := *sec.Rotation
	steps := Steps()
	for i, step := range steps {
		ev := RotationEvent{Step: step, SecretId: sec.ARN, ClientRequestToken: token, RotationToken: r.RotationToken}
		if err := ctx.Err(); err != nil {
			return s.failStep(ctx, sec.ARN, owner, ev, err)
		}
		if err := s.invoker.Invoke(ctx, r.FunctionARN, ev); err != nil {
			return s.failStep(ctx, sec.ARN, owner, ev, err)
		}
		last := i == len(steps)-1
		saved, err := s.update(ctx, sec.ARN, func(sec *Secret) error {
			if err := checkOwner(sec, token, owner); err != nil {
				return err
			}
			now := s.now()
			if !last {
				sec.Rotation.StepsDone = i + 1
				sec.Rotation.LeaseExpires = now.Add(RotationLease)
				return nil
			}
			if c, _ := sec.StageVersion(StageCurrent); c != token {
				return errFinishDidNotMove
			}
			s.completeRotation(sec, token, now)
			return nil
		})
		if errors.Is(err, errFinishDidNotMove) {
			return s.failStep(ctx, sec.ARN, owner, ev, err)
		}
		if err != nil {
			return err
		}
		s.emit(Event{Kind: EventStepDone, ARN: saved.ARN, Name: saved.Name, VersionID: token, Step: step, Time: s.now()})
		if last {
			s.emit(Event{Kind: EventRotationFinished, ARN: saved.ARN, Name: saved.Name, VersionID: token, Stages: saved.StagesOf(token), Time: saved.LastRotatedDate})
		}
	}
	return nil
}

var errFinishDidNotMove = errors.New("finishSecret returned without moving AWSCURRENT to the pending version")

// checkStillRotating refuses to run a rotation that is no longer pending.
func checkStillRotating(sec *Secret, token string) error {
	if sec.Deleted() {
		return errMarkedForDeletion()
	}
	if sec.pending() != token {
		return newError(CodeInvalidRequest, "Version %s of secret %s is not a pending rotation.", token, sec.Name)
	}
	return nil
}

// checkOwner refuses progress from a worker that lost the rotation (it was
// cancelled, finished elsewhere or taken over after the lease expired). The
// rotation state, not the labels, says who owns it: after finishSecret the
// pending version is already AWSCURRENT.
func checkOwner(sec *Secret, token, owner string) error {
	if sec.Deleted() {
		return errMarkedForDeletion()
	}
	if sec.Rotation == nil || sec.Rotation.Token != token || sec.Rotation.LeaseOwner != owner {
		return newError(CodeInvalidRequest, "The rotation of version %s of secret %s was cancelled or taken over.", token, sec.Name)
	}
	return nil
}

// failStep records a failed step (its error text, never a value), releases
// the lease and returns the failure.
func (s *Service) failStep(ctx context.Context, arn, owner string, ev RotationEvent, cause error) error {
	stepErr := &StepError{Step: ev.Step, Token: ev.ClientRequestToken, Err: cause}
	saved, err := s.update(context.WithoutCancel(ctx), arn, func(sec *Secret) error {
		if checkOwner(sec, ev.ClientRequestToken, owner) != nil {
			return errUnchanged
		}
		sec.Rotation.LastError = stepErr.Error()
		sec.Rotation.LeaseOwner, sec.Rotation.LeaseExpires = "", time.Time{}
		return nil
	})
	if err == nil {
		s.emit(Event{Kind: EventStepFailed, ARN: saved.ARN, Name: saved.Name, VersionID: ev.ClientRequestToken, Step: ev.Step, Error: stepErr.Error(), Time: s.now()})
	}
	return &Error{Code: CodeInvalidRequest, Message: fmt.Sprintf("The rotation function failed the %s step for version %s; the rotation stays pending and a retry with the same ClientRequestToken resumes it.", ev.Step, ev.ClientRequestToken), Err: stepErr}
}

// AbandonRotation marks the pending rotation with this token as given up
// after its last attempt: it stays pending (AWSPENDING where it is) until a
// retry, the next window or a manual clean-up. Engines call it.
func (s *Service) AbandonRotation(ctx context.Context, secretID, token string, next time.Time) error {
	sec, err := s.update(ctx, secretID, func(sec *Secret) error {
		if sec.Rotation == nil || sec.Rotation.Token != token {
			return errUnchanged
		}
		sec.Rotation.Abandoned = true
		sec.Rotation.NextAttempt = next
		sec.Rotation.LeaseOwner, sec.Rotation.LeaseExpires = "", time.Time{}
		return nil
	})
	if err == nil {
		s.emit(Event{Kind: EventRotationAbandon, ARN: sec.ARN, Name: sec.Name, VersionID: token, Time: s.now()})
	}
	return err
}

// probeRotation handles RotateImmediately=false (SEMANTICS Decision 3): the
// configuration is saved only if the function passes testSecret against a
// temporary AWSPENDING copy of the current value, which is removed after.
func (s *Service) probeRotation(ctx context.Context, secretID, lambda string, configure func(*Secret, time.Time)) (RotateSecretOutput, error) {
	probe, err := s.newToken()
	if err != nil {
		return RotateSecretOutput{}, err
	}
	var before *Secret
	var pendingWas string
	sec, err := s.update(ctx, secretID, func(sec *Secret) error {
		if err := live(sec); err != nil {
			return err
		}
		if sec.pending() != "" {
			return newError(CodeInvalidRequest, msgRotationIncomplete)
		}
		before = sec.shallowClone()
		pendingWas, _ = sec.StageVersion(StagePending)
		now := s.now()
		configure(sec, now)
		v := &Version{ID: probe, CreatedDate: now}
		if id, ok := sec.StageVersion(StageCurrent); ok {
			v.Value = sec.Version(id).Value
		}
		if err := sec.addVersion(v); err != nil {
			return err
		}
		sec.attachLabel(StagePending, probe)
		return sec.checkLabelLimit()
	})
	if err != nil {
		return RotateSecretOutput{}, err
	}
	ev := RotationEvent{Step: StepTestSecret, SecretId: sec.ARN, ClientRequestToken: probe}
	testErr := s.invoker.Invoke(ctx, lambda, ev)
	_, err = s.update(context.WithoutCancel(ctx), sec.ARN, func(sec *Secret) error {
		sec.dropVersion(probe)
		if pendingWas != "" && sec.Version(pendingWas) != nil {
			if _, taken := sec.StageVersion(StagePending); !taken {
				sec.setStage(StagePending, pendingWas)
			}
		}
		if testErr != nil {
			sec.RotationConfigured, sec.RotationEnabled = before.RotationConfigured, before.RotationEnabled
			sec.RotationLambdaARN, sec.RotationRules = before.RotationLambdaARN, before.RotationRules
			sec.NextRotationDate, sec.LastChangedDate = before.NextRotationDate, before.LastChangedDate
		}
		return nil
	})
	if testErr != nil {
		return RotateSecretOutput{}, &Error{Code: CodeInvalidRequest, Message: "The rotation function failed the testSecret step; the rotation configuration was not saved.", Err: &StepError{Step: StepTestSecret, Token: probe, Err: testErr}}
	}
	if err != nil {
		return RotateSecretOutput{}, err
	}
	return RotateSecretOutput{ARN: sec.ARN, Name: sec.Name}, nil
}

// CancelRotateSecretInput is the input of CancelRotateSecret.
type CancelRotateSecretInput struct {
	SecretId string
}

// CancelRotateSecretOutput is the output of CancelRotateSecret. VersionId is
// the version of the rotation that was in progress, if any.
type CancelRotateSecretOutput struct {
	ARN       string
	Name      string
	VersionId string
}

// CancelRotateSecret turns automatic rotation off and stops the rotation in
// progress. It keeps the function and rules, and leaves the labels where they
// are: AWSPENDING stays on a half-finished version until the caller removes it
// with UpdateSecretVersionStage, and until then RotateSecret is refused.
func (s *Service) CancelRotateSecret(ctx context.Context, in CancelRotateSecretInput) (CancelRotateSecretOutput, error) {
	var version string
	sec, err := s.update(ctx, in.SecretId, func(sec *Secret) error {
		if err := live(sec); err != nil {
			return err
		}
		version = sec.pending()
		if sec.Rotation != nil {
			version = sec.Rotation.Token
		}
		if !sec.RotationEnabled && sec.Rotation == nil {
			return errUnchanged
		}
		sec.RotationEnabled = false
		sec.NextRotationDate = time.Time{}
		sec.Rotation = nil
		sec.LastChangedDate = s.now()
		return nil
	})
	if err != nil {
		return CancelRotateSecretOutput{}, err
	}
	s.emit(Event{Kind: EventRotationCanceled, ARN: sec.ARN, Name: sec.Name, VersionID: version, Time: s.now()})
	return CancelRotateSecretOutput{ARN: sec.ARN, Name: sec.Name, VersionId: version}, nil
}
