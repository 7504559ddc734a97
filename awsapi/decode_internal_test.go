package awsapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"
	"unicode/utf8"

	"pgregory.net/rapid"

	"github.com/rotorkit/rotor"
)

// decoderBody is unmarshalBody as first written, always with a
// json.Decoder: the reference the decoding of a valid body by json.Unmarshal
// must agree with, in the value decoded and in the error answered.
func decoderBody(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	err := dec.Decode(v)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			return serializationError("The request body must be a single JSON object.")
		}
		return nil
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

func TestUnmarshalBodyAgreesWithADecoder(t *testing.T) {
	check := func(t interface{ Fatalf(string, ...any) }, body string) {
		for _, newReq := range []func() any{
			func() any { return new(getSecretValueRequest) },
			func() any { return new(createSecretRequest) },
			func() any { return new(listSecretsRequest) },
			func() any { return new(rotateSecretRequest) },
		} {
			got, want := newReq(), newReq()
			gerr, werr := unmarshalBody([]byte(body), got), decoderBody([]byte(body), want)
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gerr, werr) {
				t.Fatalf("body %q: unmarshalBody gives %+v, %v; a Decoder gives %+v, %v", body, got, gerr, want, werr)
			}
		}
	}
	for _, body := range []string{
		``, ` `, `{}`, `{} `, `{}{}`, `{} {}`, `{} x`, `null`, `"s"`, `[]`, `1`, `{`, `{"SecretId":`, `{"SecretId":1}`,
		`{"SecretId":1} x`, `{"SecretId":"s","VersionStage":"AWSCURRENT"}`, `{"SecretBinary":"AAEC"}`, `{"SecretBinary":"AAE"}`,
		`{"SecretBinary":"!!!!"}`, `{"Tags":[{"Key":"k","Value":1}]}`, `{"MaxResults":1e400}`, `{"Filters":{}}`,
		`{"RotationRules":{"AutomaticallyAfterDays":"x"}}`, `{"SecretId":"\ud800"}`, "{\"SecretId\":\"a\"}\n",
	} {
		check(t, body)
	}
	rapid.Check(t, func(t *rapid.T) {
		piece := rapid.SampledFrom([]string{"{", "}", "[", "]", ",", ":", " ", `"SecretId"`, `"Name"`, `"SecretBinary"`, `"Tags"`,
			`"Key"`, `"MaxResults"`, `"Filters"`, `"RotationRules"`, `"AutomaticallyAfterDays"`, `"AAEC"`, `"AAE"`, `"s"`, "1", "-2", "1e400", "true", "null"})
		check(t, strings.Join(rapid.SliceOf(piece).Draw(t, "pieces"), ""))
	})
}

func TestRequestIDKeyIsCanonical(t *testing.T) {
	if want := http.CanonicalHeaderKey("x-amzn-RequestId"); requestIDKey != want {
		t.Fatalf("requestIDKey = %q, want %q", requestIDKey, want)
	}
}

// TestReadBodyReadsAll checks readBody against io.ReadAll whatever the
// declared length: right, too short, too long or unknown, and with readers
// that return a byte at a time or fail.
func TestReadBodyReadsAll(t *testing.T) {
	boom := errors.New("boom")
	for _, size := range []int{0, 1, 20, 511, 512, 513, 3000} {
		body := strings.Repeat("x", size)
		for _, declared := range []int64{-1, 0, int64(size) - 1, int64(size), int64(size) + 1, 511, 512, 5000} {
			for _, kind := range []string{"whole", "byte", "fails"} {
				reader := func() io.Reader {
					switch kind {
					case "byte":
						return iotest.OneByteReader(strings.NewReader(body))
					case "fails":
						return io.MultiReader(strings.NewReader(body), iotest.ErrReader(boom))
					}
					return strings.NewReader(body)
				}
				got, gerr := readBody(reader(), declared)
				want, werr := io.ReadAll(reader())
				if !bytes.Equal(got, want) || !errors.Is(gerr, werr) {
					t.Fatalf("size %d, declared %d, %s: readBody gives %d bytes, %v; io.ReadAll %d bytes, %v", size, declared, kind, len(got), gerr, len(want), werr)
				}
			}
		}
	}
}

