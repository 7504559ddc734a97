package cli

import (
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// What the YAML output says reads back as the same data.
func FuzzYAMLRoundTrip(f *testing.F) {
	for _, s := range []string{"", "n", "yes", "1.5", "0x1F", "2026-01-01", "- a", "a: b", "#x", "'q'", "a\nb", " lead", "tail ", "tab\there", "é", "null", "~", "---", "long " + strings.Repeat("word ", 30)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Other line breaks than \n are breaks to libyaml but not to
		// YAML 1.2 readers; the aws CLI has the same trouble with them.
		if !utf8.ValidString(s) || strings.ContainsAny(s, "\r\u0085\u2028\u2029") {
			return
		}
		data := map[string]any{"k": s, "list": []any{s, map[string]any{"in": s}}}
		out := formatYAML(data)
		var back any
		if err := yaml.Unmarshal([]byte(out), &back); err != nil {
			t.Fatalf("%q: %v\n%s", s, err, out)
		}
		m, ok := back.(map[string]any)
		if !ok || len(m) != 2 {
			t.Fatalf("%q: read back %#v from\n%s", s, back, out)
		}
		// A plain scalar may read back as another type under yaml.v3's
		// schema, which is not ruamel.yaml's; a quoted one must not.
		if got, isString := m["k"].(string); isString && got != s || !isString && !yamlPlain(s) {
			t.Fatalf("%q: read back %#v from\n%s", s, m["k"], out)
		}
	})
}

// yamlPlain reports whether s is printed as a plain scalar.
func yamlPlain(s string) bool {
	return !needsQuotes(s) && analyzeScalar(s).blockPlain
}

func TestYAMLQuoting(t *testing.T) {
	for s, want := range map[string]string{
		"n": "n", "yes": "yes", "on": "on", "0B0": "0B0", "0b1": "'0b1'", "1.5": "'1.5'", "1e5": "'1e5'", "07": "'07'",
		"0x1F": "'0x1F'", "2026-01-01": "'2026-01-01'", "2026-1-1": "2026-1-1", "2026-01-15T10:30:00.123000+00:00": "'2026-01-15T10:30:00.123000+00:00'",
		"~": "'~'", "null": "'null'", "Null": "'Null'", "NULL": "'NULL'", "nULL": "nULL", "=": "'='", "<<": "'<<'", "": "''",
		"- a": "'- a'", "-a": "-a", "a: b": "'a: b'", "a:b": "a:b", "a #b": "'a #b'", "a#b": "a#b", "#a": "'#a'", "@a": "'@a'",
		" a": "' a'", "a ": "'a '", "it's": "it's", "'q'": "'''q'''", "tab\there": `"tab\there"`, "café": "café",
	} {
		got := strings.TrimSuffix(strings.TrimPrefix(formatYAML(map[string]any{"k": s}), "k: "), "\n")
		if got != want {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}
