package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/audit"
	"github.com/rotorkit/rotor/awsapi"
	"github.com/rotorkit/rotor/console"
	"github.com/rotorkit/rotor/engine"
	"github.com/rotorkit/rotor/lambda"
	"github.com/rotorkit/rotor/metrics"
	"github.com/rotorkit/rotor/policy"
	"github.com/rotorkit/rotor/rotators/builtin"
)

// serveConfig is what the flags of serve say.
type serveConfig struct {
	addr            string
	store           string
	keysFile        string
	region          string
	accountID       string
	credentialsFile string
	logLevel        string
	logFormat       string
	listenAny       bool
	shutdownTimeout time.Duration
	lambdaEndpoint  string
	lambdaTimeout   time.Duration
	// functions are the --rotation-function names and their kinds.
	functions       functionFlag
	tlsCert         string
	tlsKey          string
	maxConnections  int
	auditLog        string
	auditBestEffort bool
	metricsAddr     string
	// maxConcurrentLists bounds the listing calls running at once.
	maxConcurrentLists int
	console            bool
	// allowMissingKeys serves a store some of whose keys are gone.
	allowMissingKeys bool
}

func parseServeFlags(args []string, stderr io.Writer) (serveConfig, error) {
	c := serveConfig{functions: functionFlag{}}
	fs := flag.NewFlagSet("rotor serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8000", "`host:port` to listen on")
	fs.StringVar(&c.store, "store", defaultStore, "where secrets live: a file `path` (bbolt; created, and logged, on the first start; a damaged file is refused), postgres://... (PostgreSQL, for many servers), or memory")
	fs.StringVar(&c.keysFile, "keys", "", "`file` of master keys for encryption at rest, one \"KEY_ID BASE64_KEY\" a line, several allowed (default: the store's path + \".keys\", or rotor.keys for PostgreSQL); created with a fresh aws/secretsmanager key only while the store holds no encrypted value; serve refuses to start when the store holds values sealed under keys it lacks")
	fs.StringVar(&c.region, "region", "us-east-1", "region of requests that name none (unsigned ones)")
	fs.StringVar(&c.accountID, "account-id", "000000000000", "account id of every ARN")
	fs.StringVar(&c.credentialsFile, "credentials", "", "`file` of \"ACCESS_KEY_ID SECRET_ACCESS_KEY\" lines, or JSON keys with principals and policies (turns authorization on); with credentials every request must be signed")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.logFormat, "log-format", "text", "text or json")
	fs.BoolVar(&c.allowMissingKeys, "allow-missing-keys", false, "serve a store whose secrets were sealed under master keys the keys file lacks, instead of refusing to start: those secrets are listed, described and deleted, their values answer DecryptionFailure")
	fs.BoolVar(&c.listenAny, "insecure-listen-any", false, "allow a non-loopback -addr without credentials or without TLS")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "PEM `file` of the certificate chain to serve HTTPS with (with -tls-key); read again when it changes")
	fs.StringVar(&c.tlsKey, "tls-key", "", "PEM `file` of the private key of -tls-cert; must not be readable by group or others")
	fs.IntVar(&c.maxConnections, "max-connections", defaultMaxConnections, "most client connections open at once; at the limit, the connection waiting longest without a request is closed to admit the next. A request must send its headers within 5s and all of it within 15s; a keep-alive connection closes after 60s without one")
	fs.IntVar(&c.maxConcurrentLists, "max-concurrent-lists", awsapi.DefaultMaxConcurrentLists, "most calls that list secrets (ListSecrets, BatchGetSecretValue with Filters) running at once, at least 1; one more is refused with ThrottlingException (Rate exceeded), which the AWS SDKs and the aws command retry")
	fs.StringVar(&c.lambdaEndpoint, "lambda-endpoint", "", "`URL` of a Lambda Invoke API (sam local start-lambda, the Runtime Interface Emulator) that runs rotation functions")
	fs.Var(c.functions, "rotation-function", "`NAME=KIND` (repeatable): run the Lambda function NAME, in any Region and account, as a built-in rotation function of KIND: "+strings.Join(builtin.Kinds(), ", ")+"; functions not named so go to --lambda-endpoint")
	fs.DurationVar(&c.lambdaTimeout, "lambda-timeout", lambda.DefaultTimeout, "how long one rotation step may run")
	fs.StringVar(&c.auditLog, "audit-log", "", "append an audit trail to `file` (\"-\" for standard output): one JSON record a line, in CloudTrail's shape, for every request and for the service's rotation events, never a value; created mode 0600; a request whose record cannot be written fails")
	fs.BoolVar(&c.auditBestEffort, "audit-best-effort", false, "answer a request whose audit record could not be written (the failure is logged) instead of failing it")
	fs.StringVar(&c.metricsAddr, "metrics-addr", "", "`host:port` to serve Prometheus metrics (/metrics) and health checks (/healthz, /readyz) on")
	fs.BoolVar(&c.console, "console", true, "serve the web console at /console/ on -addr: the secrets, their versions and labels over time, their rotations, and actions made through this API as the signed-in principal (with credentials it asks for an access key; without, it answers only on loopback); -console=false turns it off")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long a shutdown waits for requests in flight")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return c, nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", format)
}

