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
// labelled AWSPENDING, then the four steps (createSecret, setSecret,
// testSecret, finishSecret) of a rotation function run through an [Invoker]:
// inside the call when the Service has no [RotationRunner], or after it, as on
// AWS, when an engine (package engine) runs rotations. [FunctionRegistry] runs Go
// functions in-process; [TemplateRotator] does what AWS's rotation template
// does, so a user writes only how to generate, set and test a credential.
// While AWSPENDING sits on a version that is not AWSCURRENT, a new rotation is
// refused, and a retry with the same token resumes the pending one. A failed
// step is an *Error wrapping a [*StepError] with the function's own error.
// Schedules ([ParseSchedule]) accept AutomaticallyAfterDays, rate() and AWS's
// six-field cron() with rotation windows; [DueAt] says when a secret's
// rotation is due.
//
// The rotation rules form one state machine of pure functions, each deciding
// from the secret as stored and the time what changes, which events report
// it and which rotation runs next; the Service saves and emits what they
// decide, and an engine drives them through [Service.Runtime] (claim an
// attempt, run its steps, apply the scheduler's rule). A rotation's progress
// (its token, attempts, lease and last failure) is saved with the secret, so
// a crash or another server finds it there.
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
