package cache

import (
	"slices"
	"sync/atomic"
	"time"

	"github.com/rotorkit/rotor"
)

// key is what a caller asked for: a SecretId as given (a name, a complete or
// a partial ARN) and a label or a version id.
type key struct {
	id  string
	by  selector
	sel string
}

type selector uint8

const (
	byCurrent selector = iota // the label AWSCURRENT
	byStage                   // another label
	byVersion
)

func stageKey(id, stage string) key {
	if stage == "" || stage == rotor.StageCurrent {
		return key{id: id, by: byCurrent, sel: rotor.StageCurrent}
	}
	return key{id: id, by: byStage, sel: stage}
}

type entry struct {
	key key
	v   Version
	// checkAt is when the entry must next be checked before it is served.
	// With the real clock, due turns true then, set by timer.
	checkAt time.Time
	due     atomic.Bool
	timer   *time.Timer
	// staleSince is set while checks fail: the last good value is served
	// until staleSince plus MaxStale.
	staleSince time.Time
	prev, next *entry
}

// install stores r as k's entry (e, when there is one), making it the most
// recently used and evicting the least recently used past the bound.
func (c *Cache) install(k key, e *entry, r result, now time.Time) {
	checkAt := now.Add(c.opts.checkInterval)
	switch next := r.nextRotation; {
	case r.recheck:
		checkAt = now.Add(c.opts.retryInterval)
	case next.After(now) && next.Before(checkAt):
		checkAt = next
	}
	if e != nil && e.v.Name != r.v.Name {
		c.remove(e)
		e = nil
	}
	if e != nil {
		e.v, e.staleSince = r.v, time.Time{}
		c.checkAt(e, checkAt, now)
		c.recent.moveToFront(e)
		return
	}
	e = &entry{key: k, v: r.v}
	c.checkAt(e, checkAt, now)
	if k.by == byCurrent {
		c.current[k.id] = e
	} else {
		c.others[k.id] = append(c.others[k.id], e)
	}
	c.byName[e.v.Name] = append(c.byName[e.v.Name], e)
	c.recent.pushFront(e)
	c.size++
	for c.size > c.opts.maxEntries {
		c.evictions++
		c.remove(c.recent.oldest())
	}
}

func (c *Cache) lookup(k key) *entry {
	if k.by == byCurrent {
		return c.current[k.id]
	}
	for _, e := range c.others[k.id] {
		if e.key == k {
			return e
		}
	}
	return nil
}

// fresh reports whether e may be served without a check at now (which is
// not read with the real clock).
func (c *Cache) fresh(e *entry, now time.Time) bool {
	if c.realTime {
		return !e.due.Load()
	}
	return now.Before(e.checkAt)
}

// checkAt sets when e is next checked; with the real clock a timer marks
// it due then. A timer that fires late, after a newer checkAt was set,
// costs one early check.
func (c *Cache) checkAt(e *entry, at, now time.Time) {
	e.checkAt = at
	if !c.realTime {
		return
	}
	d := at.Sub(now)
	e.due.Store(d <= 0)
	switch {
	case d <= 0:
		if e.timer != nil {
			e.timer.Stop()
		}
	case e.timer == nil:
		e.timer = time.AfterFunc(d, func() { e.due.Store(true) })
	default:
		e.timer.Reset(d)
	}
}

// remove drops e from the cache, under c.mu.
func (c *Cache) remove(e *entry) {
	if e.key.by == byCurrent {
		delete(c.current, e.key.id)
	} else {
		c.others[e.key.id] = without(c.others[e.key.id], e)
		if len(c.others[e.key.id]) == 0 {
			delete(c.others, e.key.id)
		}
	}
	if e.timer != nil {
		e.timer.Stop()
	}
	c.size--
	c.recent.unlink(e)
	if same := without(c.byName[e.v.Name], e); len(same) > 0 {
		c.byName[e.v.Name] = same
	} else {
		delete(c.byName, e.v.Name)
	}
}

// without returns list without e.
func without(list []*entry, e *entry) []*entry {
	if i := slices.Index(list, e); i >= 0 {
		return slices.Delete(list, i, i+1)
	}
	return list
}

// expired reports whether e may no longer be served without a successful
// check: MaxStale has passed since it should have been checked.
func (c *Cache) expired(e *entry, now time.Time) bool {
	since := e.checkAt
	if !e.staleSince.IsZero() {
		since = e.staleSince
	}
	return !now.Before(since.Add(c.opts.maxStale))
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
