package cli

import (
	"fmt"
	"regexp"
	"strings"
)

// message is an error whose text is the aws CLI's, capitals and all.
type message string

func (m message) Error() string { return string(m) }

// ShorthandError is a syntax error in a shorthand value, worded as the aws CLI
// words it.
type ShorthandError struct {
	Value    string
	Expected string
	Actual   string
	Index    int
}

// Error describes where the value went wrong.
func (e *ShorthandError) Error() string {
	return fmt.Sprintf("Expected: '%s', received: '%s' for input:\n%s\n%s^",
		e.Expected, e.Actual, e.Value, strings.Repeat(" ", e.Index))
}

// The character classes of the aws CLI's shorthand grammar (awscli/shorthand.py).
const (
	startWord         = `\!\#-&\(-\+\--\<\>-Z\\-z\x{7c}-\x{ffff}`
	firstFollowChars  = `\s\!\#-&\(-\+\--\\\^-\|~-\x{ffff}`
	secondFollowChars = `\s\!\#-&\(-\+\--\<\>-\x{ffff}`
	escapedComma      = `(\\,)`
)

var (
	singleQuoted  = regexp.MustCompile(`^'(?:\\\\|\\'|[^'])*'`)
	doubleQuoted  = regexp.MustCompile(`^"(?:\\\\|\\"|[^"])*"`)
	firstValueRe  = regexp.MustCompile(`^(` + escapedComma + `|[` + startWord + `])(` + escapedComma + `|[` + firstFollowChars + `])*`)
	secondValueRe = regexp.MustCompile(`^(` + escapedComma + `|[` + startWord + `])(` + escapedComma + `|[` + secondFollowChars + `])*`)
)

// ParseShorthand parses the aws CLI's shorthand syntax ("a=b,c=d",
// "Key=k,Values=v1,v2", "a=[x,y]", "a={b=c}", quoted 'x,y' and "x,y",
// escaped \,) into maps whose values are strings, []any and map[string]any,
// exactly as awscli's ShorthandParser does. Values stay strings: the shape of
// the parameter decides later what is a number or a list. Errors are
// *ShorthandError, or a duplicate-key error, in the aws CLI's words.
func ParseShorthand(value string) (map[string]any, error) {
	p := &shorthandParser{in: []rune(value), raw: value}
	return p.parameter()
}

type shorthandParser struct {
	in  []rune
	raw string
	i   int
}

const eof = rune(-1)

func (p *shorthandParser) errorf(expected string) error {
	actual := "EOF"
	if p.i < len(p.in) {
		actual = string(p.in[p.i])
	}
	return &ShorthandError{Value: p.raw, Expected: expected, Actual: actual, Index: p.i}
}

func (p *shorthandParser) parameter() (map[string]any, error) {
	params := map[string]any{}
	k, v, err := p.keyval()
	if err != nil {
		return nil, err
	}
	params[k] = v
	for p.i < len(p.in) {
		if err := p.expect(',', true); err != nil {
			return nil, err
		}
		k, v, err := p.keyval()
		if err != nil {
			return nil, err
		}
		if _, dup := params[k]; dup {
			return nil, message(fmt.Sprintf("Second instance of key \"%s\" encountered for input:\n%s\nThis is often because there is a preceding \",\" instead of a space.", k, p.raw))
		}
		params[k] = v
	}
	return params, nil
}

func (p *shorthandParser) keyval() (string, any, error) {
	k := p.key()
	if err := p.expect('=', true); err != nil {
		return "", nil, err
	}
	v, err := p.values()
	return k, v, err
}

func (p *shorthandParser) key() string {
	start := p.i
	for p.i < len(p.in) {
		c := p.in[p.i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.#/:", c)) {
			break
		}
		p.i++
	}
	return string(p.in[start:p.i])
}

func (p *shorthandParser) values() (any, error) {
	switch p.current() {
	case eof:
		return "", nil
	case '[':
		return p.explicitList()
	case '{':
		return p.hashLiteral()
	}
	return p.csvValue()
}

