package cache

import (
	"slices"
	"strings"
	"sync/atomic"

	"github.com/rotorkit/rotor"
)

// listener is what New subscribes: a Notifier offers no way to unsubscribe,
// so Close cuts the link, and a closed Cache is not kept alive by the
// service it read through.
type listener struct{ c atomic.Pointer[Cache] }

func (l *listener) observe(ev rotor.Event) {
	if c := l.c.Load(); c != nil {
		c.forget(ev)
	}
}

// forget drops every entry of the secret ev names, and detaches the calls in
// flight for it: they began before the change, so their answers go to the
// callers already waiting (whose Get overlapped the change) and are not
// kept. Every kind of event drops: one that could not have moved a label
// costs a read, and a rule that misjudged which can would cost a stale value.
func (c *Cache) forget(ev rotor.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range slices.Clone(c.byName[ev.Name]) {
		c.remove(e)
	}
	for k := range c.flights {
		if names(k.id, ev) {
			delete(c.flights, k)
		}
	}
}

// names reports whether the SecretId id may name the secret of ev: its name,
// its complete ARN, or a partial ARN (the name without the six-character
// suffix). It errs towards yes: a wrong yes costs a read.
func names(id string, ev rotor.Event) bool {
	if id == ev.Name || id == ev.ARN {
		return true
	}
	_, resource, ok := strings.Cut(id, ":secret:")
	if !ok || !strings.HasPrefix(id, "arn:") {
		return false
	}
	if resource == ev.Name {
		return true
	}
	i := len(resource) - 7
	return i > 0 && resource[i] == '-' && resource[:i] == ev.Name
}
