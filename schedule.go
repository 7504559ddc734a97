package rotor

import (
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// Limits AWS documents for RotationRules
// (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html).
const (
	minAfterDays   = 1
	maxAfterDays   = 1000
	minRateHours   = 4
	maxRateDays    = 999
	maxRateHours   = maxRateDays * 24
	minGapHours    = 4
	maxExprLength  = 256
	maxWindowHours = 24
)

// The Gregorian calendar repeats its dates and weekdays every 400 years, so a
// cron expression that fires at all fires within any 4800 consecutive months.
// Searching one full cycle is what makes "never fires" a safe verdict, where a
// shorter search would wrongly reject rare schedules such as
// cron(0 0 ? FEB MON#5 *), which fires only when 29 February is a Monday
// (2016, 2044, 2072, ...).
const (
	cycleMonths = 400 * 12
	cycleDays   = 146097
)

type scheduleKind uint8

const (
	kindNone  scheduleKind = iota // zero Schedule: never fires
	kindDays                      // AutomaticallyAfterDays or rate(N days)
	kindHours                     // rate(N hours) with N >= 24
	kindCron                      // cron(...) or rate(N hours) with N < 24
)

// Schedule is a parsed, validated RotationRules. It is a small comparable
// value, safe to copy and to use from several goroutines.
//
// The zero Schedule never fires: Window returns zero times. Use ParseSchedule.
type Schedule struct {
	kind scheduleKind
	// every is N of AutomaticallyAfterDays / rate(N days) for kindDays and N
	// of rate(N hours) for kindHours.
	every int64
	// window is the window length in hours; 0 means "until the end of the UTC
	// day the window opens", the documented default for schedules in days.
	window int64
	cron   cronSpec
}

// ParseSchedule validates rules and returns the schedule. Every error is an
// *Error with Code CodeInvalidParameter (InvalidParameterException) whose
// message names the field at fault (AutomaticallyAfterDays, ScheduleExpression
// or Duration) and the limit it breaks. Setting both AutomaticallyAfterDays and
// ScheduleExpression is refused with AWS's own message; setting neither (a zero
// RotationRules, or Duration alone) is refused as an AutomaticallyAfterDays of
// 0, which is what a caller who sends one sends.
//
// A cron expression that can never fire (cron(0 0 30 FEB ? *)) is refused.
func ParseSchedule(rules RotationRules) (Schedule, error) {
	hasDays := rules.AutomaticallyAfterDays != 0
	hasExpr := rules.ScheduleExpression != ""
	switch {
	case hasDays && hasExpr:
		return Schedule{}, newError(CodeInvalidParameter, msgBothRules)
	case !hasDays && !hasExpr:
		return Schedule{}, newError(CodeInvalidParameter,
			"AutomaticallyAfterDays must be between %d and %d days, got 0, or ScheduleExpression must be set.", minAfterDays, maxAfterDays)
	}

	window, err := parseDuration(rules.Duration)
	if err != nil {
		return Schedule{}, err
	}

	var s Schedule
	if hasDays {
		n := rules.AutomaticallyAfterDays
		if n < minAfterDays || n > maxAfterDays {
			return Schedule{}, newError(CodeInvalidParameter,
				"AutomaticallyAfterDays must be between %d and %d days, got %d.", minAfterDays, maxAfterDays, n)
		}
		s = Schedule{kind: kindDays, every: n}
	} else if s, err = parseExpression(rules.ScheduleExpression); err != nil {
		return Schedule{}, err
	}

	if err := s.fitWindow(rules.Duration, window); err != nil {
		return Schedule{}, err
	}
	return s, nil
}

// Window returns the first rotation window after `after`, as the half-open
// interval [start, end) in UTC; start is on the hour, strictly after `after`,
// and end is at most the following midnight. For AutomaticallyAfterDays and
// rate(N days) the window is on the UTC date of `after` plus N days, as is the
// window of rate(N hours) for N of 24 or more (opening N hours after the
// midnight that starts the day of `after`). For a cron expression and shorter
// hour rates it is the first firing strictly after `after`.
func (s Schedule) Window(after time.Time) (start, end time.Time) {
	after = after.UTC()
	switch s.kind {
	case kindDays:
		y, m, d := after.Date()
		start = time.Date(y, m, d+int(s.every), 0, 0, 0, 0, time.UTC)
	case kindHours:
		// Counted from the midnight that starts the day of `after`, as day
		// rates are, so that rate(48 hours) behaves exactly as rate(2 days).
		y, m, d := after.Date()
		start = time.Date(y, m, d, int(s.every), 0, 0, 0, time.UTC)
	case kindCron:
		var ok bool
		if start, ok = s.cron.next(after); !ok {
			return time.Time{}, time.Time{}
		}
	default:
		return time.Time{}, time.Time{}
	}
	if s.window == 0 {
		y, m, d := start.Date()
		return start, time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
	}
	return start, start.Add(time.Duration(s.window) * time.Hour)
}

// NextRotationDate returns the date AWS reports as NextRotationDate for a
// schedule last rotated (or changed) at `after`: the last second of the next
// window, because AWS promises rotation "on or before" it. It is the zero time
// for the zero Schedule.
func (s Schedule) NextRotationDate(after time.Time) time.Time {
	_, end := s.Window(after)
	if end.IsZero() {
		return end
	}
	return end.Add(-time.Second)
}

// WindowEnding returns the window [start, end) whose last second is
// nextRotationDate, as NextRotationDate reports it: the window a secret's
// NextRotationDate names. Window(start) is then the window after it.
func (s Schedule) WindowEnding(nextRotationDate time.Time) (start, end time.Time) {
	return s.windowEnding(nextRotationDate)
}

// windowEnding returns the window [start, end) whose last second is
// nextRotationDate, as NextRotationDate produced it: the window a secret's
// NextRotationDate names. A date no window of s ends at (rules changed by
// hand in a store) gets the hour, or for schedules in days the UTC day,
// before it.
func (s Schedule) windowEnding(nextRotationDate time.Time) (start, end time.Time) {
	end = nextRotationDate.UTC().Truncate(time.Second).Add(time.Second)
	if s.window > 0 {
		return end.Add(-time.Duration(s.window) * time.Hour), end
	}
	day := end.Add(-24 * time.Hour)
	if s.kind == kindCron {
		// A daily (or rarer) cron window runs from its firing to midnight.
		if first, ok := s.cron.next(day.Add(-time.Nanosecond)); ok && first.Before(end) {
			return first, end
		}
	}
	return day, end
}

// IntervalDays returns the number of whole days between two consecutive
// windows, at least 1. AWS reports it as the computed AutomaticallyAfterDays of
// a schedule expression: cron(0 16 1,15 * ? *) gives 14, rate(10 days) 10,
// schedules that fire several times a day 1. When the gap varies (the 1st of
// every month), it is the shortest gap (28). For a cron expression it scans a
// 400-year calendar cycle (about 0.1 ms): callers that report it often keep
// the result.
func (s Schedule) IntervalDays() int64 {
	return max(s.intervalDays(), 1)
}

// Hourly reports whether the schedule fires more than once a day; such a
// schedule's default window is 1 hour rather than the rest of the day.
func (s Schedule) Hourly() bool {
	return s.kind == kindCron && bits.OnesCount32(s.cron.hours) > 1
}

func (s Schedule) intervalDays() int64 {
	switch s.kind {
	case kindDays:
		return s.every
	case kindHours:
		return s.every / 24
	case kindCron:
		if s.Hourly() {
			return 1
		}
		gap, _ := s.cron.shortestGap()
		return gap
	}
	return 1
}

// parseDuration checks Duration's lexical rule from the AWS model and returns
// the hours, or 0 when unset.
func parseDuration(d string) (int64, error) {
	if d == "" {
		return 0, nil
	}
	if len(d) < 2 || len(d) > 3 || d[len(d)-1] != 'h' || !isDigits(d[:len(d)-1]) {
		return 0, newError(CodeInvalidParameter,
			"Duration %q is invalid: it must be a number of hours such as \"3h\", 2 or 3 characters long.", d)
	}
	n, _ := strconv.ParseInt(d[:len(d)-1], 10, 64) // at most two digits: cannot fail
	switch {
	case n < 1:
		return 0, newError(CodeInvalidParameter, "Duration %q is invalid: the rotation window must be at least 1h.", d)
	case n > maxWindowHours:
		return 0, newError(CodeInvalidParameter, "Duration %q is invalid: the rotation window must be at most %dh.", d, maxWindowHours)
	}
	return n, nil
}

// fitWindow sets the window length, checking that every window ends within
// its UTC day and before the next window opens.
func (s *Schedule) fitWindow(duration string, hours int64) error {
	switch s.kind {
	case kindDays:
		// Days windows open at midnight, and parseDuration caps hours at 24.
		s.window = hours
		return nil
	case kindHours:
		if hours == 0 {
			hours = 1
		}
		if open := s.every % 24; open+hours > 24 {
			return newError(CodeInvalidParameter,
				"Duration %q is invalid: windows open at %02d:00 UTC and must end by midnight, so the window can be at most %dh.",
				duration, open, 24-open)
		}
		s.window = hours
		return nil
	}

	if hours == 0 {
		if s.Hourly() {
			s.window = 1
		}
		return nil
	}
	if last := int64(31 - bits.LeadingZeros32(s.cron.hours)); last+hours > 24 {
		return newError(CodeInvalidParameter,
			"Duration %q is invalid: a window opening at %02d:00 UTC must end by midnight, so the window can be at most %dh.",
			duration, last, 24-last)
	}
	if gap, from := shortestHourGap(s.cron.hours, false); hours > int64(gap) {
		return newError(CodeInvalidParameter,
			"Duration %q is invalid: windows open at %02d:00 and %02d:00 UTC, so the window can be at most %dh.",
			duration, from, from+gap, gap)
	}
	s.window = hours
	return nil
}

func parseExpression(expr string) (Schedule, error) {
	if len(expr) > maxExprLength || !isExpressionText(expr) {
		return Schedule{}, newError(CodeInvalidParameter,
			"ScheduleExpression must be 1 to %d characters of letters, digits, spaces and ( ) # ? * - / ,.", maxExprLength)
	}
	var (
		s   Schedule
		err error
	)
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		s, err = parseRate(expr[len("rate(") : len(expr)-1])
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		s, err = parseCron(expr[len("cron(") : len(expr)-1])
	default:
		err = errors.New("it must be rate(N hours|days) or cron(Minutes Hours Day-of-month Month Day-of-week Year)")
	}
	if err != nil {
		return Schedule{}, newError(CodeInvalidParameter, "ScheduleExpression %q is invalid: %v.", expr, err)
	}
	return s, nil
}

