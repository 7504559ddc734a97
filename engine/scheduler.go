package engine

import (
	"context"
	"errors"
	"time"

	"github.com/rotorkit/rotor"
)

// listPage is how many secrets a scan reads per Store.List call.
const listPage = 500

// Start resumes the rotations left pending in the store (Resume), then runs
// the scheduler: a Tick at once and every Config.TickInterval until ctx is
// done or the engine is closed. The scheduler runs even when Resume fails
// (the store could not be read): Start returns that error, and every tick
// tries Resume again until it succeeds, so one unreadable moment never stops
// the region's rotations. Start runs the scheduler once: a second call only
// resumes.
func (e *Engine) Start(ctx context.Context) error {
	_, resumeErr := e.Resume(ctx)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errors.New("engine: Start after Close")
	}
	if e.started {
		return resumeErr
	}
	e.started = true
	// The scheduler stops with ctx or with Close, whichever comes first.
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(e.ctx, cancel)
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer stop()
		defer cancel()
		t := time.NewTicker(e.cfg.TickInterval)
		defer t.Stop()
		resumed := resumeErr == nil
		for {
			if !resumed {
				if _, err := e.Resume(ctx); err != nil && ctx.Err() == nil {
					e.log.Error("resuming pending rotations failed; trying again at the next tick", "error", err.Error())
				} else {
					resumed = true
				}
			}
			if _, err := e.Tick(ctx); err != nil && ctx.Err() == nil {
				e.log.Error("scheduler tick failed", "error", err.Error())
			}
			select {
			case <-t.C:
			case <-ctx.Done():
				return
			}
		}
	}()
	return resumeErr
}

// Resume scans every secret of the Service's region and queues each pending
// rotation that no live lease holds (a crash left it, or its engine closed)
// with its own token, without waiting for rotor.OrphanAfter. Rotations given
// up after their last attempt are left to the scheduler's next window. It
// returns how many it queued. It also brings up to date, before it returns,
// the replicas of every primary that a crash left behind.
func (e *Engine) Resume(ctx context.Context) (int, error) {
	n := 0
	err := scan(ctx, e.svc.Store(), e.svc.Region(), func(sec *rotor.Secret) bool {
		if e.rt.CatchUp(ctx, sec) {
			e.log.Info("replicas caught up", "arn", sec.ARN)
		}
		if token, ok := e.rt.Resumable(sec); ok && e.enqueue(jobKey{sec.ARN, token}) {
			e.stats.resumed.Add(1)
			e.log.Info("resuming pending rotation", "arn", sec.ARN, "version", token)
			n++
		}
		return true
	})
	return n, err
}

// scan calls fn for every secret of region, in listing order, until fn
// returns false.
func scan(ctx context.Context, store rotor.Store, region string, fn func(*rotor.Secret) bool) error {
	var cursor rotor.Cursor
	for {
		page, err := store.List(ctx, region, cursor, listPage)
		if err != nil {
			return err
		}
		for _, sec := range page {
			if !fn(sec) {
				return nil
			}
		}
		if len(page) < listPage {
			return nil
		}
		cursor = rotor.CursorOf(page[len(page)-1])
	}
}

// Tick runs the scheduler once, at the Service's time: it finds the secrets
// whose rotor.DueAt has come, through the store's rotor.DueLister if it has
// one and by reading every secret otherwise, and applies the Service's
// scheduler rule to each as stored now (Runtime.Tick): a due secret starts a
// rotation, a pending rotation whose worker is gone (or given up until a
// window that has come) runs again with its own token, a finishSecret whose
// end was never recorded is recorded, and a NextRotationDate that has passed
// moves to the next window. The rotations to run are queued on this engine's
// workers. Tick returns how many it queued.
//
// A secret is never rotated twice for one window: the rule is decided on
// the secret as stored, and saved with its revision, so two engines (or a
// stale listing) cannot both start one; a rotation's end moves
// NextRotationDate past the window.
func (e *Engine) Tick(ctx context.Context) (int, error) {
	now := e.rt.Now()
	due, err := e.due(ctx, now)
	if err != nil {
		return 0, err
	}
	var lag time.Duration
	for _, sec := range due {
		if at, ok := rotor.DueAt(sec); ok {
			lag = max(lag, now.Sub(at))
		}
	}
	e.stats.lag.Store(int64(lag))
	e.stats.lastTick.Store(now.UnixNano())
	n := 0
	for _, sec := range due {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		token, err := e.rt.Tick(ctx, sec.Name)
		if err != nil {
			e.log.Warn("scheduled rotation not started", "arn", sec.ARN, "reason", err.Error())
		}
		if token != "" && e.enqueue(jobKey{sec.ARN, token}) {
			e.stats.started.Add(1)
			n++
		}
	}
	return n, nil
}

// due returns the secrets whose DueAt has come, at most TickLimit.
func (e *Engine) due(ctx context.Context, now time.Time) ([]*rotor.Secret, error) {
	store := e.svc.Store()
	if dl, ok := store.(rotor.DueLister); ok && !e.scanOnly.Load() {
		page, err := dl.ListDue(ctx, e.svc.Region(), now, e.cfg.TickLimit)
		if !errors.Is(err, errors.ErrUnsupported) {
			return page, err
		}
		e.scanOnly.Store(true)
		e.log.Info("the store keeps no index of due rotations; the scheduler reads every secret", "reason", err.Error())
	}
	var out []*rotor.Secret
	err := scan(ctx, store, e.svc.Region(), func(sec *rotor.Secret) bool {
		if at, ok := rotor.DueAt(sec); ok && !at.After(now) {
			out = append(out, sec)
		}
		return len(out) < e.cfg.TickLimit
	})
	return out, err
}
