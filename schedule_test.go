package rotor

import (
	"errors"
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func utc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return v.UTC()
}

func sched(expr string) RotationRules { return RotationRules{ScheduleExpression: expr} }

func schedFor(expr, duration string) RotationRules {
	return RotationRules{ScheduleExpression: expr, Duration: duration}
}

func mustParse(t testing.TB, rules RotationRules) Schedule {
	t.Helper()
	s, err := ParseSchedule(rules)
	require.NoError(t, err, "rules %+v", rules)
	return s
}

func TestNextRotationDateMatchesTheRecordedAWSDatapoint(t *testing.T) {
	// Recorded from AWS: value changed 2026-02-03T17:34Z, AutomaticallyAfterDays 30.
	s := mustParse(t, RotationRules{AutomaticallyAfterDays: 30})
	assert.Equal(t, utc(t, "2026-03-05T23:59:59Z"), s.NextRotationDate(utc(t, "2026-02-03T17:34:00Z")))
}

func TestScheduleWindow(t *testing.T) {
	tests := []struct {
		name       string
		rules      RotationRules
		after      string
		start, end string
	}{
		// AutomaticallyAfterDays.
		{"thirty days after a change the window is that whole UTC day",
			RotationRules{AutomaticallyAfterDays: 30}, "2026-02-03T17:34:00Z", "2026-03-05T00:00:00Z", "2026-03-06T00:00:00Z"},
		{"one day after the last second of a year the window is New Year's Day",
			RotationRules{AutomaticallyAfterDays: 1}, "2027-12-31T23:59:59Z", "2028-01-01T00:00:00Z", "2028-01-02T00:00:00Z"},
		{"a day rule with a duration opens at midnight and lasts that long",
			RotationRules{AutomaticallyAfterDays: 1, Duration: "3h"}, "2028-02-28T10:00:00Z", "2028-02-29T00:00:00Z", "2028-02-29T03:00:00Z"},
		{"a day rule may use a 24h duration",
			RotationRules{AutomaticallyAfterDays: 2, Duration: "24h"}, "2026-12-30T00:00:00Z", "2027-01-01T00:00:00Z", "2027-01-02T00:00:00Z"},
		{"a thousand days crosses a leap year",
			RotationRules{AutomaticallyAfterDays: 1000}, "2026-01-01T08:00:00Z", "2028-09-27T00:00:00Z", "2028-09-28T00:00:00Z"},
		{"a base time in another zone counts by its UTC date",
			RotationRules{AutomaticallyAfterDays: 1}, "2026-03-01T01:00:00+05:00", "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"},

		// rate().
		{"rate(1 day) lands on 29 February of a leap year",
			sched("rate(1 day)"), "2028-02-28T23:00:00Z", "2028-02-29T00:00:00Z", "2028-03-01T00:00:00Z"},
		{"rate(30 days) from 31 January of a common year is 2 March",
			sched("rate(30 days)"), "2026-01-31T12:00:00Z", "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z"},
		{"rate(10 days) with a duration keeps the window at midnight",
			schedFor("rate(10 days)", "4h"), "2026-12-25T09:00:00Z", "2027-01-04T00:00:00Z", "2027-01-04T04:00:00Z"},
		{"rate(4 hours) after the last window of a month opens at midnight of the next",
			sched("rate(4 hours)"), "2026-03-31T21:30:00Z", "2026-04-01T00:00:00Z", "2026-04-01T01:00:00Z"},
		{"rate(4 hours) at a window's exact opening moves to the next window",
			sched("rate(4 hours)"), "2026-05-05T04:00:00Z", "2026-05-05T08:00:00Z", "2026-05-05T09:00:00Z"},
		{"rate(4 hours) with a 4h duration fills the gap",
			schedFor("rate(4 hours)", "4h"), "2026-05-05T17:00:00Z", "2026-05-05T20:00:00Z", "2026-05-06T00:00:00Z"},
		{"rate(10 hours) restarts at midnight after its 20:00 window",
			sched("rate(10 hours)"), "2026-12-31T20:30:00Z", "2027-01-01T00:00:00Z", "2027-01-01T01:00:00Z"},
		{"rate(48 hours) behaves as rate(2 days) with a one-hour window",
			sched("rate(48 hours)"), "2026-01-01T13:00:00Z", "2026-01-03T00:00:00Z", "2026-01-03T01:00:00Z"},
		{"rate(30 hours) opens at 06:00 the day after next",
			sched("rate(30 hours)"), "2026-01-01T13:00:00Z", "2026-01-02T06:00:00Z", "2026-01-02T07:00:00Z"},

		// The cron examples of AWS's documentation.
		{"cron(0 10 * * ? *) fires later the same day",
			sched("cron(0 10 * * ? *)"), "2026-01-31T09:59:59Z", "2026-01-31T10:00:00Z", "2026-02-01T00:00:00Z"},
		{"cron(0 10 * * ? *) at 10:00 exactly fires the next day, across a month end",
			sched("cron(0 10 * * ? *)"), "2026-01-31T10:00:00Z", "2026-02-01T10:00:00Z", "2026-02-02T00:00:00Z"},
		{"cron(0 18 ? * SAT *) moves into the next year",
			sched("cron(0 18 ? * SAT *)"), "2026-12-26T18:00:00Z", "2027-01-02T18:00:00Z", "2027-01-03T00:00:00Z"},
		{"cron(0 8 1 * ? *) skips 29 February to 1 March",
			sched("cron(0 8 1 * ? *)"), "2028-02-15T00:00:00Z", "2028-03-01T08:00:00Z", "2028-03-02T00:00:00Z"},
		{"cron(0 8 1 * ? *) after 1 December fires on New Year's Day",
			sched("cron(0 8 1 * ? *)"), "2026-12-01T08:00:00Z", "2027-01-01T08:00:00Z", "2027-01-02T00:00:00Z"},
		{"cron(0 1 ? 1/3 SUN#1 *) fires on the first Sunday of April",
			sched("cron(0 1 ? 1/3 SUN#1 *)"), "2026-01-05T00:00:00Z", "2026-04-05T01:00:00Z", "2026-04-06T00:00:00Z"},
		{"cron(0 1 ? 1/3 SUN#1 *) after October fires on the first Sunday of January",
			sched("cron(0 1 ? 1/3 SUN#1 *)"), "2026-10-05T00:00:00Z", "2027-01-03T01:00:00Z", "2027-01-04T00:00:00Z"},
		{"cron(0 17 L * ? *) fires on 29 February in a leap year",
			sched("cron(0 17 L * ? *)"), "2028-02-01T00:00:00Z", "2028-02-29T17:00:00Z", "2028-03-01T00:00:00Z"},
		{"cron(0 17 L * ? *) fires on 28 February in a common year",
			sched("cron(0 17 L * ? *)"), "2027-02-01T00:00:00Z", "2027-02-28T17:00:00Z", "2027-03-01T00:00:00Z"},
		{"cron(0 17 L * ? *) after New Year's Eve fires on 31 January",
			sched("cron(0 17 L * ? *)"), "2026-12-31T17:00:00Z", "2027-01-31T17:00:00Z", "2027-02-01T00:00:00Z"},
		{"cron(0 17 L * ? *) fires on the 30th of a 30-day month",
			sched("cron(0 17 L * ? *)"), "2026-04-30T16:59:00Z", "2026-04-30T17:00:00Z", "2026-05-01T00:00:00Z"},
		{"cron(0 8 ? * MON-FRI *) skips the weekend",
			sched("cron(0 8 ? * MON-FRI *)"), "2026-01-02T08:00:00Z", "2026-01-05T08:00:00Z", "2026-01-06T00:00:00Z"},
		{"cron(0 8 ? * MON-FRI *) fires on a Friday New Year's Day",
			sched("cron(0 8 ? * MON-FRI *)"), "2026-12-31T09:00:00Z", "2027-01-01T08:00:00Z", "2027-01-02T00:00:00Z"},
		{"cron(0 16 1,15 * ? *) with 2h rotates between 16:00 and 18:00",
			schedFor("cron(0 16 1,15 * ? *)", "2h"), "2026-01-15T16:00:00Z", "2026-02-01T16:00:00Z", "2026-02-01T18:00:00Z"},
		{"cron(0 16 1,15 * ? *) with 2h fires on the 15th after the 1st",
			schedFor("cron(0 16 1,15 * ? *)", "2h"), "2028-02-01T16:00:00Z", "2028-02-15T16:00:00Z", "2028-02-15T18:00:00Z"},
		{"cron(0 16 1,15 * ? *) with 2h crosses a year end",
			schedFor("cron(0 16 1,15 * ? *)", "2h"), "2026-12-15T17:00:00Z", "2027-01-01T16:00:00Z", "2027-01-01T18:00:00Z"},
		{"cron(0 0 ? * SUN#1 *) takes the whole first Sunday",
			sched("cron(0 0 ? * SUN#1 *)"), "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"},
		{"cron(0 4/12 * * ? *) fires at 04:00 of the next year after 16:00",
			sched("cron(0 4/12 * * ? *)"), "2026-12-31T16:00:00Z", "2027-01-01T04:00:00Z", "2027-01-01T05:00:00Z"},
		{"cron(0 4/12 * * ? *) fires at 16:00 after 04:00",
			sched("cron(0 4/12 * * ? *)"), "2026-12-31T05:00:00Z", "2026-12-31T16:00:00Z", "2026-12-31T17:00:00Z"},
		{"cron(0 2/10 * * ? *) restarts at 02:00 on 29 February",
			sched("cron(0 2/10 * * ? *)"), "2028-02-28T22:00:00Z", "2028-02-29T02:00:00Z", "2028-02-29T03:00:00Z"},
		{"cron(0 2/10 * * ? *) fires at 22:00 after 12:00",
			sched("cron(0 2/10 * * ? *)"), "2028-02-29T12:00:00Z", "2028-02-29T22:00:00Z", "2028-02-29T23:00:00Z"},
		{"cron(0 /8 * * ? *) fires at midnight of the next month",
			sched("cron(0 /8 * * ? *)"), "2026-06-30T16:00:00Z", "2026-07-01T00:00:00Z", "2026-07-01T01:00:00Z"},
		{"cron(0 /8 * * ? *) fires at 08:00 a minute after 07:59",
			sched("cron(0 /8 * * ? *)"), "2026-06-30T07:59:00Z", "2026-06-30T08:00:00Z", "2026-06-30T09:00:00Z"},

		// Other cron syntax.
		{"15W on a Saturday fires on Friday the 14th",
			sched("cron(0 9 15W * ? *)"), "2026-08-01T00:00:00Z", "2026-08-14T09:00:00Z", "2026-08-15T00:00:00Z"},
		{"15W on a Sunday fires on Monday the 16th",
			sched("cron(0 9 15W * ? *)"), "2026-03-01T00:00:00Z", "2026-03-16T09:00:00Z", "2026-03-17T00:00:00Z"},
		{"1W on a Saturday stays in the month and fires on Monday the 3rd",
			sched("cron(0 9 1W * ? *)"), "2026-07-31T00:00:00Z", "2026-08-03T09:00:00Z", "2026-08-04T00:00:00Z"},
		{"31W on a Sunday stays in the month and fires on Friday the 29th",
			sched("cron(0 9 31W * ? *)"), "2026-05-01T00:00:00Z", "2026-05-29T09:00:00Z", "2026-05-30T00:00:00Z"},
		{"LW on a Sunday month end fires on Friday the 29th",
			sched("cron(0 9 LW * ? *)"), "2027-01-01T00:00:00Z", "2027-01-29T09:00:00Z", "2027-01-30T00:00:00Z"},
		{"LW on a Saturday month end fires on Friday the 30th",
			sched("cron(0 9 LW * ? *)"), "2026-10-01T00:00:00Z", "2026-10-30T09:00:00Z", "2026-10-31T00:00:00Z"},
		{"SUNL fires on the last Sunday of February",
			sched("cron(0 3 ? * SUNL *)"), "2026-02-01T00:00:00Z", "2026-02-22T03:00:00Z", "2026-02-23T00:00:00Z"},
		{"1L is SUNL in numbers",
			sched("cron(0 3 ? * 1L *)"), "2026-02-01T00:00:00Z", "2026-02-22T03:00:00Z", "2026-02-23T00:00:00Z"},
		{"TUE#3 fires on the third Tuesday",
			sched("cron(0 3 ? * TUE#3 *)"), "2026-02-01T00:00:00Z", "2026-02-17T03:00:00Z", "2026-02-18T00:00:00Z"},
		{"3#3 is TUE#3 in numbers",
			sched("cron(0 3 ? * 3#3 *)"), "2026-02-01T00:00:00Z", "2026-02-17T03:00:00Z", "2026-02-18T00:00:00Z"},
		{"L alone in Day-of-week means every Saturday",
			sched("cron(0 3 ? * L *)"), "2026-12-20T00:00:00Z", "2026-12-26T03:00:00Z", "2026-12-27T00:00:00Z"},
		{"day and month names are case-insensitive",
			sched("cron(0 3 ? nov-Dec/1 sat *)"), "2026-01-01T00:00:00Z", "2026-11-07T03:00:00Z", "2026-11-08T00:00:00Z"},
		{"29 February after a leap day waits four years",
			sched("cron(0 0 29 2 ? *)"), "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2032-03-01T00:00:00Z"},
		{"29 February skips 2100, which is not a leap year",
			sched("cron(0 0 29 FEB ? *)"), "2096-03-01T00:00:00Z", "2104-02-29T00:00:00Z", "2104-03-01T00:00:00Z"},
		{"a fifth Monday in February waits for 29 February 2044",
			sched("cron(0 0 ? FEB MON#5 *)"), "2016-03-01T00:00:00Z", "2044-02-29T00:00:00Z", "2044-03-01T00:00:00Z"},
		{"repeated spaces between fields are tolerated",
			sched("cron(0  10 *   * ? *)"), "2026-01-31T10:00:00Z", "2026-02-01T10:00:00Z", "2026-02-02T00:00:00Z"},
		{"an hour range with an increment fires at its listed hours",
			sched("cron(0 6-18/6 * * ? *)"), "2026-01-31T18:00:00Z", "2026-02-01T06:00:00Z", "2026-02-01T07:00:00Z"},
		{"a once-a-day cron with a duration ending at midnight is allowed",
			schedFor("cron(0 20 * * ? *)", "4h"), "2026-12-31T20:00:00Z", "2027-01-01T20:00:00Z", "2027-01-02T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, tt.rules)
			start, end := s.Window(utc(t, tt.after))
			assert.Equal(t, utc(t, tt.start), start, "start")
			assert.Equal(t, utc(t, tt.end), end, "end")
			assert.Equal(t, time.UTC, start.Location())
			assert.Equal(t, utc(t, tt.end).Add(-time.Second), s.NextRotationDate(utc(t, tt.after)), "NextRotationDate")
		})
	}
}

