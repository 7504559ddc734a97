package rotor

import (
	"context"
	"errors"
	"time"
)

// RotateSecretInput is the input of RotateSecret. RotationLambdaARN and
// RotationRules, when given, replace the stored ones; when absent, the stored
// configuration is used. RotateImmediately nil means true.
type RotateSecretInput struct {
	// SecretId is the secret's name, complete ARN or partial ARN, 1–2048
	// characters.
	SecretId string
	// ClientRequestToken becomes the VersionId of the pending version; empty
	// means a fresh UUID. 32–64 characters.
	ClientRequestToken string
	// RotationLambdaARN is the rotation function, at most 2048 characters.
	RotationLambdaARN string
	// RotationRules, when not nil, must name a schedule: AutomaticallyAfterDays
	// (1–1000) or a ScheduleExpression; see RotationRules for every limit.
	RotationRules *RotationRules
	// RotateImmediately nil or true rotates now; false only checks the
	// function's testSecret and saves the configuration.
	RotateImmediately *bool
}

// RotateSecretOutput is the output of RotateSecret. VersionId is the pending
// version; it is empty when RotateImmediately was false.
type RotateSecretOutput struct {
	ARN       string
	Name      string
	VersionId string
}

// RotateSecret configures rotation and starts one: it saves the
// configuration and a value-less version labelled AWSPENDING (the
// placeholder the rotation function fills), then the four steps run:
//
//   - in a Service built with WithRotationRunner (an engine; what `rotor
//     serve` runs), after the call returns, as on AWS: the call answers once
//     the rotation is saved, and a failed step is retried by the runner;
//   - otherwise inside the call, which returns when the rotation has
//     finished or a step failed. A failed step returns an *Error with code
//     InvalidRequestException that wraps a *StepError (errors.As) carrying
//     the step and the rotation function's own error; the rotation stays
//     pending, and a retry with the same ClientRequestToken resumes it.
//
// While AWSPENDING sits on a version that is not AWSCURRENT, another rotation
// is refused ("A previous rotation isn't complete."); a token naming that
// pending version is a retry of it, which saves the configuration given and
// runs it again, and a token naming the current version is a rotation already
// done. RotateImmediately=false only checks the function: its testSecret runs,
// inside the call, against a temporary version holding a copy of the current
// value, and the configuration is saved only if it passes.
func (s *Service) RotateSecret(ctx context.Context, in RotateSecretInput) (RotateSecretOutput, error) {
	token, err := s.tokenOrNew(in.ClientRequestToken, "clientRequestToken")
	if err != nil {
		return RotateSecretOutput{}, err
	}
	if err := checkLength(in.RotationLambdaARN, "rotationLambdaARN", 0, MaxLambdaARNLength); err != nil {
		return RotateSecretOutput{}, err
	}
	if in.RotationRules != nil {
		if _, err := ParseSchedule(*in.RotationRules); err != nil {
			return RotateSecretOutput{}, err
		}
	}
	req := rotateRequest{token: token, function: in.RotationLambdaARN, rules: in.RotationRules,
		immediately: in.RotateImmediately == nil || *in.RotateImmediately}
	if req.rotationToken, err = s.newToken(); err != nil {
		return RotateSecretOutput{}, err
	}
	if s.runner == nil {
		// This call runs the steps itself: the decision takes the lease in
		// the save that accepts the rotation.
		if req.owner, err = s.newToken(); err != nil {
			return RotateSecretOutput{}, err
		}
	}

	// Decide once on the stored secret to refuse early and to learn which
	// function to check; the check runs before anything is saved.
	sec, _, err := s.find(ctx, in.SecretId)
	if err != nil {
		return RotateSecretOutput{}, err
	}
	checked, err := admitRotation(sec, req, s.now())
	if err != nil {
		return RotateSecretOutput{}, err
	}
	if checked != "" {
		if err := s.checkFunction(ctx, checked); err != nil {
			return RotateSecretOutput{}, err
		}
	}
	if !req.immediately && sec.Version(token) == nil {
		return s.probe(ctx, sec.ARN, req, checked)
	}
	sec, out, err := s.apply(ctx, sec.ARN, func(sec *Secret, now time.Time) (*Secret, outcome, error) {
		next, out, err := decideRotate(sec, req, now)
		if err == nil && out.check != checked && out.check != "" {
			err = errRecheck
		}
		return next, out, err
	})
	if errors.Is(err, errRecheck) {
		return s.RotateSecret(ctx, in) // the stored function changed meanwhile
	}
	if err != nil {
		return RotateSecretOutput{}, err
	}
	reply := RotateSecretOutput{ARN: sec.ARN, Name: sec.Name, VersionId: token}
	switch {
	case out.run == "":
		return reply, nil
	case s.runner != nil:
		s.runner.StartRotation(sec.ARN, out.run)
		return reply, nil
	}
	attempt := s.Runtime().attempt(sec, out.run, out)
	if attempt.owner == "" {
		// The retry found no lease in the decision (a run is active).
		return reply, nil
	}
	return reply, attempt.Run(ctx, AttemptPolicy{})
}

