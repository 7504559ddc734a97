package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
	"github.com/rotorkit/rotor/lambda"
)

// serveConfig is what the flags of serve say.
type serveConfig struct {
	addr            string
	store           string
	region          string
	accountID       string
	credentialsFile string
	logLevel        string
	logFormat       string
	listenAny       bool
	shutdownTimeout time.Duration
	lambdaEndpoint  string
	lambdaTimeout   time.Duration
}

func parseServeFlags(args []string, stderr io.Writer) (serveConfig, error) {
	var c serveConfig
	fs := flag.NewFlagSet("rotor serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8000", "`host:port` to listen on")
	fs.StringVar(&c.store, "store", "memory", "where secrets live: memory (the only store for now)")
	fs.StringVar(&c.region, "region", "us-east-1", "region of requests that name none (unsigned ones)")
	fs.StringVar(&c.accountID, "account-id", "000000000000", "account id of every ARN")
	fs.StringVar(&c.credentialsFile, "credentials", "", "`file` of \"ACCESS_KEY_ID SECRET_ACCESS_KEY\" lines; with credentials every request must be signed")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.logFormat, "log-format", "text", "text or json")
	fs.BoolVar(&c.listenAny, "insecure-listen-any", false, "allow a non-loopback -addr without credentials")
	fs.StringVar(&c.lambdaEndpoint, "lambda-endpoint", "", "`URL` of a Lambda Invoke API (sam local start-lambda, the Runtime Interface Emulator) that runs rotation functions")
	fs.DurationVar(&c.lambdaTimeout, "lambda-timeout", lambda.DefaultTimeout, "how long one rotation step may run")
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

func openStore(spec string) (rotor.Store, error) {
	if spec == "memory" {
		return rotor.NewMemoryStore(), nil
	}
	return nil, fmt.Errorf("--store %q: the only store is \"memory\" for now", spec)
}

// loadCredentials reads the credentials file, if any, and the environment
// pair ROTOR_ACCESS_KEY_ID / ROTOR_SECRET_ACCESS_KEY.
func loadCredentials(file string, getenv func(string) string) (map[string]string, error) {
	creds := make(map[string]string)
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("--credentials: %w", err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			fields := strings.Fields(line)
			if len(fields) != 2 {
				return nil, fmt.Errorf("--credentials %s: line %d: want \"ACCESS_KEY_ID SECRET_ACCESS_KEY\"", file, n)
			}
			creds[fields[0]] = fields[1]
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("--credentials %s: %w", file, err)
		}
	}
	id, secret := getenv("ROTOR_ACCESS_KEY_ID"), getenv("ROTOR_SECRET_ACCESS_KEY")
	switch {
	case id != "" && secret != "":
		creds[id] = secret
	case id != "" || secret != "":
		return nil, errors.New("set both ROTOR_ACCESS_KEY_ID and ROTOR_SECRET_ACCESS_KEY, or neither")
	}
	return creds, nil
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
	store, err := openStore(c.store)
	if err != nil {
		return err
	}
	creds, err := loadCredentials(c.credentialsFile, os.Getenv)
	if err != nil {
		return err
	}
	if len(creds) == 0 && !c.listenAny && !loopback(c.addr) {
		return fmt.Errorf("--addr %s is not a loopback address and no credentials are configured: anyone could read the secrets; give --credentials, or --insecure-listen-any to accept it", c.addr)
	}
	cfg := awsapi.Config{Store: store, Region: c.region, AccountID: c.accountID, Credentials: creds, Logger: logger}
	if c.lambdaEndpoint != "" {
		inv, err := lambda.New(c.lambdaEndpoint)
		if err != nil {
			return fmt.Errorf("--lambda-endpoint: %w", err)
		}
		inv.Timeout = c.lambdaTimeout
		cfg.Invoker = inv
	}
	handler := awsapi.NewHandler(cfg)
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		// No WriteTimeout: RotateSecret answers after the rotation steps,
		// which --lambda-timeout bounds.
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("listening", "addr", ln.Addr().String(), "url", "http://"+ln.Addr().String(),
		"store", c.store, "region", c.region, "account_id", c.accountID, "signed", len(creds) > 0,
		"lambda_endpoint", c.lambdaEndpoint)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
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
