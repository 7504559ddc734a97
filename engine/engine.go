package engine

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/rotorkit/rotor"
)

// Config configures an Engine. Zero fields take the documented defaults.
type Config struct {
	// Workers is how many rotations run at once (default 4).
	Workers int
	// MaxAttempts bounds the attempts of one rotation before it is given up
	// until its next window (default 5).
	MaxAttempts int
	// BackoffBase is the delay before the second attempt; each further one
	// doubles it, up to BackoffMax (defaults 1s and 1m). The delay is
	// jittered: a random point in its upper half.
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// StepTimeout cuts off a rotation step that runs longer (default 2m).
	// It must stay below rotor.RotationLease, or another worker could take
	// the rotation over while the step still runs; larger values are
	// lowered to it.
	StepTimeout time.Duration
	// TickInterval is how often Start's scheduler ticks (default 1m).
	TickInterval time.Duration
	// TickLimit bounds the secrets one tick acts on (default 1000); the rest
	// wait for the next tick.
	TickLimit int
	// Clock is the time source; give it the Service's clock (default
	// time.Now). Back-off delays and step timeouts use real time.
	Clock func() time.Time
	// Random is the source of tokens and jitter (default crypto/rand).
	Random io.Reader
	// Logger receives the engine's log (default slog.Default()). No secret
	// value is ever logged.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 5
	}
	if c.BackoffBase <= 0 {
		c.BackoffBase = time.Second
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = time.Minute
	}
	if c.BackoffMax < c.BackoffBase {
		c.BackoffMax = c.BackoffBase
	}
	if c.StepTimeout <= 0 {
		c.StepTimeout = 2 * time.Minute
	}
	if c.StepTimeout >= rotor.RotationLease {
		c.StepTimeout = rotor.RotationLease - time.Second
	}
	if c.TickInterval <= 0 {
		c.TickInterval = time.Minute
	}
	if c.TickLimit <= 0 {
		c.TickLimit = 1000
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.Random == nil {
		c.Random = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Engine runs rotations asynchronously for one rotor.Service: it is the
// Service's rotor.RotationRunner, a bounded pool of workers that run queued
// rotations with Service.RunRotation, retrying failed attempts with the same
// token, and a scheduler that starts the rotations that are due.
//
// Create it with New, give it to rotor.New with rotor.WithRotationRunner,
// then Attach the Service. Its methods are safe for concurrent use.
type Engine struct {
	cfg Config
	log *slog.Logger

	rndMu sync.Mutex
	rnd   io.Reader

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	wake   chan struct{}

	mu       sync.Mutex
	svc      *rotor.Service
	closed   bool
	queue    []*job
	active   map[jobKey]*job // queued, running, backing off or held
	holds    map[jobKey]struct{}
	timers   map[*time.Timer]struct{}
	idle     chan struct{} // closed when active becomes empty
	changed  chan struct{} // closed at every rotation event, for Wait
	warned   map[rotor.RotationRules]bool
	attached atomic.Bool

	stats struct {
		started, finished, failed, abandoned, resumed, retried, lostRaces atomic.Int64
	}
}

type jobKey struct{ arn, token string }

type job struct {
	key      jobKey
	attempts int  // attempts this engine made
	held     bool // created by a tick that has not confirmed it yet
	queued   bool
	run      *stepContext // while running
}

// New returns an Engine. It runs nothing until Attach.
func New(cfg Config) *Engine {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Engine{
		cfg: cfg, log: cfg.Logger, rnd: cfg.Random,
		ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1),
		active: make(map[jobKey]*job), holds: make(map[jobKey]struct{}), timers: make(map[*time.Timer]struct{}),
		changed: make(chan struct{}), warned: make(map[rotor.RotationRules]bool),
	}
}

// Attach binds the engine to the Service that was built with
// rotor.WithRotationRunner(e), subscribes to its events (for logging, step
// timeouts and Wait) and starts the workers. Rotations handed to the engine
// before Attach wait in its queue. Attach must be called once, before the
// Service is shared between goroutines (Subscribe's rule).
func (e *Engine) Attach(svc *rotor.Service) {
	if !e.attached.CompareAndSwap(false, true) {
		panic("engine: Attach called twice")
	}
	e.mu.Lock()
	e.svc = svc
	e.mu.Unlock()
	svc.Subscribe(e.observe)
	for range e.cfg.Workers {
		e.wg.Add(1)
		go e.worker()
	}
	e.signal()
}

// Service returns the attached Service, nil before Attach.
func (e *Engine) Service() *rotor.Service {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.svc
}

// StartRotation implements rotor.RotationRunner: it queues the rotation and
// returns at once. A rotation the engine already has is not queued twice.
func (e *Engine) StartRotation(secretARN, token string) {
	e.enqueue(jobKey{secretARN, token}, false)
}

// enqueue adds a job unless the engine already has it; it reports whether it
// did. A job created by a tick stays held until the tick confirms it.
func (e *Engine) enqueue(k jobKey, resumed bool) bool {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return false
	}
	if _, ok := e.active[k]; ok {
		e.mu.Unlock()
		return false
	}
	j := &job{key: k}
	e.addLocked(j)
	if _, held := e.holds[k]; held {
		j.held = true
	} else {
		e.pushLocked(j)
	}
	e.mu.Unlock()
	if resumed {
		e.stats.resumed.Add(1)
	} else {
		e.stats.started.Add(1)
	}
	e.signal()
	return true
}