func isExpressionText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case strings.IndexByte("()#?*-/, ", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func parseRate(inner string) (Schedule, error) {
	f := strings.Fields(inner)
	if len(f) != 2 {
		return Schedule{}, errors.New("a rate must be a positive whole number and a unit, as in rate(4 hours) or rate(30 days)")
	}
	if !isDigits(f[0]) {
		return Schedule{}, fmt.Errorf("the rate value %q must be a positive whole number", f[0])
	}
	n, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		n = maxRateHours + 1 // only overflow is possible: too large in any unit
	}
	switch f[1] {
	case "hour", "hours":
		if n < minRateHours || n > maxRateHours {
			return Schedule{}, fmt.Errorf("an hour rate must be between %d and %d hours", minRateHours, maxRateHours)
		}
		if n >= 24 {
			return Schedule{kind: kindHours, every: n}, nil
		}
		// Below a day, windows restart each midnight as in cron(0 0/N * * ? *).
		// Unlike that cron, the short gap the restart may leave before
		// midnight (rate(22 hours): 22:00 then 00:00) is accepted, because
		// the documented 4-hour minimum is on the rate's own value.
		c := cronSpec{months: uint16(fullMask(1, 12)), dom: fullMask(1, 31)}
		for h := int64(0); h < 24; h += n {
			c.hours |= 1 << h
		}
		return Schedule{kind: kindCron, cron: c}, nil
	case "day", "days":
		if n < 1 || n > maxRateDays {
			return Schedule{}, fmt.Errorf("a day rate must be between 1 and %d days", maxRateDays)
		}
		return Schedule{kind: kindDays, every: n}, nil
	}
	return Schedule{}, fmt.Errorf("the rate unit %q must be hour, hours, day or days", f[1])
}

