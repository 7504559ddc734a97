package cache

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rotorkit/rotor"
)

// ErrClosed is returned by every call on a closed Cache.
var ErrClosed = errors.New("cache: closed")

// Cache holds secret values read through an API. It is safe for concurrent
// use. Create it with New, and Close it when done.
type Cache struct {
	api      API
	opts     options
	listener *listener

	// realTime: the clock is time.Now, so timers mark entries due and a
	// hit reads no clock (reading one costs more than the rest of a hit).
	realTime bool

	mu sync.Mutex
	// current holds the AWSCURRENT entries by SecretId, the ones Get
	// reads; others holds the rest by SecretId, a few each. Either way a
	// hit hashes one string.
	current map[string]*entry
	others  map[string][]*entry
	size    int
	byName  map[string][]*entry
	recent  recency
	flights map[key]*flight
	closed  bool
	calls   sync.WaitGroup
}

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

// flight is one call in progress for a key; every Get that needs it waits
// for it. Its results are written before done is closed.
type flight struct {
	done    chan struct{}
	force   bool
	waiters int // under Cache.mu; for tests

	v    Version
	err  error
	keep bool // err may pass: v is the last good value, still servable
}

// New returns a Cache over api. When api is a Notifier (a *rotor.Service
// is), New subscribes to its events: call New before the service is shared
// between goroutines, as rotor.Service.Subscribe requires.
func New(api API, opts ...Option) *Cache {
	o := options{
		checkInterval: DefaultCheckInterval, maxStale: DefaultMaxStale,
		retryInterval: DefaultRetryInterval, maxEntries: DefaultMaxEntries,
		callTimeout: DefaultCallTimeout,
	}
	for _, opt := range opts {
		opt(&o)
	}
	realTime := o.clock == nil
	if realTime {
		o.clock = time.Now
	}
	o.retryInterval = min(o.retryInterval, o.checkInterval)
	c := &Cache{
		api: api, opts: o, realTime: realTime,
		current: make(map[string]*entry), others: make(map[string][]*entry), byName: make(map[string][]*entry), flights: make(map[key]*flight),
	}
	c.recent.init()
	if n, ok := api.(Notifier); ok {
		c.listener = &listener{}
		c.listener.c.Store(c)
		n.Subscribe(c.listener.observe)
	}
	return c
}

// Get returns the AWSCURRENT version of the secret secretID names (its name,
// complete ARN or partial ARN), from memory when it can. Errors are the
// API's (errors.Is(err, rotor.ErrResourceNotFound) for a missing secret,
// rotor.ErrInvalidRequest for one scheduled for deletion) or the caller's
// context's; a failed read is not cached.
func (c *Cache) Get(ctx context.Context, secretID string) (Version, error) {
	return c.get(ctx, key{id: secretID, by: byCurrent, sel: rotor.StageCurrent})
}

// GetStage returns the version of the secret that carries the staging label
// stage (AWSCURRENT when stage is empty), as Get does.
func (c *Cache) GetStage(ctx context.Context, secretID, stage string) (Version, error) {
	return c.get(ctx, stageKey(secretID, stage))
}

// GetVersion returns the version of the secret whose id is versionID, as Get
// does. A version's value never changes, so the entry is checked only to
// learn that the version or the secret is gone.
func (c *Cache) GetVersion(ctx context.Context, secretID, versionID string) (Version, error) {
	if versionID == "" {
		return Version{}, &rotor.Error{Code: rotor.CodeInvalidParameter, Message: "GetVersion needs a version id."}
	}
	return c.get(ctx, key{id: secretID, by: byVersion, sel: versionID})
}

