package rotor

import (
	"encoding/binary"
	"hash/fnv"
	"time"
)

// DueAt returns when a rotation engine must next look at sec, and false when
// never. Stores that keep an index of due rotations (DueLister) index this
// value, and an engine acts on a secret once its clock reaches it:
//
//   - rotation enabled and none in progress: the secret's due moment in the
//     window that NextRotationDate ends. The due moment is a fixed point in
//     the first half of the window, derived from the ARN and the window, so
//     that many secrets with one schedule do not all rotate in the same
//     second, and every engine agrees on it;
//   - a rotation in progress that a worker holds: when its lease expires;
//   - one that no worker holds: OrphanAfter after its start or its planned
//     retry, so that another engine takes it over;
//   - one given up after its last attempt: RotationState.NextAttempt, the
//     due moment of the next window;
//   - while a rotation is in progress, also the second after
//     NextRotationDate, when the scheduler moves the date to the next window
//     the rotation can still make;
//   - a finishSecret whose end was never recorded: when its lease expires;
//   - a primary whose replicas lag behind (a server died before it brought
//     them up to date): ReplicationGrace after its last change.
//
// A replica is never due: rotation runs on its primary. A test that drives
// an engine's scheduler sets the service's clock to DueAt of the secret and
// ticks.
func DueAt(sec *Secret) (time.Time, bool) {
	if sec == nil || sec.IsReplica() {
		return time.Time{}, false
	}
	if len(sec.lagging()) > 0 {
		return sec.LastChangedDate.Add(ReplicationGrace), true
	}
	if sec.Deleted() {
		return time.Time{}, false
	}
	var at time.Time
	r := sec.Rotation
	switch sec.phase() {
	case phaseIdle:
		if r != nil {
			return r.StartedAt, true // a stale state: the next tick drops it
		}
		sched, ok := sec.schedule()
		if !ok || !sec.RotationEnabled || sec.NextRotationDate.IsZero() {
			return time.Time{}, false
		}
		start, end := sched.windowEnding(sec.NextRotationDate)
		return dueMoment(sec.ARN, start, end), true
	case phaseProbing, phaseFinishing:
		at = r.LeaseExpires
	case phasePending:
		at = r.takeOverAt()
	}
	if passed := sec.NextRotationDate.Add(time.Second); sec.RotationEnabled && !sec.NextRotationDate.IsZero() && (at.IsZero() || passed.Before(at)) {
		at = passed
	}
	return at, !at.IsZero()
}

// takeOverAt is when the scheduler runs a pending rotation again: when the
// lease of the worker that holds it expires; once given up, at its next
// attempt (never, without one); otherwise OrphanAfter after its start or its
// planned retry, the runner that planned it being presumed gone.
func (r *RotationState) takeOverAt() time.Time {
	switch {
	case r.LeaseOwner != "":
		return r.LeaseExpires
	case r.Abandoned:
		return r.NextAttempt
	}
	return maxTime(r.StartedAt, r.NextAttempt).Add(OrphanAfter)
}

// dueMoment is a secret's moment in the window [start, end): a point in its
// first half, fixed per ARN and window.
func dueMoment(arn string, start, end time.Time) time.Time {
	secs := int64(end.Sub(start)/2) / int64(time.Second)
	if secs <= 0 {
		return start
	}
	h := fnv.New64a()
	h.Write([]byte(arn))
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(start.Unix()))
	h.Write(b[:])
	return start.Add(time.Duration(h.Sum64()%uint64(secs)) * time.Second)
}

// tickRequest is what a scheduler tick brings for one secret: the tokens a
// rotation it starts would take.
type tickRequest struct {
	token, rotationToken string
}

// tickRotation decides what the scheduler does with sec at now:
//
//   - rotation due and none in progress: start one with the request's token,
//     as RotateSecret without parameters would, but without checking the
//     function (its failure shows in the steps, as on AWS);
//   - a pending rotation that no worker holds, orphaned or given up, whose
//     time came: run it with its own token;
//   - a finishSecret whose end was never recorded, its lease expired:
//     record the end;
//   - a RotateImmediately=false check whose caller died: remove its version;
//   - a state left behind by a rotation whose label was moved by hand: drop it;
//   - and, while rotation is enabled, move a NextRotationDate that has
//     passed to the end of the next window, so the date never promises the
//     past.
//
// A secret that is not due is left alone: the decision is taken on the
// secret as stored, so a tick acting on a stale listing changes nothing.
func tickRotation(sec *Secret, req tickRequest, now time.Time) (*Secret, outcome) {
	if sec.Deleted() {
		return sec, outcome{}
	}
	next, out := sec, outcome{}
	change := func() *Secret {
		if !out.changed {
			next, out.changed = sec.shallowClone(), true
		}
		return next
	}
	r := sec.Rotation
	switch sec.phase() {
	case phaseIdle:
		if r != nil {
			change().Rotation = nil
			break
		}
		if at, ok := DueAt(sec); ok && !at.After(now) && sec.RotationLambdaARN != "" {
			n := sec.shallowClone()
			o, err := n.beginRotation(req.token, req.rotationToken, now)
			if err != nil {
				out.warn = err
				break
			}
			next, out = n, o
		}
	case phaseProbing:
		if !r.leaseLive(now) {
			change().dropVersion(r.Token)
			next.Rotation = nil
		}
	case phaseFinishing:
		if !r.leaseLive(now) {
			next = sec.shallowClone()
			out = next.endRotation(now)
		}
	case phasePending:
		if at := r.takeOverAt(); !at.IsZero() && !at.After(now) {
			out.run = r.Token
		}
	}
	if next.RotationEnabled && !next.NextRotationDate.IsZero() && !next.NextRotationDate.After(now) {
		if sched, ok := next.schedule(); ok {
			if d := sched.NextRotationDate(now); !d.IsZero() {
				change().NextRotationDate = d
			}
		}
	}
	return next, out
}

// schedule returns the parsed rotation rules of sec; false when it has none,
// or rules that no longer parse (a store edited by hand simply has no
// schedule).
func (sec *Secret) schedule() (Schedule, bool) {
	if sec.RotationRules == (RotationRules{}) {
		return Schedule{}, false
	}
	sched, err := ParseSchedule(sec.RotationRules)
	return sched, err == nil
}

// nextRotationDate is the end of the next window after base, or zero when
// sec has no schedule.
func (sec *Secret) nextRotationDate(base time.Time) time.Time {
	sched, ok := sec.schedule()
	if !ok {
		return time.Time{}
	}
	return sched.NextRotationDate(base)
}

// rescheduleAfterChange moves the next rotation date after AWSCURRENT moved
// by hand: a value change counts as a rotation. A rotation in progress keeps
// its date; its end sets the next one.
func (sec *Secret) rescheduleAfterChange(now time.Time) {
	if sec.RotationEnabled && sec.Rotation == nil {
		sec.NextRotationDate = sec.nextRotationDate(now)
	}
}

// scheduleBase is what the next rotation date counts from when rotation is
// configured: the later of the last rotation and the creation of the current
// value, else now.
func (sec *Secret) scheduleBase(now time.Time) time.Time {
	base := sec.LastRotatedDate
	if id, ok := sec.StageVersion(StageCurrent); ok {
		if v := sec.Version(id); v != nil {
			base = maxTime(base, v.CreatedDate)
		}
	}
	if base.IsZero() {
		return now
	}
	return base
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
