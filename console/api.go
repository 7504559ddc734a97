package console

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
)

// apiHost is the host the console's calls name. They never leave the
// process: inProcess hands them to the API handler.
const apiHost = "rotor-console.invalid"

// openKeyID and openSecret sign the calls of an open console: the API
// checks no signature then, and reads only the Region from it.
const (
	openKeyID  = "rotor-console"
	openSecret = "open"
)

// client returns a Secrets Manager client that signs as the session's
// principal and runs each call through the API handler in this process, as
// one request from the browser's address: the same signature check,
// authorization, validation, audit record and metrics as any other call.
func (c *Console) client(r *http.Request, s *session, region string) *secretsmanager.Client {
	id, secret := openKeyID, openSecret
	if s != nil && s.accessKeyID != "" {
		id, secret = s.accessKeyID, s.secretAccessKey
	}
	return secretsmanager.New(secretsmanager.Options{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(id, secret, ""),
		BaseEndpoint: aws.String("http://" + apiHost),
		HTTPClient:   inProcess{api: c.cfg.API, from: r},
		Retryer:      aws.NopRetryer{},
		AppID:        "rotor-console",
	})
}

// inProcess is an HTTP client that serves each request with a handler.
type inProcess struct {
	api  http.Handler
	from *http.Request // the browser's request the call is made for
}

func (p inProcess) Do(req *http.Request) (*http.Response, error) {
	// The caller is the browser: its address, and whether it came over TLS
	// (aws:SecureTransport), are what the API sees and records.
	req.RemoteAddr = p.from.RemoteAddr
	req.TLS = p.from.TLS
	if req.Body == nil {
		req.Body = http.NoBody
	}
	if req.Host == "" {
		req.Host = req.URL.Host // as a server would receive it
	}
	req.RequestURI = req.URL.RequestURI()
	rec := &recorder{header: make(http.Header)}
	p.api.ServeHTTP(rec, req)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	body := rec.body.Bytes()
	return &http.Response{
		Status:        strconv.Itoa(rec.status) + " " + http.StatusText(rec.status),
		StatusCode:    rec.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        rec.header,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}

// recorder is the ResponseWriter of an in-process call.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}

// apiMessage is what a page shows of a failed call: the API's error code
// and message, which never hold a value.
func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if ae.ErrorMessage() == "" {
			return ae.ErrorCode()
		}
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	// Not an answer of the API: a failure on the way, whose text may quote
	// a reply (a value), so it is not shown.
	return "The call could not be completed."
}

// apiCode is the API's error code of err, "" if it has none.
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
