package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPatterns(t *testing.T) {
	cases := []struct {
		name    string
		pattern string
		fold    bool
		s       string
		want    bool
	}{
		{"a literal matches itself", "abc", false, "abc", true},
		{"a literal does not match a longer string", "abc", false, "abcd", false},
		{"* matches the empty string", "*", false, "", true},
		{"a trailing * is a prefix", "ab*", false, "abxyz", true},
		{"a trailing * needs the whole prefix", "ab*", false, "a", false},
		{"a leading * is a suffix", "*yz", false, "abxyz", true},
		{"several * backtrack", "a*b*c", false, "aXbYbZc", true},
		{"several * fail when the order is wrong", "a*b*c", false, "acb", false},
		{"? matches one character", "a?c", false, "abc", true},
		{"? does not match none", "a?c", false, "ac", false},
		{"? matches one multi-byte character", "a?c", false, "aéc", true},
		{"* then ? at the end", "*?", false, "x", true},
		{"* then ? needs a character", "*?", false, "", false},
		{"fold ignores ASCII case", "secretsmanager:get*", true, "SecretsManager:GetSecretValue", true},
		{"without fold case matters", "prod/*", false, "Prod/db", false},
		{"a literal with fold ignores case", "a:b", true, "A:B", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := compilePattern(tc.pattern, tc.fold)
			assert.Equal(t, tc.want, p.match(tc.s), "compiled")
			want := tc.pattern
			if tc.fold {
				// glob folds only the subject; the compiled pattern is lower case.
				p := compilePattern(tc.pattern, true)
				want = p.text
				if p.kind == patternPrefix {
					want += "*"
				}
			}
			assert.Equal(t, tc.want, glob(want, tc.s, tc.fold), "glob")
		})
	}
}

func TestARNPatterns(t *testing.T) {
	const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"
	cases := []struct {
		name    string
		pattern string
		want    bool
	}{
		{"* matches every ARN", "*", true},
		{"the exact ARN matches", arn, true},
		{"a wildcard resource part matches", "arn:aws:secretsmanager:us-east-1:123456789012:secret:*", true},
		{"whole-segment wildcards match", "arn:*:*:*:*:secret:prod/*", true},
		{"a * inside a segment stays inside it", "arn:aws:secretsmanager:us-*:123456789012:secret:prod/*", true},
		{"a * inside a segment cannot swallow the next colon", "arn:aws:secretsmanager:us-east-1*:secret:prod/*", false},
		{"a * ending the pattern runs across colons", "arn:aws:secretsmanager:*", true},
		{"a pattern that ends early without * does not match", "arn:aws:secretsmanager:us-east-1", false},
		{"the resource part keeps its colons", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-??????", true},
		{"case matters", "arn:aws:secretsmanager:US-EAST-1:123456789012:secret:*", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := compileARN(tc.pattern)
			assert.Equal(t, tc.want, p.match(arn))
		})
	}
}