func TestScheduleIntervalDaysAndHourly(t *testing.T) {
	tests := []struct {
		name     string
		rules    RotationRules
		interval int64
		hourly   bool
	}{
		{"AutomaticallyAfterDays is its own interval", RotationRules{AutomaticallyAfterDays: 30}, 30, false},
		{"rate(10 days) is ten days", sched("rate(10 days)"), 10, false},
		{"rate(1 day) is one day", sched("rate(1 day)"), 1, false},
		{"rate(4 hours) is one day and hourly", sched("rate(4 hours)"), 1, true},
		{"rate(23 hours) fires twice a day", sched("rate(23 hours)"), 1, true},
		{"rate(48 hours) is two days and fires once a day", sched("rate(48 hours)"), 2, false},
		{"rate(30 hours) rounds down to one day", sched("rate(30 hours)"), 1, false},
		{"cron on the 1st and 15th is fourteen days, as AWS reports", schedFor("cron(0 16 1,15 * ? *)", "2h"), 14, false},
		{"a daily cron is one day", sched("cron(0 10 * * ? *)"), 1, false},
		{"a weekly cron is seven days", sched("cron(0 18 ? * SAT *)"), 7, false},
		{"weekdays only is one day", sched("cron(0 8 ? * MON-FRI *)"), 1, false},
		{"a monthly cron is its shortest month", sched("cron(0 8 1 * ? *)"), 28, false},
		{"the first Sunday of a quarter is twelve weeks at least", sched("cron(0 1 ? 1/3 SUN#1 *)"), 84, false},
		{"the last day of every month is its shortest month", sched("cron(0 17 L * ? *)"), 28, false},
		{"a yearly cron is a year", sched("cron(0 0 1 JAN ? *)"), 365, false},
		{"29 February is four years, not eight", sched("cron(0 0 29 FEB ? *)"), 1461, false},
		{"a cron firing twice a day is hourly", sched("cron(0 4/12 * * ? *)"), 1, true},
		{"cron(0 /8 * * ? *) is hourly", sched("cron(0 /8 * * ? *)"), 1, true},
		{"a cron firing twice on Mondays only is still one day", sched("cron(0 0,12 ? * MON *)"), 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustParse(t, tt.rules)
			assert.Equal(t, tt.interval, s.IntervalDays())
			assert.Equal(t, tt.hourly, s.Hourly())
		})
	}
}

