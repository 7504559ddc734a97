// Command rotor-lambda is rotor's built-in rotation functions as an AWS
// Lambda function for the provided.al2023 (or provided.al2) runtime: the Go
// counterpart of AWS's Python rotation templates. Build it, from the
// module's root, with
//
//	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bootstrap ./cmd/rotor-lambda && zip rotor-lambda.zip bootstrap
//
// (GOARCH=amd64 for an x86_64 function), and create the function from
// rotor-lambda.zip with handler "bootstrap". Its environment chooses what
// it does:
//
//	ROTOR_ROTATION_KIND       postgres-single-user, postgres-alternating-users,
//	                          mysql-single-user, mysql-alternating-users or random-value
//	SECRETS_MANAGER_ENDPOINT  the Secrets Manager endpoint, as the templates
//	                          read it (default: the Region's)
//
// The handler takes the rotation event Secrets Manager sends
// ({"Step", "SecretId", "ClientRequestToken", "RotationToken"}) unchanged.
// The function needs secretsmanager:DescribeSecret, GetSecretValue,
// PutSecretValue, UpdateSecretVersionStage and GetRandomPassword on the
// secret (and GetSecretValue on the master secret of alternating users),
// and a network path to the database.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/rotators"
	"github.com/rotorkit/rotor/rotators/awssdk"
	"github.com/rotorkit/rotor/rotators/builtin"
)

// kindVariable is the environment variable that chooses the rotator.
const kindVariable = "ROTOR_ROTATION_KIND"

func main() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Error("loading the AWS configuration", "error", err)
		os.Exit(1)
	}
	client := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
		if ep := os.Getenv("SECRETS_MANAGER_ENDPOINT"); ep != "" {
			o.BaseEndpoint = &ep
		}
	})
	handler, err := newHandler(os.Getenv(kindVariable), awssdk.New(client), logger)
	if err != nil {
		logger.Error("starting", "error", err)
		os.Exit(1)
	}
	lambda.Start(handler)
}

// newHandler returns the Lambda handler of the rotator of kind over api.
func newHandler(kind string, api rotators.SecretsAPI, logger *slog.Logger) (func(context.Context, rotor.RotationEvent) error, error) {
	if kind == "" {
		return nil, fmt.Errorf("%s is not set: want one of %v", kindVariable, builtin.Kinds())
	}
	r, err := builtin.New(kind, api)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", kindVariable, err)
	}
	return func(ctx context.Context, ev rotor.RotationEvent) error {
		log := logger.With("kind", kind, "step", ev.Step, "secret_id", ev.SecretId, "token", ev.ClientRequestToken)
		err := rotor.RunStep(ctx, r, ev)
		if err != nil {
			log.Error("step failed", "error", err)
			return err
		}
		log.Info("step done")
		return nil
	}, nil
}
