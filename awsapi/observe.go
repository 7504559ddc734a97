package awsapi

import (
	"bytes"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Exchange is one request and its answer, as an Observer sees it: for an
// audit trail, metrics or both. It never holds a secret value: the request's
// parameters and the answer's elements are copies that keep only the
// members that carry none (see RequestParameters).
type Exchange struct {
	// RequestID is the x-amzn-RequestId of the answer.
	RequestID string
	// Operation is the X-Amz-Target's operation, as sent (at most 64
	// bytes); it may name no operation.
	Operation string
	// Region is the signature's Region, or the default Region of unsigned
	// requests; "" when it is not a Region name. A well-formed name may
	// still be made up: an observer that keys anything by it must bound
	// what it keeps.
	Region string
	// Time is when the request arrived; Duration how long it took until
	// the observer was called.
	Time     time.Time
	Duration time.Duration
	// SourceIP and UserAgent are the caller's address and User-Agent.
	SourceIP, UserAgent string
	// AccessKeyID is the key that signed the request ("" if unsigned), and
	// Principal its principal's ARN when principals are configured.
	AccessKeyID, Principal string
	// Status is the HTTP status of the answer; ErrorCode and ErrorMessage
	// are its error, "" on success.
	Status                  int
	ErrorCode, ErrorMessage string
	// ReadOnly says the operation changes nothing.
	ReadOnly bool

	request, response []byte // raw bodies: they may hold values
}

// String describes the exchange without its bodies, for any fmt verb.
func (x Exchange) String() string {
	return x.Operation + " " + x.RequestID + " " + strconv.Itoa(x.Status) + " " + x.ErrorCode
}

// GoString is String: %#v never prints the bodies either.
func (x Exchange) GoString() string { return x.String() }

// Observer is called once for every request, refused or not, after it ran
// and before its answer is sent. An error replaces the answer with
// InternalServiceError (HTTP 500): an audit trail that cannot record a
// request makes it fail rather than go unrecorded. Observe must be safe for
// concurrent use.
type Observer interface {
	Observe(x *Exchange) error
}

// IsOperation reports whether name is an operation of Secrets Manager that
// the handler answers, as an X-Amz-Target names it (without its prefix).
func IsOperation(name string) bool { return operations[name] != nil }

// readOnly are the operations that change nothing.
var readOnly = map[string]bool{
	"GetSecretValue": true, "BatchGetSecretValue": true, "DescribeSecret": true, "ListSecrets": true,
	"ListSecretVersionIds": true, "GetResourcePolicy": true, "GetRandomPassword": true, "ValidateResourcePolicy": true,
}

// secretMembers are the members, in requests and answers, that hold secret
// values or what a reader must not see: the values, random passwords and
// resource policies, by their names in lower case. An audit trail leaves
// them out, as CloudTrail does, whatever the case they were sent in (a
// refused request is recorded too).
var secretMembers = map[string]bool{
	"secretstring": true, "secretbinary": true, "randompassword": true, "resourcepolicy": true,
	"secretvalues": true,
}

func isSecretMember(name string) bool { return secretMembers[strings.ToLower(name)] }

// answerMembers are the members of an answer an audit trail keeps: what
// identifies the secret and version a change made. CloudTrail records no
// answer elements for reads.
var answerMembers = map[string]bool{
	"ARN": true, "Name": true, "VersionId": true, "DeletionDate": true, "ReplicationStatus": true,
}

// Resource returns the ARN of the secret the exchange is about, when
// known: the answer's ARN, or a SecretId sent as an ARN. Like
// RequestParameters, it reads the bodies, so call it within Observe.
func (x *Exchange) Resource() string { return resourceOf(x.request, x.response) }

// RequestParameters returns the request's members with CloudTrail's names
// (lowerCamelCase), without the members that hold secret values (the
// values, passwords and policies). It is nil for a body that is not a JSON
// object.
func (x *Exchange) RequestParameters() map[string]any {
	return members(x.request, func(name string) bool { return !isSecretMember(name) })
}

// ResponseElements returns the answer's members that identify what a
// change made (the ARN, name, version id, deletion date, replication
// status), with CloudTrail's names; nil for reads and refusals.
func (x *Exchange) ResponseElements() map[string]any {
	if x.ReadOnly || x.ErrorCode != "" {
		return nil
	}
	return members(x.response, func(name string) bool { return answerMembers[name] })
}

// members decodes body and keeps the top-level members keep accepts,
// renamed to lowerCamelCase at every depth.
func members(body []byte, keep func(string) bool) map[string]any {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if len(body) == 0 || d.Decode(&m) != nil || m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if keep(k) {
			out[lowerCamel(k)] = renamed(v)
		}
	}
	return out
}