func TestParseScheduleRefusesBadRules(t *testing.T) {
	long := "cron(0 10 * * ? *" + strings.Repeat(" ", 240) + ")"
	require.Len(t, long, 258)
	tests := []struct {
		name  string
		rules RotationRules
		want  []string // all must appear in the message
	}{
		// Which rule.
		{"both rules give AWS's own message",
			RotationRules{AutomaticallyAfterDays: 1, ScheduleExpression: "rate(1 day)"}, []string{msgBothRules}},
		{"no rule at all names both fields",
			RotationRules{}, []string{"AutomaticallyAfterDays", "ScheduleExpression"}},
		{"a duration alone names both fields",
			RotationRules{Duration: "2h"}, []string{"AutomaticallyAfterDays", "ScheduleExpression"}},

		// AutomaticallyAfterDays.
		{"a negative day count is out of range",
			RotationRules{AutomaticallyAfterDays: -1}, []string{"AutomaticallyAfterDays", "1", "1000"}},
		{"1001 days is out of range",
			RotationRules{AutomaticallyAfterDays: 1001}, []string{"AutomaticallyAfterDays", "1000"}},

		// Lexical rule.
		{"an expression longer than 256 characters is refused",
			sched(long), []string{"ScheduleExpression", "256"}},
		{"a semicolon is not an allowed character",
			sched("cron(0 10 * * ? *);"), []string{"ScheduleExpression", "256"}},
		{"a plus sign is not an allowed character",
			sched("rate(+4 hours)"), []string{"ScheduleExpression"}},
		{"a tab is not an allowed character",
			sched("cron(0\t10 * * ? *)"), []string{"ScheduleExpression"}},
		{"an expression that is neither rate nor cron is refused",
			sched("every day"), []string{"ScheduleExpression", "rate(", "cron("}},
		{"upper-case keywords are refused",
			sched("RATE(4 HOURS)"), []string{"ScheduleExpression"}},

		// rate().
		{"rate(3 hours) is more often than every four hours",
			sched("rate(3 hours)"), []string{"ScheduleExpression", "4"}},
		{"rate(1 hour) is more often than every four hours",
			sched("rate(1 hour)"), []string{"ScheduleExpression", "4"}},
		{"rate(0 days) is not positive",
			sched("rate(0 days)"), []string{"ScheduleExpression", "1", "999"}},
		{"rate(1000 days) is above the 999-day maximum",
			sched("rate(1000 days)"), []string{"ScheduleExpression", "999"}},
		{"rate(23977 hours) is above 999 days",
			sched("rate(23977 hours)"), []string{"ScheduleExpression", "23976"}},
		{"a rate too large for an integer is refused",
			sched("rate(99999999999999999999 days)"), []string{"ScheduleExpression", "999"}},
		{"a negative rate is refused",
			sched("rate(-4 hours)"), []string{"ScheduleExpression", "positive whole number"}},
		{"a rate with a fraction-like value is refused",
			sched("rate(4/2 hours)"), []string{"ScheduleExpression", "positive whole number"}},
		{"rate in minutes is refused",
			sched("rate(240 minutes)"), []string{"ScheduleExpression", "hour, hours, day or days"}},
		{"rate without a space before the unit is refused",
			sched("rate(4hours)"), []string{"ScheduleExpression", "rate(4 hours)"}},
		{"rate with trailing words is refused",
			sched("rate(4 hours now)"), []string{"ScheduleExpression"}},

		// cron() shape.
		{"five fields are one too few",
			sched("cron(0 10 * * ?)"), []string{"ScheduleExpression", "6 fields", "got 5"}},
		{"seven fields are one too many",
			sched("cron(0 0 10 * * ? *)"), []string{"ScheduleExpression", "6 fields", "got 7"}},
		{"a missing closing parenthesis is refused",
			sched("cron(0 10 * * ? *"), []string{"ScheduleExpression"}},
		{"minutes other than 0 are refused",
			sched("cron(30 10 * * ? *)"), []string{"ScheduleExpression", "Minutes", "0"}},
		{"a minutes wildcard is refused",
			sched("cron(* 10 * * ? *)"), []string{"Minutes"}},
		{"a year other than * is refused",
			sched("cron(0 10 * * ? 2026)"), []string{"ScheduleExpression", "Year"}},
		{"neither day field being ? is refused",
			sched("cron(0 10 * * * *)"), []string{"Day-of-month", "Day-of-week", "?"}},
		{"both day fields being ? is refused",
			sched("cron(0 10 ? * ? *)"), []string{"Day-of-month", "Day-of-week", "?"}},

		// Hours.
		{"hour 24 is out of range",
			sched("cron(0 24 * * ? *)"), []string{"ScheduleExpression", "Hours", "0-23"}},
		{"a decreasing hour range is refused",
			sched("cron(0 10-5 * * ? *)"), []string{"Hours", "increasing"}},
		{"an hour increment of 0 is refused",
			sched("cron(0 0/0 * * ? *)"), []string{"Hours", "increment"}},
		{"a ? in Hours is refused",
			sched("cron(0 ? * * ? *)"), []string{"Hours"}},
		{"an empty list item in Hours is refused",
			sched("cron(0 1,,9 * * ? *)"), []string{"Hours"}},
		{"every two hours is too often",
			sched("cron(0 0/2 * * ? *)"), []string{"ScheduleExpression", "4 hours"}},
		{"every hour is too often",
			sched("cron(0 * * * ? *)"), []string{"ScheduleExpression", "4 hours"}},
		{"hours three apart are too close",
			sched("cron(0 9,12 * * ? *)"), []string{"09:00", "12:00", "4 hours"}},
		{"22:00 and midnight are too close across the day boundary",
			sched("cron(0 0,22 * * ? *)"), []string{"22:00", "00:00", "4 hours"}},
		{"every seven hours leaves a three-hour gap at midnight",
			sched("cron(0 0/7 * * ? *)"), []string{"21:00", "4 hours"}},

		// Day-of-month.
		{"day 32 is out of range",
			sched("cron(0 10 32 * ? *)"), []string{"Day-of-month", "1-31"}},
		{"day 0 is out of range",
			sched("cron(0 10 0 * ? *)"), []string{"Day-of-month", "1-31"}},
		{"32W is out of range",
			sched("cron(0 10 32W * ? *)"), []string{"Day-of-month"}},
		{"W without a day is refused",
			sched("cron(0 10 W * ? *)"), []string{"Day-of-month"}},
		{"a decreasing day range is refused",
			sched("cron(0 10 20-10 * ? *)"), []string{"Day-of-month", "increasing"}},
		{"30 February never fires",
			sched("cron(0 0 30 FEB ? *)"), []string{"ScheduleExpression", "never fires"}},
		{"31 April and June never fires",
			sched("cron(0 0 31 APR,JUN ? *)"), []string{"ScheduleExpression", "never fires"}},

		// Month.
		{"month 13 is out of range",
			sched("cron(0 10 * 13 ? *)"), []string{"Month", "1-12"}},
		{"a full month name is refused",
			sched("cron(0 10 * JANUARY ? *)"), []string{"Month", "JAN-DEC"}},
		{"a decreasing month range is refused",
			sched("cron(0 10 * DEC-JAN ? *)"), []string{"Month", "increasing"}},
		{"L is not allowed in Month",
			sched("cron(0 10 * L ? *)"), []string{"Month"}},

		// Day-of-week.
		{"weekday 8 is out of range",
			sched("cron(0 10 ? * 8 *)"), []string{"Day-of-week", "1-7"}},
		{"Unix Sunday 0 is out of range",
			sched("cron(0 10 ? * 0 *)"), []string{"Day-of-week", "1-7"}},
		{"a wrapping weekday range is refused",
			sched("cron(0 10 ? * FRI-MON *)"), []string{"Day-of-week", "increasing"}},
		{"a sixth Monday is refused",
			sched("cron(0 10 ? * MON#6 *)"), []string{"Day-of-week", "1 and 5"}},
		{"a zeroth Monday is refused",
			sched("cron(0 10 ? * MON#0 *)"), []string{"Day-of-week", "1 and 5"}},
		{"an unknown weekday name is refused",
			sched("cron(0 10 ? * SUNDAY *)"), []string{"Day-of-week", "SUN-SAT"}},
		{"W is not allowed in Day-of-week",
			sched("cron(0 10 ? * 2W *)"), []string{"Day-of-week"}},

		// Duration.
		{"a duration without the h is refused",
			RotationRules{AutomaticallyAfterDays: 1, Duration: "3"}, []string{"Duration", "3h"}},
		{"a duration in days is refused",
			RotationRules{AutomaticallyAfterDays: 1, Duration: "1d"}, []string{"Duration"}},
		{"a four-character duration is refused",
			RotationRules{AutomaticallyAfterDays: 1, Duration: "100h"}, []string{"Duration", "2 or 3 characters"}},
		{"a zero duration is refused",
			RotationRules{AutomaticallyAfterDays: 1, Duration: "0h"}, []string{"Duration", "1h"}},
		{"a 25-hour window runs into the next day",
			RotationRules{AutomaticallyAfterDays: 1, Duration: "25h"}, []string{"Duration", "24h"}},
		{"a negative-looking duration is refused",
			RotationRules{AutomaticallyAfterDays: 1, Duration: "-1h"}, []string{"Duration"}},
		{"a window from 16:00 cannot last 9 hours",
			schedFor("cron(0 16 1,15 * ? *)", "9h"), []string{"Duration", "16:00", "8h"}},
		{"rate(4 hours) windows cannot last 5 hours",
			schedFor("rate(4 hours)", "5h"), []string{"Duration", "20:00", "4h"}},
		{"a window longer than the gap to the next firing is refused",
			schedFor("cron(0 0,4 * * ? *)", "5h"), []string{"Duration", "00:00", "04:00", "4h"}},
		{"rate(30 hours) windows open at 06:00 and cannot last 19 hours",
			schedFor("rate(30 hours)", "19h"), []string{"Duration", "06:00", "18h"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSchedule(tt.rules)
			require.Error(t, err)
			assert.Equal(t, Schedule{}, s)
			var e *Error
			require.True(t, errors.As(err, &e), "want *Error, got %T", err)
			assert.Equal(t, CodeInvalidParameter, e.Code)
			assert.ErrorIs(t, err, ErrInvalidParameter)
			for _, w := range tt.want {
				assert.Contains(t, e.Message, w)
			}
		})
	}
}

