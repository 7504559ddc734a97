package policy

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// op is the comparison at the heart of a condition operator, without its Not,
// IfExists and ForAnyValue/ForAllValues parts.
type op uint8

const (
	opStringEquals op = iota + 1
	opStringEqualsIgnoreCase
	opStringLike
	opNumericEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opArn
	opNull
)

// operators maps each supported operator name, without its set prefix and
// IfExists suffix, to its comparison and whether it is a negated one. ArnEquals
// and ArnLike are the same comparison in IAM: both accept wildcards in each
// ARN segment.
var operators = map[string]struct {
	op  op
	not bool
}{
	"StringEquals":              {opStringEquals, false},
	"StringNotEquals":           {opStringEquals, true},
	"StringEqualsIgnoreCase":    {opStringEqualsIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {opStringEqualsIgnoreCase, true},
	"StringLike":                {opStringLike, false},
	"StringNotLike":             {opStringLike, true},
	"NumericEquals":             {opNumericEquals, false},
	"NumericNotEquals":          {opNumericEquals, true},
	"NumericLessThan":           {opNumericLessThan, false},
	"NumericLessThanEquals":     {opNumericLessThanEquals, false},
	"NumericGreaterThan":        {opNumericGreaterThan, false},
	"NumericGreaterThanEquals":  {opNumericGreaterThanEquals, false},
	"DateEquals":                {opDateEquals, false},
	"DateNotEquals":             {opDateEquals, true},
	"DateLessThan":              {opDateLessThan, false},
	"DateLessThanEquals":        {opDateLessThanEquals, false},
	"DateGreaterThan":           {opDateGreaterThan, false},
	"DateGreaterThanEquals":     {opDateGreaterThanEquals, false},
	"Bool":                      {opBool, false},
	"ArnEquals":                 {opArn, false},
	"ArnLike":                   {opArn, false},
	"ArnNotEquals":              {opArn, true},
	"ArnNotLike":                {opArn, true},
	"Null":                      {opNull, false},
}

// setOp is the ForAnyValue: or ForAllValues: qualifier of an operator.
type setOp uint8

const (
	setNone setOp = iota
	setAnyValue
	setAllValues
)

// condition is one key of one operator in a Condition element, compiled.
type condition struct {
	op       op
	not      bool
	set      setOp
	ifExists bool
	key      string   // as the policy spells it
	canon    string   // lower case: IAM key names are case-insensitive
	strs     []string // the values as written (String, Bool, Arn)
	likes    []pattern
	arns     []arnPattern
	nums     []float64
	times    []time.Time
	null     []bool
}

// Condition keys rotor knows. Names are lower case, as keys compare.
const (
	keyPrincipalARN        = "aws:principalarn"
	keyCurrentTime         = "aws:currenttime"
	keySecureTransport     = "aws:securetransport"
	keyTagKeys             = "aws:tagkeys"
	keyName                = "secretsmanager:name"
	keySecretID            = "secretsmanager:secretid"
	keyVersionStage        = "secretsmanager:versionstage"
	keyVersionID           = "secretsmanager:versionid"
	keyRotationLambdaARN   = "secretsmanager:rotationlambdaarn"
	keyRecoveryWindowInDay = "secretsmanager:recoverywindowindays"
)

var knownKeys = map[string]bool{
	keyPrincipalARN: true, keyCurrentTime: true, keySecureTransport: true, keyTagKeys: true,
	keyName: true, keySecretID: true, keyVersionStage: true, keyVersionID: true,
	keyRotationLambdaARN: true, keyRecoveryWindowInDay: true,
}

// taggedKeys are the key prefixes followed by a tag key of the caller's choice.
var taggedKeys = []string{"secretsmanager:resourcetag/", "aws:resourcetag/", "aws:requesttag/"}

// knownKey reports whether canon, a lower-case key name, is one rotor
// evaluates.
func knownKey(canon string) bool {
	if knownKeys[canon] {
		return true
	}
	for _, p := range taggedKeys {
		if tag, ok := strings.CutPrefix(canon, p); ok && tag != "" {
			return true
		}
	}
	return false
}

// splitOperator takes a condition operator name apart into its set qualifier,
// its comparison and its IfExists suffix. Operator names are case-sensitive.
func splitOperator(name string) (set setOp, o op, not, ifExists bool, err string) {
	base := name
	if rest, ok := strings.CutPrefix(base, "ForAnyValue:"); ok {
		set, base = setAnyValue, rest
	} else if rest, ok := strings.CutPrefix(base, "ForAllValues:"); ok {
		set, base = setAllValues, rest
	}
	if rest, ok := strings.CutSuffix(base, "IfExists"); ok {
		ifExists, base = true, rest
	}
	def, ok := operators[base]
	if !ok {
		return 0, 0, false, false, "unknown condition operator " + strconv.Quote(name)
	}
	if def.op == opNull && (ifExists || set != setNone) {
		return 0, 0, false, false, "the Null operator takes neither IfExists nor ForAnyValue/ForAllValues: " + strconv.Quote(name)
	}
	return set, def.op, def.not, ifExists, ""
}

// compileValues checks and converts the policy's values for the operator.
func (c *condition) compileValues(values []string) string {
	switch c.op {
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		for _, v := range values {
			n, ok := parseNumber(v)
			if !ok {
				return "value " + strconv.Quote(v) + " is not a number"
			}
			c.nums = append(c.nums, n)
		}
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		for _, v := range values {
			t, ok := parseDate(v)
			if !ok {
				return "value " + strconv.Quote(v) + " is not a date (ISO 8601, such as 2026-01-02T15:04:05Z, or seconds since 1970)"
			}
			c.times = append(c.times, t)
		}
	case opBool:
		for _, v := range values {
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return "value " + strconv.Quote(v) + " is not true or false"
			}
			c.strs = append(c.strs, strings.ToLower(v))
		}
	case opNull:
		for _, v := range values {
			switch strings.ToLower(v) {
			case "true":
				c.null = append(c.null, true)
			case "false":
				c.null = append(c.null, false)
			default:
				return "value " + strconv.Quote(v) + " of Null is not true or false"
			}
		}
	case opStringLike:
		c.strs = values
		for _, v := range values {
			c.likes = append(c.likes, compilePattern(v, false))
		}
	case opArn:
		c.strs = values
		for _, v := range values {
			c.arns = append(c.arns, compileARN(v))
		}
	default:
		c.strs = values
	}
	return ""
}

