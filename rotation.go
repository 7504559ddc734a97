package rotor

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// This file and the other rotation_*.go files are the rotation state machine.
// Each rule is a pure function of (secret, request, now): it reads the secret,
// never changes it, and returns the next secret and an outcome that says what
// changed, which events report it and which rotation (if any) must run next.
// The Service saves the next secret with a revision check and emits the events
// after the commit; an engine runs what the outcome names. No rule is decided
// anywhere else.

// Step is one of the four steps of a rotation, named as AWS sends them to a
// rotation function.
type Step string

// The rotation steps, in the order they run.
const (
	StepCreateSecret Step = "createSecret"
	StepSetSecret    Step = "setSecret"
	StepTestSecret   Step = "testSecret"
	StepFinishSecret Step = "finishSecret"
)

var steps = [...]Step{StepCreateSecret, StepSetSecret, StepTestSecret, StepFinishSecret}

// Steps returns the rotation steps in the order they run.
func Steps() []Step { return steps[:] }

// RotationEvent is what a rotation function receives for one step, with the
// field names of AWS's event. SecretId is the secret's ARN and
// ClientRequestToken the VersionId of the pending version.
type RotationEvent struct {
	Step               Step
	SecretId           string
	ClientRequestToken string
	RotationToken      string
}

// RotationState is the progress of one rotation, saved with the secret so that
// a crash, another worker or another server finds it and resumes it with the
// same token. The secret's RotationLambdaARN is the function that runs it.
type RotationState struct {
	// Token is the ClientRequestToken: the VersionId of the pending version.
	Token string
	// RotationToken is the opaque token sent with every step, which a
	// rotation function may pass back to PutSecretValue.
	RotationToken string
	// StartedAt is when the rotation was accepted.
	StartedAt time.Time
	// Attempts counts the attempts of the current round, the running one
	// included. A round ends when the rotation is given up (Abandoned); the
	// next window starts a new one.
	Attempts int
	// StepsDone counts the steps the current attempt finished (0–4).
	StepsDone int
	// FailedStep and LastError describe the last failure; empty if none.
	// LastError is the rotation function's error text with every value of
	// the secret replaced by [REDACTED], cut to MaxRotationErrorLength
	// bytes.
	FailedStep Step
	LastError  string
	// NextAttempt is when the next attempt is planned: after a failed
	// attempt, when its runner retries; once Abandoned, the moment of the
	// next rotation window at which the scheduler tries again.
	NextAttempt time.Time
	// LeaseOwner and LeaseExpires say which worker runs an attempt now; a
	// lease that is not renewed (every step renews it) expires, so another
	// worker may take over.
	LeaseOwner   string
	LeaseExpires time.Time
	// Abandoned is set when the last attempt of a round failed: the rotation
	// stays pending until NextAttempt, a retry with its token, or a manual
	// clean-up.
	Abandoned bool
	// Probe marks the temporary version of a RotateImmediately=false check
	// rather than a rotation: its testSecret runs inside RotateSecret, under
	// the lease, and the version is removed after it.
	Probe bool
}

// Rotation timing.
const (
	// RotationLease is how long a worker owns a rotation after its last
	// saved progress; a worker that dies is replaced once it expires. A step
	// must end well within it: engines cut steps off sooner.
	RotationLease = 5 * time.Minute
	// OrphanAfter is how long a pending rotation that no worker holds (its
	// runner is waiting out a back-off, or died between attempts) waits,
	// from its start or its planned retry, before any engine takes it over.
	OrphanAfter = 15 * time.Minute
	// MaxRotationErrorLength bounds the failure text kept in RotationState.
	MaxRotationErrorLength = 1024
)