func TestParseScheduleAcceptsEdgeValues(t *testing.T) {
	tests := []struct {
		name  string
		rules RotationRules
	}{
		{"one day", RotationRules{AutomaticallyAfterDays: 1}},
		{"a thousand days", RotationRules{AutomaticallyAfterDays: 1000}},
		{"a 1h window", RotationRules{AutomaticallyAfterDays: 1, Duration: "1h"}},
		{"a 24h window on a day rule", RotationRules{AutomaticallyAfterDays: 1, Duration: "24h"}},
		{"a two-digit duration with a leading zero", RotationRules{AutomaticallyAfterDays: 1, Duration: "03h"}},
		{"rate(999 days)", sched("rate(999 days)")},
		{"rate(23976 hours), 999 days", sched("rate(23976 hours)")},
		{"a singular unit with a plural value", sched("rate(5 day)")},
		{"a plural unit with a value of one", sched("rate(1 days)")},
		{"a rate value with a leading zero", sched("rate(04 hours)")},
		{"every five hours, whose gap across midnight is four", sched("cron(0 0/5 * * ? *)")},
		{"every hour by */4", sched("cron(0 */4 * * ? *)")},
		{"a 24-hour increment fires at midnight", sched("cron(0 0/24 * * ? *)")},
		{"hours 0 and 20, four hours apart across midnight", sched("cron(0 0,20 * * ? *)")},
		{"the widest window for 0 and 12", schedFor("cron(0 0,12 * * ? *)", "12h")},
		{"a day list mixing L and numbers", sched("cron(0 10 1,L * ? *)")},
		{"a weekday list mixing # and L", sched("cron(0 10 ? * MON#1,FRIL *)")},
		{"a weekday increment", sched("cron(0 10 ? * 2/2 *)")},
		{"a month increment from a name", sched("cron(0 10 1 JAN/6 ? *)")},
		{"a fifth Friday in February, which happens", sched("cron(0 10 ? FEB 6#5 *)")},
		{"lower-case L and W", sched("cron(0 10 lw * ? *)")},
		{"spaces inside the parentheses", sched("cron( 0 10 * * ? * )")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSchedule(tt.rules)
			assert.NoError(t, err)
		})
	}
}

