// Package cache keeps secret values in memory in front of any Secrets
// Manager API, and knows about rotation: it never serves a value after it
// has learnt that the label it was read by moved.
//
// A Cache reads through an API: a *rotor.Service in the same process, or the
// AWS SDK for Go v2 client (against AWS or rotor serve) through package
// cache/awssdk.
//
//	c := cache.New(svc) // or cache.New(awssdk.New(secretsmanager.NewFromConfig(cfg)))
//	defer c.Close()
//	v, err := c.Get(ctx, "prod/db")
//	// v.Value.Text() is the password, v.VersionID its version
//
// # How it stays current
//
// With a *rotor.Service, the Cache subscribes to the service's events, which
// the service delivers in the goroutine that commits a change before the
// operation returns: an entry is dropped at the commit, so a Get that begins
// after PutSecretValue, UpdateSecretVersionStage or a rotation's
// finishSecret has returned never answers the old value.
//
// Against a remote API no event arrives, so every entry is checked when its
// check interval (WithCheckInterval, five minutes by default) has passed, and
// no later than the secret's NextRotationDate: a check is one DescribeSecret,
// which carries no value, and the value is read again only when the label
// has moved to another version (or the secret was deleted). A Get that finds
// its entry due makes the check and waits for it; Gets arriving meanwhile are
// answered from the entry, which nothing has yet shown stale. An in-process
// cache checks too, which covers writes made by other services over the same
// store.
//
// A caller whose credentials were refused (an authentication error from the
// database the secret opens) calls Refresh, which reads the value again at
// once.
//
// # Failures
//
// Concurrent Gets of one missing or due entry make one call (single flight);
// a caller whose context ends stops waiting, and the call finishes for the
// others. When a check or a refresh fails for a reason that may pass (the
// API unreachable, throttled, failing inside), the last good value is served
// for at most WithMaxStale (one hour by default) past the moment it should
// have been checked, the error goes to the WithErrorHandler function, and
// the check is retried every WithRetryInterval. A check that has seen the
// label move is different: the old value is never served again, and a
// failure to read the new one fails the Get. An answer that settles the
// question (ResourceNotFoundException, InvalidRequestException for a secret
// scheduled for deletion, AccessDeniedException, DecryptionFailure) drops the
// entry and is returned. Errors are returned as the API gave them, so
// errors.Is(err, rotor.ErrResourceNotFound) works through the cache.
//
// # Size and cost
//
// The cache holds at most WithMaxEntries entries (1,000 by default; an entry
// is one secret read by one label or one version id) and evicts the least
// recently used. A hit takes a lock, costs no allocation and no call; Stats
// counts hits, misses and calls for metrics. Values are held as
// rotor.Value, which never prints itself.
package cache
