package engine

import (
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/bolt"
)

// The fault simulation runs several engines over one store in simulated
// time, in one goroutine, so that a run is decided by its seed alone: every
// engine's workers, timers and scheduler are events of one queue, and a
// rotation step that takes a while lets the events due meanwhile run inside
// it, which interleaves the engines at every store write. Into that it
// injects what goes wrong in production: a process that dies between any
// two store writes (before or after the write), clocks that disagree within
// the lease's margin, and rotation functions that fail, hang until the step
// timeout or succeed at random. After every event it checks the invariants a
// user relies on; a failure prints the seed that reproduces it:
//
//	go test -run TestFaultSimulation ./engine -sim.seed=N
var (
	simSeed  = flag.Uint64("sim.seed", 0, "seed of the fault simulation (0: derived from the time)")
	simHours = flag.Int("sim.hours", 0, "simulated hours of the fault simulation (0: the default budget)")
)

func TestFaultSimulation(t *testing.T) {
	seed := *simSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	hours := 18_000 // 60 secrets: 1,080,000 rotation-hours
	if testing.Short() {
		hours = 2_000
	}
	if *simHours > 0 {
		hours = *simHours
	}
	t.Run("memory store, three engines", func(t *testing.T) {
		w := newSimWorld(t, seed, simOptions{secrets: 60, engines: 3, hours: hours,
			store: func(*testing.T) rotor.Store { return NewIndexedStore(rotor.NewMemoryStore()) }})
		w.run()
	})
	t.Run("bolt store, two engines", func(t *testing.T) {
		h := hours / 60
		w := newSimWorld(t, seed+1, simOptions{secrets: 6, engines: 2, hours: max(h, 100),
			store: func(t *testing.T) rotor.Store {
				st, err := bolt.Open(filepath.Join(t.TempDir(), "sim.db"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = st.Close() })
				return st
			}})
		w.run()
	})
}

type simOptions struct {
	secrets, engines, hours int
	store                   func(*testing.T) rotor.Store
}

// simRotationRules are the schedules the simulated secrets rotate on.
var simRotationRules = []rotor.RotationRules{
	{AutomaticallyAfterDays: 1},
	{AutomaticallyAfterDays: 3, Duration: "3h"},
	{ScheduleExpression: "rate(4 hours)"},
	{ScheduleExpression: "rate(10 hours)", Duration: "2h"},
	{ScheduleExpression: "rate(2 days)"},
	{ScheduleExpression: "cron(0 4/12 * * ? *)", Duration: "4h"},
	{ScheduleExpression: "cron(0 16 ? * MON-FRI *)", Duration: "2h"},
	{ScheduleExpression: "cron(0 1 ? * SUN#1 *)"},
}

const (
	simLambda   = "arn:aws:lambda:us-east-1:000000000000:function:sim"
	simRegion   = "us-east-1"
	simTick     = 10 * time.Minute
	simCrashOdd = 400 // one store write in this many kills its process
)

// simWorld is the simulation: the virtual time, the event queue, the
// engines and what the checks remember.
type simWorld struct {
	t     *testing.T
	seed  uint64
	opt   simOptions
	rng   *rand.Rand
	now   time.Time
	queue simQueue
	seq   uint64
	depth int
	store rotor.Store
	nodes []*simNode
	names []string
	// faults turns crash injection and misbehaving functions on.
	faults bool

	// What the checks remember.
	touched   map[string]bool            // secrets written since the last check
	labelled  map[string]map[string]bool // name -> versions that had a label at the last check
	acked     map[string]map[string]bool // name -> version ids acknowledged
	history   map[string][]simRecord     // the last events of each secret, for a failure's report
	finished  map[string]int             // arn/token -> rotation-finished events
	rotations int
	crashes   int
	steps     int
	failures  int
}

// simNode is one server: an engine and its service, a clock skewed from the
// world's, and the store as this process sees it (where it may die).
type simNode struct {
	w    *simWorld
	id   int
	gen  int // bumped when the process dies: its pending events are dropped
	dead bool
	skew time.Duration
	e    *Engine
}

// simCrash is what a dying process panics with.
type simCrash struct{ node, gen int }

// simRecord is an event a service emitted, as the report of a failure
// shows it.
type simRecord struct {
	at time.Time
	ev rotor.Event
}

type simEvent struct {
	at   time.Time
	seq  uint64
	node int // -1: the world's
	gen  int
	name string
	fn   func()
}

type simQueue []*simEvent