// defaultStore is the store of a plain `rotor serve`: a file in the working
// directory, so the README's first command keeps its data across restarts.
const defaultStore = "rotor.db"

// loadCredentials reads the credentials file, if any, and the environment
// pair ROTOR_ACCESS_KEY_ID / ROTOR_SECRET_ACCESS_KEY. A file in the JSON
// format (its first non-blank character is '{') also gives each key a
// principal and turns authorization on; the principals are then returned,
// and the environment pair, which has no principal, is refused.
func loadCredentials(file, accountID string, getenv func(string) string) (map[string]string, map[string]awsapi.Principal, error) {
	creds := make(map[string]string)
	var principals map[string]principalKey
	if file != "" {
		data, err := readPrivateFile(file)
		if err != nil {
			return nil, nil, fmt.Errorf("--credentials: %w", err)
		}
		if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
			if principals, err = parseKeyFile(trimmed, accountID); err != nil {
				return nil, nil, fmt.Errorf("--credentials %s: %w", file, err)
			}
			for id, k := range principals {
				creds[id] = k.secret
			}
		} else if err := parseKeyLines(data, creds); err != nil {
			return nil, nil, fmt.Errorf("--credentials %s: %w", file, err)
		}
	}
	id, secret := getenv("ROTOR_ACCESS_KEY_ID"), getenv("ROTOR_SECRET_ACCESS_KEY")
	switch {
	case id != "" && secret != "" && principals != nil:
		return nil, nil, errors.New("ROTOR_ACCESS_KEY_ID has no principal: with a JSON --credentials file, put every key in the file")
	case id != "" && secret != "":
		creds[id] = secret
	case id != "" || secret != "":
		return nil, nil, errors.New("set both ROTOR_ACCESS_KEY_ID and ROTOR_SECRET_ACCESS_KEY, or neither")
	}
	if principals == nil {
		return creds, nil, nil
	}
	out := make(map[string]awsapi.Principal, len(principals))
	for id, k := range principals {
		out[id] = k.Principal
	}
	return creds, out, nil
}

// readPrivateFile reads a file of secrets (access keys), refusing it, as
// ssh refuses a private key, when group or others may read or write it.
func readPrivateFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%s has mode %#o: others may read it; make it 0600", path, perm)
	}
	return io.ReadAll(f)
}

// parseKeyLines reads "ACCESS_KEY_ID SECRET_ACCESS_KEY" lines into creds.
func parseKeyLines(data []byte, creds map[string]string) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return fmt.Errorf("line %d: want \"ACCESS_KEY_ID SECRET_ACCESS_KEY\"", n)
		}
		creds[fields[0]] = fields[1]
	}
	return sc.Err()
}

