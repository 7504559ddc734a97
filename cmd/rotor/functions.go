package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/rotators/builtin"
)

// functionFlag is the repeatable --rotation-function NAME=KIND.
type functionFlag map[string]string

// functionNamePattern is what a Lambda function name may be.
var functionNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (f functionFlag) String() string {
	var out []string
	for name, kind := range f {
		out = append(out, name+"="+kind)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func (f functionFlag) Set(v string) error {
	name, kind, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("%q: want NAME=KIND, KIND one of %s", v, strings.Join(builtin.Kinds(), ", "))
	}
	if !functionNamePattern.MatchString(name) {
		return fmt.Errorf("%q is not a Lambda function name (letters, digits, - and _, at most 64)", name)
	}
	if !builtin.Valid(kind) {
		return fmt.Errorf("%q: KIND %q is not one of %s", v, kind, strings.Join(builtin.Kinds(), ", "))
	}
	f[name] = kind
	return nil
}

// functionName returns the function name of a Lambda ARN
// (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]), or of a bare
// name.
func functionName(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function" {
		return parts[6]
	}
	return arn
}

// functionRouter is the Invoker of rotor serve: a function named by
// --rotation-function (in any Region and account) runs built in, on the
// service of its secret's Region; any other goes to --lambda-endpoint.
type functionRouter struct {
	kinds  functionFlag
	region string        // of a secret named without an ARN
	lambda rotor.Invoker // nil without --lambda-endpoint
	logger *slog.Logger
	// services returns a Region's service; ready is closed once it is set.
	services func(region string) (*rotor.Service, error)
	ready    chan struct{}
}

// errNoFunction is a function neither built in nor reachable.
var errNoFunction = errors.New("no such rotation function")

// missing logs, for a function that is not found, which one was asked
// for and the two ways to provide it: AWS's answer to the caller says
// neither.
func (r *functionRouter) missing(arn string) error {
	name := functionName(arn)
	r.logger.Warn("rotation function not found: Secrets Manager answers that it cannot invoke it",
		"function", arn,
		"to_provide_it", fmt.Sprintf("start rotor serve with --rotation-function %s=KIND to run a built-in rotation function (KIND one of %s), or with --lambda-endpoint URL to run your own on a Lambda Invoke API (sam local start-lambda)", name, strings.Join(builtin.Kinds(), ", ")))
	return fmt.Errorf("%w: %s", errNoFunction, arn)
}

// CheckFunction implements rotor.FunctionChecker.
func (r *functionRouter) CheckFunction(ctx context.Context, arn string) error {
	if _, ok := r.kinds[functionName(arn)]; ok {
		return nil
	}
	if r.lambda == nil {
		return r.missing(arn)
	}
	if c, ok := r.lambda.(rotor.FunctionChecker); ok {
		return c.CheckFunction(ctx, arn)
	}
	return nil
}

// Invoke implements rotor.Invoker.
func (r *functionRouter) Invoke(ctx context.Context, arn string, ev rotor.RotationEvent) error {
	kind, ok := r.kinds[functionName(arn)]
	if !ok {
		if r.lambda == nil {
			return r.missing(arn)
		}
		err := r.lambda.Invoke(ctx, arn, ev)
		if err != nil && strings.Contains(err.Error(), "HTTP 404") {
			_ = r.missing(arn) // the endpoint does not have it either
		}
		return err
	}
	select {
	case <-r.ready:
	case <-ctx.Done():
		return ctx.Err()
	}
	region := arnRegion(ev.SecretId)
	if region == "" {
		region = r.region
	}
	rot, err := builtin.New(kind, &regionAPI{services: r.services, region: region})
	if err != nil {
		return err
	}
	return rotor.RunStep(ctx, rot, ev)
}

// arnRegion is the Region of a secret ARN, or "" for a name.
func arnRegion(id string) string {
	parts := strings.SplitN(id, ":", 5)
	if len(parts) == 5 && parts[0] == "arn" && parts[2] == "secretsmanager" {
		return parts[3]
	}
	return ""
}

// regionAPI is rotor.SecretsAPI over the server's services: a secret named
// by ARN is found in its ARN's Region, any other in region, the Region of
// the secret being rotated.
type regionAPI struct {
	services func(region string) (*rotor.Service, error)
	region   string
}

func (a *regionAPI) service(secretID string) (*rotor.Service, error) {
	region := arnRegion(secretID)
	if region == "" {
		region = a.region
	}
	return a.services(region)
}

func (a *regionAPI) DescribeSecret(ctx context.Context, in rotor.DescribeSecretInput) (rotor.DescribeSecretOutput, error) {
	s, err := a.service(in.SecretId)
	if err != nil {
		return rotor.DescribeSecretOutput{}, err
	}
	return s.DescribeSecret(ctx, in)
}

func (a *regionAPI) GetSecretValue(ctx context.Context, in rotor.GetSecretValueInput) (rotor.GetSecretValueOutput, error) {
	s, err := a.service(in.SecretId)
	if err != nil {
		return rotor.GetSecretValueOutput{}, err
	}
	return s.GetSecretValue(ctx, in)
}

func (a *regionAPI) PutSecretValue(ctx context.Context, in rotor.PutSecretValueInput) (rotor.PutSecretValueOutput, error) {
	s, err := a.service(in.SecretId)
	if err != nil {
		return rotor.PutSecretValueOutput{}, err
	}
	return s.PutSecretValue(ctx, in)
}

func (a *regionAPI) UpdateSecretVersionStage(ctx context.Context, in rotor.UpdateSecretVersionStageInput) (rotor.UpdateSecretVersionStageOutput, error) {
	s, err := a.service(in.SecretId)
	if err != nil {
		return rotor.UpdateSecretVersionStageOutput{}, err
	}
	return s.UpdateSecretVersionStage(ctx, in)
}

func (a *regionAPI) GetRandomPassword(ctx context.Context, in rotor.GetRandomPasswordInput) (rotor.GetRandomPasswordOutput, error) {
	s, err := a.service("")
	if err != nil {
		return rotor.GetRandomPasswordOutput{}, err
	}
	return s.GetRandomPassword(ctx, in)
}
