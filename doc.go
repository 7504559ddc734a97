// Package rotor models how AWS Secrets Manager versions and rotates secrets,
// so that the same rules run inside a Go service, inside go test and on many
// servers sharing one database.
//
// # The model
//
// A [Secret] has versions ([Version]), each an immutable [Value] with the id its
// ClientRequestToken gave it. Staging labels point at versions: a label sits on
// at most one version, AWSCURRENT is what reads return, and when AWSCURRENT
// moves AWSPREVIOUS follows it to the version it left. A version with no label
// is deprecated; once a secret has more than 100 versions the oldest deprecated
// ones older than 24 hours are dropped.
//
// # The service
//
// [Service] offers the Secrets Manager operations with AWS's names, inputs,
// outputs, validation, error codes and messages: CreateSecret, PutSecretValue,
// GetSecretValue, RotateSecret and the rest. Every failure is an [*Error] whose
// Code is the AWS error code; match it with errors.Is against the sentinels
// ([ErrResourceNotFound], [ErrInvalidRequest], ...). Bad input changes nothing.
//
// # Rotation
//
// RotateSecret saves the rotation configuration and a value-less version
// labelled AWSPENDING, then runs the four steps (createSecret, setSecret,
// testSecret, finishSecret) of a rotation function through an [Invoker].
// [Functions] runs Go functions in-process; [TemplateRotator] does what AWS's
// rotation template does, so a user writes only how to generate, set and test a
// credential. While AWSPENDING sits on a version that is not AWSCURRENT, a new
// rotation is refused, and a retry with the same token resumes the pending one.
// Schedules ([ParseSchedule]) accept AutomaticallyAfterDays, rate() and AWS's
// six-field cron() with rotation windows.
//
// # Stores
//
// A [Store] loads and saves one secret at a time with a revision check; the
// service retries a lost race by re-reading and re-applying the rule. The
// [MemoryStore] shares immutable snapshots, so reads copy nothing. Package
// storetest is the conformance suite every store runs with one call.
//
// # Determinism and secrecy
//
// Time and randomness are injected ([WithClock], [WithRandom]), so a test walks
// years of schedules in microseconds. Values never print: fmt verbs, slog and
// errors show "[REDACTED]".
package rotor
