// Package engine runs rotor's rotations asynchronously: a bounded pool of
// workers, retries with back-off, resumption after a crash, and a scheduler
// that starts the rotations that are due.
//
// # Wiring
//
// The Service needs its runner when it is built and the engine needs the
// Service, so the engine is built first and attached after:
//
//	e := engine.New(engine.Config{})
//	svc := rotor.New(store, rotor.WithRotationRunner(e), rotor.WithInvoker(functions))
//	e.Attach(svc)          // starts the workers
//	err := e.Start(ctx)    // resumes pending rotations, runs the scheduler
//	defer e.Close()
//
// With an engine attached, RotateSecret returns as soon as the configuration
// and the AWSPENDING placeholder are saved; a worker then runs the four steps
// with Service.RunRotation. Without one, the Service runs them inside
// RotateSecret.
//
// # Retries
//
// A failed attempt (a step failed, or ran longer than Config.StepTimeout) is
// retried from the first step with the same token after an exponential,
// jittered back-off, up to Config.MaxAttempts attempts. After the last one the
// rotation is given up (Service.AbandonRotation): it stays pending, its state
// records the attempts, the last error (never a value) and the start of the
// next window, and the scheduler tries it again then.
//
// # Crashes
//
// Progress is saved with the secret, and a worker holds a lease on the
// rotation it runs (rotor.RotationLease, renewed at every step). Start scans
// the store and resumes every pending rotation without a live lease, with
// its own token, so no second placeholder is made; a rotation whose lease
// expired later (its server died) is taken over by a scheduler tick.
//
// # Scheduling
//
// Tick finds secrets whose rotation is due (see DueAt): rotation enabled, no
// rotation pending, and the window that NextRotationDate ends has reached a
// moment in its first half that is fixed per secret and window (starting at
// a spread-out moment rather than at window open keeps thousands of secrets
// with one schedule from rotating in the same second). It starts each with
// RotateSecret and a token new to the secret, derived from its ARN and the
// window, so that every engine sharing the store uses the same token for one
// window and a second start is an idempotent replay: a secret is never
// rotated twice for one window (see Tick). A window that passed while no
// engine ran is caught up at the next tick, with a warning.
//
// A store implementing DueLister answers "what is due" from an index; any
// other store is scanned, which costs O(number of secrets) per tick.
// IndexedStore adds such an index to any store written by one process.
//
// Tests drive the scheduler with a simulated clock by calling Tick directly,
// and wait for rotations with Wait or WaitIdle instead of sleeping.
package engine
