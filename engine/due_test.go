package engine

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/require"
)

// windowOf must recover exactly the window rotor.Schedule.Window produced
// from nothing but NextRotationDate and the rules.
func TestWindowOfRecoversTheScheduleWindow(t *testing.T) {
	rules := []rotor.RotationRules{
		{AutomaticallyAfterDays: 1},
		{AutomaticallyAfterDays: 30},
		{AutomaticallyAfterDays: 7, Duration: "3h"},
		{AutomaticallyAfterDays: 2, Duration: "24h"},
		{ScheduleExpression: "rate(4 hours)"},
		{ScheduleExpression: "rate(4 hours)", Duration: "2h"},
		{ScheduleExpression: "rate(13 hours)"},
		{ScheduleExpression: "rate(36 hours)"},
		{ScheduleExpression: "rate(24 hours)", Duration: "5h"},
		{ScheduleExpression: "rate(10 days)"},
		{ScheduleExpression: "rate(1 day)", Duration: "1h"},
		{ScheduleExpression: "cron(0 16 1,15 * ? *)", Duration: "2h"},
		{ScheduleExpression: "cron(0 10 * * ? *)"},
		{ScheduleExpression: "cron(0 8 ? * MON-FRI *)"},
		{ScheduleExpression: "cron(0 0 ? * SUN#1 *)"},
		{ScheduleExpression: "cron(0 17 L * ? *)"},
		{ScheduleExpression: "cron(0 /8 * * ? *)"},
		{ScheduleExpression: "cron(0 4/12 * * ? *)", Duration: "4h"},
		{ScheduleExpression: "cron(0 1 ? 1/3 SUN#1 *)"},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range rules {
		sched, err := rotor.ParseSchedule(r)
		require.NoError(t, err, r)
		for range 300 {
			after := base.Add(time.Duration(rng.Int64N(int64(3 * 365 * 24 * time.Hour))))
			wantStart, wantEnd := sched.Window(after)
			start, end, ok := windowOf(r, sched.NextRotationDate(after))
			require.True(t, ok)
			require.Equal(t, wantStart, start, "%+v after %s", r, after)
			require.Equal(t, wantEnd, end, "%+v after %s", r, after)

			sec := &rotor.Secret{ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:x-AAAAAA",
				RotationEnabled: true, RotationRules: r, NextRotationDate: sched.NextRotationDate(after)}
			due, ok := DueAt(sec)
			require.True(t, ok)
			require.False(t, due.Before(start))
			require.True(t, due.Before(start.Add(end.Sub(start)/2+time.Second)), "due in the first half of the window")
		}
	}
}

func TestVersionsPerDay(t *testing.T) {
	from := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for expr, want := range map[string]int{"rate(4 hours)": 6, "cron(0 /8 * * ? *)": 3, "rate(1 day)": 1, "cron(0 10 * * ? *)": 1} {
		sched, err := rotor.ParseSchedule(rotor.RotationRules{ScheduleExpression: expr})
		require.NoError(t, err)
		require.Equal(t, want, versionsPerDay(sched, from.Add(-time.Second)), expr)
	}
}