func (e *Engine) addLocked(j *job) {
	if len(e.active) == 0 && e.idle == nil {
		e.idle = make(chan struct{})
	}
	e.active[j.key] = j
}

func (e *Engine) removeLocked(j *job) {
	if e.active[j.key] != j {
		return
	}
	delete(e.active, j.key)
	if len(e.active) == 0 && e.idle != nil {
		close(e.idle)
		e.idle = nil
	}
}

func (e *Engine) pushLocked(j *job) {
	j.queued = true
	e.queue = append(e.queue, j)
}

func (e *Engine) signal() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

func (e *Engine) pop() *job {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.svc == nil || len(e.queue) == 0 {
		return nil
	}
	j := e.queue[0]
	e.queue[0] = nil
	e.queue = e.queue[1:]
	j.queued = false
	if len(e.queue) > 0 {
		// Another worker may be waiting on the single wake-up slot.
		e.signal()
	}
	return j
}

func (e *Engine) worker() {
	defer e.wg.Done()
	for {
		if j := e.pop(); j != nil {
			e.runJob(j)
			continue
		}
		select {
		case <-e.wake:
		case <-e.ctx.Done():
			return
		}
	}
}

// runJob runs one attempt and decides what follows: done, retry later, or
// give up until the next window.
func (e *Engine) runJob(j *job) {
	e.mu.Lock()
	svc := e.svc
	run := newStepContext(e.ctx, e.cfg.StepTimeout)
	j.run = run
	j.attempts++
	e.mu.Unlock()

	err := svc.RunRotation(run, j.key.arn, j.key.token)
	run.release()

	e.mu.Lock()
	j.run = nil
	e.mu.Unlock()

	log := e.log.With("arn", j.key.arn, "version", j.key.token, "attempt", j.attempts)
	var stepErr *rotor.StepError
	switch {
	case err == nil:
		e.stats.finished.Add(1)
		e.done(j)
	case e.ctx.Err() != nil:
		// Closing: the rotation stays pending for the next engine.
		log.Info("rotation interrupted by shutdown; it stays pending")
		e.done(j)
	case errors.Is(err, rotor.ErrRotationBusy):
		log.Debug("rotation is run by another worker")
		e.done(j)
	case errors.As(err, &stepErr) || isCode(err, rotor.CodeInternalServiceError) || errors.Is(err, context.DeadlineExceeded):
		e.stats.failed.Add(1)
		if j.attempts >= e.cfg.MaxAttempts {
			e.abandon(j, err)
			return
		}
		delay := e.backoff(j.attempts)
		log.Warn("rotation attempt failed; retrying", "error", err.Error(), "retry_in", delay)
		e.retryAfter(j, delay)
	default:
		// Cancelled, finished or taken over elsewhere, or the secret is gone.
		log.Info("rotation no longer runnable here", "reason", err.Error())
		e.done(j)
	}
}

