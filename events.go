package rotor

import (
	"slices"
	"time"
)

// EventKind says what a committed change did.
type EventKind string

// The changes a Service reports to subscribers.
const (
	EventCreated          EventKind = "created"
	EventValuePut         EventKind = "value-put"
	EventLabelMoved       EventKind = "label-moved"
	EventUpdated          EventKind = "updated"
	EventRotationStarted  EventKind = "rotation-started"
	EventStepDone         EventKind = "step-done"
	EventStepFailed       EventKind = "step-failed"
	EventRotationFinished EventKind = "rotation-finished"
	EventRotationAbandon  EventKind = "rotation-abandoned"
	EventRotationCanceled EventKind = "rotation-canceled"
	EventDeleted          EventKind = "deleted"
	EventRestored         EventKind = "restored"
	// EventPurged reports that a secret was deleted for good: forced, or at
	// the end of its recovery window.
	EventPurged EventKind = "purged"
	// EventVersionPurged reports that the retention rule deleted a
	// deprecated version (VersionID) to make room for a new one.
	EventVersionPurged EventKind = "version-purged"
	// EventReplicated reports that a replica (ARN is the replica's) was
	// written from its primary, or deleted.
	EventReplicated EventKind = "replicated"
)

// Event reports one committed change to a secret. It never carries a secret
// value: Error is the text of a failure, which rotor builds without values.
type Event struct {
	Kind      EventKind
	ARN       string
	Name      string
	VersionID string
	// Stages are the labels on VersionID after the change, where it matters.
	Stages []string
	// Step is the rotation step, for step events.
	Step  Step
	Error string
	Time  time.Time
	// Lag is, for EventReplicated, how long after its primary's change the
	// replica was written: from the commit, when the replica follows it in
	// the same process, or from the primary's LastChangedDate when a
	// replica a crash left behind is caught up. Zero when not known.
	Lag time.Duration
	// Labels are all the secret's staging labels after the change, each
	// with the version it is on, sorted by label: where every label sits,
	// including those a change moved implicitly (AWSPREVIOUS following
	// AWSCURRENT). They are set on the events that can move a label
	// (created, value-put, label-moved, version-purged and the rotation
	// events) and may be set on others. Every subscriber shares them: read,
	// never modify.
	Labels []Stage
}

// Subscribe registers fn to be called after every committed change, in the
// goroutine that made it, before the operation returns. fn must not block
// for long and must not call back into the service for the same secret
// synchronously. Subscribe may be called at any time, also while other
// goroutines use the service: fn hears every change committed after
// Subscribe returns.
func (s *Service) Subscribe(fn func(Event)) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	var hooks []func(Event)
	if old := s.hooks.Load(); old != nil {
		hooks = slices.Clone(*old)
	}
	hooks = append(hooks, fn)
	s.hooks.Store(&hooks)
}

// listened reports whether anyone subscribed.
func (s *Service) listened() bool { return s.hooks.Load() != nil }

// emitWithLabels emits ev with the labels of sec, the secret the change
// committed; the copy is made only when someone listens.
func (s *Service) emitWithLabels(sec *Secret, ev Event) {
	if !s.listened() {
		return
	}
	ev.Labels = slices.Clone(sec.Stages)
	s.emit(ev)
}

func (s *Service) emit(ev Event) {
	hooks := s.hooks.Load()
	if hooks == nil {
		return
	}
	for _, h := range *hooks {
		h(ev)
	}
}
