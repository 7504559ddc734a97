package awsapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"pgregory.net/rapid"

	"github.com/rotorkit/rotor"
)

// decoderBody is decodeBody as first written, always with a json.Decoder:
// the reference the decoding of a valid body by json.Unmarshal must agree
// with, in the value decoded and in the error answered.
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

func TestDecodeBodyAgreesWithADecoder(t *testing.T) {
	check := func(t interface{ Fatalf(string, ...any) }, body string) {
		for _, newReq := range []func() any{
			func() any { return new(getSecretValueRequest) },
			func() any { return new(createSecretRequest) },
			func() any { return new(listSecretsRequest) },
			func() any { return new(rotateSecretRequest) },
		} {
			got, want := newReq(), newReq()
			gerr, werr := decodeBody([]byte(body), got), decoderBody([]byte(body), want)
			if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gerr, werr) {
				t.Fatalf("body %q: decodeBody gives %+v, %v; a Decoder gives %+v, %v", body, got, gerr, want, werr)
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
		if err := decodeBody([]byte(tt.body), &req); err != nil {
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
