package awsapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodeBody decodes the request body into v, the request of schema s,
// exactly: it refuses what encoding/json would bend rather than refuse (see
// exact). Errors never quote the body, which may hold a secret value.
func decodeBody(body []byte, v any, s *schema) error {
	if err := unmarshalBody(body, v); err != nil {
		return err
	}
	return s.exact(body)
}

// unmarshalBody decodes a JSON object into v as encoding/json does, with
// the errors of the wire. An empty body is the empty object. Errors never
// quote the body, which may hold a secret value.
func unmarshalBody(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	// Unmarshal succeeds only on one JSON value with nothing after it but
	// space, and then decodes exactly as a Decoder would, without a
	// Decoder's buffer and copy of the body. On valid JSON it fails as a
	// Decoder would; only invalid JSON needs a Decoder, for the error it
	// gives.
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	if !json.Valid(body) {
		dec := json.NewDecoder(bytes.NewReader(body))
		if err = dec.Decode(v); err == nil {
			if _, extra := dec.Token(); extra != io.EOF {
				return serializationError("The request body must be a single JSON object.")
			}
			return nil
		}
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var b64 base64.CorruptInputError
	switch {
	case errors.As(err, &syntax):
		return serializationError("The request body is not valid JSON (error at byte " + strconv.FormatInt(syntax.Offset, 10) + ").")
	case errors.As(err, &typ) && typ.Field == "":
		return serializationError("The request body must be a JSON object.")
	case errors.As(err, &typ):
		return serializationError("The member " + typ.Field + " cannot be a JSON " + typ.Value + ".")
	case errors.As(err, &b64):
		return serializationError("SecretBinary must be standard base64 with padding.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return serializationError("The request body ends before its JSON is complete.")
	}
	return serializationError("The request body could not be decoded.")
}

func serializationError(msg string) error {
	return &apiError{status: http.StatusBadRequest, code: codeSerialization, message: msg}
}

// schema is what exact decoding knows of a request type: at an object, the
// member names its struct decodes and the schema of each one's value; at an
// array, the schema of its elements. Nil stands for a value with no member
// names in it (a string, a number, a boolean), or for one that is not known.
type schema struct {
	members map[string]*schema // an object's, by exact name
	elem    *schema            // an array's elements'
	// names holds every member name at any depth and lower the same names
	// in lower case; plain is set when no two of them differ only by case,
	// which provedExact needs.
	names, lower map[string]bool
	longest      int
	plain        bool
}

// schemaOf returns the schema of the request type t: its exported fields
// under their JSON names, as encoding/json decodes them.
func schemaOf(t reflect.Type) *schema {
	s := schemaAt(t)
	if s == nil {
		s = &schema{}
	}
	s.names = make(map[string]bool)
	s.collect(s.names)
	s.lower = make(map[string]bool, len(s.names))
	s.plain = true
	for name := range s.names {
		s.longest = max(s.longest, len(name))
		l := strings.ToLower(name)
		if s.lower[l] || !isASCII(name) {
			s.plain = false
		}
		s.lower[l] = true
	}
	return s
}

func schemaAt(t reflect.Type) *schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		s := &schema{members: make(map[string]*schema, t.NumField())}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			s.members[name] = schemaAt(f.Type)
		}
		return s
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil // []byte travels as a base64 string
		}
		if elem := schemaAt(t.Elem()); elem != nil {
			return &schema{elem: elem}
		}
	}
	return nil
}

func (s *schema) collect(names map[string]bool) {
	if s == nil {
		return
	}
	for name, sub := range s.members {
		names[name] = true
		sub.collect(names)
	}
	s.elem.collect(names)
}

// exact refuses, with a SerializationException, a body that json.Unmarshal
// accepted but whose decoding would not be what was sent:
//
//   - text that is not UTF-8, or a \u escape of an unpaired UTF-16 surrogate,
//     which encoding/json replaces with U+FFFD: the body is not JSON text
//     (RFC 8259, sections 8.1 and 8.2; RFC 7493, section 2.1);
//   - a member name that matches a member of the request only when case is
//     ignored, which encoding/json would decode as that member: AWS's member
//     names are case-sensitive;
//   - a member name that appears twice in one object, where encoding/json
//     keeps the last: RFC 7493, section 2.3.
//
// Members the request does not have are ignored, as encoding/json ignores
// them. A body that provedExact proves exact costs no second parse and no
// allocation; any other one is walked token by token, which says what is
// wrong.
func (s *schema) exact(body []byte) error {
	if s.plain && s.provedExact(body) {
		return nil
	}
	return s.exactByTokens(body)
}

