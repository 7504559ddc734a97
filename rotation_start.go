package rotor

import "time"

// rotateRequest is a RotateSecret request whose members the service has
// validated.
type rotateRequest struct {
	// token is the ClientRequestToken, never empty here.
	token string
	// function is the RotationLambdaARN given; "" keeps the stored one.
	function string
	// rules are the rules given; nil keeps the stored ones.
	rules *RotationRules
	// immediately is RotateImmediately: false asks only for the check.
	immediately bool
	// rotationToken is the RotationToken of a rotation the decision starts.
	rotationToken string
	// owner, when set, is the caller's own attempt: the decision takes the
	// lease for it in the save that accepts the rotation.
	owner string
}

// admitRotation is the part of RotateSecret's rule that refuses: it says
// whether a request may go on with sec as it stands, and which rotation
// function it needs ("" when it runs none). A token new to the secret is
// refused while another rotation is in progress (AWSPENDING on a version
// that is not AWSCURRENT), and without a function to run; a token that names
// an existing version is a retry (see decideRotate), refused only when that
// version is neither the pending nor the current one.
func admitRotation(sec *Secret, req rotateRequest, now time.Time) (fn string, err error) {
	if err := writable(sec); err != nil {
		return "", err
	}
	if sec.Version(req.token) != nil {
		current, _ := sec.StageVersion(StageCurrent)
		switch {
		case sec.phase() == phaseProbing:
			return "", errTokenInUse(req.token, sec.ARN)
		case sec.pending() == req.token:
		case current == req.token:
			return "", nil // a rotation already done: nothing runs
		default:
			return "", errTokenInUse(req.token, sec.ARN)
		}
	} else if sec.busyWith(req.token, now) {
		return "", newError(CodeInvalidRequest, msgRotationIncomplete)
	}
	if fn = req.function; fn == "" {
		fn = sec.RotationLambdaARN
	}
	if fn == "" {
		return "", newError(CodeInvalidRequest, msgNoLambda)
	}
	return fn, nil
}

// decideRotate is RotateSecret's rule, once admitRotation admitted the
// request. A token new to the secret starts a rotation: the configuration
// given is saved (the stored one is used for what is not given), a
// value-less version with that id is labelled AWSPENDING, and its steps are
// to run. A token that names an existing version is a retry:
//
//   - the pending version: the configuration given is saved and the rotation
//     runs again with its own token, unless a run of it is active; a version
//     labelled AWSPENDING by hand, or whose rotation was cancelled, is taken
//     up as that rotation;
//   - the current version: a rotation already done; nothing changes (its end
//     is recorded if its worker died before recording it).
//
// With immediately false, decideRotate only admits; decideProbe then saves
// the check's temporary version.
func decideRotate(sec *Secret, req rotateRequest, now time.Time) (*Secret, outcome, error) {
	fn, err := admitRotation(sec, req, now)
	if err != nil {
		return nil, outcome{}, err
	}
	if sec.Version(req.token) != nil {
		return retryRotation(sec, req, fn, now)
	}
	if !req.immediately {
		return sec, outcome{check: fn}, nil
	}
	next := sec.shallowClone()
	var ended outcome
	if sec.phase() == phaseFinishing {
		// Its worker died between finishSecret and the record of the end.
		ended = next.endRotation(now)
	}
	next.configureRotation(req, fn, now)
	out, err := next.beginRotation(req.token, req.rotationToken, now)
	if err != nil {
		return nil, outcome{}, err
	}
	out.events = append(ended.events, out.events...)
	out.check = fn
	if req.owner != "" {
		startAttempt(next.Rotation, req.owner, now)
		out.owner = req.owner
	}
	return next, out, nil
}

// retryRotation is decideRotate for a token that names an existing version,
// pending or current.
func retryRotation(sec *Secret, req rotateRequest, fn string, now time.Time) (*Secret, outcome, error) {
	if fn == "" {
		// The current version: a rotation already done.
		if r := sec.Rotation; sec.phase() == phaseFinishing && r.Token == req.token && !r.leaseLive(now) {
			next := sec.shallowClone()
			return next, next.endRotation(now), nil
		}
		return sec, outcome{}, nil
	}
	next, out := sec.shallowClone(), outcome{check: fn}
	if sec.needsConfiguring(req, fn) {
		next.configureRotation(req, fn, now)
		out.changed = true
		out.event(next, EventUpdated, "", now)
	}
	if sec.phase() == phaseStranded {
		o, _ := next.adoptRotation(req.token, req.rotationToken, now)
		out.changed = true
		out.events = append(out.events, o.events...)
	}
	if r := next.Rotation; r.Abandoned {
		// An explicit retry begins a new round of attempts: the rotation
		// is pending again from this call on, not from when a worker
		// takes it.
		r.Abandoned, r.Attempts = false, 0
		out.changed = true
	}
	if next.Rotation.leaseLive(now) {
		return next, out, nil // a run of it is active
	}
	out.run = req.token
	if req.owner != "" {
		startAttempt(next.Rotation, req.owner, now)
		out.changed, out.owner = true, req.owner
	}
	return next, out, nil
}