// cronSpec is a parsed cron expression. Day masks use bit d for day d of the
// month and weekday masks bit n for AWS weekday n (1 = SUN … 7 = SAT).
type cronSpec struct {
	hours  uint32 // bit h: fires at h:00 UTC
	months uint16 // bit m: fires in month m
	// byWeekday is set when Day-of-month is "?", so Day-of-week picks the days.
	byWeekday      bool
	dom            uint64
	domNearest     uint64 // "dW": the weekday nearest day d
	domLast        bool   // "L"
	domLastWeekday bool   // "LW"
	dow            uint8
	dowLast        uint8    // "nL": the last weekday n of the month
	dowNth         [8]uint8 // "n#k": bit k of dowNth[n]
}

// cronField names one numeric field of a cron expression.
type cronField uint8

const (
	hoursField cronField = iota
	domField
	monthField
	dowField
)

func (f cronField) String() string {
	return [...]string{"Hours", "Day-of-month", "Month", "Day-of-week"}[f]
}

func (f cronField) bounds() (lo, hi int) {
	switch f {
	case hoursField:
		return 0, 23
	case domField:
		return 1, 31
	case monthField:
		return 1, 12
	}
	return 1, 7
}

// names lists the three-letter names standing for lo, lo+1, ...
func (f cronField) names() string {
	switch f {
	case monthField:
		return "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC"
	case dowField:
		return "SUNMONTUEWEDTHUFRISAT"
	}
	return ""
}

