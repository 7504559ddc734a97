// Package lambda runs rotation functions through the AWS Lambda Invoke API,
// so that a real rotation Lambda, served by `sam local start-lambda`, the
// Lambda Runtime Interface Emulator or any endpoint speaking that API, rotates
// secrets held by rotor.
//
//	inv, err := lambda.New("http://127.0.0.1:3001") // sam local start-lambda
//	svc := rotor.New(store, rotor.WithInvoker(inv))
//
// For each step, Invoker sends
//
//	POST {Endpoint}/2015-03-31/functions/{FunctionName}/invocations
//	X-Amz-Invocation-Type: RequestResponse
//
//	{"Step":"createSecret","SecretId":"<secret ARN>","ClientRequestToken":"<version id>","RotationToken":"<token>"}
//
// with the function ARN path-escaped as the AWS SDK's Lambda client sends it.
// A reply with an X-Amz-Function-Error header, or a status that is not 2xx,
// fails the step; the function's errorMessage is kept in the error.
package lambda

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/encoding/httpbinding"

	"github.com/rotorkit/rotor"
)

// DefaultTimeout bounds one step when Invoker.Timeout is zero.
const DefaultTimeout = 2 * time.Minute

// maxReply bounds how much of a reply is read: a rotation function answers
// null or a short error.
const maxReply = 1 << 20

// Invoker is a rotor.Invoker that calls functions through the Lambda Invoke
// API. It is safe for concurrent use once configured.
type Invoker struct {
	// Endpoint is the Lambda API's base URL, e.g. http://127.0.0.1:3001.
	Endpoint string
	// Client sends the requests. Nil means http.DefaultClient.
	Client *http.Client
	// Timeout bounds one step, connection included. Zero means DefaultTimeout.
	Timeout time.Duration
	// Credentials, when set, sign every request with SigV4 for service
	// lambda in Region; local Lambda emulators do not need them.
	Credentials aws.CredentialsProvider
	// Region is the signing region (default us-east-1).
	Region string
}

// FunctionError is a step that the function ran and failed: the reply
// carried X-Amz-Function-Error.
type FunctionError struct {
	// FunctionARN is the function that failed.
	FunctionARN string
	// Type is the function's errorType (or the header's value).
	Type string
	// Message is the function's errorMessage.
	Message string
}

// Error returns "rotation function ARN failed: Type: Message".
func (e *FunctionError) Error() string {
	return fmt.Sprintf("rotation function %s failed: %s: %s", e.FunctionARN, e.Type, e.Message)
}

// Invoke implements rotor.Invoker: it runs one step and returns when the
// function answered, failed, or the timeout or ctx ended it.
func (i *Invoker) Invoke(ctx context.Context, functionARN string, ev rotor.RotationEvent) error {
	timeout := i.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	url := strings.TrimRight(i.Endpoint, "/") + "/2015-03-31/functions/" + httpbinding.EscapePath(functionARN, true) + "/invocations"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("lambda: invoking %s: %w", functionARN, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Invocation-Type", "RequestResponse")
	if i.Credentials != nil {
		if err := i.sign(ctx, req, body); err != nil {
			return fmt.Errorf("lambda: signing the invocation of %s: %w", functionARN, err)
		}
	}
	client := i.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("lambda: invoking %s: %w", functionARN, err)
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return fmt.Errorf("lambda: reading the reply of %s: %w", functionARN, err)
	}
	if kind := resp.Header.Get("X-Amz-Function-Error"); kind != "" {
		var fe struct {
			ErrorMessage string `json:"errorMessage"`
			ErrorType    string `json:"errorType"`
		}
		_ = json.Unmarshal(reply, &fe)
		if fe.ErrorType == "" {
			fe.ErrorType = kind
		}
		if fe.ErrorMessage == "" {
			fe.ErrorMessage = short(reply)
		}
		return &FunctionError{FunctionARN: functionARN, Type: fe.ErrorType, Message: fe.ErrorMessage}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("lambda: invoking %s: HTTP %d: %s", functionARN, resp.StatusCode, short(reply))
	}
	return nil
}

func (i *Invoker) sign(ctx context.Context, req *http.Request, body []byte) error {
	creds, err := i.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	region := i.Region
	if region == "" {
		region = "us-east-1"
	}
	sum := sha256.Sum256(body)
	return v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "lambda", region, time.Now())
}

// short returns the start of a reply, for an error message.
func short(b []byte) string {
	const max = 512
	s := strings.TrimSpace(string(b))
	if len(s) > max {
		s = s[:max] + "..."
	}
	if s == "" {
		return "(empty reply)"
	}
	return s
}

// ErrNoEndpoint is returned by New when the endpoint is empty.
var ErrNoEndpoint = errors.New("lambda: no endpoint")

// New returns an Invoker for endpoint with the default timeout.
func New(endpoint string) (*Invoker, error) {
	if endpoint == "" {
		return nil, ErrNoEndpoint
	}
	if !strings.HasPrefix(endpoint, "http://") && !strings.HasPrefix(endpoint, "https://") {
		return nil, fmt.Errorf("lambda: endpoint %q must be an http:// or https:// URL", endpoint)
	}
	return &Invoker{Endpoint: endpoint}, nil
}
