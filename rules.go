package rotor

// RotationRules is a secret's rotation schedule, as AWS's RotationRulesType.
// Set AutomaticallyAfterDays or ScheduleExpression, exactly one
// (InvalidParameterException for both, or neither); Duration sets the length
// of the rotation window. Zero values mean "not set". ParseSchedule checks
// every limit below, each refusal an InvalidParameterException that names
// the field.
type RotationRules struct {
	// AutomaticallyAfterDays rotates the secret this many days (1–1000)
	// after the previous rotation or value change; the window is that whole
	// UTC day, or its first Duration hours.
	AutomaticallyAfterDays int64
	// Duration is the length of the rotation window, "<hours>h" from 1h to
	// 24h. A window must end by the midnight after it opens and, for
	// schedules that open several windows a day, before the next one opens.
	Duration string
	// ScheduleExpression, 1–256 characters, is, in UTC:
	//   - "rate(N hours)" with N from 4 to 23,976, or "rate(N days)" with N
	//     from 1 to 999 (windows open at midnight, then every N hours);
	//   - "cron(Minutes Hours Day-of-month Month Day-of-week Year)", AWS's
	//     six fields: Minutes 0, Year *, exactly one of Day-of-month and
	//     Day-of-week "?", hours at least 4 apart, and an expression that
	//     fires at least once (every 400 years is enough).
	ScheduleExpression string
}
