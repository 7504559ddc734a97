package cli

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// formatText prints data as the aws CLI's text output does
// (awscli/text.py): scalars of an object on one tab-separated line in key
// order, nested lists and objects after it under an upper-case identifier.
func formatText(data any, order map[uintptr][]string) string {
	var b strings.Builder
	textItem(&b, data, "", nil)
	return b.String()
}

func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return x
	}
	return pyNumber(v)
}

func isCollection(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

func textItem(b *strings.Builder, item any, identifier string, scalarKeys []string) {
	switch x := item.(type) {
	case map[string]any:
		textDict(b, x, identifier, scalarKeys)
	case []any:
		textList(b, x, identifier)
	default:
		b.WriteString(pyStr(item) + "\n")
	}
}

func textList(b *strings.Builder, list []any, identifier string) {
	if len(list) == 0 {
		return
	}
	hasDict, hasList := false, false
	for _, e := range list {
		switch e.(type) {
		case map[string]any:
			hasDict = true
		case []any:
			hasList = true
		}
	}
	switch {
	case hasDict:
		keys := allScalarKeys(list)
		for _, e := range list {
			textItem(b, e, identifier, keys)
		}
	case hasList:
		var scalars, others []any
		for _, e := range list {
			if isCollection(e) {
				others = append(others, e)
			} else {
				scalars = append(scalars, e)
			}
		}
		if len(scalars) > 0 {
			textScalarList(b, scalars, identifier)
		}
		for _, e := range others {
			textItem(b, e, identifier, nil)
		}
	default:
		textScalarList(b, list, identifier)
	}
}

func textScalarList(b *strings.Builder, list []any, identifier string) {
	if identifier != "" {
		for _, e := range list {
			fmt.Fprintf(b, "%s\t%s\n", strings.ToUpper(identifier), pyStr(e))
		}
		return
	}
	parts := make([]string, len(list))
	for i, e := range list {
		parts[i] = pyStr(e)
	}
	b.WriteString(strings.Join(parts, "\t") + "\n")
}

func allScalarKeys(list []any) []string {
	seen := map[string]bool{}
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			for k, v := range m {
				if !isCollection(v) {
					seen[k] = true
				}
			}
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func textDict(b *strings.Builder, m map[string]any, identifier string, scalarKeys []string) {
	var scalars []string
	type pair struct {
		k string
		v any
	}
	var others []pair
	if scalarKeys == nil {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if isCollection(m[k]) {
				others = append(others, pair{k, m[k]})
			} else {
				scalars = append(scalars, pyStr(m[k]))
			}
		}
	} else {
		for _, k := range scalarKeys {
			v, ok := m[k]
			if !ok {
				scalars = append(scalars, "")
				continue
			}
			scalars = append(scalars, pyStr(v))
		}
		var rest []string
		for k := range m {
			if !slices.Contains(scalarKeys, k) {
				rest = append(rest, k)
			}
		}
		slices.Sort(rest)
		for _, k := range rest {
			others = append(others, pair{k, m[k]})
		}
	}
	if len(scalars) > 0 {
		if identifier != "" {
			scalars = append([]string{strings.ToUpper(identifier)}, scalars...)
		}
		b.WriteString(strings.Join(scalars, "\t") + "\n")
	}
	for _, p := range others {
		textItem(b, p.v, p.k, nil)
	}
}

// yaml12Implicit matches the plain scalars that the aws CLI's YAML library
// (ruamel.yaml, YAML 1.2) resolves to something other than a string:
// booleans, floats, ints, merge keys, nulls, timestamps and "=". Such strings
// must be quoted. The expressions are ruamel.yaml's.
var yaml12Implicit = regexp.MustCompile(`^(?:` +
	`true|True|TRUE|false|False|FALSE|` +
	`[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|` +
	`[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+|` +
	`<<|~|null|Null|NULL|` +
	`[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?|` +
	`=` +
	`)\n?$`)

// needsQuotes reports whether a string would not read back as a string if
// printed plain. Other reasons to quote (indicators, spaces at the ends) are
// the YAML emitter's to find.
func needsQuotes(s string) bool {
	return s == "" || yaml12Implicit.MatchString(s)
}
