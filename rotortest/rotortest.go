// Package rotortest starts an in-process rotor that speaks the Secrets
// Manager wire protocol, so that a test drives code written for the AWS SDK
// for Go v2, rotation Lambdas included, without AWS and without a network.
//
//	srv := rotortest.NewServer(t)
//	client := secretsmanager.NewFromConfig(srv.Config)
//	srv.Register(lambdaARN, myLambdaHandler) // called for each rotation step
//
// The server keeps its secrets in memory and is closed when the test ends.
// Requests are signed with a test key pair and verified, as on AWS.
package rotortest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
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

	region    string
	functions *rotor.Functions
	server    *httptest.Server
}

type options struct {
	region, accountID string
	keyID, secret     string
	clock             func() time.Time
	logger            *slog.Logger
	serviceOptions    []rotor.Option
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

// WithClock sets the server's source of time (default time.Now). The SDK
// signs with the real time, so a clock more than 5 minutes away from it
// fails every signature check.
func WithClock(now func() time.Time) Option { return func(o *options) { o.clock = now } }

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
	functions := &rotor.Functions{}
	h := awsapi.NewHandler(awsapi.Config{
		Region: o.region, AccountID: o.accountID, Invoker: functions, Clock: o.clock,
		Options: o.serviceOptions, Credentials: map[string]string{o.keyID: o.secret}, Logger: o.logger,
	})
	ts := httptest.NewServer(h)
	return &Server{
		URL:     ts.URL,
		Handler: h,
		Config: aws.Config{
			Region:       o.region,
			Credentials:  credentials.NewStaticCredentialsProvider(o.keyID, o.secret, ""),
			BaseEndpoint: aws.String(ts.URL),
			HTTPClient:   ts.Client(),
		},
		region:    o.region,
		functions: functions,
		server:    ts,
	}
}

// Close stops the server and closes its connections.
func (s *Server) Close() { s.server.Close() }

// Register makes handler callable as the rotation function functionARN: a
// RotateSecret naming that ARN calls it once per step (createSecret,
// setSecret, testSecret, finishSecret), with the fields of the event AWS
// sends a rotation Lambda. An error fails the step; the rotation then stays
// pending, as on AWS. handler may call the server through the SDK.
//
// The steps run while RotateSecret is answered, so when RotateSecret
// returns, the rotation has finished or failed.
func (s *Server) Register(functionARN string, handler func(ctx context.Context, event rotor.RotationEvent) error) {
	s.functions.RegisterFunc(functionARN, handler)
}

// Service returns the rotor service of the server's region, to inspect or
// prepare state without the SDK. It fails only when WithRegion named no
// valid region.
func (s *Server) Service() (*rotor.Service, error) {
	return s.Handler.Service(s.region)
}