// TestScheduleWindowsMoveForwardForTwoYears walks each schedule from window to
// window and checks that windows never go back, overlap or leave their day.
func TestScheduleWindowsMoveForwardForTwoYears(t *testing.T) {
	rules := []RotationRules{
		{AutomaticallyAfterDays: 1},
		{AutomaticallyAfterDays: 30, Duration: "6h"},
		sched("rate(4 hours)"),
		sched("rate(7 hours)"),
		sched("rate(30 hours)"),
		sched("rate(30 days)"),
		sched("cron(0 10 * * ? *)"),
		sched("cron(0 18 ? * SAT *)"),
		sched("cron(0 8 1 * ? *)"),
		sched("cron(0 1 ? 1/3 SUN#1 *)"),
		sched("cron(0 17 L * ? *)"),
		sched("cron(0 8 ? * MON-FRI *)"),
		schedFor("cron(0 16 1,15 * ? *)", "2h"),
		sched("cron(0 0 ? * SUN#1 *)"),
		sched("cron(0 4/12 * * ? *)"),
		schedFor("cron(0 2/10 * * ? *)", "2h"),
		sched("cron(0 /8 * * ? *)"),
		sched("cron(0 9 15W,LW * ? *)"),
	}
	for _, r := range rules {
		name := r.ScheduleExpression
		if name == "" {
			name = "AutomaticallyAfterDays"
		}
		t.Run(name, func(t *testing.T) {
			s := mustParse(t, r)
			from := utc(t, "2027-06-15T13:45:00Z")
			stop := from.AddDate(2, 0, 0)
			var prevStart, prevEnd time.Time
			n := 0
			for after := from; after.Before(stop); n++ {
				start, end := s.Window(after)
				require.True(t, start.After(after), "window %v..%v not after %v", start, end, after)
				require.True(t, start.Before(end), "empty window %v..%v", start, end)
				require.LessOrEqual(t, end.Sub(start), 24*time.Hour)
				y, m, d := start.Date()
				require.False(t, end.After(time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)), "window %v..%v runs into the next day", start, end)
				require.Zero(t, start.Minute()+start.Second()+start.Nanosecond(), "window must start on the hour")
				if n > 0 {
					require.True(t, start.After(prevStart), "window %v not after the previous %v", start, prevStart)
					require.False(t, start.Before(prevEnd), "window %v overlaps the previous one ending %v", start, prevEnd)
				}
				prevStart, prevEnd = start, end
				after = start
			}
			assert.Positive(t, n)
		})
	}
}