func (q simQueue) Len() int { return len(q) }
func (q simQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q simQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)   { *q = append(*q, x.(*simEvent)) }
func (q *simQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

func newSimWorld(t *testing.T, seed uint64, opt simOptions) *simWorld {
	w := &simWorld{t: t, seed: seed, opt: opt, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		now:   time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		acked: map[string]map[string]bool{}, finished: map[string]int{},
		touched: map[string]bool{}, labelled: map[string]map[string]bool{}, history: map[string][]simRecord{}}
	w.store = opt.store(t)
	for i := range opt.engines {
		w.nodes = append(w.nodes, &simNode{w: w, id: i, skew: time.Duration(w.rng.IntN(61)-30) * time.Second})
	}
	return w
}

// at schedules fn after d, for node (or -1) in its current generation.
func (w *simWorld) at(d time.Duration, node int, name string, fn func()) {
	gen := 0
	if node >= 0 {
		gen = w.nodes[node].gen
	}
	w.seq++
	heap.Push(&w.queue, &simEvent{at: w.now.Add(d), seq: w.seq, node: node, gen: gen, name: name, fn: fn})
}

// advance lets d of simulated time pass, running the events due meanwhile.
// Inside a rotation step it interleaves the other engines; past a nesting
// depth the events wait (the machine is busy) and run late.
func (w *simWorld) advance(d time.Duration) {
	target := w.now.Add(d)
	if w.depth < 6 {
		for w.queue.Len() > 0 && !w.queue[0].at.After(target) {
			w.step()
		}
	}
	if target.After(w.now) {
		w.now = target
	}
}

// step runs the next event, recovering the death of its process.
func (w *simWorld) step() {
	ev := heap.Pop(&w.queue).(*simEvent)
	if ev.at.After(w.now) {
		w.now = ev.at
	}
	if ev.node >= 0 {
		n := w.nodes[ev.node]
		if n.dead || n.gen != ev.gen {
			return // its process died since
		}
	}
	w.depth++
	defer func() { w.depth-- }()
	func() {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			c, ok := r.(simCrash)
			if !ok {
				panic(r)
			}
			w.nodes[c.node].die(c.gen)
		}()
		ev.fn()
	}()
	w.check(ev)
}

// run is the whole simulation: set-up, the faulty period, a quiet period in
// which everything must settle, and the final checks.
func (w *simWorld) run() {
	t := w.t
	defer func() {
		if t.Failed() {
			t.Logf("reproduce with: go test -run 'TestFaultSimulation' ./engine -sim.seed=%d -sim.hours=%d", w.seed, *simHours)
		}
	}()
	for _, n := range w.nodes {
		n.start()
	}
	w.setUp()
	w.faults = true
	w.userActions()
	end := w.now.Add(time.Duration(w.opt.hours) * time.Hour)
	for w.queue.Len() > 0 && w.now.Before(end) && !t.Failed() {
		w.step()
	}
	// Quiet: no new faults; every rotation must end and every date be
	// kept.
	w.faults = false
	for _, n := range w.nodes {
		if n.dead {
			n.restart()
		}
	}
	quiet := w.now.Add(3 * 24 * time.Hour)
	for w.queue.Len() > 0 && w.now.Before(quiet) && !t.Failed() {
		w.step()
	}
	w.checkSettled()
	t.Logf("seed %d: %d secrets, %d engines, %d simulated hours (%d rotation-hours): %d rotations finished, %d steps (%d failed or hung), %d process deaths",
		w.seed, w.opt.secrets, w.opt.engines, w.opt.hours, w.opt.hours*w.opt.secrets, w.rotations, w.steps, w.failures, w.crashes)
}

func (w *simWorld) setUp() {
	ctx := context.Background()
	svc := w.nodes[0].e.svc
	for i := range w.opt.secrets {
		name := fmt.Sprintf("sim/%03d", i)
		w.names = append(w.names, name)
		out, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: name, SecretString: "v0"})
		if err != nil {
			w.t.Fatal(err)
		}
		w.ack(name, out.VersionId)
		rules := simRotationRules[i%len(simRotationRules)]
		if _, err := svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: name, RotationLambdaARN: simLambda,
			RotationRules: &rules, RotateImmediately: new(bool)}); err != nil {
			w.t.Fatal(err)
		}
	}
}

