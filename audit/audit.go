// Package audit writes rotor serve's audit trail: one JSON object a line
// for every request, allowed or refused, and for each rotation event and
// secret deletion the service makes on its own, in the shape of an AWS
// CloudTrail record for Secrets Manager
// (https://docs.aws.amazon.com/secretsmanager/latest/userguide/cloudtrail_log_entries.html).
//
// No value ever enters the trail: SecretString, SecretBinary, random
// passwords and resource policies are left out of requestParameters and
// responseElements, as CloudTrail leaves them out, and reads record no
// responseElements at all.
//
// Start with Open, give the Trail to awsapi.Config.Observer, and subscribe
// it to each Region's service with Trail.Subscribe:
//
//	trail, err := audit.Open("audit.log", audit.Options{AccountID: "123456789012"})
//	cfg.Observer = trail
//	svc.Subscribe(trail.ServiceEvent(svc.Region()))
//
// Each record is written whole, with one write, after the request ran and
// before its answer is sent. By default a record that cannot be written
// fails its request (HTTP 500, InternalServiceError): no caller is told of
// a success the trail does not hold. What a write operation changed stays
// changed, as with any 500 (a retry with the same ClientRequestToken changes
// nothing more), and the server's log names the request. Options.BestEffort
// logs the failure and answers anyway.
package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
)

// Record is one entry of the trail, with CloudTrail's field names.
type Record struct {
	EventVersion       string         `json:"eventVersion"`
	UserIdentity       UserIdentity   `json:"userIdentity"`
	EventTime          string         `json:"eventTime"`
	EventSource        string         `json:"eventSource"`
	EventName          string         `json:"eventName"`
	AWSRegion          string         `json:"awsRegion"`
	SourceIPAddress    string         `json:"sourceIPAddress"`
	UserAgent          string         `json:"userAgent"`
	ErrorCode          string         `json:"errorCode,omitempty"`
	ErrorMessage       string         `json:"errorMessage,omitempty"`
	RequestParameters  map[string]any `json:"requestParameters"`
	ResponseElements   map[string]any `json:"responseElements"`
	AdditionalData     map[string]any `json:"additionalEventData,omitempty"`
	RequestID          string         `json:"requestID,omitempty"`
	EventID            string         `json:"eventID"`
	ReadOnly           bool           `json:"readOnly"`
	Resources          []Resource     `json:"resources,omitempty"`
	EventType          string         `json:"eventType"`
	ManagementEvent    bool           `json:"managementEvent"`
	RecipientAccountID string         `json:"recipientAccountId"`
	EventCategory      string         `json:"eventCategory"`
}

// UserIdentity says who made the request: an IAM user or role (by its
// access key), an anonymous caller of an unsigned server, or the service
// itself for the events it makes on its own.
type UserIdentity struct {
	Type        string `json:"type"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	InvokedBy   string `json:"invokedBy,omitempty"`
}

// Resource is the secret a record is about.
type Resource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId,omitempty"`
	Type      string `json:"type"`
}

// Names of the records.
const (
	eventVersion = "1.08"
	eventSource  = "secretsmanager.amazonaws.com"
	resourceType = "AWS::SecretsManager::Secret"
)

// Options configure a Trail.
type Options struct {
	// AccountID is the account of the records (recipientAccountId).
	AccountID string
	// BestEffort answers a request whose record could not be written (the
	// failure is logged) instead of failing it. Off by default: an audit
	// trail that can be skipped proves nothing.
	BestEffort bool
	// Logger reports write failures; slog.Default() when nil.
	Logger *slog.Logger
}

// Trail appends records to a file or stream. It is an awsapi.Observer.
type Trail struct {
	opts   Options
	mu     sync.Mutex
	w      io.Writer
	closer io.Closer
	failed error // the last write's failure, until a write succeeds
}

var _ awsapi.Observer = (*Trail)(nil)