func TestJSONMediaType(t *testing.T) {
	for _, ct := range []string{"application/x-amz-json-1.1", "application/json", "Application/X-Amz-Json-1.1", "application/x-amz-json-1.1; charset=utf-8",
		"application/x-amz-json-1.1;", "application/x-amz-json-1.0", "text/plain", "", "application/json; x", " application/json "} {
		mt, _, err := mime.ParseMediaType(ct)
		if got, want := jsonMediaType(ct), err == nil && (mt == "application/x-amz-json-1.1" || mt == "application/json"); got != want {
			t.Errorf("jsonMediaType(%q) = %v, want %v", ct, got, want)
		}
	}
}

// TestRotationRulesSentEmptyReachTheServiceAsNonNil checks that a
// RotationRules object that was sent, even with no member or with only
// AutomaticallyAfterDays 0, reaches the service as a non-nil zero
// RotationRules (which the service refuses), and that only an absent or null
// one reaches it as nil (keep the stored rules).
func TestRotationRulesSentEmptyReachTheServiceAsNonNil(t *testing.T) {
	for _, tt := range []struct {
		body string
		want *rotor.RotationRules
	}{
		{`{"SecretId":"s"}`, nil},
		{`{"SecretId":"s","RotationRules":null}`, nil},
		{`{"SecretId":"s","RotationRules":{}}`, &rotor.RotationRules{}},
		{`{"SecretId":"s","RotationRules":{"AutomaticallyAfterDays":0}}`, &rotor.RotationRules{}},
		{`{"SecretId":"s","RotationRules":{"Duration":"2h"}}`, &rotor.RotationRules{Duration: "2h"}},
		{`{"SecretId":"s","RotationRules":{"AutomaticallyAfterDays":30}}`, &rotor.RotationRules{AutomaticallyAfterDays: 30}},
	} {
		var req rotateSecretRequest
		if err := decodeBody([]byte(tt.body), &req, schemaOf(reflect.TypeFor[rotateSecretRequest]())); err != nil {
			t.Fatalf("%s: %v", tt.body, err)
		}
		if err := sentRules(req.RotationRules); err != nil {
			t.Fatalf("%s: refused at the edge: %v", tt.body, err)
		}
		if got := rulesIn(req.RotationRules); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: the service gets %+v, want %+v", tt.body, got, tt.want)
		}
	}
}

// requestTypes are request types of every shape: flat, with nested objects,
// with arrays of objects and with arrays of strings.
var requestTypes = []reflect.Type{
	reflect.TypeFor[getSecretValueRequest](),
	reflect.TypeFor[createSecretRequest](),
	reflect.TypeFor[putSecretValueRequest](),
	reflect.TypeFor[rotateSecretRequest](),
	reflect.TypeFor[listSecretsRequest](),
	reflect.TypeFor[batchGetSecretValueRequest](),
}

// ruleBroken is the reference of exact decoding, written apart from it: it
// reports whether body, which json.Unmarshal accepts into a t, is not UTF-8,
// has a string with a \u escape of an unpaired surrogate, has a member name
// twice in one object, or has a member name that matches a field of its
// object's struct only when case is ignored. It decodes every string's
// escapes itself, with unicode/utf16, and finds the fields with reflect.
func ruleBroken(t *testing.T, body []byte, typ reflect.Type) bool {
	if !utf8.Valid(body) {
		return true
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	token := func() (any, bool) {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("body %q: %v", body, err)
		}
		if _, ok := tok.(string); ok {
			raw := body[start:dec.InputOffset()]
			return tok, unicodeString(raw[bytes.IndexByte(raw, '"'):])
		}
		return tok, true
	}
	var value func(typ reflect.Type) bool
	value = func(typ reflect.Type) bool {
		for typ != nil && typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		tok, ok := token()
		if !ok {
			return true
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				key, ok := token()
				name := key.(string)
				if !ok || seen[name] {
					return true
				}
				seen[name] = true
				var field reflect.Type
				if typ != nil && typ.Kind() == reflect.Struct {
					for i := range typ.NumField() {
						tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
						if tag == name {
							field = typ.Field(i).Type
						}
					}
					for i := range typ.NumField() {
						tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
						if field == nil && strings.EqualFold(tag, name) {
							return true
						}
					}
				}
				if value(field) {
					return true
				}
			}
			token()
		case json.Delim('['):
			var elem reflect.Type
			if typ != nil && typ.Kind() == reflect.Slice {
				elem = typ.Elem()
			}
			for dec.More() {
				if value(elem) {
					return true
				}
			}
			token()
		}
		return false
	}
	return value(typ)
}

