// Package rotortest starts an in-process rotor that speaks the Secrets
// Manager wire protocol, so that a test drives code written for the AWS SDK
// for Go v2, rotation Lambdas included, without AWS and without a network.
//
//	srv := rotortest.NewServer(t)
//	client := secretsmanager.NewFromConfig(srv.Config)
//	srv.Functions.Register(lambdaARN, rotor.RotatorFunc(myLambdaHandler))
//
// The server keeps its secrets in memory and is closed when the test ends.
// Requests are signed with a test key pair and verified, as on AWS.
//
// # When the steps run
//
// By default a rotation's four steps run while RotateSecret is answered, so
// when the SDK call returns the rotation has finished or failed: a test reads
// the outcome at once, and WaitRotation reports it (the step that failed and
// the function's error). WithAsyncRotation runs them after the answer, as AWS
// and rotor serve do, with an engine that retries a failed attempt; a test
// then waits with WaitRotation.
//
// # Time
//
// WithClock moves the time of everything rotor decides (dates, schedules,
// rotation windows); signatures are checked against the real time, which the
// SDK signs with, so a test can set the server's clock a year ahead and keep
// calling it.
package rotortest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
	"github.com/rotorkit/rotor/engine"
)

// The test credentials a Server accepts unless WithCredentials says others.
const (
	AccessKeyID     = "AKIDROTORTEST0000000"
	SecretAccessKey = "rotortest-secret-access-key"
)

// Server is an in-process rotor behind an httptest server.
type Server struct {
	// URL is the endpoint, e.g. http://127.0.0.1:41234.
	URL string
	// Config is what the AWS SDK for Go v2 needs to call the server: its
	// endpoint, region and static credentials. Pass it to
	// secretsmanager.NewFromConfig.
	Config aws.Config
	// Handler is the server's awsapi.Handler.
	Handler *awsapi.Handler
	// Functions runs the rotation functions that RotateSecret names:
	// register each by its ARN.
	Functions *rotor.FunctionRegistry

	region  string
	server  *httptest.Server
	async   bool
	mu      sync.Mutex
	engines []*engine.Engine
}

type options struct {
	region, accountID string
	keyID, secret     string
	clock             func() time.Time
	logger            *slog.Logger
	serviceOptions    []rotor.Option
	async             bool
}

// Option configures a Server.
type Option func(*options)

// WithRegion sets the region of Config and of the server's default
// (default us-east-1).
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithAccountID sets the account of every ARN (default 000000000000).
func WithAccountID(id string) Option { return func(o *options) { o.accountID = id } }

// WithCredentials sets the one key pair the server accepts and Config signs
// with (default AccessKeyID, SecretAccessKey).
func WithCredentials(accessKeyID, secretAccessKey string) Option {
	return func(o *options) { o.keyID, o.secret = accessKeyID, secretAccessKey }
}

// WithClock sets the time of everything the server decides: the dates it
// records, NextRotationDate, when a rotation is due (default time.Now).
// Signatures are still checked against the real time the SDK signs with, so
// the clock may be set anywhere.
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

// WithAsyncRotation runs rotations after RotateSecret has answered, as AWS
// and rotor serve do: an engine (package engine) runs the steps, retries a
// failed attempt after a few milliseconds, up to 3 attempts, and its
// scheduler runs when the test calls Tick. Wait for a rotation with
// WaitRotation.
func WithAsyncRotation() Option { return func(o *options) { o.async = true } }

// WithLogger sets where request logs go (default: nowhere).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithServiceOptions passes options to rotor.New for every region's service.
func WithServiceOptions(opts ...rotor.Option) Option {
	return func(o *options) { o.serviceOptions = append(o.serviceOptions, opts...) }
}

// NewServer starts a Server that t closes when it ends.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := Start(opts...)
	t.Cleanup(s.Close)
	return s
}

