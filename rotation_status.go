package rotor

import "time"

// RotationProgress names where one rotation stands.
type RotationProgress string

// The places a rotation can stand, as RotationStatus reports them.
const (
	// RotationRunning: a worker runs an attempt now (finishSecret may have
	// moved AWSCURRENT already; the end is not recorded yet).
	RotationRunning RotationProgress = "running"
	// RotationRetrying: an attempt failed and the next is planned for
	// NextAttempt (a retry with the token runs it sooner).
	RotationRetrying RotationProgress = "retrying"
	// RotationAbandoned: the round's last attempt failed; the scheduler tries
	// again at NextAttempt, the next rotation window.
	RotationAbandoned RotationProgress = "abandoned"
	// RotationFinished: the version is AWSCURRENT and the end is recorded.
	RotationFinished RotationProgress = "finished"
	// RotationStopped: AWSPENDING is still on the version but nothing runs
	// it (CancelRotateSecret stopped it, or the label was put there by
	// hand). RotateSecret with the token takes it up again.
	RotationStopped RotationProgress = "stopped"
	// RotationGone: the version is neither pending nor current: its label
	// was removed or moved, or no such version exists.
	RotationGone RotationProgress = "gone"
)

// RotationStatus reports one rotation of a secret.
type RotationStatus struct {
	Progress RotationProgress
	// Attempts counts the attempts of the current round.
	Attempts int
	// StepsDone counts the steps the current attempt finished.
	StepsDone int
	// FailedStep and LastError describe the last failure, if any; LastError
	// is the rotation function's error text (rotor puts no value in it).
	FailedStep Step
	LastError  string
	// NextAttempt is when the next attempt is planned (retrying, abandoned).
	NextAttempt time.Time
}

// Ended reports whether the rotation will not move any more without a
// caller: it finished, was given up, stopped or is gone.
func (s RotationStatus) Ended() bool {
	return s.Progress != RotationRunning && s.Progress != RotationRetrying
}

// RotationStatus reports where the rotation with token stands in sec, at
// now (which decides whether a worker's lease still holds).
func (sec *Secret) RotationStatus(token string, now time.Time) RotationStatus {
	r := sec.Rotation
	if r != nil && r.Token == token && !r.Probe {
		st := RotationStatus{Attempts: r.Attempts, StepsDone: r.StepsDone, FailedStep: r.FailedStep, LastError: r.LastError, NextAttempt: r.NextAttempt}
		switch phase := sec.phase(); {
		case phase == phaseFinishing || phase == phasePending && r.leaseLive(now):
			st.Progress = RotationRunning
			return st
		case phase == phasePending && r.Abandoned:
			st.Progress = RotationAbandoned
			return st
		case phase == phasePending:
			st.Progress = RotationRetrying
			return st
		}
	}
	switch current, _ := sec.StageVersion(StageCurrent); token {
	case sec.pending():
		return RotationStatus{Progress: RotationStopped}
	case current:
		return RotationStatus{Progress: RotationFinished}
	}
	return RotationStatus{Progress: RotationGone}
}