// TestCronNextAgreesWithAnHourByHourSearch checks the month-stepping search
// against the obvious slow one on random instants.
func TestCronNextAgreesWithAnHourByHourSearch(t *testing.T) {
	exprs := []string{
		"cron(0 10 * * ? *)", "cron(0 18 ? * SAT *)", "cron(0 8 1 * ? *)", "cron(0 1 ? 1/3 SUN#1 *)",
		"cron(0 17 L * ? *)", "cron(0 8 ? * MON-FRI *)", "cron(0 16 1,15 * ? *)", "cron(0 0 ? * SUN#1 *)",
		"cron(0 4/12 * * ? *)", "cron(0 2/10 * * ? *)", "cron(0 /8 * * ? *)", "cron(0 9 15W * ? *)",
		"cron(0 9 1W,31W * ? *)", "cron(0 9 LW * ? *)", "cron(0 3 ? * SUNL,4#2 *)", "cron(0 3 ? * L *)",
		"cron(0 0 29 FEB ? *)", "cron(0 5 ? JUN-AUG */3 *)", "rate(5 hours)",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	lo := utc(t, "2023-01-01T00:00:00Z").Unix()
	hi := utc(t, "2030-01-01T00:00:00Z").Unix()
	for _, expr := range exprs {
		s := mustParse(t, sched(expr))
		for range 30 {
			after := time.Unix(lo+rng.Int64N(hi-lo), 0).UTC()
			start, _ := s.Window(after)
			assert.Equal(t, slowNext(t, s.cron, after), start, "%s after %v", expr, after)
		}
	}
}

// slowNext tries every hour after t, deciding each day from its weekday and
// its neighbours' months rather than from month masks.
func slowNext(t *testing.T, c cronSpec, after time.Time) time.Time {
	t.Helper()
	h := after.Truncate(time.Hour)
	for range 24 * 366 * 9 {
		h = h.Add(time.Hour)
		if c.hours&(1<<h.Hour()) != 0 && slowMatchesDay(c, h) {
			return h
		}
	}
	t.Fatalf("no firing found after %v", after)
	return time.Time{}
}

func slowMatchesDay(c cronSpec, day time.Time) bool {
	if c.months&(1<<day.Month()) == 0 {
		return false
	}
	d := day.Day()
	isWeekday := func(t time.Time) bool { return t.Weekday() != time.Saturday && t.Weekday() != time.Sunday }
	lastOfMonth := day.AddDate(0, 0, 1).Month() != day.Month()
	if !c.byWeekday {
		if c.dom&(1<<d) != 0 || c.domLast && lastOfMonth {
			return true
		}
		// "nW" is the Monday-to-Friday day of this month closest to day n.
		first := day.AddDate(0, 0, 1-d)
		for near := c.domNearest; near != 0; near &= near - 1 {
			n := bits.TrailingZeros64(near)
			if first.AddDate(0, 0, n-1).Month() != day.Month() {
				continue
			}
			best, bestDist := 0, 99
			for x := first; x.Month() == day.Month(); x = x.AddDate(0, 0, 1) {
				if dist := abs(x.Day() - n); isWeekday(x) && dist < bestDist {
					best, bestDist = x.Day(), dist
				}
			}
			if best == d {
				return true
			}
		}
		if c.domLastWeekday && isWeekday(day) {
			next := day.AddDate(0, 0, 1)
			for next.Month() == day.Month() && !isWeekday(next) {
				next = next.AddDate(0, 0, 1)
			}
			return next.Month() != day.Month()
		}
		return false
	}
	wd := uint8(day.Weekday()) + 1
	nth := 0
	for x := day; x.Month() == day.Month(); x = x.AddDate(0, 0, -7) {
		nth++
	}
	last := day.AddDate(0, 0, 7).Month() != day.Month()
	return c.dow&(1<<wd) != 0 || c.dowNth[wd]&(1<<nth) != 0 || c.dowLast&(1<<wd) != 0 && last
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func TestZeroScheduleNeverFires(t *testing.T) {
	var s Schedule
	start, end := s.Window(utc(t, "2026-01-01T00:00:00Z"))
	assert.True(t, start.IsZero())
	assert.True(t, end.IsZero())
	assert.True(t, s.NextRotationDate(utc(t, "2026-01-01T00:00:00Z")).IsZero())
	assert.Equal(t, int64(1), s.IntervalDays())
	assert.False(t, s.Hourly())
}

func FuzzParseSchedule(f *testing.F) {
	seeds := []string{
		"rate(4 hours)", "rate(1 day)", "rate(30 days)", "rate(999 days)", "rate(3 hours)", "rate(0 days)",
		"rate(48 hours)", "rate(30 hours)", "rate(27 hour)", "rate(7 hours)", "rate(99999999999999999999 days)",
		"cron(0 10 * * ? *)", "cron(0 18 ? * SAT *)", "cron(0 8 1 * ? *)", "cron(0 1 ? 1/3 SUN#1 *)",
		"cron(0 17 L * ? *)", "cron(0 8 ? * MON-FRI *)", "cron(0 16 1,15 * ? *)", "cron(0 0 ? * SUN#1 *)",
		"cron(0 4/12 * * ? *)", "cron(0 2/10 * * ? *)", "cron(0 /8 * * ? *)", "cron(0 9 15W,LW * ? *)",
		"cron(0 0 ? FEB MON#5 *)", "cron(0 0 30 FEB ? *)", "cron(0 0/2 * * ? *)", "cron(0 10 * * * *)",
		"cron(0 10-5 * * ? *)", "cron(0 10 ? * FRI-MON *)", "cron(0 3 ? * L *)", "cron(0 3 ? * 1L *)",
		"cron(0 0 29 2 ? *)", "cron(0 6-18/6 * * ? *)", "cron(0 24 * * ? *)", "cron(0 10 * * ?)", "",
	}
	durations := []string{"", "1h", "2h", "4h", "24h", "0h", "99h", "3"}
	for i, e := range seeds {
		f.Add(e, durations[i%len(durations)], int64(0), int64(1770140040))
	}
	f.Add("", "", int64(30), int64(1770140040))
	f.Add("", "6h", int64(1000), int64(-62135596800))
	f.Add("rate(1 day)", "", int64(1), int64(253402300799))

	const minUnix, maxUnix = -62135596800, 253402300799 // years 1 to 9999
	f.Fuzz(func(t *testing.T, expr, duration string, days, unix int64) {
		s, err := ParseSchedule(RotationRules{AutomaticallyAfterDays: days, ScheduleExpression: expr, Duration: duration})
		if err != nil {
			var e *Error
			require.True(t, errors.As(err, &e))
			require.Equal(t, CodeInvalidParameter, e.Code)
			require.NotEmpty(t, e.Message)
			return
		}
		after := time.Unix(minUnix+int64(uint64(unix)%uint64(maxUnix-minUnix)), int64(uint64(unix)%1e9)).UTC()
		start, end := s.Window(after)
		require.True(t, start.After(after), "window %v..%v not after %v", start, end, after)
		require.True(t, start.Before(end), "empty window %v..%v", start, end)
		require.LessOrEqual(t, end.Sub(start), 24*time.Hour)
		require.Equal(t, end.Add(-time.Second), s.NextRotationDate(after))
		require.GreaterOrEqual(t, s.IntervalDays(), int64(1))
		if s.kind == kindCron {
			// Cron firings do not depend on when the search starts: any
			// instant before the window finds the same window. (Day rules and
			// long hour rates count from the day of `after`, so they move.)
			again, _ := s.Window(start.Add(-time.Nanosecond))
			require.Equal(t, start, again)
		}
	})
}

func BenchmarkScheduleWindow(b *testing.B) {
	for _, expr := range []string{"cron(0 1 ? 1/3 SUN#1 *)", "cron(0 8 ? * MON-FRI *)", "cron(0 0 ? FEB MON#5 *)"} {
		b.Run(expr, func(b *testing.B) {
			s := mustParse(b, sched(expr))
			after := utc(b, "2026-02-03T17:34:00Z")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				after, _ = s.Window(after)
				if after.Year() > 9000 {
					after = utc(b, "2026-02-03T17:34:00Z")
				}
			}
		})
	}
}

func BenchmarkParseSchedule(b *testing.B) {
	for _, expr := range []string{"cron(0 16 1,15 * ? *)", "cron(0 0 30 FEB ? *)"} {
		b.Run(expr, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_, _ = ParseSchedule(sched(expr))
			}
		})
	}
}
