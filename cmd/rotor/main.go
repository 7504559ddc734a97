// Command rotor runs rotor, a reproduction of AWS Secrets Manager.
//
// Usage:
//
//	rotor serve [flags]
//	rotor <operation> [parameters]     e.g. rotor rotate-secret --secret-id db
//
// Every Secrets Manager operation is a command with the aws CLI's name,
// flags, shorthand and JSON input, --cli-input-json/yaml,
// --generate-cli-skeleton, output (--output json|yaml|text, --query) and exit
// statuses: `rotor X ...` takes what `aws secretsmanager X ...` takes. It
// talks to --endpoint-url (a rotor server or any Secrets Manager endpoint,
// signed with the usual AWS variables and profiles), or with --store PATH
// works directly on a local store file, which it never creates (rotation
// functions then run through --lambda-endpoint). `rotor --help` and `rotor <operation> --help` describe
// every flag.
//
// serve answers the Secrets Manager API (AWS JSON 1.1, SigV4) on
// http://127.0.0.1:8000 by default, so the AWS SDKs and the aws command work
// against it unchanged:
//
//	go run ./cmd/rotor serve
//	aws --endpoint-url http://127.0.0.1:8000 secretsmanager list-secrets
//
// Flags of serve:
//
//	--addr HOST:PORT         where to listen (default 127.0.0.1:8000)
//	--store STORE            where secrets live: a bbolt file (default
//	                         rotor.db in the working directory, created on
//	                         the first start), a postgres:// URL, or memory;
//	                         file and database stores encrypt every value at
//	                         rest
//	--keys FILE              master keys for encryption at rest, one
//	                         "KEY_ID BASE64_KEY" a line, as many as the
//	                         secrets' KmsKeyIds name (default the store file
//	                         + ".keys", or rotor.keys for PostgreSQL);
//	                         created mode 0600 with a fresh
//	                         aws/secretsmanager key only while the store
//	                         holds no encrypted value. The environment adds
//	                         keys: ROTOR_MASTER_KEY (the default key,
//	                         base64) and ROTOR_KEYS (id=base64,...)
//	--tls-cert FILE          serve HTTPS with this PEM certificate chain
//	--tls-key FILE           and this PEM private key (mode 0600); both are
//	                         read again when they change
//	--max-connections N      most client connections at once (default 1024)
//	--region REGION          region of unsigned requests (default us-east-1);
//	                         a signed request's region is its credential scope's
//	--account-id ID          account of every ARN (default 000000000000)
//	--credentials FILE       access keys, one "ACCESS_KEY_ID SECRET_ACCESS_KEY"
//	                         pair a line ('#' starts a comment), or a JSON
//	                         file of keys with principals and policies,
//	                         which turns authorization on (below)
//	--lambda-endpoint URL    a Lambda Invoke API (sam local start-lambda, the
//	                         Lambda Runtime Interface Emulator) that runs the
//	                         rotation functions RotateSecret names
//	--lambda-timeout D       how long one rotation step may run (default 2m)
//	--log-level LEVEL        debug, info, warn or error (default info)
//	--log-format FORMAT      text or json (default text)
//	--insecure-listen-any    allow a non-loopback --addr without credentials
//	                         or without TLS
//	--shutdown-timeout D     how long SIGINT/SIGTERM waits for requests in
//	                         flight (default 30s)
//
// Credentials also come from the environment: ROTOR_ACCESS_KEY_ID and
// ROTOR_SECRET_ACCESS_KEY add one pair. With any credentials, every request
// must carry a valid SigV4 signature made with one of them; without, requests
// are accepted unsigned. The credentials file, like the keys file and the
// TLS key, must not be readable by group or others. serve listens beyond
// loopback only with credentials and TLS, unless given --insecure-listen-any.
//
// # Start-up checks
//
// serve refuses to start, saying what to do, rather than serve what it
// cannot read: when the store holds values sealed under master keys that the
// keys file and the environment lack or hold with other key material (a
// deleted or replaced keys file: restore it, or point --keys at it), when
// the store file is damaged (empty, cut short, or failing bbolt's
// consistency check: restore it from a backup), and when the default store
// file is missing but its keys file exists (the store was moved or
// deleted). A new keys file is made only for a store without encrypted
// values. The keys are checked against the secrets of every region.
//
// To rotate a master key, add a key under a new id to the keys file, move
// each secret to it with UpdateSecret --kms-key-id (which seals its versions
// again), and remove the old key once serve starts without it.
//
// # Connections
//
// At most --max-connections clients are connected at once; at the limit,
// the connection that has waited longest without a request in progress (a
// silent new one, or a keep-alive one between requests) is closed to admit
// the next, so idle or slow clients cannot starve the others. A request must
// send its headers within 5 seconds and all of it within 15; a keep-alive
// connection is closed after 60 seconds without a request.
//
// Rotation runs as on AWS: RotateSecret answers as soon as the rotation is
// saved, and a rotation engine runs the four steps in the background,
// retrying a failed rotation with the same token (5 attempts, exponential
// back-off) before leaving it pending. On start, the engine resumes the
// rotations a crash left pending, and its scheduler rotates every secret
// whose rotation window is open, once per window.
//
// # Authorization
//
// A credentials file whose first non-blank character is '{' is JSON and
// gives each access key a principal and its identity policies:
//
//	{"keys": [
//	  {"accessKeyId": "AKIDREADER", "secretAccessKey": "reader-secret",
//	   "principal": "arn:aws:iam::000000000000:user/reader",
//	   "policies": [{"Version": "2012-10-17", "Statement": [
//	     {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
//	      "Resource": "arn:aws:secretsmanager:*:000000000000:secret:prod/*"}]}]}
//	]}
//
// principal is arn:aws:iam::ACCOUNT:user/NAME or arn:aws:iam::ACCOUNT:role/NAME
// (with an optional path) of the --account-id account; policies are IAM JSON
// policy documents, as objects or as strings, and may be absent (then only
// resource policies allow the key anything). Unknown members, a key given
// twice and a policy rotor cannot evaluate exactly stop serve with an error.
// Such a file turns authorization on: every request is authorized before
// it runs, with the policies of the principal of its signature and the
// secret's resource policy, as package awsapi documents, and refused with
// AccessDeniedException otherwise. ROTOR_ACCESS_KEY_ID, which has no
// principal, cannot be combined with it. With the line format, or without a
// file, authorization is off.
//
// Logs go to standard error, one record per request (operation, region,
// status, duration, error code), never a secret value. On SIGINT or SIGTERM,
// serve stops accepting connections, finishes the requests in flight and
// exits 0.
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/internal/cli"
	"github.com/rotorkit/rotor/lambda"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