// Refresh reads the AWSCURRENT version of secretID again now, whatever the
// cache holds, and returns it: call it when the value was refused (a
// database login failed), since the secret may have rotated since the last
// check. Concurrent Refreshes of one secret make one call. The secret's
// entries for other labels are checked at their next Get. When the read
// fails, Refresh returns the error, and Get goes on serving the last good
// value as after a failed check (see WithMaxStale).
func (c *Cache) Refresh(ctx context.Context, secretID string) (Version, error) {
	k := key{id: secretID, by: byCurrent, sel: rotor.StageCurrent}
	now := c.opts.clock()
	c.mu.Lock()
	if e := c.lookup(k); e != nil {
		for _, o := range c.byName[e.v.Name] {
			if o.key.by != byVersion && o.checkAt.After(now) {
				c.checkAt(o, now, now)
			}
		}
	}
	return c.wait(ctx, k, now, true)
}

// Close drops every entry, stops listening to the API's events and waits
// for the calls in flight to end. Calls made after Close return ErrClosed.
func (c *Cache) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	for e := c.recent.oldest(); e != nil; e = c.recent.oldest() {
		c.remove(e)
	}
	c.recent.init()
	c.mu.Unlock()
	if c.listener != nil {
		c.listener.c.Store(nil)
	}
	c.calls.Wait()
	return nil
}

func (c *Cache) get(ctx context.Context, k key) (Version, error) {
	var now time.Time
	if !c.realTime {
		now = c.opts.clock()
	}
	c.mu.Lock()
	if e := c.lookup(k); e != nil && c.fresh(e, now) {
		c.recent.moveToFront(e)
		v := e.v
		c.mu.Unlock()
		return v, nil
	}
	if c.realTime {
		now = time.Now()
	}
	return c.wait(ctx, k, now, false)
}

// wait answers a Get (or, with force, a Refresh) that the entry alone
// cannot: it joins the call in flight for k or starts one. It is called
// with c.mu held and releases it.
func (c *Cache) wait(ctx context.Context, k key, now time.Time, force bool) (Version, error) {
	if c.closed {
		c.mu.Unlock()
		return Version{}, ErrClosed
	}
	e, f := c.lookup(k), c.flights[k]
	if f != nil && e != nil && !force && !c.expired(e, now) {
		// A check is under way, and nothing has shown the entry stale yet.
		c.recent.moveToFront(e)
		v := e.v
		c.mu.Unlock()
		return v, nil
	}
	if f == nil || force && !f.force {
		f = c.start(ctx, k, e, force)
	}
	f.waiters++
	c.mu.Unlock()
	select {
	case <-f.done:
	case <-ctx.Done():
		return Version{}, ctx.Err()
	}
	if f.err != nil && (force || !f.keep) {
		return Version{}, f.err
	}
	return f.v, nil
}

// start begins the call for k, under c.mu. The call outlives the caller's
// context (keeping its values), so that the others waiting get its answer.
func (c *Cache) start(ctx context.Context, k key, e *entry, force bool) *flight {
	f := &flight{done: make(chan struct{}), force: force}
	c.flights[k] = f
	var prev *Version
	if e != nil && !force {
		v := e.v
		prev = &v
	}
	c.calls.Add(1)
	go c.run(context.WithoutCancel(ctx), k, f, prev)
	return f
}

func (c *Cache) run(ctx context.Context, k key, f *flight, prev *Version) {
	defer c.calls.Done()
	r, err := c.fetch(ctx, k, prev)
	now := c.opts.clock()
	c.mu.Lock()
	report := c.settle(k, f, r, err, now)
	c.mu.Unlock()
	if report && c.opts.onError != nil {
		c.opts.onError(k.id, err)
	}
	close(f.done)
}

// result is what a call learnt: the version, and when to check it next.
type result struct {
	v            Version
	nextRotation time.Time
	// recheck: DescribeSecret and GetSecretValue disagreed on the version
	// (the label moved between them), so check again soon.
	recheck bool
	// moved: a check learnt that the label left the cached version (or the
	// secret was deleted), so the cached value must not be served even if
	// reading the new one failed.
	moved bool
}

