package engine

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rotorkit/rotor"
)

// Config configures an Engine. Zero fields take the documented defaults.
type Config struct {
	// Workers is how many rotations run at once (default 4).
	Workers int
	// MaxAttempts bounds the attempts of one rotation in one round; after
	// the last, the rotation is given up until its next window (default 5).
	MaxAttempts int
	// BackoffBase is the delay before the second attempt; each further one
	// doubles it, up to BackoffMax (defaults 1s and 1m). The delay is
	// jittered: a random point in its upper half.
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// StepTimeout cuts off a rotation step that runs longer (default 2m).
	// It must stay well below rotor.RotationLease, or another worker could
	// take the rotation over while the step still runs: larger values are
	// lowered to a minute below it.
	StepTimeout time.Duration
	// TickInterval is how often Start's scheduler ticks (default 1m).
	TickInterval time.Duration
	// TickLimit bounds the secrets one tick acts on (default 1000); the rest
	// wait for the next tick.
	TickLimit int
	// Random is the source of the back-off jitter (default crypto/rand).
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
	if c.BackoffMax < c.BackoffBase {
		c.BackoffMax = max(c.BackoffBase, time.Minute)
	}
	if c.StepTimeout <= 0 {
		c.StepTimeout = 2 * time.Minute
	}
	c.StepTimeout = min(c.StepTimeout, rotor.RotationLease-time.Minute)
	if c.TickInterval <= 0 {
		c.TickInterval = time.Minute
	}
	if c.TickLimit <= 0 {
		c.TickLimit = 1000
	}
	if c.Random == nil {
		c.Random = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Engine runs the rotations of one rotor.Service after RotateSecret has
// returned, as AWS does: a bounded pool of workers that run each rotation's
// attempts, retrying failed ones with back-off, and a scheduler that starts
// the rotations that are due and takes over those whose worker died. Every
// decision is the Service's (its rotation model); the engine only acts on
// them, through the Service's Runtime. Its methods are safe for concurrent
// use.
type Engine struct {
	cfg Config
	svc *rotor.Service
	rt  *rotor.Runtime
	log *slog.Logger
	clk clockwork

	rndMu sync.Mutex
	rnd   io.Reader

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	wake   chan struct{}

	mu       sync.Mutex
	closed   bool
	started  bool
	queue    []*job
	active   map[jobKey]*job // queued, running or waiting to retry
	timers   map[int]func() bool
	timerSeq int
	idle     chan struct{} // closed when active becomes empty
	changed  chan struct{} // closed at every rotation event, for Wait
	scanOnly atomic.Bool   // the store declined ListDue

	stats struct {
		started, resumed, finished, failed, retried, abandoned atomic.Int64
		// lag is how late, in nanoseconds, the oldest rotation the last
		// tick found due was; lastTick when that tick ran (Unix nanos).
		lag, lastTick atomic.Int64
	}
}

type jobKey struct{ arn, token string }

type job struct {
	key jobKey
	// storeFailures counts attempts that failed in the store, not in a step.
	storeFailures int
	// attempt is an attempt whose progress the store failed to save: the
	// retry goes on with it, under its lease, from the step not saved.
	attempt *rotor.Attempt
}

// clockwork is how the engine waits and runs its workers; tests replace it
// to run engines in simulated time.
type clockwork struct {
	// afterFunc calls f after d unless the stop it returns is called first.
	afterFunc func(d time.Duration, f func()) (stop func() bool)
	// queued is called after a job is queued; nil wakes the workers.
	queued func()
	// workers says whether to start worker goroutines.
	workers bool
}

var realClockwork = clockwork{
	afterFunc: func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop },
	workers:   true,
}

// New returns an Engine and the Service it runs rotations for, built over
// store with opts (rotor.WithInvoker, rotor.WithClock, ...) and the engine as
// its rotor.RotationRunner: get it with Service. The engine uses the
// service's clock for every decision; only back-off delays and step
// timeouts are measured in real time. Its workers start at once; Start
// resumes what a crash left pending and runs the scheduler. Close it when
// done.
func New(store rotor.Store, cfg Config, opts ...rotor.Option) *Engine {
	return newEngine(store, cfg, realClockwork, opts...)
}

func newEngine(store rotor.Store, cfg Config, clk clockwork, opts ...rotor.Option) *Engine {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	e := &Engine{
		cfg: cfg, log: cfg.Logger, rnd: cfg.Random, clk: clk,
		ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1),
		active: make(map[jobKey]*job), timers: make(map[int]func() bool),
		changed: make(chan struct{}),
	}
	e.svc = rotor.New(store, append(opts, rotor.WithRotationRunner(e))...)
	e.rt = e.svc.Runtime()
	e.svc.Subscribe(e.observe)
	if clk.workers {
		for range cfg.Workers {
			e.wg.Add(1)
			go e.worker()
		}
	}
	return e
}