func parseCron(inner string) (Schedule, error) {
	f := strings.Fields(inner)
	if len(f) != 6 {
		return Schedule{}, fmt.Errorf("a cron expression must have 6 fields (Minutes Hours Day-of-month Month Day-of-week Year), got %d", len(f))
	}
	minutes, hours, dom, month, dow, year := f[0], f[1], strings.ToUpper(f[2]), strings.ToUpper(f[3]), strings.ToUpper(f[4]), f[5]
	if minutes != "0" {
		return Schedule{}, fmt.Errorf("the Minutes field must be 0 (windows start on the hour), got %q", minutes)
	}
	if year != "*" {
		return Schedule{}, fmt.Errorf("the Year field must be *, got %q", year)
	}
	if (dom == "?") == (dow == "?") {
		return Schedule{}, errors.New("exactly one of the Day-of-month and Day-of-week fields must be ?")
	}

	var c cronSpec
	h, err := parseCronList(hours, hoursField, nil)
	if err != nil {
		return Schedule{}, err
	}
	c.hours = uint32(h)
	m, err := parseCronList(month, monthField, nil)
	if err != nil {
		return Schedule{}, err
	}
	c.months = uint16(m)
	if dom == "?" {
		c.byWeekday = true
		d, err := parseCronList(dow, dowField, c.parseWeekdaySpecial)
		if err != nil {
			return Schedule{}, err
		}
		c.dow |= uint8(d)
	} else {
		d, err := parseCronList(dom, domField, c.parseDaySpecial)
		if err != nil {
			return Schedule{}, err
		}
		c.dom |= d
	}

	if bits.OnesCount32(c.hours) > 1 {
		if gap, from := shortestHourGap(c.hours, true); gap < minGapHours {
			return Schedule{}, fmt.Errorf("it fires at %02d:00 and %02d:00 UTC, %d hours apart; rotations must be at least %d hours apart",
				from, (from+gap)%24, gap, minGapHours)
		}
	}
	// The calendar repeats every cycleMonths, so a search of one cycle from
	// any date tells whether the expression ever fires.
	if _, ok := c.next(time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)); !ok {
		return Schedule{}, errors.New("it never fires (no date matches its Day-of-month, Month and Day-of-week fields)")
	}
	return Schedule{kind: kindCron, cron: c}, nil
}