// fetch brings k up to date. With prev (an entry being checked) it asks
// DescribeSecret whether the label still names prev's version, and reads the
// value only if not; without, it reads the value, and for a label learns the
// secret's NextRotationDate so that the first check comes before it.
func (c *Cache) fetch(ctx context.Context, k key, prev *Version) (result, error) {
	var described *rotor.DescribeSecretOutput
	moved := false
	if prev != nil {
		d, err := c.describe(ctx, k.id)
		switch {
		case err == nil && holds(d, k, *prev):
			return result{v: *prev, nextRotation: d.NextRotationDate}, nil
		case err == nil:
			described = &d
			moved = true
		case !isCode(err, rotor.CodeAccessDenied):
			return result{}, err
		}
		// The label moved, or the caller may read the value but not
		// describe the secret: read the value.
	}
	in := rotor.GetSecretValueInput{SecretId: k.id}
	if k.by != byVersion {
		in.VersionStage = k.sel
	} else {
		in.VersionId = k.sel
	}
	callCtx, cancel := context.WithTimeout(ctx, c.opts.callTimeout)
	out, err := c.api.GetSecretValue(callCtx, in)
	cancel()
	if err != nil {
		return result{moved: moved}, err
	}
	r := result{v: versionOf(out)}
	if prev == nil && k.by != byVersion {
		if d, err := c.describe(ctx, k.id); err == nil {
			described = &d
		}
	}
	if described != nil {
		r.nextRotation = described.NextRotationDate
		r.recheck = k.by != byVersion && !holds(*described, k, r.v)
	}
	return r, nil
}

func (c *Cache) describe(ctx context.Context, id string) (rotor.DescribeSecretOutput, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.callTimeout)
	defer cancel()
	return c.api.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: id})
}

// holds reports whether d shows the secret of v live, with k's label still
// on v's version (or, for a version id, the version still labelled).
func holds(d rotor.DescribeSecretOutput, k key, v Version) bool {
	if !d.DeletedDate.IsZero() || d.ARN != v.ARN {
		return false
	}
	stages, ok := d.VersionIdsToStages[v.VersionID]
	if k.by == byVersion {
		return ok
	}
	return slices.Contains(stages, k.sel)
}

// settle records what the call f for k came to, under c.mu, and reports
// whether err must go to the error handler (the last good value is served
// in spite of it). A call detached by an event, or replaced by a Refresh,
// answers its waiters but changes no entry.
func (c *Cache) settle(k key, f *flight, r result, err error, now time.Time) (report bool) {
	attached := c.flights[k] == f
	if attached {
		delete(c.flights, k)
	}
	e := c.lookup(k)
	switch {
	case err == nil:
		f.v = r.v
		if attached && !c.closed {
			c.install(k, e, r, now)
		}
		return false
	case settled(err) || r.moved:
		f.err = err
		if attached && e != nil {
			c.remove(e)
		}
		return false
	}
	f.err = err
	if !attached || e == nil {
		return false
	}
	if e.staleSince.IsZero() {
		e.staleSince = minTime(e.checkAt, now)
	}
	if c.expired(e, now) {
		c.remove(e)
		return false
	}
	// Retry after the retry interval, and at the latest when MaxStale ends,
	// since a hit looks no further than checkAt.
	c.checkAt(e, minTime(now.Add(c.opts.retryInterval), e.staleSince.Add(c.opts.maxStale)), now)
	f.v, f.keep = e.v, true
	return true
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

// settled reports whether err is an answer that settles what the secret
// holds (it is gone, scheduled for deletion, unreadable or forbidden to the
// caller), so that its entry must go, rather than a failure that may pass.
func settled(err error) bool {
	var e *rotor.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code {
	case rotor.CodeResourceNotFound, rotor.CodeInvalidRequest, rotor.CodeInvalidParameter,
		rotor.CodeValidation, rotor.CodeAccessDenied, rotor.CodeDecryptionFailure:
		return true
	}
	return false
}

func isCode(err error, code string) bool {
	var e *rotor.Error
	return errors.As(err, &e) && e.Code == code
}

func versionOf(out rotor.GetSecretValueOutput) Version {
	v := Version{ARN: out.ARN, Name: out.Name, VersionID: out.VersionId}
	if out.SecretBinary != nil {
		v.Value = rotor.BinaryValue(out.SecretBinary)
	} else {
		v.Value = rotor.StringValue(out.SecretString)
	}
	return v
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
