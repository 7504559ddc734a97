package cli

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// yamlEmitter writes YAML as libyaml's emitter does with the settings of the
// aws CLI's YAML output (ruamel.yaml's C emitter: block style, indentation 2,
// lines folded after column 80, Unicode printed as is). Only what command
// output needs is here: mappings with sorted keys, sequences and scalars.
type yamlEmitter struct {
	b          strings.Builder
	column     int
	indent     int
	indents    []int
	whitespace bool
	indention  bool
}

const yamlBestWidth = 80

// formatYAML prints data as the aws CLI's yaml output does. A bare scalar
// (a --query result) prints as JSON, as the aws CLI prints it.
func formatYAML(data any) string {
	switch data.(type) {
	case map[string]any, []any:
	default:
		var b strings.Builder
		writeJSON(&b, data, 0, nil, false)
		return b.String() + "\n"
	}
	e := &yamlEmitter{indent: -1, whitespace: true, indention: true}
	e.node(data, false)
	e.b.WriteString("\n")
	return e.b.String()
}

func (e *yamlEmitter) increaseIndent(flow, indentless bool) {
	e.indents = append(e.indents, e.indent)
	switch {
	case e.indent < 0 && flow:
		e.indent = 2
	case e.indent < 0:
		e.indent = 0
	case !indentless:
		e.indent += 2
	}
}

func (e *yamlEmitter) popIndent() {
	e.indent = e.indents[len(e.indents)-1]
	e.indents = e.indents[:len(e.indents)-1]
}

func (e *yamlEmitter) put(s string) {
	e.b.WriteString(s)
	e.column += utf8.RuneCountInString(s)
}

func (e *yamlEmitter) newline() {
	e.b.WriteByte('\n')
	e.column = 0
}

func (e *yamlEmitter) writeIndent() {
	indent := max(e.indent, 0)
	if !e.indention || e.column > indent || (e.column == indent && !e.whitespace) {
		e.newline()
	}
	for e.column < indent {
		e.put(" ")
	}
	e.whitespace = true
	e.indention = true
}

func (e *yamlEmitter) indicator(s string, needWhitespace, isWhitespace, isIndention bool) {
	if needWhitespace && !e.whitespace {
		e.put(" ")
	}
	e.put(s)
	e.whitespace = isWhitespace
	e.indention = e.indention && isIndention
}

func (e *yamlEmitter) node(v any, mappingContext bool) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			e.indicator("{", true, true, false)
			e.indicator("}", false, false, false)
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		e.increaseIndent(false, false)
		for _, k := range keys {
			e.writeIndent()
			e.scalar(k, needsQuotes(k), true)
			e.indicator(":", false, false, false)
			e.node(x[k], true)
		}
		e.popIndent()
	case []any:
		if len(x) == 0 {
			e.indicator("[", true, true, false)
			e.indicator("]", false, false, false)
			return
		}
		e.increaseIndent(false, mappingContext && !e.indention)
		for _, item := range x {
			e.writeIndent()
			e.indicator("-", true, false, true)
			e.node(item, false)
		}
		e.popIndent()
	case string:
		e.scalar(x, needsQuotes(x), false)
	case nil:
		e.scalar("null", false, false)
	case bool:
		e.scalar(pyBool(x), false, false)
	default:
		e.scalar(pyNumber(x), false, false)
	}
}

// scalarInfo is what libyaml's analysis finds out about a scalar.
type scalarInfo struct {
	multiline, blockPlain, singleQuoted bool
}

func isYAMLPrintable(r rune) bool {
	return r == '\n' || (r >= 0x20 && r <= 0x7e) || r == 0x85 || (r >= 0xa0 && r <= 0xd7ff) ||
		(r >= 0xe000 && r <= 0xfffd && r != 0xfeff) || (r >= 0x10000 && r <= 0x10ffff)
}

func isYAMLBreak(r rune) bool {
	return r == '\r' || r == '\n' || r == 0x85 || r == 0x2028 || r == 0x2029
}

func analyzeScalar(s string) scalarInfo {
	if s == "" {
		return scalarInfo{blockPlain: true, singleQuoted: true}
	}
	rs := []rune(s)
	var blockIndicators, lineBreaks, special, leadingSpace, leadingBreak, trailingSpace, trailingBreak, breakSpace, spaceBreak bool
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		blockIndicators = true
	}
	precededByWhitespace := true
	var previousSpace, previousBreak bool
	for i, r := range rs {
		followedByWhitespace := i+1 >= len(rs) || rs[i+1] == ' ' || rs[i+1] == '\t' || isYAMLBreak(rs[i+1])
		if i == 0 {
			switch r {
			case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
				blockIndicators = true
			case '?', ':', '-':
				if followedByWhitespace {
					blockIndicators = true
				}
			}
		} else {
			switch r {
			case ':':
				if followedByWhitespace {
					blockIndicators = true
				}
			case '#':
				if precededByWhitespace {
					blockIndicators = true
				}
			}
		}
		if !isYAMLPrintable(r) {
			special = true
		}
		switch {
		case r == ' ':
			if i == 0 {
				leadingSpace = true
			}
			if i == len(rs)-1 {
				trailingSpace = true
			}
			if previousBreak {
				breakSpace = true
			}
			previousSpace, previousBreak = true, false
		case isYAMLBreak(r):
			lineBreaks = true
			if i == 0 {
				leadingBreak = true
			}
			if i == len(rs)-1 {
				trailingBreak = true
			}
			if previousSpace {
				spaceBreak = true
			}
			previousSpace, previousBreak = false, true
		default:
			previousSpace, previousBreak = false, false
		}
		precededByWhitespace = r == ' ' || r == '\t' || isYAMLBreak(r)
	}
	info := scalarInfo{multiline: lineBreaks, blockPlain: true, singleQuoted: true}
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak || lineBreaks || blockIndicators {
		info.blockPlain = false
	}
	if breakSpace || spaceBreak || special {
		info.blockPlain, info.singleQuoted = false, false
	}
	return info
}

