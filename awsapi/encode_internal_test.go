package awsapi

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"pgregory.net/rapid"
)

// TestAppendJSONIsMarshal holds the reflection-free encoder of the
// GetSecretValue reply to json.Marshal's bytes, for replies with every
// field empty or not and strings with characters JSON escapes.
func TestAppendJSONIsMarshal(t *testing.T) {
	str := rapid.OneOf(
		rapid.SampledFrom([]string{"", "plain", "x y", `"`, `\`, "<a>&", "\x00\x1f\x7f", "\u2028\u2029", "é", "\xff", "a\nb\tc"}),
		rapid.String(),
		rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) string { return string(b) }),
	)
	rapid.Check(t, func(t *rapid.T) {
		r := secretValueResponse{
			ARN: str.Draw(t, "arn"), Name: str.Draw(t, "name"), VersionId: str.Draw(t, "version"),
			SecretString:  str.Draw(t, "string"),
			SecretBinary:  rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "binary"),
			VersionStages: rapid.OneOf(rapid.Just([]string(nil)), rapid.SliceOfN(str, 0, 3)).Draw(t, "stages"),
		}
		if rapid.Bool().Draw(t, "dated") {
			r.CreatedDate = stamp(time.UnixMilli(rapid.Int64Range(0, 1<<42).Draw(t, "ms")))
		}
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.appendJSON([]byte("prefix")); !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Fatalf("appendJSON gives %s\njson.Marshal gives %s", got[len("prefix"):], want)
		}
	})
}

// TestRequestIDs checks that request ids are distinct version 4 UUIDs,
// also where the count carries across bytes.
func TestRequestIDs(t *testing.T) {
	for _, base := range []uuid.UUID{uuid.New(), uuid.MustParse("ffffffff-ffff-4fff-bfff-fffffffffff0")} {
		g := requestIDs{base: base}
		seen := make(map[string]bool)
		for range 1000 {
			s := g.next()
			id, err := uuid.Parse(s)
			if err != nil || id.Version() != 4 || id.Variant() != uuid.RFC4122 {
				t.Fatalf("request id %q: version %v, variant %v, %v", s, id.Version(), id.Variant(), err)
			}
			if seen[s] {
				t.Fatalf("request id %q given twice", s)
			}
			seen[s] = true
		}
	}
}