// StepError is the cause of a failed rotation step, reachable with errors.As
// from the error a synchronous RotateSecret or Attempt.Run returns. Err is the
// rotation function's own error.
type StepError struct {
	Step  Step
	Token string
	Err   error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("rotation step %s of version %s failed: %v", e.Step, e.Token, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// ErrRotationBusy is returned when another worker holds an unexpired lease on
// the rotation. Nothing changed; try again after the lease expires.
var ErrRotationBusy = &Error{Code: CodeInvalidRequest, Message: "The rotation is being run by another worker."}

// ErrNotRotating is matched (errors.Is) by the error of an attempt to run or
// record a rotation that is no longer pending under this token: it was
// cancelled, finished, its AWSPENDING label was removed, or another worker
// took it over after the lease expired. Nothing changed; there is nothing to
// retry.
var ErrNotRotating = errors.New("rotor: the rotation is not pending under this token")

// outcome is what a rotation rule decided, for the caller to carry out.
type outcome struct {
	// changed reports that the next secret differs and must be saved.
	changed bool
	// events report the change, emitted after the commit.
	events []Event
	// run is the token of a rotation whose steps must run next; "" if none.
	run string
	// check is the rotation function RotateSecret must check before it
	// saves anything; "" if none.
	check string
	// owner is the lease the decision took for the caller's attempt.
	owner string
	// finished reports that the rotation ended with this decision.
	finished bool
	// warn is something the decision could not do that its caller reports
	// (a scheduled rotation refused by the version quota, say) while the
	// rest of the decision stands.
	warn error
}

// event appends an event about the secret to the outcome.
func (o *outcome) event(sec *Secret, kind EventKind, version string, now time.Time) *Event {
	o.events = append(o.events, Event{Kind: kind, ARN: sec.ARN, Name: sec.Name, VersionID: version, Time: now})
	return &o.events[len(o.events)-1]
}

// leaseLive reports whether a worker holds the rotation's lease at now.
func (r *RotationState) leaseLive(now time.Time) bool {
	return r != nil && r.LeaseOwner != "" && r.LeaseExpires.After(now)
}

// rotationPhase says where a secret's rotation stands.
type rotationPhase uint8

const (
	// phaseIdle: no rotation is in progress.
	phaseIdle rotationPhase = iota
	// phasePending: AWSPENDING sits on a version that is not AWSCURRENT and
	// the saved state runs it.
	phasePending
	// phaseStranded: AWSPENDING sits on a version that is not AWSCURRENT
	// but no state runs it (cancelled, or labelled by hand). RotateSecret
	// refuses other tokens and resumes it with its own.
	phaseStranded
	// phaseFinishing: finishSecret moved AWSCURRENT to the state's token and
	// the rotation's end is not recorded yet.
	phaseFinishing
	// phaseProbing: a RotateImmediately=false check holds a temporary
	// AWSPENDING version.
	phaseProbing
)

// phase classifies sec's rotation. A state whose token is neither pending
// nor current (its label was moved away by hand) is stale: phaseIdle, or
// phaseStranded when another version carries AWSPENDING.
func (sec *Secret) phase() rotationPhase {
	pending := sec.pending()
	if r := sec.Rotation; r != nil {
		switch current, _ := sec.StageVersion(StageCurrent); {
		case r.Probe && pending == r.Token:
			return phaseProbing
		case r.Probe:
		case pending == r.Token:
			return phasePending
		case current == r.Token:
			return phaseFinishing
		}
	}
	if pending != "" {
		return phaseStranded
	}
	return phaseIdle
}

// busyWith reports whether a rotation other than token keeps RotateSecret
// from starting one: AWSPENDING on a version that is not AWSCURRENT, or a run
// that holds its lease between finishSecret and the record of its end.
func (sec *Secret) busyWith(token string, now time.Time) bool {
	switch sec.phase() {
	case phasePending, phaseStranded, phaseProbing:
		return sec.pending() != token
	case phaseFinishing:
		return sec.Rotation.Token != token && sec.Rotation.leaseLive(now)
	}
	return false
}

// pending returns the id of the version that AWSPENDING sits on while it is
// not also AWSCURRENT: the rotation that is not complete. "" if none.
func (sec *Secret) pending() string {
	p, ok := sec.StageVersion(StagePending)
	if !ok {
		return ""
	}
	if c, _ := sec.StageVersion(StageCurrent); c == p {
		return ""
	}
	return p
}

// dropStaleRotation ends, on a secret of the caller's whose labels moved by
// hand, a rotation whose version is neither pending nor current any more:
// removing AWSPENDING from a stuck rotation's version is the documented way
// to give it up, and no worker may record progress on it after.
func (next *Secret) dropStaleRotation() {
	if r := next.Rotation; r != nil && !r.Probe {
		current, _ := next.StageVersion(StageCurrent)
		if next.pending() != r.Token && current != r.Token {
			next.Rotation = nil
		}
	}
}

// failureText is what the record, its events and the logs keep of a
// rotation function's error, cut to MaxRotationErrorLength bytes. Secret
// values are replaced by [REDACTED] (a function that echoes the pending
// value, or one field of it, must not put it in a record, an event or a
// log), and the rest stays readable: every version's whole value; in a JSON
// value, every value under a key that sounds secret (password, secret,
// token, key, credential, …) and every string that looks like one (mixed
// case and digits, say), while a host, a port, a user or a database name
// stays; and, in the text itself, the values of such keys written as JSON
// ("password": "…") or as key=value.
func (sec *Secret) failureText(text string) string {
	for _, v := range sec.Versions {
		p := v.Value.payload()
		if p == nil || p.unreadable != nil {
			continue
		}
		if p.binary {
			text = redact(text, string(p.bin))
			text = redact(text, base64.StdEncoding.EncodeToString(p.bin))
			continue
		}
		text = redact(text, p.text)
		if !strings.HasPrefix(strings.TrimSpace(p.text), "{") {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(p.text))
		dec.UseNumber()
		var fields map[string]any
		if dec.Decode(&fields) == nil {
			secretValues(fields, false, func(value string) { text = redact(text, value) })
		}
	}
	return cutError(redactSensitiveFields(text))
}

// secretValues calls emit with every value of v that is to be redacted:
// all under a sensitive key, and the strings that look secret elsewhere.
func secretValues(v any, sensitive bool, emit func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			secretValues(x, sensitive || sensitiveKey(k), emit)
		}
	case []any:
		for _, x := range v {
			secretValues(x, sensitive, emit)
		}
	case string:
		if sensitive || looksSecret(v) {
			emit(v)
		}
	case json.Number:
		if sensitive {
			emit(v.String())
		}
	}
}