// scalar writes a scalar in the style libyaml picks: plain when it may,
// else single-quoted, else double-quoted; quoted asks for single quotes (a
// string that would read back as another type).
func (e *yamlEmitter) scalar(s string, quoted, simpleKey bool) {
	info := analyzeScalar(s)
	style := 'p'
	if quoted {
		style = '\''
	}
	if simpleKey && info.multiline {
		style = '"'
	}
	if style == 'p' && (!info.blockPlain || (s == "" && simpleKey)) {
		style = '\''
	}
	if style == '\'' && !info.singleQuoted {
		style = '"'
	}
	e.increaseIndent(true, false)
	switch style {
	case 'p':
		e.plain(s, !simpleKey)
	case '\'':
		e.singleQuoted(s, !simpleKey)
	default:
		e.doubleQuoted(s, !simpleKey)
	}
	e.popIndent()
}

func (e *yamlEmitter) plain(s string, allowBreaks bool) {
	if !e.whitespace {
		e.put(" ")
	}
	rs := []rune(s)
	spaces := false
	for i, r := range rs {
		if r == ' ' {
			if allowBreaks && !spaces && e.column > yamlBestWidth && i+1 < len(rs) && rs[i+1] != ' ' {
				e.writeIndent()
			} else {
				e.put(" ")
			}
			spaces = true
			continue
		}
		e.put(string(r))
		e.indention = false
		spaces = false
	}
	e.whitespace = false
	e.indention = false
}

func (e *yamlEmitter) singleQuoted(s string, allowBreaks bool) {
	e.indicator("'", true, false, false)
	rs := []rune(s)
	spaces, breaks := false, false
	for i, r := range rs {
		switch {
		case r == ' ':
			if allowBreaks && !spaces && e.column > yamlBestWidth && i != 0 && i != len(rs)-1 && rs[i+1] != ' ' {
				e.writeIndent()
			} else {
				e.put(" ")
			}
			spaces = true
		case isYAMLBreak(r):
			if !breaks && r == '\n' {
				e.newline()
			}
			// libyaml writes a line feed for \n and other breaks as they are.
			if r == '\n' {
				e.newline()
			} else {
				e.b.WriteRune(r)
				e.column = 0
			}
			e.indention = true
			breaks = true
		default:
			if breaks {
				e.writeIndent()
			}
			if r == '\'' {
				e.put("'")
			}
			e.put(string(r))
			e.indention = false
			spaces, breaks = false, false
		}
	}
	if breaks {
		e.writeIndent()
	}
	e.indicator("'", false, false, false)
	e.whitespace = false
	e.indention = false
}

var yamlEscapes = map[rune]string{
	0: "0", '\a': "a", '\b': "b", '\t': "t", '\n': "n", '\v': "v", '\f': "f", '\r': "r", 0x1b: "e",
	'"': "\"", '\\': "\\", 0x85: "N", 0xa0: "_", 0x2028: "L", 0x2029: "P",
}

func (e *yamlEmitter) doubleQuoted(s string, allowBreaks bool) {
	e.indicator("\"", true, false, false)
	rs := []rune(s)
	spaces := false
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if !isYAMLPrintable(r) || r == 0xfeff || isYAMLBreak(r) || r == '"' || r == '\\' {
			e.put("\\")
			if esc, ok := yamlEscapes[r]; ok {
				e.put(esc)
			} else if r <= 0xff {
				e.put(fmt.Sprintf("x%02X", r))
			} else if r <= 0xffff {
				e.put(fmt.Sprintf("u%04X", r))
			} else {
				e.put(fmt.Sprintf("U%08X", r))
			}
			spaces = false
			continue
		}
		if r == ' ' {
			if allowBreaks && !spaces && e.column > yamlBestWidth && i != 0 && i != len(rs)-1 {
				e.writeIndent()
				if i+1 < len(rs) && rs[i+1] == ' ' {
					e.put("\\")
				}
			} else {
				e.put(" ")
			}
			spaces = true
			continue
		}
		e.put(string(r))
		spaces = false
	}
	e.indicator("\"", false, false, false)
	e.whitespace = false
	e.indention = false
}

func pyBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
