package cli

import (
	"reflect"
	"testing"
)

// The cases follow awscli's own shorthand tests (tests/unit/test_shorthand.py).
func TestParseShorthand(t *testing.T) {
	for _, c := range []struct {
		in   string
		want map[string]any
	}{
		{"AutomaticallyAfterDays=10", map[string]any{"AutomaticallyAfterDays": "10"}},
		{"AutomaticallyAfterDays=10,Duration=2h", map[string]any{"AutomaticallyAfterDays": "10", "Duration": "2h"}},
		{"Key=string,Values=string,string", map[string]any{"Key": "string", "Values": []any{"string", "string"}}},
		{"Key=name,Values=a,b,c", map[string]any{"Key": "name", "Values": []any{"a", "b", "c"}}},
		{"Values=a,b,Key=name", map[string]any{"Values": []any{"a", "b"}, "Key": "name"}},
		{"a=b,c", map[string]any{"a": []any{"b", "c"}}},
		{"a=", map[string]any{"a": ""}},
		{"a=b, c=d", map[string]any{"a": "b", "c": "d"}},
		{"a = b , c = d", map[string]any{"a": "b", "c": "d"}},
		{"a=[b,c]", map[string]any{"a": []any{"b", "c"}}},
		{"a=[]", map[string]any{"a": []any{}}},
		{"a={b=c,d=e}", map[string]any{"a": map[string]any{"b": "c", "d": "e"}}},
		{"a={b=[c,d]}", map[string]any{"a": map[string]any{"b": []any{"c", "d"}}}},
		{"a='b,c'", map[string]any{"a": "b,c"}},
		{`a="b,c"`, map[string]any{"a": "b,c"}},
		{`a='it\'s'`, map[string]any{"a": "it's"}},
		{`a=b\,c`, map[string]any{"a": "b,c"}},
		{"ScheduleExpression=cron(0 16 1,15 * ? *),Duration=2h", map[string]any{"ScheduleExpression": []any{"cron(0 16 1", "15 * ? *)"}, "Duration": "2h"}},
		{"ScheduleExpression='cron(0 16 1,15 * ? *)',Duration=2h", map[string]any{"ScheduleExpression": "cron(0 16 1,15 * ? *)", "Duration": "2h"}},
		{"ScheduleExpression=rate(10 days)", map[string]any{"ScheduleExpression": "rate(10 days)"}},
		{"Key=café,Value=naïve", map[string]any{"Key": "café", "Value": "naïve"}},
		{"a=b=c", map[string]any{"a": "b=c"}},
		{"a=http://x/y?z=1", map[string]any{"a": "http://x/y?z=1"}},
	} {
		got, err := ParseShorthand(c.in)
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: got %#v, want %#v", c.in, got, c.want)
		}
	}
}

func TestParseShorthandErrors(t *testing.T) {
	for _, in := range []string{"", "a", "a=b,", "a=[b", "a={b=c", "a='b", "a=b,a=c"} {
		if got, err := ParseShorthand(in); err == nil {
			t.Errorf("%q: no error, got %#v", in, got)
		}
	}
}

func FuzzParseShorthand(f *testing.F) {
	for _, s := range []string{"a=b", "a=b,c=d", "Key=k,Values=a,b", "a=[b,{c=d}]", `a='x\'y'`, `a="x\"y",b=\,`, "a={b=[]}", "é=ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseShorthand(s)
	})
}
