package engine

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/rotorkit/rotor"
)

// listPage is how many secrets a scan reads per Store.List call.
const listPage = 500

// Start resumes the rotations left pending in the store (Resume), then runs
// the scheduler: a Tick at once and every Config.TickInterval until ctx is
// done or the engine is closed. It returns Resume's error, if any; the ticker
// runs in the background and logs its own errors.
func (e *Engine) Start(ctx context.Context) error {
	if e.Service() == nil {
		return errors.New("engine: Start before Attach")
	}
	if _, err := e.Resume(ctx); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return errors.New("engine: Start after Close")
	}
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
		for {
			if _, err := e.Tick(ctx, e.cfg.Clock()); err != nil && ctx.Err() == nil {
				e.log.Error("scheduler tick failed", "error", err.Error())
			}
			select {
			case <-t.C:
			case <-ctx.Done():
				return
			}
		}
	}()
	return nil
}

// Resume scans every secret of the Service's region and queues each pending
// rotation that no live lease holds (a crash left it, or its engine closed)
// with its own token. Rotations given up after their last attempt are left to
// the scheduler's next window. It returns how many it queued.
func (e *Engine) Resume(ctx context.Context) (int, error) {
	svc := e.Service()
	if svc == nil {
		return 0, errors.New("engine: Resume before Attach")
	}
	now := e.cfg.Clock()
	n := 0
	err := scan(ctx, svc.Store(), svc.Region(), func(sec *rotor.Secret) {
		r := pendingRotation(sec)
		if r == nil || r.Abandoned || sec.Deleted() || (r.LeaseOwner != "" && r.LeaseExpires.After(now)) {
			return
		}
		if e.enqueue(jobKey{sec.ARN, r.Token}, true) {
			e.log.Info("resuming pending rotation", "arn", sec.ARN, "version", r.Token, "attempts", r.Attempts, "steps_done", r.StepsDone)
			n++
		}
	})
	return n, err
}

// scan calls fn for every secret of region, in listing order.
func scan(ctx context.Context, store rotor.Store, region string, fn func(*rotor.Secret)) error {
	var cursor rotor.Cursor
	for {
		page, err := store.List(ctx, region, cursor, listPage)
		if err != nil {
			return err
		}
		for _, sec := range page {
			fn(sec)
		}
		if len(page) < listPage {
			return nil
		}
		cursor = rotor.CursorOf(page[len(page)-1])
	}
}