// exactByTokens is exact for any body: it checks the text's encoding, then
// walks its tokens with a json.Decoder.
func (s *schema) exactByTokens(body []byte) error {
	if !utf8.Valid(body) {
		return serializationError("The request body is not UTF-8 (at byte " + strconv.Itoa(invalidUTF8At(body)) + "): JSON text must be UTF-8 (RFC 8259, section 8.1).")
	}
	if at := loneSurrogate(body); at >= 0 {
		return serializationError("The request body has a \\u escape of an unpaired UTF-16 surrogate at byte " + strconv.Itoa(at) +
			": a JSON string must hold Unicode characters only (RFC 8259, section 8.2).")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	w := walker{dec: json.NewDecoder(bytes.NewReader(body)), body: body, budget: maxWalked}
	return w.value(s, "")
}

// maxWalked bounds the values and member names exactByTokens reads one by
// one, so that a crafted body (one that provedExact cannot prove: its member
// names escaped or outside ASCII, its objects nested deep) costs no more to
// check than to decode: no request of the API model comes near it.
const maxWalked = 10000

// Bounds of what provedExact keeps track of; a body that needs more is
// walked instead.
const (
	maxOpenNames   = 32 // the member names of the objects open at a point
	maxOpenObjects = 16
)

// provedExact reports, without allocating, whether body, which
// json.Unmarshal accepted (so it is valid JSON), keeps the rules of exact.
// It only proves: a body it cannot prove exact is walked, and refused only
// there. Its text must be UTF-8 without an escape of a lone surrogate, and
// each member name unescaped ASCII, once in its object, and either a name of
// the schema or one that matches none of them when case is ignored. In valid
// JSON a backslash opens an escape of one more character only inside a
// string (\u's hex digits are no quote), so skipping it and that character
// finds where a string ends, and a string followed by ':' is a member name;
// an unescaped name is spelled as sent. A name of the schema matches no
// member of its object in another case, even one of another depth, since no
// two names of the schema differ only by case (schema.plain).
func (s *schema) provedExact(body []byte) bool {
	if !utf8.Valid(body) || loneSurrogate(body) >= 0 {
		return false
	}
	var names [maxOpenNames][]byte
	var objects [maxOpenObjects]int // where each open object's names start
	n, depth := 0, 0
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '{':
			if depth == len(objects) {
				return false
			}
			objects[depth] = n
			depth++
		case '}':
			if depth == 0 {
				return false // not valid JSON: not for this function
			}
			depth--
			n = objects[depth]
		case '"':
			start, escaped := i+1, false
			for i = start; i < len(body) && body[i] != '"'; i++ {
				if body[i] == '\\' {
					escaped = true
					i++
				}
			}
			if i >= len(body) {
				return false
			}
			next := i + 1
			for next < len(body) && isSpace(body[next]) {
				next++
			}
			if next == len(body) || body[next] != ':' {
				continue // a value
			}
			name := body[start:i]
			if depth == 0 || escaped || n == len(names) || !s.plainName(name) {
				return false
			}
			for _, other := range names[objects[depth-1]:n] {
				if bytes.Equal(other, name) {
					return false
				}
			}
			names[n] = name
			n++
		}
	}
	return true
}