// userActions schedules what users do: values written by hand, rotations
// asked for, retries of a pending rotation by its token.
func (w *simWorld) userActions() {
	w.at(time.Duration(w.rng.IntN(int(6*time.Hour))), -1, "user", func() {
		defer w.userActions()
		n := w.nodes[w.rng.IntN(len(w.nodes))]
		if n.dead {
			return
		}
		name := w.names[w.rng.IntN(len(w.names))]
		ctx := context.Background()
		svc := n.e.svc
		n.guard(func() {
			switch w.rng.IntN(3) {
			case 0:
				out, err := svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: name, SecretString: fmt.Sprintf("by-hand-%d", w.seq)})
				if err == nil {
					w.ack(name, out.VersionId)
				}
			case 1:
				_, _ = svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: name})
			case 2:
				sec, err := svc.Lookup(ctx, name)
				if err == nil && sec.Rotation != nil {
					_, _ = svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: name, ClientRequestToken: sec.Rotation.Token})
				}
			}
		})
	})
}

func (w *simWorld) ack(name, version string) {
	if w.acked[name] == nil {
		w.acked[name] = map[string]bool{}
	}
	w.acked[name][version] = true
}

// start builds the node's engine in simulated time and starts it.
func (n *simNode) start() {
	w := n.w
	clk := clockwork{
		afterFunc: func(d time.Duration, f func()) func() bool {
			w.at(d, n.id, "timer", f)
			return func() bool { return false }
		},
		queued: func() {
			w.at(time.Duration(w.rng.IntN(3))*time.Second, n.id, "worker", func() {
				if j := n.e.pop(); j != nil {
					n.e.runJob(j)
				}
			})
		},
	}
	store := &simStore{Store: w.store, node: n}
	cfg := Config{MaxAttempts: 3, BackoffBase: 30 * time.Second, BackoffMax: 10 * time.Minute, StepTimeout: 2 * time.Minute,
		TickLimit: 10_000, Random: simReader(w.seed, uint64(n.id)<<32|uint64(n.gen)),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	n.e = newEngine(store, cfg, clk,
		rotor.WithClock(func() time.Time { return w.now.Add(n.skew) }),
		rotor.WithRandom(simReader(w.seed, 1<<62|uint64(n.id)<<32|uint64(n.gen))),
		rotor.WithInvoker(&simFunction{n: n}))
	n.e.svc.Subscribe(w.observe)
	n.dead = false
	n.guard(func() {
		if _, err := n.e.Resume(context.Background()); err != nil {
			w.t.Errorf("node %d: resume: %v", n.id, err)
		}
	})
	if !n.dead {
		n.tick()
	}
}

// simReader is a deterministic source of bytes for a seed and a stream.
func simReader(seed, stream uint64) io.Reader {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	binary.LittleEndian.PutUint64(s[8:], stream)
	return rand.NewChaCha8(s)
}

// tick runs the scheduler now and every simTick.
func (n *simNode) tick() {
	w := n.w
	w.at(time.Duration(w.rng.IntN(int(simTick))), n.id, "tick", func() {
		defer n.tick()
		if _, err := n.e.Tick(context.Background()); err != nil {
			w.t.Errorf("node %d: tick: %v", n.id, err)
		}
		w.checkDates(n)
	})
}

// guard runs fn as this process and recovers its death.
func (n *simNode) guard(fn func()) {
	defer func() {
		if r := recover(); r != nil {
			c, ok := r.(simCrash)
			if !ok {
				panic(r)
			}
			n.w.nodes[c.node].die(c.gen)
			if c.node != n.id {
				panic(r)
			}
		}
	}()
	fn()
}

// die ends the process of generation gen (once) and restarts it later.
func (n *simNode) die(gen int) {
	if n.gen != gen || n.dead {
		return
	}
	n.dead = true
	n.gen++
	n.w.crashes++
	n.w.at(time.Duration(n.w.rng.IntN(int(20*time.Minute))), -1, "restart", n.restart)
}

func (n *simNode) restart() {
	if n.dead {
		n.start()
	}
}

// alive panics, as a dying process would have, when this process died in
// events that ran while it was inside a step.
func (n *simNode) alive(gen int) {
	if n.dead || n.gen != gen {
		panic(simCrash{n.id, gen})
	}
}

// simStore is the shared store as one process sees it: with faults on, a
// write may kill the process just before or just after it reaches the store.
type simStore struct {
	rotor.Store
	node *simNode
}

func (s *simStore) crashPoint(gen int) {
	w := s.node.w
	if w.faults && w.rng.IntN(simCrashOdd) == 0 {
		panic(simCrash{s.node.id, gen})
	}
}

func (s *simStore) Save(ctx context.Context, sec *rotor.Secret, expect rotor.Revision) (rotor.Revision, error) {
	gen := s.node.gen
	s.node.alive(gen)
	s.crashPoint(gen)
	rev, err := s.Store.Save(ctx, sec, expect)
	s.node.w.touched[sec.Name] = true
	s.crashPoint(gen)
	return rev, err
}

func (s *simStore) Delete(ctx context.Context, region, name string, expect rotor.Revision) error {
	gen := s.node.gen
	s.node.alive(gen)
	s.crashPoint(gen)
	err := s.Store.Delete(ctx, region, name, expect)
	s.node.w.touched[name] = true
	s.crashPoint(gen)
	return err
}

// ListDue passes the shared store's index through.
func (s *simStore) ListDue(ctx context.Context, region string, now time.Time, limit int) ([]*rotor.Secret, error) {
	if dl, ok := s.Store.(rotor.DueLister); ok {
		return dl.ListDue(ctx, region, now, limit)
	}
	return nil, errors.ErrUnsupported
}

// simFunction is the rotation function: it fills the placeholder and moves
// AWSCURRENT as AWS's template does, through the service of the process that
// runs it, and with faults on it fails or hangs at random; each step takes a
// while, during which the other processes run.
type simFunction struct{ n *simNode }

func (f *simFunction) Invoke(ctx context.Context, _ string, ev rotor.RotationEvent) error {
	n := f.n
	w := n.w
	gen := n.gen
	w.steps++
	roll := w.rng.IntN(100)
	if w.faults && roll < 4 {
		// Hangs until the engine's step timeout cuts it off.
		w.advance(n.e.cfg.StepTimeout)
		n.alive(gen)
		w.failures++
		return context.DeadlineExceeded
	}
	w.advance(time.Duration(w.rng.IntN(90)) * time.Second)
	n.alive(gen)
	if w.faults && roll < 12 {
		w.failures++
		return fmt.Errorf("simulated %s failure", ev.Step)
	}
	svc := n.e.svc
	switch ev.Step {
	case rotor.StepCreateSecret:
		if _, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: ev.SecretId, VersionId: ev.ClientRequestToken, VersionStage: rotor.StagePending}); err == nil {
			return nil
		}
		out, err := svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: ev.SecretId, ClientRequestToken: ev.ClientRequestToken,
			SecretString: "rotated-" + ev.ClientRequestToken, VersionStages: []string{rotor.StagePending}, RotationToken: ev.RotationToken})
		if err == nil {
			w.ack(out.Name, out.VersionId)
		}
		return err
	case rotor.StepFinishSecret:
		d, err := svc.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: ev.SecretId})
		if err != nil {
			return err
		}
		var current string
		for id, stages := range d.VersionIdsToStages {
			if slices.Contains(stages, rotor.StageCurrent) {
				current = id
			}
		}
		if current == ev.ClientRequestToken {
			return nil
		}
		_, err = svc.UpdateSecretVersionStage(ctx, rotor.UpdateSecretVersionStageInput{SecretId: ev.SecretId,
			VersionStage: rotor.StageCurrent, MoveToVersionId: ev.ClientRequestToken, RemoveFromVersionId: current})
		return err
	}
	return nil
}