// Service returns the Service the engine runs rotations for.
func (e *Engine) Service() *rotor.Service { return e.svc }

// StartRotation implements rotor.RotationRunner: it queues the rotation and
// returns at once. A rotation the engine already has is not queued twice.
func (e *Engine) StartRotation(secretARN, token string) {
	if e.enqueue(jobKey{secretARN, token}) {
		e.stats.started.Add(1)
	}
}

// enqueue adds a job unless the engine already has it; it reports whether
// it did.
func (e *Engine) enqueue(k jobKey) bool {
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
	if len(e.active) == 0 && e.idle == nil {
		e.idle = make(chan struct{})
	}
	e.active[k] = j
	e.queue = append(e.queue, j)
	e.mu.Unlock()
	e.notify()
	return true
}

// push queues a job the engine already has (a retry).
func (e *Engine) push(j *job) {
	e.mu.Lock()
	if e.closed || e.active[j.key] != j {
		e.mu.Unlock()
		return
	}
	e.queue = append(e.queue, j)
	e.mu.Unlock()
	e.notify()
}

func (e *Engine) notify() {
	if e.clk.queued != nil {
		e.clk.queued()
		return
	}
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// done forgets a job.
func (e *Engine) done(j *job) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.active[j.key] != j {
		return
	}
	delete(e.active, j.key)
	if len(e.active) == 0 && e.idle != nil {
		close(e.idle)
		e.idle = nil
	}
}