// parseCronList parses a comma-separated field into a mask of plain values.
// special, when set, may claim an item first (L, W, #) and report whether it did.
func parseCronList(field string, f cronField, special func(item string) (bool, error)) (uint64, error) {
	var mask uint64
	for _, item := range strings.Split(field, ",") {
		if special != nil {
			done, err := special(item)
			if err != nil {
				return 0, err
			}
			if done {
				continue
			}
		}
		m, err := parseCronItem(item, f)
		if err != nil {
			return 0, err
		}
		mask |= m
	}
	return mask, nil
}

// parseCronItem parses *, a, a-b, a/b, /b, */b or a-b/c.
func parseCronItem(item string, f cronField) (uint64, error) {
	rng, step, hasStep := strings.Cut(item, "/")
	lo, hi := f.bounds()
	switch {
	case rng == "*":
	case rng == "" && hasStep:
		// "/b" counts from the field's first value, like "*/b".
	default:
		a, b, isRange := strings.Cut(rng, "-")
		var err error
		if lo, err = f.value(a); err != nil {
			return 0, err
		}
		switch {
		case isRange:
			if hi, err = f.value(b); err != nil {
				return 0, err
			}
			if hi <= lo {
				return 0, fmt.Errorf("the %s range %q must be increasing", f, rng)
			}
		case !hasStep:
			hi = lo
		}
	}
	by := 1
	if hasStep {
		first, last := f.bounds()
		n, err := strconv.Atoi(step)
		if !isDigits(step) || err != nil || n < 1 || n > last-first+1 {
			return 0, fmt.Errorf("the %s increment %q must be a whole number between 1 and %d", f, step, last-first+1)
		}
		by = n
	}
	var mask uint64
	for v := lo; v <= hi; v += by {
		mask |= 1 << v
	}
	return mask, nil
}

// value parses one number or name of the field and checks its bounds.
func (f cronField) value(s string) (int, error) {
	lo, hi := f.bounds()
	names := f.names()
	for i := 0; i+3 <= len(names); i += 3 {
		if s == names[i:i+3] {
			return lo + i/3, nil
		}
	}
	n, err := strconv.Atoi(s)
	if !isDigits(s) || err != nil {
		if names != "" {
			return 0, fmt.Errorf("the %s value %q must be a number between %d and %d or a name %s-%s",
				f, s, lo, hi, names[:3], names[len(names)-3:])
		}
		return 0, fmt.Errorf("the %s value %q must be a number between %d and %d", f, s, lo, hi)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("the %s value %d is out of range %d-%d", f, n, lo, hi)
	}
	return n, nil
}

// parseDaySpecial claims the Day-of-month items L, LW and dW.
func (c *cronSpec) parseDaySpecial(item string) (bool, error) {
	switch {
	case item == "L":
		c.domLast = true
	case item == "LW":
		c.domLastWeekday = true
	case strings.HasSuffix(item, "W"):
		d, err := domField.value(strings.TrimSuffix(item, "W"))
		if err != nil {
			return false, err
		}
		c.domNearest |= 1 << d
	default:
		return false, nil
	}
	return true, nil
}

// parseWeekdaySpecial claims the Day-of-week items L, nL and n#k.
func (c *cronSpec) parseWeekdaySpecial(item string) (bool, error) {
	switch {
	case item == "L":
		// Alone, L is the last day of the week: every Saturday.
		c.dow |= 1 << 7
	case strings.HasSuffix(item, "L"):
		n, err := dowField.value(strings.TrimSuffix(item, "L"))
		if err != nil {
			return false, err
		}
		c.dowLast |= 1 << n
	case strings.Contains(item, "#"):
		day, nth, _ := strings.Cut(item, "#")
		n, err := dowField.value(day)
		if err != nil {
			return false, err
		}
		k, err := strconv.Atoi(nth)
		if !isDigits(nth) || err != nil || k < 1 || k > 5 {
			return false, fmt.Errorf("the Day-of-week occurrence in %q must be between 1 and 5", item)
		}
		c.dowNth[n] |= 1 << k
	default:
		return false, nil
	}
	return true, nil
}