// keyFile is the JSON credentials file.
type keyFile struct {
	Keys []struct {
		AccessKeyID     string            `json:"accessKeyId"`
		SecretAccessKey string            `json:"secretAccessKey"`
		Principal       string            `json:"principal"`
		Policies        []json.RawMessage `json:"policies"`
	} `json:"keys"`
}

// principalKey is a key of the JSON file: its secret and its principal.
type principalKey struct {
	awsapi.Principal
	secret string
}

// principalPattern is what a principal may be: an IAM user or role of the
// server's account, with an optional path.
var principalPattern = regexp.MustCompile(`^arn:aws:iam::([0-9]{12}):(user|role)/([\w+=,.@-]+/)*[\w+=,.@-]+$`)

// parseKeyFile reads the JSON credentials file, parsing every identity
// policy, and refuses anything it does not understand.
func parseKeyFile(data []byte, accountID string) (map[string]principalKey, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f keyFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("not a credentials file of the form {\"keys\":[{\"accessKeyId\", \"secretAccessKey\", \"principal\", \"policies\"}]}: %w", err)
	}
	if dec.More() {
		return nil, errors.New("text after the JSON object")
	}
	if len(f.Keys) == 0 {
		return nil, errors.New("no keys")
	}
	out := make(map[string]principalKey, len(f.Keys))
	for i, k := range f.Keys {
		where := fmt.Sprintf("keys[%d]", i)
		switch {
		case k.AccessKeyID == "" || k.SecretAccessKey == "":
			return nil, fmt.Errorf("%s: accessKeyId and secretAccessKey are required", where)
		case strings.ContainsAny(k.AccessKeyID, "/ \t\n"):
			return nil, fmt.Errorf("%s: the accessKeyId %q cannot hold '/' or spaces", where, k.AccessKeyID)
		}
		if _, dup := out[k.AccessKeyID]; dup {
			return nil, fmt.Errorf("%s: the accessKeyId %s appears twice", where, k.AccessKeyID)
		}
		m := principalPattern.FindStringSubmatch(k.Principal)
		if m == nil {
			return nil, fmt.Errorf("%s: principal %q is not arn:aws:iam::ACCOUNT:user/NAME or arn:aws:iam::ACCOUNT:role/NAME", where, k.Principal)
		}
		if m[1] != accountID {
			return nil, fmt.Errorf("%s: principal %s is not of account %s (--account-id); policies are evaluated within one account", where, k.Principal, accountID)
		}
		p := principalKey{Principal: awsapi.Principal{ARN: k.Principal}, secret: k.SecretAccessKey}
		for j, raw := range k.Policies {
			doc := string(raw)
			var s string
			if json.Unmarshal(raw, &s) == nil {
				doc = s // a policy given as a JSON string
			}
			pol, err := policy.Parse(doc, policy.Identity)
			if err != nil {
				return nil, fmt.Errorf("%s.policies[%d]: %w", where, j, err)
			}
			p.Policies = append(p.Policies, pol)
		}
		out[k.AccessKeyID] = p
	}
	return out, nil
}

