package rotor

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// marshalRecord is EncodeSecret as first written: json.Marshal of the whole
// record. EncodeSecret must give its bytes.
func marshalRecord(s *Secret) ([]byte, error) {
	r := record{recordHead: headOf(s)}
	r.Versions = make([]versionRecord, len(s.Versions))
	for i, v := range s.Versions {
		vr := versionRecord{ID: v.ID, CreatedDate: v.CreatedDate, LastAccessedDate: v.LastAccessedDate}
		switch {
		case v.Value.IsZero():
		case v.Value.IsBinary():
			_, vr.Binary = v.Value.view()
			vr.IsBinary = true
		default:
			text, _ := v.Value.view()
			vr.String = &text
		}
		r.Versions[i] = vr
	}
	return json.Marshal(r)
}

// recordText draws strings that JSON copies and strings it escapes.
var recordText = rapid.OneOf(
	rapid.SampledFrom([]string{"", "db/prod", `{"password":"p<&>"}`, "\x00\t\n\x7f", "\u2028é日本", "\xff\xfe"}),
	rapid.String(),
	rapid.Map(rapid.SliceOfN(rapid.Byte(), 0, 20), func(b []byte) string { return string(b) }),
)

// recordTime draws zero, UTC and non-UTC times, some beyond year 9999.
func recordTime(t *rapid.T, label string) time.Time {
	switch rapid.IntRange(0, 4).Draw(t, label+" kind") {
	case 0:
		return time.Time{}
	case 1:
		return time.Unix(rapid.Int64Range(-1<<35, 1<<38).Draw(t, label), rapid.Int64Range(0, 999999999).Draw(t, label+" ns")).In(time.FixedZone("X", 3600))
	case 2:
		return time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Unix(rapid.Int64Range(0, 1<<34).Draw(t, label), rapid.Int64Range(0, 999999999).Draw(t, label+" ns")).UTC()
}

func drawSecret(t *rapid.T) *Secret {
	s := &Secret{
		ARN: recordText.Draw(t, "arn"), Name: recordText.Draw(t, "name"), Description: recordText.Draw(t, "desc"),
		CreatedDate: recordTime(t, "created"), LastChangedDate: recordTime(t, "changed"),
		RotationEnabled: rapid.Bool().Draw(t, "on"), ResourcePolicy: recordText.Draw(t, "policy"),
		RotationRules: RotationRules{AutomaticallyAfterDays: rapid.Int64Range(0, 1000).Draw(t, "days")},
	}
	if rapid.Bool().Draw(t, "tagged") {
		s.Tags = []Tag{}
		for range rapid.IntRange(0, 3).Draw(t, "tags") {
			s.Tags = append(s.Tags, Tag{Key: recordText.Draw(t, "key"), Value: recordText.Draw(t, "value")})
		}
	}
	if rapid.Bool().Draw(t, "rotating") {
		s.Rotation = &RotationState{Token: recordText.Draw(t, "token"), StepsDone: 2, StartedAt: recordTime(t, "started")}
	}
	for i := range rapid.IntRange(0, 5).Draw(t, "versions") {
		v := &Version{ID: recordText.Draw(t, "id"), CreatedDate: recordTime(t, "vcreated"), LastAccessedDate: recordTime(t, "vaccessed")}
		switch rapid.IntRange(0, 2).Draw(t, "value kind") {
		case 1:
			v.Value = StringValue(recordText.Draw(t, "text"))
		case 2:
			v.Value = BinaryValue(rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "bytes"))
		}
		s.Versions = append(s.Versions, v)
		if i == 0 {
			s.Stages = []Stage{{Label: StageCurrent, VersionID: v.ID}}
		}
	}
	return s
}

// TestEncodeSecretIsJSONMarshal holds EncodeSecret, which appends the
// versions without reflection, to json.Marshal of the whole record, errors
// included, and checks that DecodeSecret gives the secret back.
func TestEncodeSecretIsJSONMarshal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := drawSecret(t)
		got, gerr := EncodeSecret(s)
		want, werr := marshalRecord(s)
		if (gerr == nil) != (werr == nil) {
			t.Fatalf("EncodeSecret error %v, json.Marshal error %v", gerr, werr)
		}
		if werr != nil {
			return
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("EncodeSecret gives\n%s\njson.Marshal gives\n%s", got, want)
		}
		// Decoding turns bytes that are not UTF-8 into U+FFFD, so the
		// bytes are stable from the second round on.
		again := roundTrip(t, got)
		if thrice := roundTrip(t, again); !bytes.Equal(thrice, again) {
			t.Fatalf("a decoded secret encodes differently:\n%s\n%s", thrice, again)
		}
	})
}