// unicodeString reports whether the JSON string literal raw (quotes
// included) decodes to Unicode characters only: every \u escape of a
// surrogate is one half of a pair.
func unicodeString(raw []byte) bool {
	s := raw[1 : len(raw)-1]
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		i++
		if s[i] != 'u' {
			continue
		}
		r, _ := strconv.ParseUint(string(s[i+1:i+5]), 16, 16)
		i += 4
		if !utf16.IsSurrogate(rune(r)) {
			continue
		}
		if i+6 >= len(s) || s[i+1] != '\\' || s[i+2] != 'u' {
			return false
		}
		r2, _ := strconv.ParseUint(string(s[i+3:i+7]), 16, 16)
		if utf16.DecodeRune(rune(r), rune(r2)) == utf8.RuneError {
			return false
		}
		i += 6
	}
	return true
}

// checkExact holds exact decoding to ruleBroken on one body: a body that
// json.Unmarshal accepts is refused exactly when it breaks a rule, and a
// body proved exact without parsing breaks none.
func checkExact(t *testing.T, body []byte) {
	for _, typ := range requestTypes {
		if unmarshalBody(body, reflect.New(typ).Interface()) != nil {
			continue
		}
		s := schemaOf(typ)
		broken := ruleBroken(t, body, typ)
		if err := s.exact(body); (err != nil) != broken {
			t.Fatalf("body %q as %v: exact gives %v, but the rules are broken: %v", body, typ, err, broken)
		}
		if err := s.exactByTokens(body); (err != nil) != broken {
			t.Fatalf("body %q as %v: exactByTokens gives %v, but the rules are broken: %v", body, typ, err, broken)
		}
		if s.plain && s.provedExact(body) && broken {
			t.Fatalf("body %q as %v is proved exact but breaks the rules", body, typ)
		}
	}
}