// run executes the command line args and returns the exit status.
func run(ctx context.Context, args []string, stderr io.Writer) int {
	return runIO(ctx, args, os.Stdin, os.Stdout, stderr)
}

// runIO runs serve, or one Secrets Manager operation with the aws CLI's
// names, flags and output (package internal/cli).
func runIO(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "serve" {
		if err := serve(ctx, args[1:], stderr); err != nil {
			fmt.Fprintln(stderr, "rotor serve:", err)
			return 1
		}
		return 0
	}
	opts := cli.Options{Globals: localGlobals}
	g := cli.ParseGlobals(args, localGlobals...)
	var api cli.API
	if callsTheService(args) {
		var closeAPI func()
		var err error
		if api, closeAPI, err = operationAPI(ctx, g); err != nil {
			fmt.Fprintln(stderr, "rotor:", err)
			return 255
		}
		defer closeAPI()
	}
	var errs bytes.Buffer
	code := cli.RunWith(ctx, opts, args, stdin, stdout, io.MultiWriter(stderr, &errs), api)
	if strings.Contains(errs.String(), "operation") && code == 252 || len(args) == 1 && (args[0] == "--help" || args[0] == "help" || args[0] == "-h") {
		// The operations' usage knows nothing of the server: name it too.
		fmt.Fprintln(stderr, "\nrotor serve [flags] runs the Secrets Manager endpoint; rotor serve -h lists its flags.")
	}
	return code
}

// callsTheService reports whether a command line may call the service:
// help and skeletons do not, so they open no store and need no endpoint.
func callsTheService(args []string) bool {
	for _, a := range args {
		if a == "help" || a == "--help" || a == "-h" || strings.HasPrefix(a, "--generate-cli-skeleton") {
			return false
		}
	}
	return true
}

// hasValue reports whether a global option without a value was given.
func hasValue(values map[string]string, name string) bool {
	_, ok := values[name]
	return ok
}

// localGlobals are rotor's own global options of the operation commands.
var localGlobals = []cli.GlobalOption{
	{Name: "store", TakesValue: true, Help: "Work on a local store instead of an endpoint: a bbolt file, a postgres:// URL (encrypted at rest, as rotor serve keeps them). The store must exist (rotor serve creates it). Rotations then run in this process."},
	{Name: "keys", TakesValue: true, Help: "Master keys of --store (default: the store file + \".keys\", or rotor.keys for PostgreSQL)."},
	{Name: "lambda-endpoint", TakesValue: true, Help: "With --store: the Lambda Invoke API that runs rotation functions."},
	{Name: "allow-missing-keys", Help: "With --store: open a store whose secrets were sealed under master keys --keys lacks; their values answer DecryptionFailure, and they can be described and deleted."},
}

// operationAPI is what an operation command talks to: the local store of
// --store, else an endpoint (--endpoint-url, or the SDK's usual
// configuration), with SigV4 from the usual AWS variables and profiles.
func operationAPI(ctx context.Context, g cli.Globals) (cli.API, func(), error) {
	spec, local := g.Values["store"]
	if !local {
		remote, err := cli.NewRemote(ctx, g)
		if err != nil {
			return nil, nil, err
		}
		return remote, func() {}, nil
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	region := g.Region
	if region == "" {
		region = "us-east-1"
	}
	store, closeStore, err := openStore(ctx, storeConfig{spec: spec, keysFile: g.Values["keys"], region: region, getenv: os.Getenv, logger: logger, allowMissingKeys: hasValue(g.Values, "allow-missing-keys")})
	if err != nil {
		return nil, nil, err
	}
	opts := []rotor.Option{}
	if g.Region != "" {
		opts = append(opts, rotor.WithRegion(g.Region))
	}
	if ep := g.Values["lambda-endpoint"]; ep != "" {
		inv, err := lambda.New(ep)
		if err != nil {
			_ = closeStore()
			return nil, nil, fmt.Errorf("--lambda-endpoint: %w", err)
		}
		opts = append(opts, rotor.WithInvoker(inv))
	}
	return rotor.New(store, opts...), func() { _ = closeStore() }, nil
}
