// Package engine runs rotor's rotations after RotateSecret has returned, as
// AWS does: a bounded pool of workers, retries with back-off, resumption
// after a crash, and a scheduler that starts the rotations that are due.
//
//	e := engine.New(store, engine.Config{}, rotor.WithInvoker(functions))
//	defer e.Close()
//	svc := e.Service()   // the Service whose rotations the engine runs
//	err := e.Start(ctx)  // resumes pending rotations, runs the scheduler
//
// New builds the Service with the engine as its rotor.RotationRunner and
// with the options given, so the service and the engine share one clock
// (rotor.WithClock): move it, then call Tick, and the scheduler acts as of
// that time. RotateSecret then returns as soon as the configuration and the
// AWSPENDING placeholder are saved; a worker runs the four steps. Without an
// engine, a Service runs them inside RotateSecret.
//
// # Who decides
//
// Every rule is the Service's: whether a rotation may start, who holds it,
// what a step's result does, when a secret is due. The engine only acts on
// those decisions, through the Service's rotor.Runtime: it claims an attempt
// (which takes the rotation's lease), runs its steps with a per-step timeout,
// and asks the Service's scheduler rule about each secret that is due. It
// never changes a secret through the public operations.
//
// # Retries
//
// A failed attempt (a step failed, or ran longer than Config.StepTimeout) is
// retried from the first step with the same token after an exponential,
// jittered back-off, up to Config.MaxAttempts attempts; the retry's time is
// saved with the rotation, so that if this engine dies another takes it over
// rotor.OrphanAfter later. After the last attempt the rotation is given up:
// it stays pending, its state records the attempts, the failed step and the
// function's error (never a value), and the scheduler tries it again, as a
// new round of attempts, at its due moment in the next window. Wait reports
// the outcome of one rotation.
//
// # Crashes
//
// Progress is saved with the secret after every step, under a lease that
// every step renews (rotor.RotationLease). Start resumes every pending
// rotation without a live lease, with its own token, so no second
// placeholder is made; a rotation whose worker dies later is taken over by
// a scheduler tick once the lease expires. A worker that lost its lease
// cannot record anything, and a rotation whose finishSecret moved AWSCURRENT
// before its worker died has its end recorded without running a step again.
//
// # Scheduling
//
// Tick finds the secrets whose rotor.DueAt has come: through the store's
// rotor.DueLister when it keeps a due index (bolt, PostgreSQL, and
// IndexedStore over any store written by one process), and by reading every
// secret otherwise, which costs O(number of secrets) per tick. A secret's
// due moment is a fixed point in the first half of its rotation window,
// derived from its ARN, so thousands of secrets on one schedule do not rotate
// in the same second; rotor.DueAt tells a test when that is. The decision is
// taken on the secret as stored, under its revision, so two engines sharing
// a store never rotate one secret twice for a window, and a change made since
// the listing wins. A window that passed while no engine ran is caught up at
// the next tick, and a NextRotationDate that passed while a rotation was
// still pending moves to the next window the rotation can make.
package engine
