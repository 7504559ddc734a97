package cache

import "time"

// Defaults of the options.
const (
	DefaultCheckInterval = 5 * time.Minute
	DefaultMaxStale      = time.Hour
	DefaultRetryInterval = 5 * time.Second
	DefaultMaxEntries    = 1000
	DefaultCallTimeout   = 30 * time.Second
)

type options struct {
	checkInterval time.Duration
	maxStale      time.Duration
	retryInterval time.Duration
	maxEntries    int
	callTimeout   time.Duration
	clock         func() time.Time
	onError       func(secretID string, err error)
}

// Option configures a Cache.
type Option func(*options)

// WithCheckInterval sets how long an entry is served before it is checked
// with DescribeSecret (default DefaultCheckInterval, five minutes: about
// 8,600 calls a month for each secret a process holds). An entry is also
// checked no later than its secret's NextRotationDate. A value below one
// millisecond is raised to it.
func WithCheckInterval(d time.Duration) Option {
	return func(o *options) { o.checkInterval = max(d, time.Millisecond) }
}

// WithMaxStale bounds how long the last good value is served while checks
// and refreshes fail for a reason that may pass, counted from the moment the
// entry should have been checked (default DefaultMaxStale, one hour). Zero
// serves nothing stale: a failed check fails the Get.
func WithMaxStale(d time.Duration) Option { return func(o *options) { o.maxStale = max(d, 0) } }

// WithRetryInterval sets how long after a failed check the next is made
// while the last good value is served (default DefaultRetryInterval, five
// seconds, and never more than the check interval).
func WithRetryInterval(d time.Duration) Option {
	return func(o *options) { o.retryInterval = max(d, time.Millisecond) }
}

// WithMaxEntries bounds the number of entries; past it the least recently
// used is evicted (default DefaultMaxEntries, 1,000). An entry is one secret
// read by one label or one version id.
func WithMaxEntries(n int) Option { return func(o *options) { o.maxEntries = max(n, 1) } }

// WithCallTimeout bounds each call to the API that a Get or Refresh makes
// (default DefaultCallTimeout, 30 seconds). A call runs to its end even when
// the caller that started it stops waiting, so that the others waiting for
// it get its answer.
func WithCallTimeout(d time.Duration) Option {
	return func(o *options) { o.callTimeout = max(d, time.Millisecond) }
}

// WithClock sets the source of time, so that a test moves the cache past a
// check interval without sleeping. By default the cache uses the real clock
// through timers, and a hit reads no clock; with WithClock every hit calls
// now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// WithErrorHandler sets a function told of each failed check or refresh
// after which the last good value is still served: the Get that triggered it
// succeeds, so this is where the failure is seen (log it, count it). fn is
// called once per failed call, before the callers waiting for that call are
// answered; it must return quickly and must not call back into the Cache. The error carries no secret value. Default: none.
func WithErrorHandler(fn func(secretID string, err error)) Option {
	return func(o *options) { o.onError = fn }
}