// Open opens the trail at path, appending, and creates it with mode 0600;
// "-" is standard output. A file others can read or write is refused: the
// trail says who read which secret.
func Open(path string, opts Options) (*Trail, error) {
	if path == "-" {
		return New(os.Stdout, opts), nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o077 != 0 {
		_ = f.Close()
		return nil, fmt.Errorf("audit: %s has mode %04o: others may read it; chmod 600 %s", path, st.Mode().Perm(), path)
	}
	t := New(f, opts)
	t.closer = f
	return t, nil
}

// New returns a Trail that writes to w; each record is one Write call.
func New(w io.Writer, opts Options) *Trail {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Trail{opts: opts, w: w}
}

// Close closes the trail's file.
func (t *Trail) Close() error {
	if t.closer == nil {
		return nil
	}
	return t.closer.Close()
}

// Observe implements awsapi.Observer: it writes the request's record.
func (t *Trail) Observe(x *awsapi.Exchange) error {
	rec := Record{
		EventName: x.Operation, AWSRegion: x.Region, EventTime: stamp(x.Time),
		SourceIPAddress: x.SourceIP, UserAgent: x.UserAgent,
		ErrorCode: x.ErrorCode, ErrorMessage: x.ErrorMessage,
		RequestParameters: x.RequestParameters(), ResponseElements: x.ResponseElements(),
		RequestID: x.RequestID, ReadOnly: x.ReadOnly, EventType: "AwsApiCall",
		UserIdentity: t.caller(x),
	}
	if arn := x.Resource(); arn != "" {
		rec.Resources = []Resource{{ARN: arn, AccountID: t.opts.AccountID, Type: resourceType}}
	}
	return t.write(&rec)
}

func (t *Trail) caller(x *awsapi.Exchange) UserIdentity {
	switch {
	case x.AccessKeyID == "":
		return UserIdentity{Type: "Anonymous"}
	case x.Principal == "":
		return UserIdentity{Type: "IAMUser", AccountID: t.opts.AccountID, AccessKeyID: x.AccessKeyID}
	}
	kind := "IAMUser"
	if isRole(x.Principal) {
		kind = "AssumedRole"
	}
	return UserIdentity{Type: kind, ARN: x.Principal, AccountID: t.opts.AccountID, AccessKeyID: x.AccessKeyID}
}

func isRole(arn string) bool {
	for i := 0; i+6 <= len(arn); i++ {
		if arn[i:i+6] == ":role/" {
			return true
		}
	}
	return false
}

// serviceEvents names the records of the changes the service makes on its
// own: rotation (run by the engine after RotateSecret answered, or by the
// schedule) and the end of a secret's recovery window.
var serviceEvents = map[rotor.EventKind]string{
	rotor.EventRotationStarted:  "RotationStarted",
	rotor.EventRotationFinished: "RotationSucceeded",
	rotor.EventStepFailed:       "RotationFailed",
	rotor.EventRotationAbandon:  "RotationAbandoned",
	rotor.EventPurged:           "EndSecretDeletion",
	rotor.EventVersionPurged:    "EndSecretVersionDelete",
}

// ServiceEvent returns a function for rotor.Service.Subscribe that records
// the service's own events in region: RotationStarted, RotationSucceeded,
// RotationFailed (with the step and the function's error, which rotor
// builds without values), RotationAbandoned, EndSecretVersionDelete (a
// deprecated version the retention rule removed) and EndSecretDeletion. A
// failed write is logged: the change it reports is already committed.
func (t *Trail) ServiceEvent(region string) func(rotor.Event) {
	return func(ev rotor.Event) {
		name, ok := serviceEvents[ev.Kind]
		if !ok {
			return
		}
		rec := Record{
			EventName: name, AWSRegion: region, EventTime: stamp(ev.Time),
			SourceIPAddress: eventSource, UserAgent: eventSource, EventType: "AwsServiceEvent",
			UserIdentity: UserIdentity{Type: "AWSService", InvokedBy: eventSource},
			Resources:    []Resource{{ARN: ev.ARN, AccountID: t.opts.AccountID, Type: resourceType}},
		}
		data := map[string]any{"secretName": ev.Name}
		if ev.VersionID != "" {
			data["versionId"] = ev.VersionID
		}
		if ev.Step != "" {
			data["step"] = string(ev.Step)
		}
		if ev.Error != "" {
			data["errorMessage"] = ev.Error
		}
		rec.AdditionalData = data
		if err := t.write(&rec); err != nil {
			t.opts.Logger.Error("audit: a service event was not recorded", "event", name, "arn", ev.ARN, "error", err.Error())
		}
	}
}

// ErrTrailFailing is the error of a request refused because the trail
// could not record an earlier one and has not recovered.
var ErrTrailFailing = errors.New("audit: the trail is failing")

func (t *Trail) write(rec *Record) error {
	rec.EventVersion, rec.EventSource = eventVersion, eventSource
	rec.RecipientAccountID, rec.ManagementEvent, rec.EventCategory = t.opts.AccountID, true, "Management"
	rec.EventID = uuid.NewString()
	line, err := json.Marshal(rec)
	if err != nil {
		return t.failure(rec, fmt.Errorf("audit: encode: %w", err))
	}
	line = append(line, '\n')
	t.mu.Lock()
	_, err = t.w.Write(line)
	if err != nil {
		t.failed = err
	} else {
		t.failed = nil
	}
	t.mu.Unlock()
	if err != nil {
		return t.failure(rec, fmt.Errorf("audit: write: %w", err))
	}
	return nil
}

func (t *Trail) failure(rec *Record, err error) error {
	t.opts.Logger.Error("audit: record not written", "event", rec.EventName, "request_id", rec.RequestID, "error", err.Error())
	if t.opts.BestEffort {
		return nil
	}
	return err
}

// Failing returns the failure of the last write, nil when it succeeded:
// for a readiness check.
func (t *Trail) Failing() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.failed != nil {
		return fmt.Errorf("%w: %v", ErrTrailFailing, t.failed)
	}
	return nil
}

func stamp(at time.Time) string { return at.UTC().Format(time.RFC3339) }