// errRecheck restarts RotateSecret when the function to check changed
// between the check and the save.
var errRecheck = errors.New("rotor: the rotation function changed; check again")

// probe runs the check of RotateImmediately=false (see decideProbe): it saves
// the configuration and the temporary version, invokes the function's
// testSecret alone, then removes the version and, unless the step passed,
// puts the configuration back.
func (s *Service) probe(ctx context.Context, arn string, req rotateRequest, fn string) (RotateSecretOutput, error) {
	probe, err := s.newToken()
	if err != nil {
		return RotateSecretOutput{}, err
	}
	if req.owner == "" {
		if req.owner, err = s.newToken(); err != nil {
			return RotateSecretOutput{}, err
		}
	}
	var before *Secret
	sec, _, err := s.apply(ctx, arn, func(sec *Secret, now time.Time) (*Secret, outcome, error) {
		before = sec
		return decideProbe(sec, req, fn, probe, now)
	})
	if err != nil {
		return RotateSecretOutput{}, err
	}
	ev := RotationEvent{Step: StepTestSecret, SecretId: sec.ARN, ClientRequestToken: probe, RotationToken: req.rotationToken}
	testErr := s.invoker.Invoke(ctx, fn, ev)
	_, _, err = s.apply(context.WithoutCancel(ctx), sec.ARN, func(sec *Secret, now time.Time) (*Secret, outcome, error) {
		next, out := endProbe(sec, before, probe, testErr == nil, now)
		return next, out, nil
	})
	if testErr != nil {
		return RotateSecretOutput{}, &Error{Code: CodeInvalidRequest, Message: "The rotation function failed the testSecret step; the rotation configuration was not saved.",
			Err: &StepError{Step: StepTestSecret, Token: probe, Err: testErr}}
	}
	if err != nil {
		return RotateSecretOutput{}, err
	}
	return RotateSecretOutput{ARN: sec.ARN, Name: sec.Name}, nil
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

// CancelRotateSecretInput is the input of CancelRotateSecret.
type CancelRotateSecretInput struct {
	// SecretId is the secret's name, complete ARN or partial ARN, 1–2048
	// characters.
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
// with UpdateSecretVersionStage, and until then RotateSecret is refused. A
// secret whose rotation is already off changes nothing.
func (s *Service) CancelRotateSecret(ctx context.Context, in CancelRotateSecretInput) (CancelRotateSecretOutput, error) {
	var version string
	sec, _, err := s.apply(ctx, in.SecretId, func(sec *Secret, now time.Time) (*Secret, outcome, error) {
		next, out, v, err := cancelRotation(sec, now)
		version = v
		return next, out, err
	})
	if err != nil {
		return CancelRotateSecretOutput{}, err
	}
	return CancelRotateSecretOutput{ARN: sec.ARN, Name: sec.Name, VersionId: version}, nil
}