func (p *shorthandParser) csvValue() (any, error) {
	first, err := p.firstValue()
	if err != nil {
		return nil, err
	}
	p.whitespace()
	if p.i >= len(p.in) || p.in[p.i] != ',' {
		return first, nil
	}
	if err := p.expect(',', true); err != nil {
		return nil, err
	}
	list := []any{first}
	for {
		cur, err := p.secondValue()
		if err == nil {
			p.whitespace()
			if p.i >= len(p.in) {
				list = append(list, cur)
				break
			}
			err = p.expect(',', true)
		}
		if err != nil {
			// Not a list element: the start of the next key.
			if p.i >= len(p.in) {
				return nil, err
			}
			p.backtrackTo(',')
			break
		}
		list = append(list, cur)
	}
	if len(list) == 1 {
		return first, nil
	}
	return list, nil
}

func (p *shorthandParser) explicitList() (any, error) {
	if err := p.expect('[', true); err != nil {
		return nil, err
	}
	values := []any{}
	for p.current() != ']' {
		if p.current() == eof {
			return nil, p.errorf("]")
		}
		v, err := p.explicitValues()
		if err != nil {
			return nil, err
		}
		values = append(values, v)
		p.whitespace()
		if p.current() != ']' {
			if err := p.expect(',', false); err != nil {
				return nil, err
			}
			p.whitespace()
		}
	}
	return values, p.expect(']', false)
}

func (p *shorthandParser) explicitValues() (any, error) {
	switch p.current() {
	case '[':
		return p.explicitList()
	case '{':
		return p.hashLiteral()
	}
	return p.firstValue()
}

func (p *shorthandParser) hashLiteral() (any, error) {
	if err := p.expect('{', true); err != nil {
		return nil, err
	}
	kv := map[string]any{}
	for p.current() != '}' {
		if p.current() == eof {
			return nil, p.errorf("}")
		}
		k := p.key()
		if err := p.expect('=', true); err != nil {
			return nil, err
		}
		v, err := p.explicitValues()
		if err != nil {
			return nil, err
		}
		p.whitespace()
		if p.current() != '}' {
			if err := p.expect(',', false); err != nil {
				return nil, err
			}
			p.whitespace()
		}
		kv[k] = v
	}
	return kv, p.expect('}', false)
}

func (p *shorthandParser) firstValue() (string, error) {
	switch p.current() {
	case '\'':
		return p.quoted(singleQuoted, "singled quoted", '\'')
	case '"':
		return p.quoted(doubleQuoted, "double quoted", '"')
	}
	if m := firstValueRe.FindString(string(p.in[p.i:])); m != "" {
		p.i += len([]rune(m))
		return strings.TrimRight(strings.ReplaceAll(m, `\,`, ","), " \t\n\r\v\f"), nil
	}
	return "", nil
}

func (p *shorthandParser) secondValue() (string, error) {
	switch p.current() {
	case '\'':
		return p.quoted(singleQuoted, "singled quoted", '\'')
	case '"':
		return p.quoted(doubleQuoted, "double quoted", '"')
	}
	m := secondValueRe.FindString(string(p.in[p.i:]))
	if m == "" {
		return "", p.errorf("<second>")
	}
	p.i += len([]rune(m))
	return strings.TrimRight(strings.ReplaceAll(m, `\,`, ","), " \t\n\r\v\f"), nil
}

func (p *shorthandParser) quoted(re *regexp.Regexp, name string, q rune) (string, error) {
	m := re.FindString(string(p.in[p.i:]))
	if m == "" {
		return "", &ShorthandError{Value: p.raw, Expected: "<" + name + ">", Actual: "<none>", Index: p.i}
	}
	p.i += len([]rune(m))
	v := m[1 : len(m)-1]
	v = strings.ReplaceAll(v, `\`+string(q), string(q))
	return strings.ReplaceAll(v, `\\`, `\`), nil
}

func (p *shorthandParser) expect(c rune, ws bool) error {
	if ws {
		p.whitespace()
	}
	if p.i >= len(p.in) || p.in[p.i] != c {
		return p.errorf(string(c))
	}
	p.i++
	if ws {
		p.whitespace()
	}
	return nil
}

func (p *shorthandParser) current() rune {
	if p.i < len(p.in) {
		return p.in[p.i]
	}
	return eof
}

func (p *shorthandParser) backtrackTo(c rune) {
	for p.i >= 0 && (p.i >= len(p.in) || p.in[p.i] != c) {
		p.i--
	}
	if p.i < 0 {
		p.i = 0
	}
}

func (p *shorthandParser) whitespace() {
	for p.i < len(p.in) && strings.ContainsRune(" \t\n\r\v\f", p.in[p.i]) {
		p.i++
	}
}