// sensitiveWords make a key sensitive when its name holds one.
var sensitiveWords = []string{"pass", "pwd", "secret", "token", "key", "cred", "auth", "private", "signature", "salt", "hmac", "cert", "session", "cookie"}

// sensitiveKey reports whether a key's name sounds like it holds a secret.
func sensitiveKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range sensitiveWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// looksSecret reports whether s looks like a password or a key rather
// than a name, a host, a number or a sentence: no spaces, at least 8
// characters, and upper case, lower case and digits together, or letters,
// digits and punctuation that names do not use, or a long run of letters
// and digits (base64, hex). An ARN never looks secret.
func looksSecret(s string) bool {
	if len(s) < 8 || strings.HasPrefix(s, "arn:") {
		return false
	}
	var upper, lower, digit, odd, nameish bool
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case r == ' ' || r == '\t' || r == '\n':
			return false
		case strings.ContainsRune(".-_:/@", r):
			nameish = true
		case r == '+' || r == '=':
			// base64
		default:
			odd = true
		}
	}
	letter := upper || lower
	switch {
	case upper && lower && digit:
		return true
	case letter && digit && odd:
		return true
	case len(s) >= 20 && letter && digit && !nameish && !odd:
		return true
	}
	return false
}

// sensitiveField finds a JSON member ("key": "value" or "key": 123) or a
// key=value pair in a failure text.
var sensitiveField = regexp.MustCompile(`"([^"\\]{1,64})"\s*:\s*("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*)|\b([A-Za-z_][A-Za-z0-9_.-]{0,63})=([^\s&;,"']+)`)

// redactSensitiveFields replaces the values of sensitive keys in text.
func redactSensitiveFields(text string) string {
	return sensitiveField.ReplaceAllStringFunc(text, func(m string) string {
		sub := sensitiveField.FindStringSubmatch(m)
		switch {
		case sub[1] != "" && sensitiveKey(sub[1]):
			if strings.HasPrefix(sub[2], `"`) {
				return m[:len(m)-len(sub[2])] + `"` + redacted + `"`
			}
			return m[:len(m)-len(sub[2])] + redacted
		case sub[3] != "" && sensitiveKey(sub[3]):
			return sub[3] + "=" + redacted
		}
		return m
	})
}

// minRedacted is the length below which a value is not searched for in a
// failure text: a value of a character or three would blank out words.
const minRedacted = 4

func redact(text, value string) string {
	if len(value) < minRedacted {
		return text
	}
	return strings.ReplaceAll(text, value, redacted)
}

// cutError bounds a failure text kept in the record and in events.
func cutError(s string) string {
	if len(s) <= MaxRotationErrorLength {
		return s
	}
	cut := MaxRotationErrorLength
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}