// Start starts a Server; Close stops it. Tests use NewServer instead.
func Start(opts ...Option) *Server {
	o := options{region: "us-east-1", accountID: "000000000000", keyID: AccessKeyID, secret: SecretAccessKey, clock: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{Functions: &rotor.FunctionRegistry{}, region: o.region, async: o.async}
	cfg := awsapi.Config{
		Region: o.region, AccountID: o.accountID, Invoker: s.Functions,
		// The services get the test's clock; signatures the real one.
		Options:     append([]rotor.Option{rotor.WithClock(o.clock)}, o.serviceOptions...),
		Credentials: map[string]string{o.keyID: o.secret}, Logger: o.logger,
	}
	store := rotor.NewMemoryStore()
	cfg.Store = store
	if o.async {
		cfg.NewService = func(opts ...rotor.Option) *rotor.Service {
			e := engine.New(store, engine.Config{Workers: 2, MaxAttempts: 3, BackoffBase: time.Millisecond, BackoffMax: 10 * time.Millisecond,
				Logger: o.logger}, opts...)
			s.mu.Lock()
			s.engines = append(s.engines, e)
			s.mu.Unlock()
			return e.Service()
		}
	}
	s.Handler = awsapi.NewHandler(cfg)
	s.server = httptest.NewServer(s.Handler)
	s.URL = s.server.URL
	s.Config = aws.Config{
		Region:       o.region,
		Credentials:  credentials.NewStaticCredentialsProvider(o.keyID, o.secret, ""),
		BaseEndpoint: aws.String(s.server.URL),
		HTTPClient:   s.server.Client(),
	}
	return s
}

// Close stops the server, its engines and its connections.
func (s *Server) Close() {
	s.server.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.engines {
		e.Close()
	}
}

// Service returns the rotor service of the server's region, to inspect or
// prepare state without the SDK. It fails only when WithRegion named no
// valid region.
func (s *Server) Service() (*rotor.Service, error) {
	return s.Handler.Service(s.region)
}

// WaitRotation returns when the rotation of secretID (a name or ARN in the
// server's region) with token, the VersionId RotateSecret answered, has
// ended: nil once it finished (its version is AWSCURRENT), or an error
// wrapping a *rotor.StepError (errors.As) that names the step that failed
// and carries the rotation function's error text, once the rotation failed
// for good (at once without WithAsyncRotation, after its last attempt with
// it). A rotation cancelled, or whose AWSPENDING label was removed, is an
// error too, as is ctx ending first.
func (s *Server) WaitRotation(ctx context.Context, secretID, token string) error {
	svc, err := s.Service()
	if err != nil {
		return err
	}
	for {
		sec, err := svc.Lookup(ctx, secretID)
		if err != nil {
			return err
		}
		st := sec.RotationStatus(token, svc.Runtime().Now())
		switch st.Progress {
		case rotor.RotationFinished:
			return nil
		case rotor.RotationAbandoned:
			return fmt.Errorf("rotortest: the rotation of %s failed %d times: %w", secretID, st.Attempts, stepError(st, token))
		case rotor.RotationRetrying:
			if !s.async {
				return fmt.Errorf("rotortest: the rotation of %s failed: %w", secretID, stepError(st, token))
			}
		case rotor.RotationStopped, rotor.RotationGone:
			return fmt.Errorf("rotortest: the rotation of %s with token %s is %s: it was cancelled, or its AWSPENDING label removed", secretID, token, st.Progress)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func stepError(st rotor.RotationStatus, token string) *rotor.StepError {
	return &rotor.StepError{Step: st.FailedStep, Token: token, Err: errors.New(st.LastError)}
}

// Tick runs the rotation scheduler of every region once, at the server's
// time (WithClock): the secrets whose rotation is due (rotor.DueAt) start
// one. It needs WithAsyncRotation, and returns how many rotations it
// started or took up.
func (s *Server) Tick(ctx context.Context) (int, error) {
	if !s.async {
		return 0, errors.New("rotortest: Tick needs WithAsyncRotation: without an engine nothing rotates on a schedule")
	}
	s.mu.Lock()
	engines := append([]*engine.Engine(nil), s.engines...)
	s.mu.Unlock()
	total := 0
	for _, e := range engines {
		n, err := e.Tick(ctx)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}