// loopback reports whether addr's host only accepts local connections.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serve runs the Secrets Manager endpoint until ctx is done, then shuts down
// gracefully.
func serve(ctx context.Context, args []string, stderr io.Writer) error {
	c, err := parseServeFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger, err := newLogger(stderr, c.logLevel, c.logFormat)
	if err != nil {
		return err
	}
	creds, principals, err := loadCredentials(c.credentialsFile, c.accountID, os.Getenv)
	if err != nil {
		return err
	}
	if len(creds) == 0 && !c.listenAny && !loopback(c.addr) {
		return fmt.Errorf("--addr %s is not a loopback address and no credentials are configured: anyone could read the secrets; give --credentials, or --insecure-listen-any to accept it", c.addr)
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together: give both, or neither")
	}
	if c.tlsCert == "" && !c.listenAny && !loopback(c.addr) {
		return fmt.Errorf("--addr %s is not a loopback address and TLS is off: secret values, and requests anyone on the path could replay, would cross the network in the clear; give --tls-cert and --tls-key, or --insecure-listen-any to accept it", c.addr)
	}
	if err := checkMaxConnections(c.maxConnections); err != nil {
		return err
	}
	if c.maxConcurrentLists < 1 {
		return fmt.Errorf("--max-concurrent-lists %d: want at least 1", c.maxConcurrentLists)
	}
	var certs *certReloader
	if c.tlsCert != "" {
		if certs, err = newCertReloader(c.tlsCert, c.tlsKey, logger); err != nil {
			return err
		}
	}
	cfg := awsapi.Config{Region: c.region, AccountID: c.accountID, Credentials: creds, Principals: principals, Logger: logger,
		MaxConcurrentLists: c.maxConcurrentLists}
	var observers []awsapi.Observer
	var trail *audit.Trail
	if c.auditLog != "" {
		if trail, err = audit.Open(c.auditLog, audit.Options{AccountID: c.accountID, BestEffort: c.auditBestEffort, Logger: logger}); err != nil {
			return fmt.Errorf("--audit-log: %w", err)
		}
		defer trail.Close()
		observers = append(observers, trail)
	}
	var meters *metrics.Metrics
	if c.metricsAddr != "" {
		meters = metrics.New()
		observers = append(observers, meters)
	}
	if len(observers) > 0 {
		cfg.Observer = awsapi.Observers(observers...)
	}
	functions := &functionRouter{kinds: c.functions, region: c.region, logger: logger, ready: make(chan struct{})}
	if c.lambdaEndpoint != "" {
		inv, err := lambda.New(c.lambdaEndpoint)
		if err != nil {
			return fmt.Errorf("--lambda-endpoint: %w", err)
		}
		inv.Timeout = c.lambdaTimeout
		functions.lambda = inv
	}
	cfg.Invoker = functions
	// The store opens last, once everything that can be refused was.
	store, closeStore, err := openStore(ctx, storeConfig{spec: c.store, keysFile: c.keysFile, create: true, region: c.region, getenv: os.Getenv, logger: logger, allowMissingKeys: c.allowMissingKeys})
	if err != nil {
		return err
	}
	defer func() {
		if err := closeStore(); err != nil {
			logger.Error("closing the store", "error", err)
		}
	}()
	if meters != nil {
		store = meters.Store(store)
	}
	cfg.Store = store
	// Every region's service gets a rotation engine: RotateSecret answers as
	// soon as the rotation is saved, failed steps are retried, rotations a
	// crash left pending resume, and schedules rotate what is due. The
	// audit trail, the metrics and the console hear its events from the
	// start.
	var history *console.History
	if c.console {
		history = console.NewHistory(0, 0)
	}
	engines := &engineSet{ctx: ctx, logger: logger, attach: func(svc *rotor.Service, e *engine.Engine) {
		if history != nil {
			svc.Subscribe(history.Record)
		}
		if trail != nil {
			svc.Subscribe(trail.ServiceEvent(svc.Region()))
		}
		if meters != nil {
			svc.Subscribe(meters.ServiceEvent(svc.Region()))
			meters.AddEngine(svc.Region(), e)
		}
	}}
	defer engines.close()
	cfg.NewService = func(opts ...rotor.Option) *rotor.Service {
		return engines.newService(store, opts)
	}
	handler := awsapi.NewHandler(cfg)
	functions.services = handler.Service
	close(functions.ready)
	// Start the engines now, of the default region and of every region the
	// store holds secrets in: their scheduled rotations, crash resumes and
	// replica catch-up do not wait for a request naming the region.
	if _, err := handler.Service(c.region); err != nil {
		return err
	}
	if rl, ok := store.(rotor.RegionLister); ok {
		stored, err := rl.Regions(ctx)
		if err != nil && !errors.Is(err, errors.ErrUnsupported) {
			return fmt.Errorf("--store: list the regions: %w", err)
		}
		for _, region := range stored {
			if _, err := handler.Service(region); err != nil {
				// Its engine starts with the first request naming it.
				logger.Warn("rotation engine: not started", "region", region, "error", err)
			}
		}
	}
	if meters != nil {
		stop, err := serveMetrics(c.metricsAddr, meters, store, c.region, trail, logger)
		if err != nil {
			return err
		}
		defer stop()
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	guard := newConnGuard(c.maxConnections, logger)
	ln = guard.listener(ln)
	var root http.Handler = handler
	if history != nil {
		root = withConsole(handler, console.New(console.Config{
			API: handler, Region: c.region, Signed: len(creds) > 0, History: history, Logger: logger,
			Principal: func(id string) (string, bool) { p, ok := principals[id]; return p.ARN, ok },
		}))
	}
	srv := &http.Server{
		Handler:           root,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ConnState:         guard.track,
		// No WriteTimeout: RotateSecret with RotateImmediately=false
		// answers after testSecret, which --lambda-timeout bounds.
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if certs != nil {
		scheme, srv.TLSConfig = "https", certs.tlsConfig()
	}
	logger.Info("listening", "addr", ln.Addr().String(), "url", scheme+"://"+ln.Addr().String(),
		"store", c.store, "region", c.region, "account_id", c.accountID, "signed", len(creds) > 0, "authorization", len(principals) > 0,
		"lambda_endpoint", c.lambdaEndpoint, "rotation_functions", c.functions.String(), "tls", certs != nil, "max_connections", c.maxConnections,
		"max_concurrent_lists", c.maxConcurrentLists)
	if history != nil {
		logger.Info("serving the console", "url", scheme+"://"+ln.Addr().String()+"/console/", "open", len(creds) == 0)
	}
	done := make(chan error, 1)
	go func() {
		if certs != nil {
			done <- srv.ServeTLS(ln, "", "") // the certificate comes from TLSConfig
			return
		}
		done <- srv.Serve(ln)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", c.shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

// engineSet holds the rotation engine of each region's service.
type engineSet struct {
	ctx    context.Context
	logger *slog.Logger
	// attach, when set, is called with each new service and its engine
	// before the engine starts.
	attach  func(*rotor.Service, *engine.Engine)
	mu      sync.Mutex
	engines []*engine.Engine
}

func (s *engineSet) newService(store rotor.Store, opts []rotor.Option) *rotor.Service {
	e := engine.New(store, engine.Config{Logger: s.logger}, opts...)
	svc := e.Service()
	if s.attach != nil {
		s.attach(svc, e)
	}
	if err := e.Start(s.ctx); err != nil {
		s.logger.Error("rotation engine: resuming pending rotations failed", "region", svc.Region(), "error", err)
	}
	s.mu.Lock()
	s.engines = append(s.engines, e)
	s.mu.Unlock()
	return svc
}

// close stops every engine; rotations in progress stay pending in the
// store, where the next start resumes them.
func (s *engineSet) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.engines {
		e.Close()
	}
}

// serveMetrics serves the metrics and the health checks on addr until stop
// is called. /readyz answers 200 when the store answers (its schema was
// migrated when it opened), every region's engine runs, and the audit
// trail, if any, writes.
func serveMetrics(addr string, m *metrics.Metrics, store rotor.Store, region string, trail *audit.Trail, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	ready := func(ctx context.Context) error {
		if err := metrics.StoreAnswers(ctx, store, region); err != nil {
			return err
		}
		if err := m.EnginesRunning(); err != nil {
			return err
		}
		if trail != nil {
			return trail.Failing()
		}
		return nil
	}
	srv := &http.Server{Handler: m.Handler(ready), ReadHeaderTimeout: readHeaderTimeout, ReadTimeout: readTimeout, IdleTimeout: idleTimeout,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go func() { _ = srv.Serve(ln) }()
	logger.Info("serving metrics", "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String()+"/metrics")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}

// withConsole serves the console under /console/ and everything else with
// the API handler, which answers only the path /.
func withConsole(api http.Handler, con *console.Console) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/console/"):
			con.ServeHTTP(w, r)
		case r.URL.Path == "/console":
			http.Redirect(w, r, "/console/", http.StatusMovedPermanently)
		default:
			api.ServeHTTP(w, r)
		}
	})
}