// Tick runs the scheduler once, as of now (normally the clock's time; tests
// pass a simulated one, with the Service's clock set to the same instant).
// It finds the secrets that need attention, through the store's DueLister
// if it has one and by reading every secret otherwise, and for each:
//
//   - rotation enabled, no rotation pending, and now at or after DueAt (a
//     fixed moment in the first half of the window that NextRotationDate
//     ends): RotateSecret with a token new to the secret and proper to the
//     window, rotated by this engine's workers. A secret whose window passed
//     unnoticed (no engine ran) is rotated at once, and a warning logged;
//   - a rotation given up after its last attempt, whose next window opened:
//     queued again with its own token;
//   - a pending rotation whose lease expired or that no worker holds after
//     OrphanAfter: queued with its own token (RunRotation's lease decides who
//     runs it).
//
// A secret is never rotated twice for one window: a rotation's completion
// moves NextRotationDate past the window; RotateSecret refuses while another
// rotation is pending; every engine starts a window's rotation with the same
// token, so a second engine's RotateSecret, even from a stale read, replays
// the first one's rotation instead of starting another; and a rotation
// started from a read that a manual change or rotation made stale is
// withdrawn before its first step. Tick returns how many rotations it
// started or queued.
//
// The Service must have been built with rotor.WithRotationRunner(e).
func (e *Engine) Tick(ctx context.Context, now time.Time) (int, error) {
	svc := e.Service()
	if svc == nil {
		return 0, errors.New("engine: Tick before Attach")
	}
	candidates, err := e.due(ctx, svc, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sec := range candidates {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		if e.act(ctx, svc, sec, now) {
			n++
		}
	}
	return n, nil
}

// due returns the secrets whose DueAt has come, at most TickLimit.
func (e *Engine) due(ctx context.Context, svc *rotor.Service, now time.Time) ([]*rotor.Secret, error) {
	if dl, ok := svc.Store().(DueLister); ok {
		return dl.ListDue(ctx, svc.Region(), now, e.cfg.TickLimit)
	}
	var out []*rotor.Secret
	err := scan(ctx, svc.Store(), svc.Region(), func(sec *rotor.Secret) {
		if len(out) >= e.cfg.TickLimit {
			return
		}
		if at, ok := DueAt(sec); ok && !at.After(now) {
			out = append(out, sec)
		}
	})
	return out, err
}

// act handles one candidate, re-read from the store so that a stale listing
// starts nothing. It reports whether it started or queued a rotation.
func (e *Engine) act(ctx context.Context, svc *rotor.Service, listed *rotor.Secret, now time.Time) bool {
	sec, _, err := svc.Store().Load(ctx, svc.Region(), listed.Name)
	if err != nil || sec.ARN != listed.ARN {
		return false
	}
	at, ok := DueAt(sec)
	if !ok || at.After(now) {
		return false
	}
	if leased(sec, now) {
		return false
	}
	if r := pendingRotation(sec); r != nil {
		if !e.enqueue(jobKey{sec.ARN, r.Token}, true) {
			return false
		}
		if r.Abandoned {
			e.log.Info("retrying an abandoned rotation in its next window", "arn", sec.ARN, "version", r.Token)
		} else {
			e.log.Warn("taking over an orphaned rotation", "arn", sec.ARN, "version", r.Token, "attempts", r.Attempts)
		}
		return true
	}
	return e.startScheduled(ctx, svc, sec, now)
}

// startScheduled starts the rotation of a due secret.
//
// Its token is derived from the secret's ARN and NextRotationDate, so every
// engine that finds the secret due in one window uses the same one: a second
// engine's RotateSecret then names the first one's version and is an
// idempotent replay (pending: nothing to do; already AWSCURRENT: done), which
// cannot start a second rotation for the window, even from a stale read and
// even while the first rotation is between finishSecret and its last save.
// Only if that token is taken by an earlier, withdrawn rotation of the same
// window is a random one used.
//
// The rotation is held (queued but not run) until the secret, read again
// after RotateSecret committed, shows that nobody rotated it or changed its
// value between the read that found it due and the commit; otherwise its
// AWSPENDING label is removed and it is withdrawn before its first step.
func (e *Engine) startScheduled(ctx context.Context, svc *rotor.Service, sec *rotor.Secret, now time.Time) bool {
	_, end, _ := windowOf(sec.RotationRules, sec.NextRotationDate)
	if !now.Before(end) {
		e.log.Warn("rotation window passed without a rotation; rotating now", "arn", sec.ARN, "window_end", end)
	}
	e.warnVersions(sec, now)
	token := windowToken(sec)
	created, err := e.rotate(ctx, svc, sec.ARN, token)
	if isCode(err, rotor.CodeResourceExists) {
		if token, err = e.newToken(); err == nil {
			created, err = e.rotate(ctx, svc, sec.ARN, token)
		}
	}
	k := jobKey{sec.ARN, token}
	if err != nil || !created {
		e.release(k, false)
		switch {
		case err == nil && e.recordLostEnd(ctx, svc, sec, token, now):
		case err == nil:
			e.log.Debug("scheduled rotation already started by another engine", "arn", sec.ARN, "version", token)
		case isCode(err, rotor.CodeInvalidRequest):
			e.log.Debug("rotation not started: another is pending", "arn", sec.ARN, "reason", err.Error())
		default:
			e.log.Error("could not start a scheduled rotation", "arn", sec.ARN, "error", err.Error())
		}
		return false
	}
	after, _, err := svc.Store().Load(context.WithoutCancel(ctx), svc.Region(), sec.Name)
	if err == nil && !rotatedSince(sec, after, token) {
		e.release(k, true)
		e.log.Info("scheduled rotation started", "arn", sec.ARN, "version", token, "next_rotation_date", sec.NextRotationDate)
		return true
	}
	e.release(k, false)
	e.stats.lostRaces.Add(1)
	if err == nil && pendingRotation(after) != nil && pendingRotation(after).Token == token {
		_, err = svc.UpdateSecretVersionStage(context.WithoutCancel(ctx), rotor.UpdateSecretVersionStageInput{
			SecretId: sec.ARN, VersionStage: rotor.StagePending, RemoveFromVersionId: token,
		})
	}
	if err != nil {
		e.log.Error("could not withdraw a duplicate rotation; it stays pending", "arn", sec.ARN, "version", token, "error", err.Error())
	} else {
		e.log.Info("secret was rotated or changed meanwhile; withdrew this rotation", "arn", sec.ARN, "version", token)
	}
	return false
}

// recordLostEnd handles a window whose rotation moved AWSCURRENT but never
// saved its end (its worker died between finishSecret and the last save, so
// LastRotatedDate and NextRotationDate were not updated and RunRotation no
// longer takes it): RotateSecret with the window's token is then a replay of
// a finished rotation and would be forever. The window was rotated, so the
// schedule is moved on by re-saving the rotation configuration
// (RotateImmediately=false), which computes NextRotationDate from the new
// current version. It reports whether it did.
func (e *Engine) recordLostEnd(ctx context.Context, svc *rotor.Service, sec *rotor.Secret, token string, now time.Time) bool {
	after, _, err := svc.Store().Load(ctx, svc.Region(), sec.Name)
	if err != nil || pendingRotation(after) != nil || leased(after, now) ||
		!after.NextRotationDate.Equal(sec.NextRotationDate) {
		return false
	}
	if c, _ := after.StageVersion(rotor.StageCurrent); c != token {
		return false
	}
	_, err = svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: sec.ARN, RotateImmediately: new(bool)})
	if err != nil {
		e.log.Error("a rotation's end was never recorded and the schedule could not be moved on", "arn", sec.ARN, "version", token, "error", err.Error())
		return true
	}
	e.log.Warn("a rotation moved AWSCURRENT but its end was never recorded; moved the schedule on", "arn", sec.ARN, "version", token)
	return true
}

