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
	// names holds every member name at any depth; plain is set when no two
	// of them differ only by case, which bodyIsPlain needs.
	names map[string]bool
	plain bool
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
	s.plain = true
	for a := range s.names {
		for b := range s.names {
			if a != b && strings.EqualFold(a, b) {
				s.plain = false
			}
		}
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
// them. A plain body (see bodyIsPlain) is proved exact without a second
// parse; any other one is walked token by token.
func (s *schema) exact(body []byte) error {
	if s.plain && bodyIsPlain(body, s.names) {
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
	dec := json.NewDecoder(bytes.NewReader(body))
	return s.walk(dec, "")
}

// maxPlainNames is how many member names bodyIsPlain compares; a body with
// more is walked instead.
const maxPlainNames = 8

// bodyIsPlain reports, without allocating, whether body (which
// json.Unmarshal accepted, so it is valid JSON) is exact because it is
// plain: ASCII without a backslash, each of its member names one of names,
// and no name twice in the whole body. Without a backslash there is no
// escape, so every '"' opens or closes a string, in turn, and a string
// followed by ':' is a member name, spelled as sent. ASCII holds no invalid
// UTF-8, and without \u no surrogate; a name of names matches no other
// member of any object when case is ignored, since no two names differ only
// by case (schema.plain); and names unique in the body are unique in each
// object. GetSecretValue's {"SecretId":"..."} is plain.
func bodyIsPlain(body []byte, names map[string]bool) bool {
	for _, c := range body {
		if c >= utf8.RuneSelf || c == '\\' {
			return false
		}
	}
	var seen [maxPlainNames][]byte
	n := 0
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		end := bytes.IndexByte(body[i+1:], '"')
		if end < 0 {
			return false
		}
		str := body[i+1 : i+1+end]
		i += 1 + end // the closing quote
		next := i + 1
		for next < len(body) && isSpace(body[next]) {
			next++
		}
		if next == len(body) || body[next] != ':' {
			continue // a value
		}
		if !names[string(str)] || n == len(seen) {
			return false
		}
		for _, name := range seen[:n] {
			if bytes.Equal(name, str) {
				return false
			}
		}
		seen[n] = str
		n++
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

// walk reads one value from dec, whose schema is s, and refuses a member
// name that is twice in its object or that matches a member of s only when
// case is ignored. path names the value in errors ("" for the body).
func (s *schema) walk(dec *json.Decoder, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return serializationError("The request body could not be decoded.")
	}
	switch tok {
	case json.Delim('{'):
		var seen []string
		for dec.More() {
			at := dec.InputOffset()
			tok, err := dec.Token()
			name, ok := tok.(string)
			if err != nil || !ok {
				return serializationError("The request body could not be decoded.")
			}
			var sub *schema
			known := false
			if s != nil {
				sub, known = s.members[name]
			}
			for _, other := range seen {
				if other == name {
					if known {
						return serializationError("The member " + memberPath(path, name) + " appears twice in one object: member names must be unique (RFC 7493, section 2.3).")
					}
					return serializationError("A member name appears twice in one object, at byte " + strconv.FormatInt(at, 10) + " of the request body: member names must be unique (RFC 7493, section 2.3).")
				}
			}
			seen = append(seen, name)
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
			if err := sub.walk(dec, subPath); err != nil {
				return err
			}
		}
	case json.Delim('['):
		var elem *schema
		if s != nil {
			elem = s.elem
		}
		for i := 0; dec.More(); i++ {
			if err := elem.walk(dec, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	default:
		return nil
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return serializationError("The request body could not be decoded.")
	}
	return nil
}

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