// needsConfiguring reports whether saving the request's configuration would
// change sec.
func (sec *Secret) needsConfiguring(req rotateRequest, fn string) bool {
	return !sec.RotationConfigured || !sec.RotationEnabled || sec.RotationLambdaARN != fn ||
		req.rules != nil && *req.rules != sec.RotationRules
}

// configureRotation saves, on a secret of the caller's, the rotation
// configuration RotateSecret was given: rotation enabled, the function, the
// rules given (or the stored ones), and the next rotation date, counted from
// the last rotation or value change.
func (next *Secret) configureRotation(req rotateRequest, fn string, now time.Time) {
	next.RotationConfigured, next.RotationEnabled = true, true
	next.RotationLambdaARN = fn
	if req.rules != nil {
		next.RotationRules = *req.rules
	}
	next.NextRotationDate = next.nextRotationDate(next.scheduleBase(now))
	next.LastChangedDate = now
}

// beginRotation starts, on a secret of the caller's, a rotation with token:
// a value-less version labelled AWSPENDING (the placeholder the rotation
// function fills) and the rotation's state. It fails when token names a
// version already, or when the version or label quota is reached.
func (next *Secret) beginRotation(token, rotationToken string, now time.Time) (outcome, error) {
	if next.Version(token) != nil {
		return outcome{}, errTokenInUse(token, next.ARN)
	}
	if err := next.addVersion(&Version{ID: token, CreatedDate: now}); err != nil {
		return outcome{}, err
	}
	next.attachLabel(StagePending, token)
	if err := next.checkLabelLimit(); err != nil {
		return outcome{}, err
	}
	return next.adoptRotation(token, rotationToken, now)
}

// adoptRotation gives the pending version token a rotation state.
func (next *Secret) adoptRotation(token, rotationToken string, now time.Time) (outcome, error) {
	next.Rotation = &RotationState{Token: token, RotationToken: rotationToken, StartedAt: now}
	out := outcome{changed: true, run: token}
	out.event(next, EventRotationStarted, token, now).Stages = next.StagesOf(token)
	return out, nil
}

// decideProbe begins the check of RotateImmediately=false, after
// decideRotate accepted it: the configuration is saved (so that the
// function, which checks it first, finds rotation enabled), and a temporary
// version holding a copy of the current value is labelled AWSPENDING for the
// function's testSecret, under a lease for the caller (req.owner). fn is the
// function decideRotate named; probe is the id of the temporary version.
// endProbe ends the check.
func decideProbe(sec *Secret, req rotateRequest, fn, probe string, now time.Time) (*Secret, outcome, error) {
	if err := writable(sec); err != nil {
		return nil, outcome{}, err
	}
	if sec.busyWith(probe, now) {
		return nil, outcome{}, newError(CodeInvalidRequest, msgRotationIncomplete)
	}
	next := sec.shallowClone()
	next.configureRotation(req, fn, now)
	v := &Version{ID: probe, CreatedDate: now}
	if id, ok := sec.StageVersion(StageCurrent); ok {
		v.Value = sec.Version(id).Value
	}
	if err := next.addVersion(v); err != nil {
		return nil, outcome{}, err
	}
	next.attachLabel(StagePending, probe)
	if err := next.checkLabelLimit(); err != nil {
		return nil, outcome{}, err
	}
	next.Rotation = &RotationState{Token: probe, RotationToken: req.rotationToken, StartedAt: now, Probe: true,
		Attempts: 1, LeaseOwner: req.owner, LeaseExpires: now.Add(RotationLease)}
	return next, outcome{changed: true, owner: req.owner}, nil
}

// endProbe ends the check decideProbe began on before: the temporary version
// goes, AWSPENDING returns to the version it was on, and, unless testSecret
// passed, the configuration is put back as it was. Only a passed check
// reports a change.
func endProbe(sec, before *Secret, probe string, passed bool, now time.Time) (*Secret, outcome) {
	next := sec.shallowClone()
	out := outcome{changed: sec.Version(probe) != nil}
	next.dropVersion(probe)
	if r := next.Rotation; r != nil && r.Probe && r.Token == probe {
		next.Rotation, out.changed = nil, true
	}
	if was, ok := before.StageVersion(StagePending); ok && next.Version(was) != nil {
		if _, taken := next.StageVersion(StagePending); !taken {
			next.setStage(StagePending, was)
		}
	}
	if !passed {
		next.RotationConfigured, next.RotationEnabled = before.RotationConfigured, before.RotationEnabled
		next.RotationLambdaARN, next.RotationRules = before.RotationLambdaARN, before.RotationRules
		next.NextRotationDate, next.LastChangedDate = before.NextRotationDate, before.LastChangedDate
		return next, out
	}
	out.event(next, EventUpdated, "", now)
	return next, out
}