func renamed(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			if !isSecretMember(k) {
				out[lowerCamel(k)] = renamed(e)
			}
		}
		return out
	case []any:
		for i, e := range v {
			v[i] = renamed(e)
		}
	}
	return v
}

// lowerCamel is CloudTrail's name for a member: SecretId is secretId,
// KmsKeyId is kmsKeyId, and ARN is arn (CloudTrail wrote aRN before
// February 2024).
func lowerCamel(s string) string {
	if strings.ToUpper(s) == s {
		return strings.ToLower(s)
	}
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// sourceIP is the host of r's remote address.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// resourceOf finds the ARN of the secret an exchange is about: the
// answer's ARN, or a SecretId sent as an ARN.
func resourceOf(request, response []byte) string {
	var probe struct {
		ARN      string `json:"ARN"`
		SecretId string `json:"SecretId"`
	}
	if json.Unmarshal(response, &probe) == nil && probe.ARN != "" {
		return probe.ARN
	}
	probe.ARN = ""
	if json.Unmarshal(request, &probe) == nil && strings.HasPrefix(probe.SecretId, "arn:") {
		return probe.SecretId
	}
	return ""
}

// bufferedAnswer holds an answer until the observer has seen it.
type bufferedAnswer struct {
	w      http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (b *bufferedAnswer) Header() http.Header { return b.w.Header() }

func (b *bufferedAnswer) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedAnswer) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// observe calls the observer with the exchange of a request that serve
// answered into buf, then sends the answer, or InternalServiceError when
// the observer fails.
func (h *Handler) observe(buf *bufferedAnswer, r *http.Request, x *Exchange, start time.Time) {
	body := buf.body.Bytes()
	x.Time, x.Duration = start, time.Since(start)
	x.SourceIP, x.UserAgent = sourceIP(r), r.UserAgent()
	x.Status, x.ReadOnly = buf.status, readOnly[x.Operation]
	x.response = body
	if x.Status != http.StatusOK {
		var e errorBody
		if json.Unmarshal(body, &e) == nil {
			x.ErrorCode, x.ErrorMessage = e.Type, e.Message
		}
	}
	err := h.cfg.Observer.Observe(x)
	x.request, x.response = nil, nil
	if err != nil {
		clear(body)
		h.logger.Error("the observer refused a request's answer; it fails", "request_id", x.RequestID, "operation", x.Operation, "error", err.Error())
		hdr := buf.w.Header()
		delete(hdr, "Content-Length")
		writeError(buf.w, http.StatusInternalServerError, "InternalServiceError", "An internal error occurred.")
		x.Status, x.ErrorCode, x.ErrorMessage = http.StatusInternalServerError, "InternalServiceError", "An internal error occurred."
		return
	}
	buf.w.WriteHeader(buf.status)
	_, _ = buf.w.Write(body)
	clear(body) // the answer may hold a value
}

// Observers combines observers into one, called in order: every one sees
// every exchange, and the first error fails the request.
func Observers(obs ...Observer) Observer { return observers(obs) }

type observers []Observer

func (o observers) Observe(x *Exchange) error {
	var first error
	for _, ob := range o {
		if err := ob.Observe(x); err != nil && first == nil {
			first = err
		}
	}
	return first
}