var exactSeeds = []string{
	``, `{}`, `null`, `{"SecretId":"s"}`, `{"secretid":"s"}`, `{"SecretId":"a","SecretId":"b"}`, `{"SecretId":"a","secretId":"b"}`,
	`{"SecretId":"\ud800"}`, `{"SecretId":"\udc00"}`, `{"SecretId":"\ud83d\ude00"}`, `{"SecretId":"\\ud800"}`, `{"SecretId":"\\\ud800"}`,
	`{"SecretId":"\ud800\u0041"}`, `{"SecretId":"\ud800\\u0041"}`, "{\"SecretId\":\"\xff\"}", "{\"SecretId\":\"\xed\xa0\x80\"}",
	`{"\u0053ecretId":"s"}`, `{"\u212aey":1}`, `{"Tags":[{"\u212aey":"k","Value":"v"}]}`, `{"Tags":[{"Key":"k","Key":"v"}]}`,
	`{"Tags":[{"Key":"k","Value":"v"},{"Key":"k","Value":"v"}]}`, `{"RotationRules":{"automaticallyAfterDays":1}}`,
	`{"RotationRules":{"AutomaticallyAfterDays":1,"AutomaticallyAfterDays":2}}`, `{"Filters":[{"Key":"name","values":["a"]}]}`,
	`{"Extra":{"a":1,"a":2}}`, `{"Extra":{"SecretId":1,"secretid":2}}`, `{"Extra":[{"a":1},{"a":1}]}`, `{"SecretId":"s","Key":"x"}`,
	`{"SecretId" : "s" , "VersionStage" : "AWSCURRENT"}`, `{"SecretId":"a:b","VersionId":"\"quoted\""}`, `{"SecretId":":"}`,
	`{"A":1,"B":2,"C":3,"D":4,"E":5,"F":6,"G":7,"H":8,"I":9}`, `{"SecretIdList":["a","a"]}`, "{\"SecretString\":\"\u00e9\"}",
	`{"SecretString":"{\"a\":1,\"a\":2}","SecretId":"x"}`, `{"SecretString":"\\","SecretId":"x"}`, `{"SecretString":"\\\"","SecretId":":"}`,
	`{"Tags":[{"Key":"a","Value":"1"},{"Key":"b","Value":"2"}],"Name":"n"}`, `{"Tags":[{"Key":"a","Key":"1"}]}`,
	`{"Extra":` + strings.Repeat(`{"a":`, 20) + `1` + strings.Repeat(`}`, 20) + `}`, `{"Ke\u0079":1}`, `{"secretid" :1}`,
	"{\"ClientRequeſtToken\":\"t\"}", "{\"\u212aey\":1,\"Tags\":[{\"\u212aey\":\"k\"}]}", "{\"ſecretId\":\"s\"}",
}

func TestExactDecodingKeepsTheRules(t *testing.T) {
	for _, body := range exactSeeds {
		checkExact(t, []byte(body))
	}
	rapid.Check(t, func(rt *rapid.T) {
		piece := rapid.SampledFrom([]string{"{", "}", "[", "]", ",", ":", " ", `"SecretId"`, `"secretId"`, `"SECRETID"`, `"Name"`,
			`"Tags"`, `"Key"`, `"key"`, `"Value"`, `"\u212aey"`, `"Values"`, `"Filters"`, `"RotationRules"`, `"AutomaticallyAfterDays"`,
			`"Extra"`, `"s"`, `"\ud800"`, `"\udc00"`, `"\ud800\udc00"`, `"\\ud800"`, `"\\\ud800"`, `"\ud800\\"`, "\"\xff\"", `"é"`,
			`"\u0053ecretId"`, `":"`, `"\""`, "1", "true", "null", "\"\u212aey\"", "\"ſecretId\"", "\"ClientRequeſtToken\"",
			`"ClientRequestToken"`})
		checkExact(t, []byte(strings.Join(rapid.SliceOf(piece).Draw(rt, "pieces"), "")))
	})
}

// FuzzExactDecoding holds exact decoding to the rules (ruleBroken) on any
// body: refused exactly when a rule is broken, and never proved exact when
// one is.
func FuzzExactDecoding(f *testing.F) {
	for _, body := range exactSeeds {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		checkExact(t, []byte(body))
	})
}

// BenchmarkDecodeBody measures the decoding of a request body with and
// without its exactness check, for GetSecretValue's body and for a
// PutSecretValue whose JSON secret value has escapes: both proved exact
// without a second parse. walked is the same PutSecretValue with one member
// name escaped, which exactByTokens reads value by value.
func BenchmarkDecodeBody(b *testing.B) {
	for _, bc := range []struct {
		name string
		body string
		typ  reflect.Type
	}{
		{"plain", `{"SecretId":"bench"}`, reflect.TypeFor[getSecretValueRequest]()},
		{"escaped", `{"SecretId":"bench","ClientRequestToken":"11111111-1111-4111-8111-111111111111","SecretString":"{\"username\":\"admin\",\"password\":\"p\\u00e4ss\"}"}`,
			reflect.TypeFor[putSecretValueRequest]()},
		{"walked", `{"\u0053ecretId":"bench","ClientRequestToken":"11111111-1111-4111-8111-111111111111","SecretString":"{\"username\":\"admin\",\"password\":\"p\\u00e4ss\"}"}`,
			reflect.TypeFor[putSecretValueRequest]()},
	} {
		s := schemaOf(bc.typ)
		body := []byte(bc.body)
		for _, check := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/exact=%v", bc.name, check), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					v := reflect.New(bc.typ).Interface()
					if err := unmarshalBody(body, v); err != nil {
						b.Fatal(err)
					}
					if check {
						if err := s.exact(body); err != nil {
							b.Fatal(err)
						}
					}
				}
			})
		}
	}
}