// observe counts the ends of rotations: a token's rotation ends once.
func (w *simWorld) observe(ev rotor.Event) {
	h := append(w.history[ev.Name], simRecord{at: w.now, ev: ev})
	if len(h) > 64 {
		h = append(h[:0], h[len(h)-32:]...)
	}
	w.history[ev.Name] = h
	if ev.Kind == rotor.EventRotationFinished {
		key := ev.ARN + "/" + ev.VersionID
		w.finished[key]++
		w.rotations++
		if w.finished[key] > 1 {
			var lines []string
			for _, r := range w.history[ev.Name] {
				lines = append(lines, fmt.Sprintf("%s %s %s %s", r.at.Format(time.DateTime), r.ev.Kind, r.ev.VersionID, r.ev.Step))
			}
			w.t.Errorf("the rotation of %s with token %s finished %d times; its last events:\n%s", ev.Name, ev.VersionID, w.finished[key], strings.Join(lines, "\n"))
		}
	}
}

// secrets reads every secret as stored.
func (w *simWorld) secrets() []*rotor.Secret {
	var out []*rotor.Secret
	var cursor rotor.Cursor
	for {
		page, err := w.store.List(context.Background(), simRegion, cursor, 500)
		if err != nil {
			w.t.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < 500 {
			return out
		}
		cursor = rotor.CursorOf(page[len(page)-1])
	}
}

// check holds, after every event, the invariants of the secrets it wrote:
// exactly one AWSCURRENT, every label on at most one existing version, at
// most 20 labels, no labelled version gone (the retention rule drops only
// versions without labels; a RotateImmediately=false check removes its own
// temporary one), and no acknowledged version lost (retention may
// drop a deprecated one only once a secret holds its 100 versions).
func (w *simWorld) check(ev *simEvent) {
	for name := range w.touched {
		delete(w.touched, name)
		sec, _, err := w.store.Load(context.Background(), simRegion, name)
		if err != nil {
			w.t.Errorf("after %s: %s: %v", ev.name, name, err)
			continue
		}
		w.checkSecret(ev.name, sec)
	}
}

func (w *simWorld) checkSecret(after string, sec *rotor.Secret) {
	ids := make(map[string]bool, len(sec.Versions))
	for _, v := range sec.Versions {
		ids[v.ID] = true
	}
	seen := map[string]bool{}
	labelled := map[string]bool{}
	current := 0
	for _, st := range sec.Stages {
		if seen[st.Label] {
			w.t.Errorf("after %s at %s: %s has label %s twice", after, w.now, sec.Name, st.Label)
		}
		seen[st.Label] = true
		if r := sec.Rotation; r == nil || !r.Probe || r.Token != st.VersionID {
			// A RotateImmediately=false check's temporary version goes
			// after the check; every other labelled version stays.
			labelled[st.VersionID] = true
		}
		if !ids[st.VersionID] {
			w.t.Errorf("after %s: %s has label %s on missing version %s", after, sec.Name, st.Label, st.VersionID)
		}
		if st.Label == rotor.StageCurrent {
			current++
		}
	}
	if current != 1 {
		w.t.Errorf("after %s at %s: %s has %d AWSCURRENT labels", after, w.now, sec.Name, current)
	}
	if len(sec.Stages) > rotor.MaxLabels {
		w.t.Errorf("after %s: %s has %d labels", after, sec.Name, len(sec.Stages))
	}
	for id := range w.labelled[sec.Name] {
		if !ids[id] {
			w.t.Errorf("after %s at %s: %s lost version %s, which had a label", after, w.now, sec.Name, id)
		}
	}
	w.labelled[sec.Name] = labelled
	if len(sec.Versions) < rotor.MaxVersions {
		for id := range w.acked[sec.Name] {
			if !ids[id] {
				w.t.Errorf("after %s at %s: %s lost acknowledged version %s", after, w.now, sec.Name, id)
			}
		}
	} else {
		delete(w.acked, sec.Name) // from now on retention may drop them
	}
}

// checkDates holds, after a tick, that no enabled secret's NextRotationDate
// is in the past of the clock that ticked.
func (w *simWorld) checkDates(n *simNode) {
	now := w.now.Add(n.skew).Truncate(time.Millisecond)
	for _, sec := range w.secrets() {
		if sec.RotationEnabled && !sec.Deleted() && !sec.NextRotationDate.IsZero() && !sec.NextRotationDate.After(now.Add(-time.Second)) {
			w.t.Errorf("after node %d's tick at %s: %s's NextRotationDate %s is in the past", n.id, now, sec.Name, sec.NextRotationDate)
		}
	}
}

// checkSettled holds, after the quiet period, that every rotation ended (but
// those started in its last two hours, and those given up during the faults
// whose next window is still ahead) and every secret kept its schedule.
func (w *simWorld) checkSettled() {
	var stuck []string
	for _, sec := range w.secrets() {
		w.checkSecret("the quiet period", sec)
		st := rotor.RotationStatus{Progress: rotor.RotationFinished}
		if r := sec.Rotation; r != nil {
			st = sec.RotationStatus(r.Token, w.now)
		}
		switch {
		case st.Progress == rotor.RotationAbandoned && st.NextAttempt.After(w.now):
			// Given up during the faults; its next window is still ahead.
		case st.Progress == rotor.RotationRunning || st.Progress == rotor.RotationRetrying:
			if sec.Rotation.StartedAt.Before(w.now.Add(-2 * time.Hour)) {
				stuck = append(stuck, fmt.Sprintf("%s (%+v)", sec.Name, *sec.Rotation))
			}
		case st.Progress != rotor.RotationFinished:
			stuck = append(stuck, fmt.Sprintf("%s (%+v)", sec.Name, *sec.Rotation))
		}
		if !sec.RotationEnabled || !sec.NextRotationDate.After(w.now.Add(-time.Hour)) {
			w.t.Errorf("%s is not kept on schedule: enabled %v, next %s at %s", sec.Name, sec.RotationEnabled, sec.NextRotationDate, w.now)
		}
	}
	if len(stuck) > 0 {
		w.t.Errorf("rotations left pending after the quiet period: %s", strings.Join(stuck, "; "))
	}
	if w.rotations == 0 {
		w.t.Error("no rotation finished")
	}
}
