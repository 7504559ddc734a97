package console

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/rotorkit/rotor"
)

func TestRotationRunsCountAttemptsFromTheEvents(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ev := func(kind rotor.EventKind, token string, step rotor.Step, err string) rotor.Event {
		at = at.Add(time.Second)
		return rotor.Event{Kind: kind, VersionID: token, Step: step, Error: err, Time: at}
	}
	for _, tc := range []struct {
		name     string
		events   []rotor.Event
		outcome  string
		attempts int
		retries  int
	}{
		{"a rotation that ran once is one attempt", []rotor.Event{
			ev(rotor.EventRotationStarted, "v1", "", ""), ev(rotor.EventStepDone, "v1", rotor.StepCreateSecret, ""),
			ev(rotor.EventStepDone, "v1", rotor.StepFinishSecret, ""), ev(rotor.EventRotationFinished, "v1", "", ""),
		}, "succeeded", 1, 0},
		{"a failed step and the step after it are two attempts", []rotor.Event{
			ev(rotor.EventRotationStarted, "v1", "", ""), ev(rotor.EventStepFailed, "v1", rotor.StepTestSecret, "boom"),
			ev(rotor.EventStepDone, "v1", rotor.StepCreateSecret, ""), ev(rotor.EventRotationFinished, "v1", "", ""),
		}, "succeeded", 2, 1},
		{"failures in a row are an attempt each, and giving up ends it", []rotor.Event{
			ev(rotor.EventRotationStarted, "v1", "", ""), ev(rotor.EventStepFailed, "v1", rotor.StepCreateSecret, "a"),
			ev(rotor.EventStepFailed, "v1", rotor.StepCreateSecret, "b"), ev(rotor.EventStepFailed, "v1", rotor.StepCreateSecret, "c"),
			ev(rotor.EventRotationAbandon, "v1", "", "c"),
		}, "failed: given up until the next window", 3, 2},
		{"a canceled rotation says so", []rotor.Event{
			ev(rotor.EventRotationStarted, "v1", "", ""), ev(rotor.EventRotationCanceled, "v1", "", ""),
		}, "canceled", 1, 0},
		{"a rotation still running is running", []rotor.Event{
			ev(rotor.EventRotationStarted, "v1", "", ""), ev(rotor.EventStepDone, "v1", rotor.StepCreateSecret, ""),
		}, "running", 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runs := rotationRuns(tc.events)
			if assert.Len(t, runs, 1) {
				assert.Equal(t, tc.outcome, runs[0].Outcome)
				assert.Equal(t, tc.attempts, runs[0].Attempts)
				assert.Equal(t, tc.retries, runs[0].Retries)
			}
		})
	}
}

func TestTheStripReachesTheThirdWindow(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	windows := func(everyDays int) []window {
		var out []window
		for i := 1; i <= 6; i++ {
			start := now.Truncate(24*time.Hour).AddDate(0, 0, i*everyDays)
			out = append(out, window{start, start.Add(2 * time.Hour)})
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		windows []window
		days    int
		marked  int
	}{
		{"no window: four weeks", nil, 28, 0},
		{"daily windows: four weeks, all marked", windows(1), 28, 6},
		{"windows every 20 days: long enough for three", windows(20), 63, 3},
		{"monthly windows: at most thirteen weeks", windows(30), 91, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			days := strip(tc.windows, now)
			assert.Len(t, days, tc.days)
			assert.True(t, days[0].Today)
			marked := 0
			for _, d := range days {
				marked += len(d.Windows)
			}
			assert.Equal(t, tc.marked, marked)
		})
	}
}
