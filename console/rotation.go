package console

import (
	"strconv"
	"time"

	"github.com/rotorkit/rotor"
)

// Calendar strip bounds: it runs from today over at least four weeks, and
// up to thirteen to reach the third window.
const (
	minStripDays     = 28
	maxStripDays     = 91
	stripReachWindow = 3
	windowsShow      = 6
)

// rotationView is a secret's rotation: its configuration, the next
// windows of its schedule, and the rotations this process saw.
type rotationView struct {
	Configured, Enabled bool
	Lambda              string
	Rules               string
	Next, Last          time.Time
	Windows             []window
	Strip               []stripDay
	ScheduleError       string
	Runs                []run
	Pending             bool
	HistorySince        time.Time
}

type window struct{ Start, End time.Time }

type stripDay struct {
	Date    time.Time
	Today   bool
	Windows []window
}

// run is one rotation: its steps as the events told them.
type run struct {
	Token    string
	Started  time.Time
	Outcome  string
	Class    string
	Attempts int
	Retries  int
	Steps    []stepRow
}

type stepRow struct {
	Time    time.Time
	Step    string
	Outcome string
	Class   string
	Attempt int
	Error   string
}

// rulesText writes rules as the API takes them.
func rulesText(r rotor.RotationRules) string {
	var s string
	switch {
	case r.ScheduleExpression != "":
		s = "ScheduleExpression=" + r.ScheduleExpression
	case r.AutomaticallyAfterDays != 0:
		s = "AutomaticallyAfterDays=" + strconv.FormatInt(r.AutomaticallyAfterDays, 10)
	}
	if r.Duration != "" {
		s += ", Duration=" + r.Duration
	}
	return s
}

// scheduleWindows asks the model for the next windows of rules: the one
// the secret's NextRotationDate names, then each following one. Without
// a NextRotationDate (rotation off) they start after now.
func scheduleWindows(rules rotor.RotationRules, next, now time.Time, n int) ([]window, error) {
	sched, err := rotor.ParseSchedule(rules)
	if err != nil {
		return nil, err
	}
	var out []window
	var start, end time.Time
	if !next.IsZero() {
		start, end = sched.WindowEnding(next)
	} else {
		start, end = sched.Window(now)
	}
	for len(out) < n && !start.IsZero() {
		out = append(out, window{start, end})
		start, end = sched.Window(start)
	}
	return out, nil
}

// strip lays windows out on the days from today.
func strip(windows []window, now time.Time) []stripDay {
	y, m, d := now.UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	n := minStripDays
	if len(windows) > 0 {
		w := windows[min(len(windows), stripReachWindow)-1]
		n = max(n, int(w.Start.Sub(today)/(24*time.Hour))+1)
	}
	n = min((n+6)/7*7, maxStripDays)
	days := make([]stripDay, n)
	for i := range days {
		days[i].Date = today.AddDate(0, 0, i)
	}
	days[0].Today = true
	for _, w := range windows {
		i := int(w.Start.Sub(today) / (24 * time.Hour))
		if i >= 0 && i < n {
			days[i].Windows = append(days[i].Windows, w)
		}
	}
	return days
}

// rotationRuns groups the rotation events by rotation (its token), newest
// first. An attempt ends at a failed step; the next step starts the next.
func rotationRuns(events []rotor.Event) []run {
	var runs []run
	at := map[string]int{}
	for _, ev := range events {
		switch ev.Kind {
		case rotor.EventRotationStarted, rotor.EventStepDone, rotor.EventStepFailed,
			rotor.EventRotationFinished, rotor.EventRotationAbandon, rotor.EventRotationCanceled:
		default:
			continue
		}
		i, ok := at[ev.VersionID]
		if !ok || ev.Kind == rotor.EventRotationStarted && runs[i].Outcome != "running" {
			i = len(runs)
			at[ev.VersionID] = i
			runs = append(runs, run{Token: ev.VersionID, Started: ev.Time, Attempts: 1, Outcome: "running", Class: "running"})
		}
		r := &runs[i]
		switch ev.Kind {
		case rotor.EventRotationStarted:
			r.Steps = append(r.Steps, stepRow{Time: ev.Time, Step: "started", Outcome: "accepted", Class: "ok", Attempt: r.Attempts})
		case rotor.EventStepDone:
			if n := len(r.Steps); n > 0 && r.Steps[n-1].Class == "failed" && r.Outcome == "retrying" {
				r.Attempts++
				r.Retries++
			}
			r.Outcome, r.Class = "running", "running"
			r.Steps = append(r.Steps, stepRow{Time: ev.Time, Step: string(ev.Step), Outcome: "done", Class: "ok", Attempt: r.Attempts})
		case rotor.EventStepFailed:
			if n := len(r.Steps); n > 0 && r.Steps[n-1].Class == "failed" && r.Outcome == "retrying" {
				r.Attempts++
				r.Retries++
			}
			r.Outcome, r.Class = "retrying", "failed"
			r.Steps = append(r.Steps, stepRow{Time: ev.Time, Step: string(ev.Step), Outcome: "failed", Class: "failed", Attempt: r.Attempts, Error: ev.Error})
		case rotor.EventRotationFinished:
			r.Outcome, r.Class = "succeeded", "ok"
			r.Steps = append(r.Steps, stepRow{Time: ev.Time, Step: "finished", Outcome: "AWSCURRENT moved", Class: "ok", Attempt: r.Attempts})
		case rotor.EventRotationAbandon:
			r.Outcome, r.Class = "failed: given up until the next window", "failed"
			r.Steps = append(r.Steps, stepRow{Time: ev.Time, Step: "given up", Outcome: "abandoned", Class: "failed", Attempt: r.Attempts, Error: ev.Error})
		case rotor.EventRotationCanceled:
			r.Outcome, r.Class = "canceled", "canceled"
			r.Steps = append(r.Steps, stepRow{Time: ev.Time, Step: "canceled", Outcome: "canceled", Class: "canceled", Attempt: r.Attempts})
		}
	}
	for i, j := 0, len(runs)-1; i < j; i, j = i+1, j-1 {
		runs[i], runs[j] = runs[j], runs[i]
	}
	return runs
}
