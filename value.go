package rotor

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
)

// redacted is what every formatting of a secret value prints instead of it.
const redacted = "[REDACTED]"

// Value is a secret version's payload: either text (SecretString) or bytes
// (SecretBinary), never both. The zero Value is "no value", which only the
// AWSPENDING placeholder of a rotation has.
//
// A Value is immutable and safe to share. It never prints itself: every fmt
// verb, slog and String print "[REDACTED]", and encoding/json sees no fields.
type Value struct {
	// The payload sits two pointers deep because fmt prints a nested
	// pointer as an address: a struct that holds a Value in an unexported
	// field, printed with a wrong verb (which skips Format), shows the first
	// pointer's target in full, and that target holds only another pointer.
	p *sealed
}

type sealed struct{ p *payload }

type payload struct {
	text   string
	bin    []byte
	binary bool
	// unreadable marks a value its store could not open; text, bin and
	// binary then hold what the store holds, to be written back as it was.
	unreadable error
}

func (v Value) payload() *payload {
	if v.p == nil {
		return nil
	}
	return v.p.p
}

// StringValue returns a text value.
func StringValue(s string) Value { return Value{p: &sealed{&payload{text: s}}} }

// BinaryValue returns a binary value holding a copy of b.
func BinaryValue(b []byte) Value {
	if b == nil {
		b = []byte{}
	}
	return Value{p: &sealed{&payload{bin: bytes.Clone(b), binary: true}}}
}

// UnreadableValue is the Value a Store gives a version whose stored value it
// cannot open (its key is missing, or its bytes are damaged): the version
// exists and its metadata stands, but reading its value fails with cause,
// which should be an *Error with code DecryptionFailure that names no value.
// stored is what the store holds for the version; a later save of the
// secret writes it back unchanged, so a damaged version never spoils the
// others and is never replaced by garbage.
func UnreadableValue(stored Value, cause error) Value {
	p := &payload{unreadable: cause}
	if sp := stored.payload(); sp != nil {
		p.text, p.bin, p.binary = sp.text, sp.bin, sp.binary
	}
	return Value{p: &sealed{p}}
}

// Unreadable reports whether v is an UnreadableValue, and returns what the
// store holds and why it could not be opened.
func (v Value) Unreadable() (stored Value, cause error, ok bool) {
	p := v.payload()
	if p == nil || p.unreadable == nil {
		return Value{}, nil, false
	}
	return Value{p: &sealed{&payload{text: p.text, bin: p.bin, binary: p.binary}}}, p.unreadable, true
}

// readable returns the error of reading v: nil, or why its store could not
// open it, as a DecryptionFailure *Error unless the store said otherwise.
func (v Value) readable() error {
	p := v.payload()
	if p == nil || p.unreadable == nil {
		return nil
	}
	var e *Error
	if errors.As(p.unreadable, &e) {
		return p.unreadable
	}
	return &Error{Code: CodeDecryptionFailure, Message: "Secrets Manager can't decrypt the protected secret text using the provided KMS key.", Err: p.unreadable}
}

// IsZero reports whether v holds no value.
func (v Value) IsZero() bool { return v.p == nil }

// IsBinary reports whether v is a binary value.
func (v Value) IsBinary() bool { return v.p != nil && v.payload().binary }

// Text returns the text of a string value, and "" for a binary or zero value.
func (v Value) Text() string {
	if v.p == nil {
		return ""
	}
	return v.payload().text
}

// Bytes returns a copy of a binary value's bytes, and nil for a string or zero value.
func (v Value) Bytes() []byte {
	if v.p == nil {
		return nil
	}
	return bytes.Clone(v.payload().bin)
}

// Len returns the size of the value in bytes (UTF-8 bytes for text).
func (v Value) Len() int {
	p := v.payload()
	if p == nil {
		return 0
	}
	if p.binary {
		return len(p.bin)
	}
	return len(p.text)
}

// Equal reports whether v and o hold the same kind of value with the same
// content. An unreadable value equals nothing but itself.
func (v Value) Equal(o Value) bool {
	a, b := v.payload(), o.payload()
	if a == nil || b == nil || a.unreadable != nil || b.unreadable != nil {
		return a == b
	}
	return a.binary == b.binary && a.text == b.text && bytes.Equal(a.bin, b.bin)
}

// String returns "[REDACTED]".
func (v Value) String() string { return redacted }

// GoString returns "[REDACTED]".
func (v Value) GoString() string { return redacted }

// Format prints "[REDACTED]" for every verb, so no format string can reveal a value.
func (v Value) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue makes slog print "[REDACTED]".
func (v Value) LogValue() slog.Value { return slog.StringValue(redacted) }

// view returns the two wire members of a value: SecretString, SecretBinary.
// The returned slice is v's own and must not be modified.
func (v Value) view() (string, []byte) {
	p := v.payload()
	if p == nil {
		return "", nil
	}
	return p.text, p.bin
}