// days returns the mask of the days of the month on which c fires.
func (c *cronSpec) days(y int, m time.Month) uint64 {
	if c.months&(1<<m) == 0 {
		return 0
	}
	n := daysIn(y, m)
	first := int(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Weekday()) // 0 = Sunday
	if !c.byWeekday {
		mask := c.dom & fullMask(1, n)
		if c.domLast {
			mask |= 1 << n
		}
		if c.domLastWeekday {
			mask |= 1 << nearestWeekday(n, n, first)
		}
		for near := c.domNearest & fullMask(1, n); near != 0; near &= near - 1 {
			mask |= 1 << nearestWeekday(bits.TrailingZeros64(near), n, first)
		}
		return mask
	}
	var mask uint64
	for d := 1; d <= n; d++ {
		wd := (first+d-1)%7 + 1 // AWS numbering
		bit := uint8(1) << wd
		if c.dow&bit != 0 || c.dowLast&bit != 0 && d+7 > n || c.dowNth[wd]&(1<<((d-1)/7+1)) != 0 {
			mask |= 1 << d
		}
	}
	return mask
}

// nearestWeekday is "dW": the Monday–Friday day nearest day d that stays in the
// month (n days, the 1st falling on weekday first, 0 = Sunday).
func nearestWeekday(d, n, first int) int {
	switch (first + d - 1) % 7 {
	case 6: // Saturday: the Friday before, unless that is last month
		if d == 1 {
			return 3
		}
		return d - 1
	case 0: // Sunday: the Monday after, unless that is next month
		if d == n {
			return d - 2
		}
		return d + 1
	}
	return d
}

// next returns the first firing strictly after t (UTC). It steps a month at a
// time, so even a once-in-28-years schedule costs a few thousand cheap steps.
func (c *cronSpec) next(t time.Time) (time.Time, bool) {
	y, m, d := t.Date()
	mask := c.days(y, m)
	if mask&(1<<d) != 0 {
		if later := c.hours &^ (1<<(t.Hour()+1) - 1); later != 0 {
			return time.Date(y, m, d, bits.TrailingZeros32(later), 0, 0, 0, time.UTC), true
		}
	}
	firstHour := bits.TrailingZeros32(c.hours)
	mask &^= 1<<(d+1) - 1
	for range cycleMonths + 1 {
		if mask != 0 {
			return time.Date(y, m, bits.TrailingZeros64(mask), firstHour, 0, 0, 0, time.UTC), true
		}
		if m++; m > time.December {
			m, y = time.January, y+1
		}
		mask = c.days(y, m)
	}
	return time.Time{}, false
}

// shortestGap returns the fewest days between two consecutive firing days over
// one full calendar cycle (including the gap into the next cycle), and whether
// c fires at all.
func (c *cronSpec) shortestGap() (int64, bool) {
	var (
		base, first, prev int64
		found             bool
		best              int64 = cycleDays
	)
	y, m := 2000, time.January
	for range cycleMonths {
		for mask := c.days(y, m); mask != 0; mask &= mask - 1 {
			day := base + int64(bits.TrailingZeros64(mask))
			if !found {
				first, found = day, true
			} else if gap := day - prev; gap < best {
				if best = gap; best == 1 {
					return 1, true
				}
			}
			prev = day
		}
		base += int64(daysIn(y, m))
		if m++; m > time.December {
			m, y = time.January, y+1
		}
	}
	if !found {
		return 0, false
	}
	return min(best, first+cycleDays-prev), true
}

// shortestHourGap returns the smallest number of hours between consecutive
// firing hours of a day and the hour it starts from. With wrap, the gap from
// the last hour to the first hour of the next day counts too.
func shortestHourGap(hours uint32, wrap bool) (gap, from int) {
	gap, prev, first := 24, -1, -1
	for h := hours; h != 0; h &= h - 1 {
		v := bits.TrailingZeros32(h)
		if prev < 0 {
			first = v
		} else if v-prev < gap {
			gap, from = v-prev, prev
		}
		prev = v
	}
	if wrap && first+24-prev < gap {
		gap, from = first+24-prev, prev
	}
	return gap, from
}

func fullMask(lo, hi int) uint64 {
	return (1<<(hi+1) - 1) &^ (1<<lo - 1)
}

func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}
