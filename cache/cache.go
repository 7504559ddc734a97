package cache

import (
	"context"
	"errors"
	"sync"
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

	hits, misses, evictions int64 // under mu
	counters                counters
}

// New returns a Cache over api. When api is a Notifier (a *rotor.Service
// is), New subscribes to its events, at any time: from then on a commit
// drops the entries it changed.
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
		c.hits++
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
		c.hits++
		v := e.v
		c.mu.Unlock()
		return v, nil
	}
	if f == nil || force && !f.force {
		f = c.start(ctx, k, e, force)
	}
	f.waiters++
	c.misses++
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