// plainName reports whether name, unescaped, is a member name of the
// schema, or ASCII and no name of the schema in another case.
func (s *schema) plainName(name []byte) bool {
	if s.names[string(name)] {
		return true
	}
	for _, c := range name {
		if c >= utf8.RuneSelf {
			// U+212A (Kelvin) is K in another case, U+017F (long s) s, in
			// more bytes: a name outside ASCII may match a longer one.
			return false
		}
	}
	if len(name) > s.longest {
		return true // longer than every name, so none in another case
	}
	var lower [64]byte
	if len(name) > len(lower) {
		return false
	}
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	return !s.lower[string(lower[:len(name)])]
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isSpace reports whether c is JSON whitespace.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// invalidUTF8At returns the offset of the first byte of b that is not part
// of a UTF-8 encoding.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// loneSurrogate returns the offset of the first \u escape in body that
// encodes half of a UTF-16 surrogate pair without its other half, or -1.
// body is valid JSON: a backslash occurs only in a string, where it opens an
// escape unless it is the second of a \\ escape, so a 'u' after a run of
// an odd number of backslashes is a \u escape, with four hex digits.
func loneSurrogate(body []byte) int {
	for i := 0; ; {
		j := bytes.Index(body[i:], []byte(`\u`))
		if j < 0 {
			return -1
		}
		j += i
		run := 0
		for k := j; k >= 0 && body[k] == '\\'; k-- {
			run++
		}
		if run%2 == 0 {
			i = j + 2 // an escaped backslash, then a 'u'
			continue
		}
		r := hex4(body[j+2 : j+6])
		switch {
		case r >= 0xD800 && r < 0xDC00:
			if j+12 <= len(body) && body[j+6] == '\\' && body[j+7] == 'u' {
				if low := hex4(body[j+8 : j+12]); low >= 0xDC00 && low < 0xE000 {
					i = j + 12
					continue
				}
			}
			return j
		case r >= 0xDC00 && r < 0xE000:
			return j // a low half with no high half before it
		}
		i = j + 6
	}
}

// hex4 decodes four hex digits, which valid JSON guarantees after \u.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// walker reads a body's values one by one with a json.Decoder, at most
// budget of them.
type walker struct {
	dec    *json.Decoder
	body   []byte // what dec reads
	budget int
}

// value reads one value, whose schema is s, and refuses a member name that
// is twice in its object or that matches a member of s only when case is
// ignored. A value that is neither an object nor an array is stepped over
// without being decoded. path names the value in errors ("" for the body,
// and for a value no error names).
func (w *walker) value(s *schema, path string) error {
	if w.budget--; w.budget < 0 {
		return serializationError("The request body is too complex to check: it has more than " + strconv.Itoa(maxWalked) +
			" JSON values to read one by one, as a body is read when a member name is escaped or outside ASCII or objects nest deeper than " +
			strconv.Itoa(maxOpenObjects) + ".")
	}
	if c := nextValue(w.body, w.dec.InputOffset()); c != '{' && c != '[' {
		if err := w.dec.Decode(&skipped{}); err != nil {
			return errUndecodable
		}
		return nil
	}
	tok, err := w.dec.Token()
	if err != nil {
		return errUndecodable
	}
	if tok == json.Delim('{') {
		var seen nameSet
		for w.dec.More() {
			at := w.dec.InputOffset()
			tok, err := w.dec.Token()
			name, ok := tok.(string)
			if err != nil || !ok {
				return errUndecodable
			}
			var sub *schema
			known := false
			if s != nil {
				sub, known = s.members[name]
			}
			if !seen.add(name) {
				if known {
					return serializationError("The member " + memberPath(path, name) + " appears twice in one object: member names must be unique (RFC 7493, section 2.3).")
				}
				return serializationError("A member name appears twice in one object, at byte " + strconv.FormatInt(at, 10) + " of the request body: member names must be unique (RFC 7493, section 2.3).")
			}
			if s != nil && !known {
				for member := range s.members {
					if strings.EqualFold(member, name) {
						return serializationError("The member " + strconv.QuoteToASCII(name) + of(path) + " is not a member of the request: member names are case-sensitive; send " + memberPath(path, member) + ".")
					}
				}
			}
			subPath := "" // an unknown member's names are never shown
			if known {
				subPath = memberPath(path, name)
			}
			if err := w.value(sub, subPath); err != nil {
				return err
			}
		}
	} else {
		var elem *schema
		if s != nil {
			elem = s.elem
		}
		for i := 0; w.dec.More(); i++ {
			elemPath := ""
			if elem != nil {
				elemPath = path + "[" + strconv.Itoa(i) + "]"
			}
			if err := w.value(elem, elemPath); err != nil {
				return err
			}
		}
	}
	if _, err := w.dec.Token(); err != nil { // the closing delimiter
		return errUndecodable
	}
	return nil
}

// nameSet holds the member names of one object, in a slice while they are few
// and in a map beyond, so that checking a name stays cheap.
type nameSet struct {
	few  []string
	many map[string]bool
}

// add adds name and reports whether it was not there yet.
func (n *nameSet) add(name string) bool {
	if n.many != nil {
		if n.many[name] {
			return false
		}
		n.many[name] = true
		return true
	}
	for _, other := range n.few {
		if other == name {
			return false
		}
	}
	n.few = append(n.few, name)
	if len(n.few) > 16 {
		n.many = make(map[string]bool, 2*len(n.few))
		for _, other := range n.few {
			n.many[other] = true
		}
	}
	return true
}

// errUndecodable answers a body the walk cannot read, which json.Unmarshal
// accepted: it does not happen.
var errUndecodable = serializationError("The request body could not be decoded.")

// nextValue returns the first byte of the value that starts at or after
// off in body, past space and the ':' or ',' before it; 0 at the end.
func nextValue(body []byte, off int64) byte {
	for i := off; i < int64(len(body)); i++ {
		if c := body[i]; !isSpace(c) && c != ':' && c != ',' {
			return c
		}
	}
	return 0
}

// skipped is a value a json.Decoder steps over: its UnmarshalJSON keeps
// nothing, so the decoder passes a string or a number without decoding it.
type skipped struct{}

func (skipped) UnmarshalJSON([]byte) error { return nil }

func memberPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func of(path string) string {
	if path == "" {
		return ""
	}
	return " of " + path
}
