// Command rotor runs rotor, a reproduction of AWS Secrets Manager.
//
// Usage:
//
//	rotor serve [flags]
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
//	                         rotor.db in the working directory), a
//	                         postgres:// URL, or memory; file and database
//	                         stores encrypt every value at rest
//	--keys FILE              master keys for encryption at rest (default the
//	                         store file + ".keys", or rotor.keys for
//	                         PostgreSQL); created mode 0600 with a fresh
//	                         aws/secretsmanager key when missing. The
//	                         environment adds keys: ROTOR_MASTER_KEY (the
//	                         default key, base64) and ROTOR_KEYS (id=base64,...)
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
//	--shutdown-timeout D     how long SIGINT/SIGTERM waits for requests in
//	                         flight (default 30s)
//
// Credentials also come from the environment: ROTOR_ACCESS_KEY_ID and
// ROTOR_SECRET_ACCESS_KEY add one pair. With any credentials, every request
// must carry a valid SigV4 signature made with one of them; without, requests
// are accepted unsigned, and serve then listens only on loopback addresses
// unless given --insecure-listen-any.
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
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

// run executes the command line args and returns the exit status.
func run(ctx context.Context, args []string, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: rotor serve [flags]; rotor serve -h lists the flags")
		return 2
	}
	switch args[0] {
	case "serve":
		if err := serve(ctx, args[1:], stderr); err != nil {
			fmt.Fprintln(stderr, "rotor serve:", err)
			return 1
		}
		return 0
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stderr, "usage: rotor serve [flags]; rotor serve -h lists the flags")
		return 0
	}
	fmt.Fprintf(stderr, "rotor: unknown command %q; the commands are: serve\n", args[0])
	return 2
}
