package rotor

import "time"

// cancelRotation is CancelRotateSecret's rule: rotation is turned off, the
// next rotation date goes and the rotation in progress stops, its state
// dropped so that no worker records further progress. The function and
// rules are kept, and the labels stay where they are: AWSPENDING stays on a
// half-finished version until the caller removes it, and until then
// RotateSecret refuses other tokens. version is the version of the rotation
// that was in progress, if any. A secret whose rotation is off and idle is
// left unchanged.
func cancelRotation(sec *Secret, now time.Time) (next *Secret, out outcome, version string, err error) {
	if err := writable(sec); err != nil {
		return nil, outcome{}, "", err
	}
	r := sec.Rotation
	version = sec.pending()
	if r != nil && !r.Probe {
		version = r.Token
	}
	if !sec.RotationEnabled && (r == nil || r.Probe) {
		return sec, outcome{}, version, nil
	}
	next = sec.shallowClone()
	next.RotationEnabled = false
	next.NextRotationDate = time.Time{}
	if r != nil && !r.Probe {
		// A running check of RotateImmediately=false ends by itself.
		next.Rotation = nil
	}
	next.LastChangedDate = now
	out = outcome{changed: true}
	out.event(next, EventRotationCanceled, version, now)
	return next, out, version, nil
}