// parseNumber reads a finite decimal number; NaN and infinities are not
// numbers to IAM.
func parseNumber(s string) (float64, bool) {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, false
	}
	return x, true
}

// parseDate reads the date formats IAM accepts: ISO 8601 date-times with a
// zone, dates alone (midnight UTC), and whole seconds since the Unix epoch.
func parseDate(s string) (time.Time, bool) {
	if isInteger(s) {
		n, err := strconv.ParseInt(s, 10, 64)
		return time.Unix(n, 0).UTC(), err == nil
	}
	for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// isInteger reports whether s is an optional minus sign and digits; it spares
// parseDate the error value a failed strconv.ParseInt allocates.
func isInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// values is what the request context holds for a key: either a list from the
// caller's Context, or the one value rotor derives itself (aws:PrincipalArn).
type values struct {
	list []string
	one  string
	has1 bool
}

func (v values) len() int {
	if v.has1 {
		return 1
	}
	return len(v.list)
}

func (v values) at(i int) string {
	if v.has1 {
		return v.one
	}
	return v.list[i]
}

// eval reports whether the condition holds for the request values.
//
// A key missing from the request makes a condition false, except that
// IfExists makes it true, a negated operator (StringNotEquals, ArnNotLike, ...)
// is true, and ForAllValues is true (every one of no values matches).
// Several values in the policy are alternatives: the condition holds when the
// request value matches any of them, and a negated operator holds when it
// matches none. ForAnyValue needs one request value to pass, ForAllValues
// every one; a plain operator given several request values treats them as
// ForAnyValue would for a positive operator and needs all to pass for a
// negated one.
func (c *condition) eval(v values) bool {
	n := v.len()
	if c.op == opNull {
		for _, want := range c.null {
			if want == (n == 0) {
				return true
			}
		}
		return false
	}
	if n == 0 {
		switch {
		case c.ifExists:
			return true
		case c.set == setAnyValue:
			return false
		case c.set == setAllValues:
			return true
		default:
			return c.not
		}
	}
	switch c.set {
	case setAnyValue:
		for i := 0; i < n; i++ {
			if c.matchAny(v.at(i)) != c.not {
				return true
			}
		}
		return false
	case setAllValues:
		for i := 0; i < n; i++ {
			if c.matchAny(v.at(i)) == c.not {
				return false
			}
		}
		return true
	default:
		for i := 0; i < n; i++ {
			if c.matchAny(v.at(i)) {
				return !c.not
			}
		}
		return c.not
	}
}

// matchAny reports whether the request value s matches any of the policy's
// values under the positive form of the operator.
func (c *condition) matchAny(s string) bool {
	switch c.op {
	case opStringEquals:
		for _, p := range c.strs {
			if s == p {
				return true
			}
		}
	case opStringEqualsIgnoreCase, opBool:
		for _, p := range c.strs {
			if strings.EqualFold(s, p) {
				return true
			}
		}
	case opStringLike:
		for i := range c.likes {
			if c.likes[i].match(s) {
				return true
			}
		}
	case opArn:
		for i := range c.arns {
			if c.arns[i].match(s) {
				return true
			}
		}
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		x, ok := parseNumber(s)
		if !ok {
			return false
		}
		for _, p := range c.nums {
			if compare(c.op, cmpFloat(x, p)) {
				return true
			}
		}
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		t, ok := parseDate(s)
		if !ok {
			return false
		}
		for _, p := range c.times {
			if compare(c.op, t.Compare(p)) {
				return true
			}
		}
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compare turns the sign of (request value − policy value) into the
// operator's answer.
func compare(o op, sign int) bool {
	switch o {
	case opNumericEquals, opDateEquals:
		return sign == 0
	case opNumericLessThan, opDateLessThan:
		return sign < 0
	case opNumericLessThanEquals, opDateLessThanEquals:
		return sign <= 0
	case opNumericGreaterThan, opDateGreaterThan:
		return sign > 0
	case opNumericGreaterThanEquals, opDateGreaterThanEquals:
		return sign >= 0
	}
	return false
}
