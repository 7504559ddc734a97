package policy

import (
	"strings"
	"unicode/utf8"
)

// glob reports whether s matches the pattern p, in which '*' stands for any
// run of characters (none included) and '?' for exactly one. With fold, ASCII
// letters compare without regard to case, as IAM compares action names.
//
// It backtracks only to the most recent '*', so it runs in O(len(p)·len(s))
// at worst and never allocates.
func glob(p, s string, fold bool) bool {
	px, sx := 0, 0
	starP, starS := -1, -1
	for sx < len(s) {
		if px < len(p) {
			switch c := p[px]; c {
			case '*':
				starP, starS = px, sx
				px++
				continue
			case '?':
				px++
				sx += runeLen(s, sx)
				continue
			default:
				if sameByte(c, s[sx], fold) {
					px++
					sx++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last '*' swallow one more character and try again from there.
		starS += runeLen(s, starS)
		px, sx = starP+1, starS
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}

// runeLen is the length in bytes of the character at s[i].
func runeLen(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}

func sameByte(a, b byte, fold bool) bool {
	if a == b {
		return true
	}
	if !fold {
		return false
	}
	return lowerASCII(a) == lowerASCII(b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// hasWildcard reports whether s contains '*' or '?'.
func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// arnSegments is how many colon-delimited segments an ARN has before its
// resource part: arn, partition, service, region, account. The resource part
// that follows may itself contain colons (secret:prod/db-AbCdEf).
const arnSegments = 5

// patternKind is what Parse found a pattern to be, so that matching takes
// the cheapest road.
type patternKind uint8

const (
	patternAny     patternKind = iota + 1 // "*": everything
	patternLiteral                        // no wildcard: equality
	patternPrefix                         // one trailing '*': a prefix
	patternGlob                           // anything else
)

// pattern is a compiled wildcard pattern ('*' any run, '?' one character).
// With fold, ASCII letters compare without case and text is lower case.
type pattern struct {
	kind patternKind
	text string // the literal, the prefix, or the whole glob
	fold bool
}

func compilePattern(p string, fold bool) pattern {
	if fold {
		p = strings.ToLower(p)
	}
	switch i := strings.IndexAny(p, "*?"); {
	case p == "*":
		return pattern{kind: patternAny, text: p, fold: fold}
	case i < 0:
		return pattern{kind: patternLiteral, text: p, fold: fold}
	case i == len(p)-1 && p[i] == '*':
		return pattern{kind: patternPrefix, text: p[:i], fold: fold}
	}
	return pattern{kind: patternGlob, text: p, fold: fold}
}

func (p *pattern) match(s string) bool {
	switch p.kind {
	case patternAny:
		return true
	case patternLiteral:
		return len(s) == len(p.text) && equalBytes(p.text, s, p.fold)
	case patternPrefix:
		return len(s) >= len(p.text) && equalBytes(p.text, s[:len(p.text)], p.fold)
	}
	return glob(p.text, s, p.fold)
}

// equalBytes compares two strings of equal length, folding ASCII case with
// fold.
func equalBytes(a, b string, fold bool) bool {
	if !fold {
		return a == b
	}
	for i := 0; i < len(a); i++ {
		if !sameByte(a[i], b[i], true) {
			return false
		}
	}
	return true
}

// arnPattern is a compiled ARN pattern, matched the way IAM matches the
// Resource element and the Arn condition operators: each of the first five
// colon-delimited segments is matched on its own, with '*' and '?' confined
// to the segment, and the rest of the pattern against the rest of the ARN. A
// pattern that stops early with a '*' (arn:aws:secretsmanager:*) lets that
// last '*' run across the remaining colons, as AWS documents for a '*' that
// ends a segment. Matching is case-sensitive.
type arnPattern struct {
	segments []pattern
	rest     pattern
}

func compileARN(p string) arnPattern {
	var a arnPattern
	if p == "*" {
		a.rest = compilePattern(p, false)
		return a
	}
	for len(a.segments) < arnSegments {
		i := strings.IndexByte(p, ':')
		if i < 0 {
			break
		}
		a.segments = append(a.segments, compilePattern(p[:i], false))
		p = p[i+1:]
	}
	a.rest = compilePattern(p, false)
	return a
}

func (a *arnPattern) match(s string) bool {
	for i := range a.segments {
		j := strings.IndexByte(s, ':')
		if j < 0 || !a.segments[i].match(s[:j]) {
			return false
		}
		s = s[j+1:]
	}
	return a.rest.match(s)
}