func isCode(err error, code string) bool {
	var re *rotor.Error
	return errors.As(err, &re) && re.Code == code
}

func (e *Engine) done(j *job) {
	e.mu.Lock()
	e.removeLocked(j)
	e.mu.Unlock()
}

// backoff returns the delay before attempt n+1: BackoffBase doubled per
// attempt up to BackoffMax, jittered over its upper half.
func (e *Engine) backoff(n int) time.Duration {
	d := e.cfg.BackoffBase
	for i := 1; i < n && d < e.cfg.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, e.cfg.BackoffMax)
	half := d / 2
	return half + time.Duration(e.randUint64()%uint64(half+1))
}

func (e *Engine) retryAfter(j *job, delay time.Duration) {
	e.stats.retried.Add(1)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		e.removeLocked(j)
		return
	}
	var t *time.Timer
	t = time.AfterFunc(delay, func() {
		e.mu.Lock()
		delete(e.timers, t)
		if e.closed {
			e.removeLocked(j)
			e.mu.Unlock()
			return
		}
		e.pushLocked(j)
		e.mu.Unlock()
		e.signal()
	})
	e.timers[t] = struct{}{}
}

// abandon gives a rotation up after its last attempt: it stays pending and
// the scheduler tries it again when its next window opens.
func (e *Engine) abandon(j *job, cause error) {
	defer e.done(j)
	now := e.cfg.Clock()
	next := e.nextWindow(j.key.arn, now)
	ctx := context.WithoutCancel(e.ctx)
	if err := e.svc.AbandonRotation(ctx, j.key.arn, j.key.token, next); err != nil {
		e.log.Error("could not record the abandoned rotation", "arn", j.key.arn, "version", j.key.token, "error", err.Error())
		return
	}
	e.stats.abandoned.Add(1)
	e.log.Error("rotation abandoned after its last attempt; it stays pending until the next window",
		"arn", j.key.arn, "version", j.key.token, "attempts", j.attempts, "error", cause.Error(), "next_attempt", next)
}

// nextWindow returns the start of the secret's next rotation window after
// now, or zero (no automatic retry) when it has no schedule.
func (e *Engine) nextWindow(arn string, now time.Time) time.Time {
	sec, err := loadARN(e.ctx, e.svc, arn)
	if err != nil {
		return time.Time{}
	}
	sched, ok := parseSchedule(sec.RotationRules)
	if !ok {
		return time.Time{}
	}
	start, _ := sched.Window(now)
	return start
}

// loadARN loads a secret of svc's region by ARN from its store.
func loadARN(ctx context.Context, svc *rotor.Service, arn string) (*rotor.Secret, error) {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || len(parts[6]) < 8 {
		return nil, fmt.Errorf("engine: %q is not a secret ARN", arn)
	}
	name := parts[6][:len(parts[6])-7]
	sec, _, err := svc.Store().Load(ctx, parts[3], name)
	if err != nil {
		return nil, err
	}
	if sec.ARN != arn {
		return nil, fmt.Errorf("engine: secret %s was replaced: %w", name, rotor.ErrStoreNotFound)
	}
	return sec, nil
}

func (e *Engine) randUint64() uint64 {
	var b [8]byte
	e.rndMu.Lock()
	_, err := io.ReadFull(e.rnd, b[:])
	e.rndMu.Unlock()
	if err != nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b[:])
}