// rotate calls RotateSecret with token, holding the rotation the Service
// hands to this engine. created reports whether RotateSecret made a new
// rotation (rather than replaying one that exists).
func (e *Engine) rotate(ctx context.Context, svc *rotor.Service, arn, token string) (created bool, err error) {
	k := jobKey{arn, token}
	e.mu.Lock()
	e.holds[k] = struct{}{}
	e.mu.Unlock()
	_, err = svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: arn, ClientRequestToken: token})
	e.mu.Lock()
	j := e.active[k]
	created = j != nil && j.held
	e.mu.Unlock()
	if err != nil && !created {
		e.release(k, false)
	}
	return created, err
}

// windowToken is the ClientRequestToken of the scheduled rotation for the
// secret's current window: a name-based UUID of its ARN and NextRotationDate.
func windowToken(sec *rotor.Secret) string {
	return uuid.NewSHA1(tokenSpace, []byte(sec.ARN+"\x00"+sec.NextRotationDate.UTC().Format(time.RFC3339))).String()
}

// tokenSpace is the UUID namespace of window tokens.
var tokenSpace = uuid.MustParse("6f0e7c1a-3b8e-4f57-9a43-2d1c5e0b9a11")

// rotatedSince reports whether, between before and after, the secret was
// rotated or its value changed by someone else (its AWSCURRENT version or
// LastRotatedDate moved), or the rotation with token is no longer pending.
func rotatedSince(before, after *rotor.Secret, token string) bool {
	if r := pendingRotation(after); r == nil || r.Token != token {
		return true
	}
	if !before.LastRotatedDate.Equal(after.LastRotatedDate) {
		return true
	}
	b, _ := before.StageVersion(rotor.StageCurrent)
	a, _ := after.StageVersion(rotor.StageCurrent)
	return a != b
}

// release ends a tick's hold on a rotation: run it, or forget it.
func (e *Engine) release(k jobKey, run bool) {
	e.mu.Lock()
	delete(e.holds, k)
	j := e.active[k]
	if j != nil && j.held {
		j.held = false
		if run {
			e.pushLocked(j)
		} else {
			e.removeLocked(j)
			e.stats.started.Add(-1)
		}
	}
	e.mu.Unlock()
	e.signal()
}

// maxVersionsPerDay is AWS's quota of versions of one secret in 24 hours
// (rotor refuses a version beyond it); warnVersionsPerDay is where the
// engine starts warning that rotations are about to be refused.
const (
	maxVersionsPerDay  = 100
	warnVersionsPerDay = 90
)

// warnVersions logs, once per schedule, a schedule that opens more than
// maxVersionsPerDay windows a day, and, per rotation, a secret that already
// received warnVersionsPerDay versions in the last 24 hours.
func (e *Engine) warnVersions(sec *rotor.Secret, now time.Time) {
	if sched, ok := parseSchedule(sec.RotationRules); ok {
		e.mu.Lock()
		seen := e.warned[sec.RotationRules]
		e.warned[sec.RotationRules] = true
		e.mu.Unlock()
		if !seen {
			if n := versionsPerDay(sched, now); n > maxVersionsPerDay {
				e.log.Warn("rotation schedule creates more than 100 versions in 24 hours", "arn", sec.ARN, "versions_per_day", n)
			}
		}
	}
	recent := 0
	for _, v := range sec.Versions {
		if v.CreatedDate.After(now.Add(-24 * time.Hour)) {
			recent++
		}
	}
	if recent >= warnVersionsPerDay {
		e.log.Warn("secret nears the quota of 100 versions in 24 hours; rotations may be refused", "arn", sec.ARN, "versions", recent)
	}
}
