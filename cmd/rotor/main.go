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
//	--store memory           where secrets live; only "memory" for now
//	--region REGION          region of unsigned requests (default us-east-1);
//	                         a signed request's region is its credential scope's
//	--account-id ID          account of every ARN (default 000000000000)
//	--credentials FILE       access keys, one "ACCESS_KEY_ID SECRET_ACCESS_KEY"
//	                         pair a line ('#' starts a comment)
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
// RotateSecret runs the four rotation steps before it answers; a failed step
// leaves the rotation pending, as on AWS, and is logged.
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
