// Package rotor is AWS Secrets Manager's versioning and rotation as a Go
// library: versions, staging labels, the rotation state machine and
// schedules, and the operations with AWS's inputs, outputs, validation, error
// codes and messages, running inside your service, inside go test, or behind
// `rotor serve` with no AWS account.
//
// Start with a Service over a Store:
//
//	svc := rotor.New(rotor.NewMemoryStore())
//	_, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "prod/db", SecretString: "hunter2"})
//	v, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "prod/db"})
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
// # The operations
//
// [Service] offers the Secrets Manager operations: CreateSecret,
// PutSecretValue, GetSecretValue, RotateSecret and the rest. Each input field's
// documentation gives its limits. Every failure is an [*Error] whose Code is
// the AWS error code; match it with errors.Is against the sentinels
// ([ErrResourceNotFound], [ErrInvalidRequest], ...). Bad input changes
// nothing.
//
// An output member that AWS leaves out is its zero value here: an empty
// string, a zero time.Time, a nil slice or map. Pointers appear only where the
// zero value is an answer of its own: DescribeSecretOutput.RotationEnabled is
// nil while rotation was never configured and false once it was turned off,
// and RotationRules is nil without a schedule. Inputs follow the same rule:
// a pointer (Description, KmsKeyId, RecoveryWindowInDays, RotateImmediately)
// where "absent" and "zero" differ.
//
// # Rotation
//
// RotateSecret saves the rotation configuration and a value-less version
// labelled AWSPENDING, then the four steps (createSecret, setSecret,
// testSecret, finishSecret) of a rotation function run through an [Invoker].
// Where they run depends on the wiring, and only on it:
//
//   - a Service from New without WithRotationRunner runs them inside
//     RotateSecret, which returns when the rotation finished or a step
//     failed: an *Error (InvalidRequestException, as AWS codes it) wrapping a
//     [*StepError] with the step and the function's own error;
//   - a Service built by package engine (engine.New), as `rotor serve` and
//     rotortest.WithAsyncRotation build it, runs them after RotateSecret
//     has answered, as AWS does, and retries a failed attempt.
//
// [FunctionRegistry] runs Go functions in-process; [TemplateRotator] does what
// AWS's rotation template does, so a user writes only how to generate, set and
// test a credential. While AWSPENDING sits on a version that is not
// AWSCURRENT, a new rotation is refused, and a retry with the same token
// resumes the pending one. Schedules ([ParseSchedule]) accept
// AutomaticallyAfterDays, rate() and AWS's six-field cron() with rotation
// windows; [DueAt] says when a secret's rotation is due, and
// [Secret.RotationStatus] where a rotation stands.
//
// The rotation rules form one state machine of pure functions, each deciding
// from the secret as stored and the time what changes, which events report
// it and which rotation runs next; the Service saves and emits what they
// decide. A rotation's progress (its token, attempts, lease and last failure)
// is saved with the secret, so a crash or another server finds it there.
//
// # Stores
//
// A [Store] loads and saves one secret at a time with a revision check; the
// service retries a lost race by re-reading and re-applying the rule. The
// [MemoryStore] shares immutable snapshots, so reads copy nothing; packages
// store/bolt, store/postgres and store/encrypted are the durable ones.
//
// # For store authors
//
// A store implements [Store] (with [Revision] and [Cursor], and the sentinels
// [ErrStoreNotFound], [ErrStoreConflict] and [ErrStoreExists]) and runs
// package storetest's suite with one call. Optional capabilities make it
// faster: [CachedLoader] (a write starts from the last state it saw),
// [DueLister] (an index of [DueAt], so a scheduler tick costs what is due)
// and [SortedLister] (an index per [ListOrder], so a ListSecrets page costs
// what it holds in every order).
// [EncodeSecret] and [DecodeSecret] are rotor's record format for stores that
// keep bytes; a store that cannot open a stored value returns it as an
// [UnreadableValue].
//
// Replication asks nothing more of a store: a replica is an ordinary record
// under its own Region and the primary's name, saved with the same revision
// check, and [Secret.Generation] (kept by [EncodeSecret]) says which commit
// of its primary it holds. A store keyed by Region and name, as [Store]
// requires, replicates.
//
// # For engine authors
//
// Package engine is rotor's engine. Another one is a [RotationRunner] given to
// New with [WithRotationRunner], and drives rotations through
// [Service.Runtime]: [Runtime.Claim] takes an [Attempt] (under a lease),
// [Attempt.Run] runs its steps with an [AttemptPolicy], [Runtime.Tick]
// applies the scheduler's rule to a secret that [DueAt] says is due, and
// [Runtime.CatchUp] brings a primary's replicas up to date after a crash.
//
// # Determinism and secrecy
//
// Time and randomness are injected ([WithClock], [WithRandom]), so a test walks
// years of schedules in microseconds. Values never print: fmt verbs, slog and
// errors show "[REDACTED]".
package rotor
