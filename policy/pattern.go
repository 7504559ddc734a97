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
				_, n := utf8.DecodeRuneInString(s[sx:])
				px++
				sx += n
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
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		px, sx = starP+1, starS
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
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

// matchARN reports whether the ARN s matches the pattern p the way IAM matches
// the Resource element and the Arn condition operators: each of the first five
// colon-delimited segments is matched on its own, with '*' and '?' confined to
// the segment, and the rest of the pattern is matched against the rest of the
// ARN. A pattern that stops early with a '*' (arn:aws:secretsmanager:*) lets
// that last '*' run across the remaining colons, as AWS documents for a '*'
// that ends a segment. Matching is case-sensitive.
func matchARN(p, s string) bool {
	for seg := 0; seg < arnSegments; seg++ {
		i := strings.IndexByte(p, ':')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return false
		}
		if !glob(p[:i], s[:j], false) {
			return false
		}
		p, s = p[i+1:], s[j+1:]
	}
	return glob(p, s, false)
}
