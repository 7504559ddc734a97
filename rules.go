package rotor

// RotationRules is a secret's rotation schedule, as AWS's RotationRulesType.
// Set AutomaticallyAfterDays or ScheduleExpression, not both; Duration sets the
// length of the rotation window ("3h"). Zero values mean "not set".
type RotationRules struct {
	// AutomaticallyAfterDays rotates the secret this many days (1–1000) after
	// the previous rotation or value change.
	AutomaticallyAfterDays int64
	// Duration is the length of the rotation window, "<hours>h", 1h–24h.
	Duration string
	// ScheduleExpression is "rate(N hours|days)" or AWS's six-field
	// "cron(Minutes Hours Day-of-month Month Day-of-week Year)", in UTC.
	ScheduleExpression string
}