func (e *Engine) newToken() (string, error) {
	e.rndMu.Lock()
	defer e.rndMu.Unlock()
	u, err := uuid.NewRandomFromReader(e.rnd)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// observe is the engine's subscription to the Service's events: it restarts
// the step timer of a running rotation, wakes Wait, and logs.
func (e *Engine) observe(ev rotor.Event) {
	switch ev.Kind {
	case rotor.EventStepDone, rotor.EventStepFailed, rotor.EventRotationStarted, rotor.EventRotationFinished,
		rotor.EventRotationAbandon, rotor.EventRotationCanceled, rotor.EventLabelMoved, rotor.EventDeleted, rotor.EventPurged:
		e.mu.Lock()
		if ev.Kind == rotor.EventStepDone {
			if j := e.active[jobKey{ev.ARN, ev.VersionID}]; j != nil && j.run != nil {
				j.run.nextStep()
			}
		}
		close(e.changed)
		e.changed = make(chan struct{})
		e.mu.Unlock()
	}
	logEvent(e.log, ev)
}

// Close stops the workers, the scheduler and pending retries, and waits for
// running attempts to end (their context is cancelled). Rotations in progress
// stay pending in the store, where the next engine's Start finds them.
func (e *Engine) Close() {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		e.wg.Wait()
		return
	}
	e.closed = true
	for t := range e.timers {
		t.Stop()
	}
	clear(e.timers)
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	e.mu.Lock()
	for _, j := range e.active {
		e.removeLocked(j)
	}
	e.queue = nil
	e.mu.Unlock()
}

// WaitIdle returns when the engine has no rotation queued, running or
// waiting to retry, or when ctx is done.
func (e *Engine) WaitIdle(ctx context.Context) error {
	e.mu.Lock()
	ch := e.idle
	e.mu.Unlock()
	if ch == nil {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ErrAbandoned is matched (errors.Is) by the error Wait returns for a
// rotation given up after its last attempt.
var ErrAbandoned = errors.New("engine: rotation abandoned after its last attempt")

// ErrNotPending is matched by the error Wait returns for a rotation that
// ended without its version becoming AWSCURRENT (it was cancelled, or its
// AWSPENDING label was removed).
var ErrNotPending = errors.New("engine: rotation ended without finishing")

// Wait returns when the rotation of secretARN with token is no longer
// running: nil once the version is AWSCURRENT, an error matching
// ErrAbandoned (with the last failure) once it was given up, an error
// matching ErrNotPending if it ended otherwise, or ctx's error. It reads the
// store, so it also sees rotations run by other engines (checking every
// 50ms for those; this engine's own progress wakes it at once).
func (e *Engine) Wait(ctx context.Context, secretARN, token string) error {
	svc := e.Service()
	if svc == nil {
		return errors.New("engine: Wait before Attach")
	}
	for {
		e.mu.Lock()
		changed := e.changed
		e.mu.Unlock()
		sec, err := loadARN(ctx, svc, secretARN)
		if err != nil {
			return err
		}
		cur, _ := sec.StageVersion(rotor.StageCurrent)
		if r := sec.Rotation; r != nil && r.Token == token {
			switch {
			case cur == token:
				// finishSecret moved AWSCURRENT; the rotation's last save
				// has not happened yet.
			case pendingRotation(sec) == nil:
				return fmt.Errorf("%w: version %s of %s", ErrNotPending, token, secretARN)
			case r.Abandoned:
				return fmt.Errorf("%w: %s", ErrAbandoned, r.LastError)
			}
		} else if cur == token {
			return nil
		} else {
			return fmt.Errorf("%w: version %s of %s", ErrNotPending, token, secretARN)
		}
		t := time.NewTimer(50 * time.Millisecond)
		select {
		case <-changed:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
		t.Stop()
	}
}

// Stats counts what the engine did since New.
type Stats struct {
	// Started counts rotations handed to the engine; Resumed those it took
	// over from the store (after a crash, or orphaned).
	Started, Resumed int64
	// Finished counts successful attempts; Failed failed ones; Retried the
	// retries scheduled; Abandoned the rotations given up.
	Finished, Failed, Retried, Abandoned int64
	// LostRaces counts scheduled rotations withdrawn before their first step
	// because the secret was rotated or its value changed between the read
	// that found it due and the start.
	LostRaces int64
}

// Stats returns the engine's counters.
func (e *Engine) Stats() Stats {
	return Stats{
		Started: e.stats.started.Load(), Resumed: e.stats.resumed.Load(),
		Finished: e.stats.finished.Load(), Failed: e.stats.failed.Load(), Retried: e.stats.retried.Load(),
		Abandoned: e.stats.abandoned.Load(), LostRaces: e.stats.lostRaces.Load(),
	}
}