func (e *Engine) pop() *job {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.queue) == 0 {
		return nil
	}
	j := e.queue[0]
	e.queue[0] = nil
	e.queue = e.queue[1:]
	if len(e.queue) > 0 && e.clk.queued == nil {
		// Another worker may be waiting on the single wake-up slot.
		select {
		case e.wake <- struct{}{}:
		default:
		}
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

// runJob runs one attempt of a rotation and decides what follows: done,
// retry after a back-off, or (the round's last attempt having failed) given
// up until the next window, which the rotation's saved state records.
func (e *Engine) runJob(j *job) {
	log := e.log.With("arn", j.key.arn, "version", j.key.token)
	a := j.attempt
	if a == nil {
		var err error
		if a, err = e.rt.Claim(e.ctx, j.key.arn, j.key.token); err != nil {
			e.notRun(j, log, err)
			return
		}
	}
	j.attempt = nil
	if a.Finished() {
		e.stats.finished.Add(1)
		e.done(j)
		return
	}
	policy := rotor.AttemptPolicy{
		StepTimeout: e.cfg.StepTimeout,
		RetryAfter:  e.backoff(a.Number()),
		Last:        a.Number() >= e.cfg.MaxAttempts,
	}
	err := a.Run(e.ctx, policy)
	var stepErr *rotor.StepError
	switch {
	case err == nil:
		e.stats.finished.Add(1)
		e.done(j)
	case e.ctx.Err() != nil:
		log.Info("rotation interrupted by shutdown; it stays pending for the next start")
		e.done(j)
	case errors.As(err, &stepErr):
		e.stats.failed.Add(1)
		if policy.Last {
			e.stats.abandoned.Add(1)
			e.done(j)
			return
		}
		log.Info("rotation attempt failed; retrying", "attempt", a.Number(), "step", string(stepErr.Step), "retry_in", policy.RetryAfter)
		e.retryAfter(j, policy.RetryAfter)
	case isCode(err, rotor.CodeInternalServiceError):
		j.attempt = a // its lease holds: go on from the step not saved
		e.notRun(j, log, err)
	default:
		e.notRun(j, log, err)
	}
}

// notRun handles an attempt that could not run or record its steps.
func (e *Engine) notRun(j *job, log *slog.Logger, err error) {
	switch {
	case e.ctx.Err() != nil:
		e.done(j)
	case errors.Is(err, rotor.ErrRotationBusy):
		// Its holder finishes it; if the holder dies, the lease's expiry
		// makes it due again.
		log.Debug("rotation is run by another worker")
		e.done(j)
	case isCode(err, rotor.CodeInternalServiceError):
		// The store failed: the rotation is still pending; try again.
		j.storeFailures++
		delay := e.backoff(j.storeFailures)
		log.Warn("could not reach the store to run a rotation; retrying", "error", err.Error(), "retry_in", delay)
		e.retryAfter(j, delay)
	default:
		// Cancelled, finished or taken over elsewhere, deleted, or gone.
		log.Info("rotation no longer runnable here", "reason", err.Error())
		e.done(j)
	}
}

func isCode(err error, code string) bool {
	var re *rotor.Error
	return errors.As(err, &re) && re.Code == code
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
		delete(e.active, j.key)
		return
	}
	e.timerSeq++
	id := e.timerSeq
	e.timers[id] = e.clk.afterFunc(delay, func() {
		e.mu.Lock()
		delete(e.timers, id)
		e.mu.Unlock()
		e.push(j)
	})
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

// observe is the engine's subscription to the Service's events: it wakes
// Wait and logs.
func (e *Engine) observe(ev rotor.Event) {
	switch ev.Kind {
	case rotor.EventStepDone, rotor.EventStepFailed, rotor.EventRotationStarted, rotor.EventRotationFinished,
		rotor.EventRotationAbandon, rotor.EventRotationCanceled, rotor.EventLabelMoved, rotor.EventDeleted, rotor.EventPurged:
		e.mu.Lock()
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
	if !e.closed {
		e.closed = true
		for _, stop := range e.timers {
			stop()
		}
		clear(e.timers)
	}
	e.mu.Unlock()
	e.cancel()
	e.wg.Wait()
	e.mu.Lock()
	clear(e.active)
	e.queue = nil
	if e.idle != nil {
		close(e.idle)
		e.idle = nil
	}
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
// rotation given up after the last attempt of its round.
var ErrAbandoned = errors.New("engine: rotation abandoned after its last attempt")

// ErrNotPending is matched by the error Wait returns for a rotation that
// ended without its version becoming AWSCURRENT (it was cancelled, or its
// AWSPENDING label was removed).
var ErrNotPending = errors.New("engine: rotation ended without finishing")

// Wait returns when the rotation of secretARN with token has ended: nil once
// it finished (its version is AWSCURRENT and the end recorded), an error
// matching ErrAbandoned (with the step and the function's error) once it was
// given up, an error matching ErrNotPending if it ended otherwise, or ctx's
// error. It reads the store, so it also sees rotations run by other engines
// (checking every 50ms for those; this engine's own progress wakes it at
// once).
func (e *Engine) Wait(ctx context.Context, secretARN, token string) error {
	for {
		e.mu.Lock()
		changed := e.changed
		e.mu.Unlock()
		sec, err := e.svc.Lookup(ctx, secretARN)
		if err != nil {
			return err
		}
		st := sec.RotationStatus(token, e.rt.Now())
		switch st.Progress {
		case rotor.RotationFinished:
			return nil
		case rotor.RotationAbandoned:
			return fmt.Errorf("%w: step %s failed %d times: %s", ErrAbandoned, st.FailedStep, st.Attempts, st.LastError)
		case rotor.RotationStopped, rotor.RotationGone:
			return fmt.Errorf("%w: version %s of %s is %s", ErrNotPending, token, secretARN, st.Progress)
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
	// Started counts rotations handed to the engine by RotateSecret and by
	// its scheduler; Resumed those it took over from the store (after a
	// crash, or orphaned).
	Started, Resumed int64
	// Finished counts successful attempts; Failed failed ones; Retried the
	// retries scheduled; Abandoned the rotations given up.
	Finished, Failed, Retried, Abandoned int64
	// Active counts the rotations queued, running or waiting to retry.
	Active int
	// Lag is how late the oldest rotation that the last scheduler tick
	// found due was, by its rotor.DueAt: zero when none was. A lag that
	// grows across ticks means the engine is not keeping up.
	Lag time.Duration
	// LastTick is when the scheduler last ran (zero before the first
	// tick); Running says the engine was started and not closed.
	LastTick time.Time
	Running  bool
}

// Stats returns the engine's counters.
func (e *Engine) Stats() Stats {
	st := Stats{
		Started: e.stats.started.Load(), Resumed: e.stats.resumed.Load(),
		Finished: e.stats.finished.Load(), Failed: e.stats.failed.Load(), Retried: e.stats.retried.Load(),
		Abandoned: e.stats.abandoned.Load(), Lag: time.Duration(e.stats.lag.Load()),
	}
	if t := e.stats.lastTick.Load(); t != 0 {
		st.LastTick = time.Unix(0, t).UTC()
	}
	e.mu.Lock()
	st.Active, st.Running = len(e.active), e.started && !e.closed
	e.mu.Unlock()
	return st
}
