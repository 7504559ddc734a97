package cache

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/rotorkit/rotor"
)

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
	c.counters.reads.Add(1)
	out, err := c.api.GetSecretValue(callCtx, in)
	cancel()
	if err != nil {
		c.counters.failures.Add(1)
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
	c.counters.describes.Add(1)
	d, err := c.api.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: id})
	if err != nil {
		c.counters.failures.Add(1)
	}
	return d, err
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