// TestWhatTheSDKsSendIsProvedExact pins the cost of exact decoding: the
// bodies SDKs send, GetSecretValue's on the hot path, JSON secret values with
// escapes and tag lists included, are proved exact without a second parse
// and without allocating.
func TestWhatTheSDKsSendIsProvedExact(t *testing.T) {
	for _, tt := range []struct {
		typ  reflect.Type
		body string
	}{
		{reflect.TypeFor[getSecretValueRequest](), `{"SecretId":"prod/db","VersionStage":"AWSCURRENT"}`},
		{reflect.TypeFor[createSecretRequest](), `{"ClientRequestToken":"11111111-1111-4111-8111-111111111111","Name":"prod/db",` +
			`"SecretString":"{\"username\":\"admin\",\"password\":\"p\u00e4ss\\\"w\"}","Tags":[{"Key":"team","Value":"core"},{"Key":"env","Value":"prod"}]}`},
		{reflect.TypeFor[putSecretValueRequest](), `{"ClientRequestToken":"t","SecretId":"s","SecretString":"caf\u00e9 \ud83d\ude00 é","VersionStages":["AWSCURRENT","blue"]}`},
		{reflect.TypeFor[rotateSecretRequest](), `{"ClientRequestToken":"t","RotationRules":{"Duration":"2h","ScheduleExpression":"cron(0 16 1,15 * ? *)"},"SecretId":"s"}`},
		{reflect.TypeFor[listSecretsRequest](), `{"Filters":[{"Key":"name","Values":["prod/","dev/"]},{"Key":"tag-key","Values":["team"]}],"MaxResults":10}`},
	} {
		s := schemaOf(tt.typ)
		body := []byte(tt.body)
		if err := unmarshalBody(body, reflect.New(tt.typ).Interface()); err != nil {
			t.Fatalf("%s: %v", tt.body, err)
		}
		if !s.plain || !s.provedExact(body) {
			t.Errorf("%s is not proved exact", tt.body)
		}
		if n := testing.AllocsPerRun(20, func() { _ = s.exact(body) }); n != 0 {
			t.Errorf("checking %s allocates %v times", tt.body, n)
		}
	}
}

// TestANameOutsideASCIIIsNeverProvedExact pins a case a length shortcut
// once got wrong: a name spelled with U+017F (long s) or U+212A (Kelvin) in
// UTF-8 has more bytes than the name it matches, even the schema's longest.
func TestANameOutsideASCIIIsNeverProvedExact(t *testing.T) {
	for _, body := range []string{
		"{\"ClientRequeſtToken\":\"t\"}", "{\"SecretId\":\"s\",\"ClientRequeſtToken\":\"t\"}", "{\"SecretString\":\"x\",\"\u212aey\":1}",
		"{\"Tags\":[{\"\u212aey\":\"k\",\"Value\":\"v\"}]}",
	} {
		checkExact(t, []byte(body))
		s := schemaOf(reflect.TypeFor[putSecretValueRequest]())
		if s.provedExact([]byte(body)) {
			t.Errorf("%s is proved exact", body)
		}
	}
	s := schemaOf(reflect.TypeFor[putSecretValueRequest]())
	var req putSecretValueRequest
	body := []byte("{\"SecretId\":\"s\",\"ClientRequeſtToken\":\"t\"}")
	if err := decodeBody(body, &req, s); err == nil {
		t.Errorf("%s is decoded as %+v", body, req)
	}
}
