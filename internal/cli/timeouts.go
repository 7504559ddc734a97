package cli

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// defaultCLITimeout is the aws CLI's connect and read timeout when
// --cli-connect-timeout or --cli-read-timeout is not given.
const defaultCLITimeout = 60 * time.Second

// cliTimeouts returns the connect and read timeouts of --cli-connect-timeout
// and --cli-read-timeout: whole seconds, as Python's int() reads them, 0
// meaning none (wait forever) and an absent option the aws CLI's 60 seconds.
// A value that is not an integer, or is negative, is the aws CLI's error
// (exit status 255), checked in its order.
func cliTimeouts(g Globals) (connect, read time.Duration, err error) {
	read, readSecs, err := cliTimeout(g, "cli-read-timeout")
	if err != nil {
		return 0, 0, err
	}
	connect, connectSecs, err := cliTimeout(g, "cli-connect-timeout")
	if err != nil {
		return 0, 0, err
	}
	for _, t := range []struct {
		what string
		secs int64
	}{{"connect", connectSecs}, {"read", readSecs}} {
		if t.secs < 0 {
			return 0, 0, &usageError{bare: true, code: ExitOther,
				msg: fmt.Sprintf("Attempted to set %s timeout to %d, but the timeout cannot be set to a value less than or equal to 0.", t.what, t.secs)}
		}
	}
	return connect, read, nil
}

// cliTimeout reads one timeout option; secs is what was given, for the
// message about a negative value.
func cliTimeout(g Globals, name string) (time.Duration, int64, error) {
	v, ok := g.Values[name]
	if !ok {
		return defaultCLITimeout, 0, nil
	}
	secs, ok := pythonInt(v)
	if !ok {
		return 0, 0, &usageError{bare: true, code: ExitOther, msg: "invalid literal for int() with base 10: " + pythonRepr(v)}
	}
	if secs > math.MaxInt64/int64(time.Second) {
		return 0, secs, nil // longer than a Duration holds: as good as none
	}
	return time.Duration(secs) * time.Second, secs, nil
}

// pythonInt parses s as Python's int(s) does for ASCII text: surrounding
// white space, an optional sign, and digits that single underscores may
// separate. It reports false for anything else, and for values beyond int64.
func pythonInt(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' {
			continue
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (math.MaxInt64-int64(c-'0'))/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// pythonRepr quotes s as Python's repr() quotes a string, for the aws CLI's
// messages: single quotes unless s holds one and no double quote.
func pythonRepr(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteByte(q)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}
