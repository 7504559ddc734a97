package console

import (
	"slices"
	"sync"

	"github.com/rotorkit/rotor"
)

// Default bounds of a History: a rotation makes about eight events, so a
// secret's last fifteen or so rotations, for the thousand secrets that
// changed last, in some tens of megabytes at most.
const (
	// DefaultEventsPerSecret is how many events a History keeps per secret.
	DefaultEventsPerSecret = 128
	// DefaultSecrets is how many secrets a History keeps events of.
	DefaultSecrets = 1024
)

// History keeps, in memory, the latest events of each secret, as the
// service reported them: where the staging labels sat after each change and
// how each rotation went, step by step. It is bounded: per secret the oldest
// events go first, and past the number of secrets the secret that changed
// least recently is forgotten. It starts empty when the process starts. It
// is safe for concurrent use.
type History struct {
	perSecret, secrets int

	mu   sync.Mutex
	seq  uint64
	logs map[string]*secretLog // by ARN
}

type secretLog struct {
	events []rotor.Event // oldest first
	// touched is the History's sequence number of the last event, to find
	// the secret that changed least recently.
	touched uint64
}

// NewHistory returns a History keeping at most perSecret events for each of
// at most secrets secrets; zero or less means the defaults.
func NewHistory(perSecret, secrets int) *History {
	if perSecret <= 0 {
		perSecret = DefaultEventsPerSecret
	}
	if secrets <= 0 {
		secrets = DefaultSecrets
	}
	return &History{perSecret: perSecret, secrets: secrets, logs: make(map[string]*secretLog)}
}

// Record keeps ev; pass it to rotor.Service.Subscribe. It never blocks for
// long and never calls the service. An event of a secret purged for good
// forgets the secret.
func (h *History) Record(ev rotor.Event) {
	if ev.ARN == "" {
		return
	}
	ev.Stages = slices.Clone(ev.Stages)
	h.mu.Lock()
	defer h.mu.Unlock()
	if ev.Kind == rotor.EventPurged {
		delete(h.logs, ev.ARN)
		return
	}
	h.seq++
	l := h.logs[ev.ARN]
	if l == nil {
		if len(h.logs) >= h.secrets {
			h.forgetOldest()
		}
		l = &secretLog{}
		h.logs[ev.ARN] = l
	}
	l.touched = h.seq
	if len(l.events) >= h.perSecret {
		l.events = slices.Delete(l.events, 0, len(l.events)-h.perSecret+1)
	}
	l.events = append(l.events, ev)
}

// forgetOldest drops the secret that changed least recently. A linear scan:
// it runs once per new secret only when the History is full.
func (h *History) forgetOldest() {
	oldest, at := "", uint64(0)
	for arn, l := range h.logs {
		if oldest == "" || l.touched < at {
			oldest, at = arn, l.touched
		}
	}
	delete(h.logs, oldest)
}

// Events returns a copy of the events kept for the secret arn, oldest
// first. Their Labels and Stages are shared: read them, never modify.
func (h *History) Events(arn string) []rotor.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	l := h.logs[arn]
	if l == nil {
		return nil
	}
	return slices.Clone(l.events)
}

// Last returns the last event of the secret arn whose kind is one of kinds.
func (h *History) Last(arn string, kinds ...rotor.EventKind) (rotor.Event, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	l := h.logs[arn]
	if l == nil {
		return rotor.Event{}, false
	}
	for i := len(l.events) - 1; i >= 0; i-- {
		if slices.Contains(kinds, l.events[i].Kind) {
			return l.events[i], true
		}
	}
	return rotor.Event{}, false
}
