package rotor

import (
	"bytes"
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
	text   string
	bin    []byte
	binary bool
	set    bool
}

// StringValue returns a text value.
func StringValue(s string) Value { return Value{text: s, set: true} }

// BinaryValue returns a binary value holding a copy of b.
func BinaryValue(b []byte) Value {
	return Value{bin: bytes.Clone(b), binary: true, set: true}
}

// IsZero reports whether v holds no value.
func (v Value) IsZero() bool { return !v.set }

// IsBinary reports whether v is a binary value.
func (v Value) IsBinary() bool { return v.binary }

// Text returns the text of a string value, and "" for a binary or zero value.
func (v Value) Text() string { return v.text }

// Bytes returns a copy of a binary value's bytes, and nil for a string or zero value.
func (v Value) Bytes() []byte { return bytes.Clone(v.bin) }

// Len returns the size of the value in bytes (UTF-8 bytes for text).
func (v Value) Len() int {
	if v.binary {
		return len(v.bin)
	}
	return len(v.text)
}

// Equal reports whether v and o hold the same kind of value with the same content.
func (v Value) Equal(o Value) bool {
	return v.set == o.set && v.binary == o.binary && v.text == o.text && bytes.Equal(v.bin, o.bin)
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
func (v Value) view() (string, []byte) { return v.text, v.bin }
