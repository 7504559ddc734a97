package engine

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rotorkit/rotor"
)

// DueLister is an optional interface of a rotor.Store that can find the
// secrets needing the scheduler's attention without reading every secret.
// ListDue returns at most limit secrets of region whose DueAt is at or before
// now, earliest first. The secrets it returns are snapshots, as Load returns
// them; the engine loads each again before acting, so a store may return a
// few that are no longer due.
//
// A durable store implements it with a column holding DueAt(secret), written
// with every save, and an index on (region, due). IndexedStore adds it to any
// store in memory.
type DueLister interface {
	ListDue(ctx context.Context, region string, now time.Time, limit int) ([]*rotor.Secret, error)
}

// OrphanAfter is how long after a rotation was accepted a pending rotation
// that no worker holds a lease on counts as orphaned, so that a scheduler
// tick takes it over (it may be an engine's rotation waiting out a back-off,
// or one whose server died between attempts). Taking over a rotation that is
// merely backing off is harmless: the lease lets one worker run it at a time.
const OrphanAfter = 15 * time.Minute

// DueAt returns when the scheduler must next look at sec, and false when
// never (no rotation is configured, enabled or retryable):
//
//   - no rotation pending: a moment inside the window that NextRotationDate
//     ends, in the first half of the window, the same for every engine
//     (derived from a hash of the ARN and the window's start) so that
//     rotations of many secrets spread over the window; not before the lease
//     of a rotation that is still saving its end expires;
//   - a rotation given up after its last attempt: Rotation.NextAttempt;
//   - a rotation pending: when its lease expires, or OrphanAfter after it was
//     accepted if no worker holds it.
func DueAt(sec *rotor.Secret) (time.Time, bool) {
	if sec == nil || sec.Deleted() {
		return time.Time{}, false
	}
	if r := pendingRotation(sec); r != nil {
		switch {
		case r.Abandoned:
			return r.NextAttempt, !r.NextAttempt.IsZero()
		case r.LeaseOwner != "":
			return r.LeaseExpires, true
		}
		return r.StartedAt.Add(OrphanAfter), true
	}
	if !sec.RotationEnabled || sec.NextRotationDate.IsZero() || pendingLabel(sec) {
		return time.Time{}, false
	}
	start, end, ok := windowOf(sec.RotationRules, sec.NextRotationDate)
	if !ok {
		return time.Time{}, false
	}
	at := start.Add(spread(sec.ARN, start, end.Sub(start)/2))
	if r := sec.Rotation; r != nil && r.LeaseOwner != "" && r.LeaseExpires.After(at) {
		// A worker is finishing a rotation (AWSCURRENT moved, its last save
		// not done yet): nothing is due before its lease ends.
		at = r.LeaseExpires
	}
	return at, true
}

// leased reports whether a worker holds a live lease on the secret's
// rotation state, pending or finishing.
func leased(sec *rotor.Secret, now time.Time) bool {
	r := sec.Rotation
	return r != nil && r.LeaseOwner != "" && r.LeaseExpires.After(now)
}

// pendingRotation returns the rotation in progress: the saved state whose
// token still carries AWSPENDING without AWSCURRENT. A state left behind by
// a rotation whose label was removed by hand is not one.
func pendingRotation(sec *rotor.Secret) *rotor.RotationState {
	r := sec.Rotation
	if r == nil {
		return nil
	}
	if p, ok := sec.StageVersion(rotor.StagePending); !ok || p != r.Token {
		return nil
	}
	if c, _ := sec.StageVersion(rotor.StageCurrent); c == r.Token {
		return nil
	}
	return r
}

// pendingLabel reports whether AWSPENDING sits on a version that is not
// AWSCURRENT, which makes RotateSecret refuse a new rotation.
func pendingLabel(sec *rotor.Secret) bool {
	p, ok := sec.StageVersion(rotor.StagePending)
	if !ok {
		return false
	}
	c, _ := sec.StageVersion(rotor.StageCurrent)
	return c != p
}

// spread returns an offset in [0, span), fixed for one secret and window.
func spread(arn string, start time.Time, span time.Duration) time.Duration {
	secs := int64(span / time.Second)
	if secs <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(arn))
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(start.Unix()))
	h.Write(b[:])
	return time.Duration(h.Sum64()%uint64(secs)) * time.Second
}

// windowOf returns the rotation window [start, end) whose last second is
// nextRotationDate, as rotor.Schedule.Window produced it.
func windowOf(rules rotor.RotationRules, nextRotationDate time.Time) (start, end time.Time, ok bool) {
	sched, ok := parseSchedule(rules)
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	end = nextRotationDate.UTC().Add(time.Second)
	if h := durationHours(rules.Duration); h > 0 {
		return end.Add(-time.Duration(h) * time.Hour), end, true
	}
	expr := rules.ScheduleExpression
	switch {
	case sched.Hourly() || strings.HasPrefix(expr, "rate(") && strings.Contains(expr, "hour"):
		// Schedules in hours have one-hour windows by default.
		return end.Add(-time.Hour), end, true
	case strings.HasPrefix(expr, "cron("):
		// A daily (or rarer) cron window runs from its firing to midnight:
		// the first firing of that day.
		s, e := sched.Window(end.Add(-24*time.Hour - time.Second))
		if e.Equal(end) {
			return s, end, true
		}
	}
	// Schedules in days: the whole UTC day.
	return end.Add(-24 * time.Hour), end, true
}

// durationHours parses Duration ("3h"); 0 when unset or malformed.
func durationHours(d string) int64 {
	if len(d) < 2 || d[len(d)-1] != 'h' {
		return 0
	}
	n, err := strconv.ParseInt(d[:len(d)-1], 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// schedules caches parsed rules: parsing a cron expression scans a calendar
// cycle, and a tick looks at the same few rules over and over.
var schedules struct {
	mu sync.RWMutex
	m  map[rotor.RotationRules]scheduleEntry
}

type scheduleEntry struct {
	sched rotor.Schedule
	ok    bool
}

const maxCachedSchedules = 10000

func parseSchedule(rules rotor.RotationRules) (rotor.Schedule, bool) {
	if rules == (rotor.RotationRules{}) {
		return rotor.Schedule{}, false
	}
	schedules.mu.RLock()
	e, found := schedules.m[rules]
	schedules.mu.RUnlock()
	if found {
		return e.sched, e.ok
	}
	s, err := rotor.ParseSchedule(rules)
	e = scheduleEntry{sched: s, ok: err == nil}
	schedules.mu.Lock()
	if schedules.m == nil || len(schedules.m) >= maxCachedSchedules {
		schedules.m = make(map[rotor.RotationRules]scheduleEntry)
	}
	schedules.m[rules] = e
	schedules.mu.Unlock()
	return e.sched, e.ok
}

// versionsPerDay counts the windows a schedule opens in the 24 hours after
// `from`: the versions its rotations alone add in a day.
func versionsPerDay(sched rotor.Schedule, from time.Time) int {
	n := 0
	limit := from.Add(24 * time.Hour)
	for t := from; n <= 1000; n++ {
		s, _ := sched.Window(t)
		if s.IsZero() || !s.Before(limit) {
			break
		}
		t = s
	}
	return n
}