// roundTrip decodes and encodes a record again.
func roundTrip(t *rapid.T, b []byte) []byte {
	s, err := DecodeSecret(b)
	if err != nil {
		t.Fatal(err)
	}
	again, err := EncodeSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	return again
}

// FuzzDecodeSecret feeds DecodeSecret damaged records, as a damaged file or
// row would: it must fail or give a secret that encodes and decodes again.
func FuzzDecodeSecret(f *testing.F) {
	now := time.Date(2024, 3, 9, 12, 0, 0, 0, time.UTC)
	s := &Secret{ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:a-AbCdEf", Name: "a", CreatedDate: now,
		Versions: []*Version{{ID: "v1", Value: StringValue("x"), CreatedDate: now}, {ID: "v2", Value: BinaryValue([]byte{1}), CreatedDate: now}},
		Stages:   []Stage{{Label: StageCurrent, VersionID: "v1"}}, Tags: []Tag{{Key: "k", Value: "v"}}}
	good, err := EncodeSecret(s)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"f":1}`))
	f.Add([]byte(`{"f":2}`))
	f.Add([]byte(`{"f":1,"versions":[{"id":"x","b":"!!"}]}`))
	f.Add(good[:len(good)/2])
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeSecret(b)
		if err != nil {
			return
		}
		again, err := EncodeSecret(s)
		if err != nil {
			return // a time beyond what RFC 3339 says, say
		}
		if _, err := DecodeSecret(again); err != nil {
			t.Fatalf("a decoded record re-encodes to one that does not decode: %v", err)
		}
	})
}

// recordFormatOne is a record as rotor wrote it before EncodeSecret appended
// versions itself: files and rows hold records like it.
const recordFormatOne = `{"f":1,"arn":"arn:aws:secretsmanager:us-east-1:000000000000:secret:db/prod-AbCdEf","name":"db/prod","desc":"the \u003cmain\u003e db \u0026 co","kms":"alias/k","tags":[{"Key":"team","Value":"core"}],"created":"2024-03-09T12:30:45.123456789Z","changed":"2024-03-09T13:30:45.123456789Z","accessed":"0001-01-01T00:00:00Z","rotated":"0001-01-01T00:00:00Z","next":"0001-01-01T00:00:00Z","deleted":"0001-01-01T00:00:00Z","deletion":"0001-01-01T00:00:00Z","rotcfg":true,"roton":true,"lambda":"arn:aws:lambda:us-east-1:000000000000:function:rot","rules":{"AutomaticallyAfterDays":30,"Duration":"","ScheduleExpression":""},"policy":"{\"Version\":\"2012-10-17\"}","stages":[{"Label":"AWSCURRENT","VersionID":"v2"},{"Label":"AWSPENDING","VersionID":"v3"},{"Label":"AWSPREVIOUS","VersionID":"v1"}],"rotation":{"Token":"v3","StepsDone":1,"Attempts":1,"LastError":"","RotationToken":"","StartedAt":"2024-03-09T12:30:45.123456789Z","NextAttempt":"0001-01-01T00:00:00Z","LeaseOwner":"","LeaseExpires":"0001-01-01T00:00:00Z","Abandoned":false},"versions":[{"id":"v1","s":"{\"user\":\"a\",\"pass\":\"\\\"x\\\"\"}","created":"2024-03-09T12:30:45.123456789Z","accessed":"0001-01-01T00:00:00Z"},{"id":"v2","b":"AAEC/w==","bin":true,"created":"2024-03-09T12:30:45.123456789Z","accessed":"2024-03-09T00:00:00Z"},{"id":"v3","created":"2024-03-09T12:30:45.123456789Z","accessed":"0001-01-01T00:00:00Z"}]}`

// recordWithFunctionARN is a record written when the rotation state named
// its function; decoding ignores the member.
const recordWithFunctionARN = `{"f":1,"arn":"arn:aws:secretsmanager:us-east-1:000000000000:secret:db/prod-AbCdEf","name":"db/prod","desc":"the \u003cmain\u003e db \u0026 co","kms":"alias/k","tags":[{"Key":"team","Value":"core"}],"created":"2024-03-09T12:30:45.123456789Z","changed":"2024-03-09T13:30:45.123456789Z","accessed":"0001-01-01T00:00:00Z","rotated":"0001-01-01T00:00:00Z","next":"0001-01-01T00:00:00Z","deleted":"0001-01-01T00:00:00Z","deletion":"0001-01-01T00:00:00Z","rotcfg":true,"roton":true,"lambda":"arn:aws:lambda:us-east-1:000000000000:function:rot","rules":{"AutomaticallyAfterDays":30,"Duration":"","ScheduleExpression":""},"policy":"{\"Version\":\"2012-10-17\"}","stages":[{"Label":"AWSCURRENT","VersionID":"v2"},{"Label":"AWSPENDING","VersionID":"v3"},{"Label":"AWSPREVIOUS","VersionID":"v1"}],"rotation":{"Token":"v3","FunctionARN":"","StepsDone":1,"Attempts":1,"LastError":"","RotationToken":"","StartedAt":"2024-03-09T12:30:45.123456789Z","NextAttempt":"0001-01-01T00:00:00Z","LeaseOwner":"","LeaseExpires":"0001-01-01T00:00:00Z","Abandoned":false},"versions":[{"id":"v1","s":"{\"user\":\"a\",\"pass\":\"\\\"x\\\"\"}","created":"2024-03-09T12:30:45.123456789Z","accessed":"0001-01-01T00:00:00Z"},{"id":"v2","b":"AAEC/w==","bin":true,"created":"2024-03-09T12:30:45.123456789Z","accessed":"2024-03-09T00:00:00Z"},{"id":"v3","created":"2024-03-09T12:30:45.123456789Z","accessed":"0001-01-01T00:00:00Z"}]}`

// TestRecordFormatOneIsStable pins the on-disk format: a secret encodes to
// the bytes rotor always wrote for it, and those bytes decode to it.
func TestRecordFormatOneIsStable(t *testing.T) {
	at := time.Date(2024, 3, 9, 12, 30, 45, 123456789, time.UTC)
	s := &Secret{ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:db/prod-AbCdEf", Name: "db/prod", Description: "the <main> db & co",
		KmsKeyID: "alias/k", Tags: []Tag{{Key: "team", Value: "core"}}, CreatedDate: at, LastChangedDate: at.Add(time.Hour),
		RotationConfigured: true, RotationEnabled: true, RotationLambdaARN: "arn:aws:lambda:us-east-1:000000000000:function:rot",
		RotationRules: RotationRules{AutomaticallyAfterDays: 30}, ResourcePolicy: `{"Version":"2012-10-17"}`,
		Stages:   []Stage{{Label: StageCurrent, VersionID: "v2"}, {Label: StagePending, VersionID: "v3"}, {Label: StagePrevious, VersionID: "v1"}},
		Rotation: &RotationState{Token: "v3", StepsDone: 1, Attempts: 1, StartedAt: at},
		Versions: []*Version{{ID: "v1", Value: StringValue(`{"user":"a","pass":"\"x\""}`), CreatedDate: at},
			{ID: "v2", Value: BinaryValue([]byte{0, 1, 2, 255}), CreatedDate: at, LastAccessedDate: at.Truncate(24 * time.Hour)},
			{ID: "v3", CreatedDate: at}}}
	got, err := EncodeSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != recordFormatOne {
		t.Fatalf("EncodeSecret gives\n%s\nrotor wrote\n%s", got, recordFormatOne)
	}
	back, err := DecodeSecret([]byte(recordFormatOne))
	if err != nil {
		t.Fatal(err)
	}
	again, err := EncodeSecret(back)
	if err != nil || string(again) != recordFormatOne {
		t.Fatalf("the stored record decodes to a secret that encodes as\n%s (%v)", again, err)
	}
	older, err := DecodeSecret([]byte(recordWithFunctionARN))
	if err != nil {
		t.Fatal(err)
	}
	if again, err := EncodeSecret(older); err != nil || string(again) != recordFormatOne {
		t.Fatalf("a record naming the rotation's function decodes to a secret that encodes as\n%s (%v)", again, err)
	}
}
