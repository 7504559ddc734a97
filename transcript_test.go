package rotor_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/require"
)

// The rotation state machine is specified by the transcripts in
// testdata/rotation: each file is one scenario, a list of commands, each
// followed by "----" and what must hold after it (the command's answer, the
// labels, the rotation's state and schedule, the steps the rotation functions
// ran, and the events the service emitted). Run with -rewrite to write what
// the code does into the files, then read the diff.
var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of the rotation transcripts")

func TestRotationTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/rotation/*.txt")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			runTranscript(t, file)
		})
	}
}

// transcriptCase is one command and the output it must give.
type transcriptCase struct {
	comments []string
	command  string
	want     string
}

func parseTranscript(t *testing.T, file string) []transcriptCase {
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	var cases []transcriptCase
	lines := strings.Split(string(b), "\n")
	var comments []string
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		switch {
		case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
			comments = append(comments, line)
			continue
		}
		c := transcriptCase{comments: comments, command: line}
		comments = nil
		require.Less(t, i+1, len(lines), "%s: %q has no ----", file, line)
		require.Equal(t, "----", lines[i+1], "%s:%d: a command is followed by ----", file, i+2)
		i += 2
		var want []string
		for ; i < len(lines) && lines[i] != ""; i++ {
			want = append(want, lines[i])
		}
		c.want = strings.Join(want, "\n")
		cases = append(cases, c)
	}
	return cases
}

func runTranscript(t *testing.T, file string) {
	cases := parseTranscript(t, file)
	d := newDriver(t)
	var out strings.Builder
	for _, c := range cases {
		got := d.run(c.command)
		for _, l := range c.comments {
			out.WriteString(l + "\n")
		}
		out.WriteString(c.command + "\n----\n" + got + "\n\n")
		if !*rewrite && got != c.want {
			t.Errorf("%s: %s\ngot:\n%s\nwant:\n%s", file, c.command, got, c.want)
			return
		}
	}
	if *rewrite {
		require.NoError(t, os.WriteFile(file, []byte(strings.TrimRight(out.String(), "\n")+"\n"), 0o644))
	}
}

// driver runs transcript commands against a Service with a memory store,
// a settable clock, scripted rotation functions and, in runner mode, a
// runner that only records what it was handed.
type driver struct {
	t     *testing.T
	ctx   context.Context
	clock *fakeClock
	store *rotor.MemoryStore
	svc   *rotor.Service
	fns   *scriptedFunctions
	// handed records the rotations given to the runner in runner mode.
	handed   []string
	runner   bool
	attempts map[string]*rotor.Attempt
	events   []rotor.Event
	names    map[string]string // full token -> short name
	tokens   map[string]string // short name -> full token
}

func newDriver(t *testing.T) *driver {
	d := &driver{t: t, ctx: context.Background(), clock: &fakeClock{now: epoch}, store: rotor.NewMemoryStore(),
		attempts: map[string]*rotor.Attempt{}, names: map[string]string{}, tokens: map[string]string{}}
	d.fns = &scriptedFunctions{d: d, script: map[string]*script{}}
	d.build()
	return d
}

// build makes the service, keeping the store: a new process.
func (d *driver) build() {
	opts := []rotor.Option{rotor.WithClock(d.clock.Now), rotor.WithRandom(newSeededReader(7)), rotor.WithInvoker(d.fns)}
	if d.runner {
		opts = append(opts, rotor.WithRotationRunner(recordingRunner{d}))
	}
	d.svc = rotor.New(d.store, opts...)
	d.svc.Subscribe(func(ev rotor.Event) { d.events = append(d.events, ev) })
}

type recordingRunner struct{ d *driver }

func (r recordingRunner) StartRotation(_, token string) { r.d.handed = append(r.d.handed, token) }

// token turns a transcript's short name into a ClientRequestToken: the
// token it names, or a new one of 32 characters.
func (d *driver) token(name string) string {
	if tok, ok := d.tokens[name]; ok {
		return tok
	}
	tok := token("tok-" + name)
	d.names[tok], d.tokens[name] = name, tok
	return tok
}

// name turns a token back into its short name; tokens the service made are
// named u1, u2, ... in the order they appear.
func (d *driver) name(tok string) string {
	if tok == "" {
		return "-"
	}
	if n, ok := d.names[tok]; ok {
		return n
	}
	n := fmt.Sprintf("u%d", len(d.names)+1)
	d.names[tok], d.tokens[n] = n, tok
	return n
}

func fnARN(name string) string { return "arn:aws:lambda:us-east-1:000000000000:function:" + name }

func (d *driver) run(command string) (out string) {
	fields := splitCommand(command)
	args := map[string]string{}
	var pos []string
	for _, f := range fields[1:] {
		if k, v, ok := strings.Cut(f, "="); ok {
			args[k] = v
		} else {
			pos = append(pos, f)
		}
	}
	var result string
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(crash); !ok {
					panic(r)
				}
				result = "crash: the process died during " + string(r.(crash))
				d.build() // a new process over the same store
			}
		}()
		result = d.do(fields[0], pos, args)
	}()
	var b strings.Builder
	b.WriteString(result)
	d.writeState(&b, "db")
	if calls := d.fns.take(); len(calls) > 0 {
		b.WriteString("\ncalls: " + strings.Join(calls, " "))
	}
	if len(d.events) > 0 {
		var evs []string
		for _, ev := range d.events {
			e := string(ev.Kind)
			if ev.VersionID != "" {
				e += "(" + d.name(ev.VersionID)
				if ev.Step != "" {
					e += " " + string(ev.Step)
				}
				e += ")"
			}
			evs = append(evs, e)
		}
		b.WriteString("\nevents: " + strings.Join(evs, " "))
		d.events = nil
	}
	if len(d.handed) > 0 {
		var h []string
		for _, tok := range d.handed {
			h = append(h, d.name(tok))
		}
		b.WriteString("\nhanded to the runner: " + strings.Join(h, " "))
		d.handed = nil
	}
	out = b.String()
	for tok, name := range d.names {
		out = strings.ReplaceAll(out, tok, name)
	}
	return out
}

func splitCommand(s string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func (d *driver) do(cmd string, pos []string, args map[string]string) string {
	ctx := d.ctx
	arg := func(i int) string {
		if i < len(pos) {
			return pos[i]
		}
		d.t.Fatalf("%s needs %d arguments", cmd, i+1)
		return ""
	}
	switch cmd {
	case "clock":
		if strings.HasPrefix(arg(0), "+") {
			dur, err := time.ParseDuration(arg(0)[1:])
			require.NoError(d.t, err)
			d.clock.Advance(dur)
		} else {
			at, err := time.Parse(time.RFC3339, arg(0))
			require.NoError(d.t, err)
			d.clock.mu.Lock()
			d.clock.now = at
			d.clock.mu.Unlock()
		}
		return "now " + d.clock.Now().Format(time.RFC3339)
	case "mode":
		d.runner = arg(0) == "runner"
		d.build()
		return "mode " + arg(0)
	case "restart":
		d.attempts = map[string]*rotor.Attempt{}
		d.build()
		return "restarted: in-memory attempts are gone"
	case "fn":
		d.fns.set(arg(0), args)
		return "function " + arg(0)
	case "create":
		in := rotor.CreateSecretInput{Name: arg(0), SecretString: args["value"]}
		if tok, ok := args["token"]; ok {
			in.ClientRequestToken = d.token(tok)
		}
		return answer(d.svc.CreateSecret(ctx, in))
	case "put":
		in := rotor.PutSecretValueInput{SecretId: arg(0), ClientRequestToken: d.token(args["token"]), SecretString: args["value"]}
		if s, ok := args["stages"]; ok {
			in.VersionStages = strings.Split(s, ",")
		}
		return answer(d.svc.PutSecretValue(ctx, in))
	case "stage":
		in := rotor.UpdateSecretVersionStageInput{SecretId: arg(0), VersionStage: arg(1)}
		if v, ok := args["move"]; ok {
			in.MoveToVersionId = d.token(v)
		}
		if v, ok := args["remove"]; ok {
			in.RemoveFromVersionId = d.token(v)
		}
		return answer(d.svc.UpdateSecretVersionStage(ctx, in))
	case "rotate":
		in := rotor.RotateSecretInput{SecretId: arg(0)}
		if v, ok := args["token"]; ok {
			in.ClientRequestToken = d.token(v)
		}
		if v, ok := args["fn"]; ok {
			in.RotationLambdaARN = fnARN(v)
		}
		if v, ok := args["rules"]; ok {
			in.RotationRules = parseRules(d.t, v)
		}
		if v, ok := args["immediately"]; ok {
			b, err := strconv.ParseBool(v)
			require.NoError(d.t, err)
			in.RotateImmediately = &b
		}
		out, err := d.svc.RotateSecret(ctx, in)
		if err != nil {
			return d.failure(err)
		}
		return "ok version=" + d.name(out.VersionId)
	case "cancel":
		out, err := d.svc.CancelRotateSecret(ctx, rotor.CancelRotateSecretInput{SecretId: arg(0)})
		if err != nil {
			return d.failure(err)
		}
		return "ok version=" + d.name(out.VersionId)
	case "delete":
		return answer(d.svc.DeleteSecret(ctx, rotor.DeleteSecretInput{SecretId: arg(0)}))
	case "restore":
		return answer(d.svc.RestoreSecret(ctx, rotor.RestoreSecretInput{SecretId: arg(0)}))
	case "claim":
		a, err := d.svc.Runtime().Claim(ctx, d.arn(arg(0)), d.token(args["token"]))
		if err != nil {
			return d.failure(err)
		}
		if a.Finished() {
			return "the rotation had finished: its end is recorded"
		}
		d.attempts[args["as"]] = a
		return fmt.Sprintf("attempt %d of the round, for %s", a.Number(), args["as"])
	case "run":
		a := d.attempts[arg(0)]
		if a == nil {
			return "no attempt " + arg(0)
		}
		var p rotor.AttemptPolicy
		if v, ok := args["retry"]; ok {
			dur, err := time.ParseDuration(v)
			require.NoError(d.t, err)
			p.RetryAfter = dur
		}
		p.Last = slices.Contains(pos, "last")
		if err := a.Run(ctx, p); err != nil {
			return d.failure(err)
		}
		return "finished"
	case "tick":
		tok, err := d.svc.Runtime().Tick(ctx, arg(0))
		switch {
		case err != nil && tok != "":
			return "run " + d.name(tok) + "; " + d.failure(err)
		case err != nil:
			return "nothing to run; " + d.failure(err)
		case tok == "":
			return "nothing to run"
		}
		return "run " + d.name(tok)
	case "due":
		sec, err := d.svc.Lookup(ctx, arg(0))
		if err != nil {
			return d.failure(err)
		}
		at, ok := rotor.DueAt(sec)
		if !ok {
			return "never due"
		}
		return "due at " + at.Format(time.RFC3339)
	case "status":
		sec, err := d.svc.Lookup(ctx, arg(0))
		if err != nil {
			return d.failure(err)
		}
		st := sec.RotationStatus(d.token(arg(1)), d.clock.Now())
		s := "status " + string(st.Progress)
		if st.Attempts > 0 {
			s += fmt.Sprintf(" attempts=%d", st.Attempts)
		}
		if st.FailedStep != "" {
			s += fmt.Sprintf(" failed=%s error=%q", st.FailedStep, st.LastError)
		}
		return s
	case "describe":
		out, err := d.svc.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: arg(0)})
		if err != nil {
			return d.failure(err)
		}
		enabled := "absent"
		if out.RotationEnabled != nil {
			enabled = strconv.FormatBool(*out.RotationEnabled)
		}
		return fmt.Sprintf("describe: RotationEnabled=%s LastRotatedDate=%s NextRotationDate=%s", enabled, when(out.LastRotatedDate), when(out.NextRotationDate))
	}
	d.t.Fatalf("unknown transcript command %q", cmd)
	return ""
}

func (d *driver) arn(name string) string {
	sec, err := d.svc.Lookup(d.ctx, name)
	require.NoError(d.t, err)
	return sec.ARN
}

// answer prints the outcome of an operation whose output does not matter.
func answer[T any](_ T, err error) string {
	if err != nil {
		var e *rotor.Error
		if errors.As(err, &e) {
			return "error " + e.Code + ": " + e.Message
		}
		return "error " + err.Error()
	}
	return "ok"
}

func (d *driver) failure(err error) string {
	var e *rotor.Error
	if !errors.As(err, &e) {
		return "error " + err.Error()
	}
	s := "error " + e.Code + ": " + e.Message
	var stepErr *rotor.StepError
	if errors.As(err, &stepErr) {
		s += fmt.Sprintf("\n  step %s failed: %v", stepErr.Step, stepErr.Err)
	}
	if errors.Is(err, rotor.ErrNotRotating) {
		s += "\n  (ErrNotRotating)"
	}
	return s
}

func parseRules(t *testing.T, v string) *rotor.RotationRules {
	r := &rotor.RotationRules{}
	if v == "{}" {
		return r
	}
	for _, part := range strings.Split(v, ";") {
		k, val, _ := strings.Cut(part, ":")
		switch k {
		case "days":
			n, err := strconv.ParseInt(val, 10, 64)
			require.NoError(t, err)
			r.AutomaticallyAfterDays = n
		case "expr":
			r.ScheduleExpression = val
		case "duration":
			r.Duration = val
		default:
			t.Fatalf("unknown rule %q", k)
		}
	}
	return r
}

func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// writeState prints the secret's labels, rotation state and schedule.
func (d *driver) writeState(b *strings.Builder, name string) {
	sec, _, err := d.store.Load(d.ctx, "us-east-1", name)
	if err != nil {
		return
	}
	var versions []string
	for _, v := range sec.Versions {
		entry := d.name(v.ID)
		if v.Value.IsZero() {
			entry += "(empty)"
		}
		if st := sec.StagesOf(v.ID); len(st) > 0 {
			entry += "=" + strings.Join(st, ",")
		}
		versions = append(versions, entry)
	}
	b.WriteString("\nversions: " + strings.Join(versions, " "))
	b.WriteString("\nrotation: ")
	if r := sec.Rotation; r == nil {
		b.WriteString("none")
	} else {
		parts := []string{"token=" + d.name(r.Token)}
		if r.Probe {
			parts = append(parts, "probe")
		}
		parts = append(parts, fmt.Sprintf("attempts=%d steps=%d", r.Attempts, r.StepsDone))
		switch {
		case r.LeaseOwner == "":
			parts = append(parts, "lease=none")
		case r.LeaseExpires.After(d.clock.Now()):
			parts = append(parts, "lease=held-until-"+r.LeaseExpires.Format("15:04:05"))
		default:
			parts = append(parts, "lease=expired")
		}
		if r.FailedStep != "" {
			parts = append(parts, fmt.Sprintf("failed=%s error=%q", r.FailedStep, r.LastError))
		}
		if r.Abandoned {
			parts = append(parts, "abandoned")
		}
		if !r.NextAttempt.IsZero() {
			parts = append(parts, "next-attempt="+r.NextAttempt.Format(time.RFC3339))
		}
		b.WriteString(strings.Join(parts, " "))
	}
	sched := "off"
	if sec.RotationEnabled {
		sched = "on"
	}
	if sec.RotationLambdaARN != "" {
		sched += " fn=" + strings.TrimPrefix(sec.RotationLambdaARN, fnARN(""))
	}
	if r := sec.RotationRules; r != (rotor.RotationRules{}) {
		var rs []string
		if r.AutomaticallyAfterDays != 0 {
			rs = append(rs, fmt.Sprintf("days:%d", r.AutomaticallyAfterDays))
		}
		if r.ScheduleExpression != "" {
			rs = append(rs, "expr:"+r.ScheduleExpression)
		}
		if r.Duration != "" {
			rs = append(rs, "duration:"+r.Duration)
		}
		sched += " rules=" + strings.Join(rs, ";")
	}
	sched += " next=" + when(sec.NextRotationDate) + " rotated=" + when(sec.LastRotatedDate)
	b.WriteString("\nschedule: " + sched)
}

// crash is what a scripted function panics with to kill the process.
type crash string

// scriptedFunctions is the Invoker of transcripts: every function fills the
// placeholder in createSecret and moves AWSCURRENT in finishSecret, as the
// AWS template does, unless its script says to fail, to crash the process,
// or not to move AWSCURRENT.
type scriptedFunctions struct {
	d      *driver
	mu     sync.Mutex
	script map[string]*script
	calls  []string
}

// script is one function's behaviour: counts of failures and crashes by
// step (-1 for always), crashes keyed "<step>" happening before the step's
// work and "after-<step>" after it.
type script struct {
	fail     map[string]int
	crash    map[string]int
	noFinish bool
}

func (f *scriptedFunctions) set(name string, args map[string]string) {
	s := &script{fail: map[string]int{}, crash: map[string]int{}}
	parse := func(v string, into func(string, int)) {
		for _, item := range strings.Split(v, ",") {
			k, n, ok := strings.Cut(item, ":")
			times := -1
			if ok {
				times, _ = strconv.Atoi(n)
			}
			into(k, times)
		}
	}
	if v, ok := args["fail"]; ok {
		parse(v, func(k string, n int) { s.fail[k] = n })
	}
	if v, ok := args["crash"]; ok {
		parse(v, func(k string, n int) { s.crash[k] = n })
	}
	s.noFinish = args["finish"] == "no"
	f.mu.Lock()
	f.script[fnARN(name)] = s
	f.mu.Unlock()
}

func (f *scriptedFunctions) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

// consume reports whether a counted behaviour applies now, using it up.
func consume(m map[string]int, key string) bool {
	n, ok := m[key]
	switch {
	case !ok || n == 0:
		return false
	case n > 0:
		m[key] = n - 1
	}
	return true
}

func (f *scriptedFunctions) Invoke(ctx context.Context, arn string, ev rotor.RotationEvent) error {
	f.mu.Lock()
	s := f.script[arn]
	name := strings.TrimPrefix(arn, fnARN(""))
	call := name + ":" + string(ev.Step) + "(" + f.d.name(ev.ClientRequestToken)
	if ev.RotationToken == "" {
		call += ", no RotationToken"
	}
	f.calls = append(f.calls, call+")")
	f.mu.Unlock()
	if s == nil {
		return fmt.Errorf("no function %s", name)
	}
	f.mu.Lock()
	crashNow := consume(s.crash, string(ev.Step))
	failNow := consume(s.fail, string(ev.Step))
	f.mu.Unlock()
	if crashNow {
		panic(crash(ev.Step))
	}
	if failNow {
		return fmt.Errorf("%s refused at %s", name, ev.Step)
	}
	svc := f.d.svc
	switch ev.Step {
	case rotor.StepCreateSecret:
		if _, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: ev.SecretId, VersionId: ev.ClientRequestToken, VersionStage: rotor.StagePending}); err == nil {
			break // filled by an earlier attempt
		}
		if _, err := svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: ev.SecretId, ClientRequestToken: ev.ClientRequestToken,
			SecretString: "value-" + f.d.name(ev.ClientRequestToken), VersionStages: []string{rotor.StagePending}}); err != nil {
			return err
		}
	case rotor.StepFinishSecret:
		if s.noFinish {
			break
		}
		d, err := svc.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: ev.SecretId})
		if err != nil {
			return err
		}
		var current string
		for id, st := range d.VersionIdsToStages {
			if slices.Contains(st, rotor.StageCurrent) {
				current = id
			}
		}
		if current != ev.ClientRequestToken {
			in := rotor.UpdateSecretVersionStageInput{SecretId: ev.SecretId, VersionStage: rotor.StageCurrent, MoveToVersionId: ev.ClientRequestToken, RemoveFromVersionId: current}
			if _, err := svc.UpdateSecretVersionStage(ctx, in); err != nil {
				return err
			}
		}
	}
	f.mu.Lock()
	crashAfter := consume(s.crash, "after-"+string(ev.Step))
	f.mu.Unlock()
	if crashAfter {
		panic(crash("after-" + string(ev.Step)))
	}
	return nil
}

// CheckFunction makes the invoker a FunctionChecker: only scripted functions
// exist.
func (f *scriptedFunctions) CheckFunction(_ context.Context, arn string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.script[arn] == nil {
		return fmt.Errorf("no function %s", arn)
	}
	return nil
}
