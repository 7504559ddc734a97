package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Kind says where a policy is attached, which decides whether its statements
// name a principal.
type Kind uint8

const (
	// Identity is a policy attached to a user or role: its statements apply to
	// that identity and must not have a Principal or NotPrincipal.
	Identity Kind = iota + 1
	// Resource is a policy attached to a secret (PutResourcePolicy): every
	// statement must say whom it applies to with Principal or NotPrincipal.
	Resource
)

// String returns "identity" or "resource".
func (k Kind) String() string {
	switch k {
	case Identity:
		return "identity"
	case Resource:
		return "resource"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Effect is a statement's Effect: Allow or Deny.
type Effect uint8

const (
	// Allow grants what the statement matches, unless a Deny also matches.
	Allow Effect = iota + 1
	// Deny refuses what the statement matches, whatever else allows it.
	Deny
)

// String returns "Allow" or "Deny".
func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return "Effect(" + strconv.Itoa(int(e)) + ")"
}

// Policy is a parsed and checked IAM policy document with its patterns
// compiled. It is immutable, so one Policy may be evaluated by many goroutines
// at once.
type Policy struct {
	version    string
	id         string
	kind       Kind
	statements []statement
}

// Kind returns the kind the policy was parsed as.
func (p *Policy) Kind() Kind { return p.kind }

// Version returns the document's Version, "2008-10-17" when it has none (as
// IAM assumes).
func (p *Policy) Version() string { return p.version }

// ID returns the document's optional Id element.
func (p *Policy) ID() string { return p.id }

// Len returns how many statements the policy has.
func (p *Policy) Len() int { return len(p.statements) }

// ConditionKeys returns the condition keys the policy's conditions test, in
// lower case (as keys compare), each once, in the order they first appear. A
// caller may build the Context of a Request with only these keys: Evaluate
// reads no other.
func (p *Policy) ConditionKeys() []string {
	var keys []string
	for i := range p.statements {
		for j := range p.statements[i].conditions {
			if k := p.statements[i].conditions[j].canon; !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// statement is one compiled Statement.
type statement struct {
	label       string // the Sid, or Statement[i] when there is none
	effect      Effect
	principals  principals
	actions     []pattern // IAM compares actions without case
	notAction   bool
	resources   []arnPattern
	notResource bool
	conditions  []condition
}

// Error is why Parse refused a document. Path locates the problem in the
// document (Statement[1].Condition.StringLike, for instance) and is empty for
// a problem with the whole document; Message says what is wrong.
type Error struct {
	Path    string
	Message string
}

// Error returns "Path: Message", or Message alone when Path is empty.
func (e *Error) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

func fail(path, format string, args ...any) *Error {
	return &Error{Path: path, Message: fmt.Sprintf(format, args...)}
}

// Versions of the policy language IAM accepts.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

var (
	documentElements  = []string{"Version", "Id", "Statement"}
	statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)

// Parse reads an IAM JSON policy document of the given kind, checks it and
// compiles it for Evaluate. A document that is not valid JSON, repeats a key,
// has an element IAM does not know, a value of the wrong type, a statement
// without Effect, Action or Resource (or with both Action and NotAction, ...),
// a Principal in an identity policy or none in a resource policy, an unknown
// condition operator or condition key, or a condition value the operator
// cannot read, is refused with an *Error naming the problem. Nothing is ever
// silently ignored, so a policy rotor cannot evaluate never grants anything.
func Parse(doc string, kind Kind) (*Policy, error) {
	if kind != Identity && kind != Resource {
		return nil, fail("", "unknown policy kind %d: use policy.Identity or policy.Resource", kind)
	}
	if err := checkJSON(doc); err != nil {
		return nil, err
	}
	top, err := object([]byte(doc), "", "the policy document")
	if err != nil {
		return nil, err
	}
	if err := onlyElements(top, "", documentElements); err != nil {
		return nil, err
	}
	p := &Policy{kind: kind, version: Version2008}
	if raw, ok := top["Version"]; ok {
		v, err := str(raw, "Version")
		if err != nil {
			return nil, err
		}
		if v != Version2012 && v != Version2008 {
			return nil, fail("Version", "%q is not a policy language version: use %q", v, Version2012)
		}
		p.version = v
	}
	if raw, ok := top["Id"]; ok {
		if p.id, err = str(raw, "Id"); err != nil {
			return nil, err
		}
	}
	raw, ok := top["Statement"]
	if !ok {
		return nil, fail("", "the policy has no Statement")
	}
	var stmts []json.RawMessage
	list := firstByte(raw) == '['
	if list {
		if err := json.Unmarshal(raw, &stmts); err != nil {
			return nil, fail("Statement", "must be a statement or a list of statements")
		}
		if len(stmts) == 0 {
			return nil, fail("Statement", "the list of statements is empty")
		}
	} else {
		stmts = []json.RawMessage{raw}
	}
	sids := map[string]bool{}
	for i, r := range stmts {
		path := "Statement"
		if list {
			path = "Statement[" + strconv.Itoa(i) + "]"
		}
		st, err := parseStatement(r, path, kind, p.version == Version2012)
		if err != nil {
			return nil, err
		}
		if st.label == "" {
			st.label = "Statement[" + strconv.Itoa(i) + "]"
		} else {
			if sids[st.label] {
				return nil, fail(path+".Sid", "%q is the Sid of an earlier statement: each statement's Sid must be unique", st.label)
			}
			sids[st.label] = true
		}
		p.statements = append(p.statements, st)
	}
	return p, nil
}

// parseStatement reads one statement. With variables (Version 2012-10-17),
// "${" in a resource or condition value would be a policy variable, which
// rotor does not substitute: such a statement is refused rather than read
// literally, since a Deny that never matches would silently allow.
func parseStatement(raw json.RawMessage, path string, kind Kind, variables bool) (statement, error) {
	var st statement
	m, err := object(raw, path, "a statement")
	if err != nil {
		return st, err
	}
	if err := onlyElements(m, path, statementElements); err != nil {
		return st, err
	}
	if r, ok := m["Sid"]; ok {
		if st.label, err = str(r, path+".Sid"); err != nil {
			return st, err
		}
	}
	r, ok := m["Effect"]
	if !ok {
		return st, fail(path, "the statement has no Effect: say Allow or Deny")
	}
	effect, err := str(r, path+".Effect")
	if err != nil {
		return st, err
	}
	switch effect {
	case "Allow":
		st.effect = Allow
	case "Deny":
		st.effect = Deny
	default:
		return st, fail(path+".Effect", "%q is not an effect: use Allow or Deny (case matters)", effect)
	}

	name, r, err := oneOf(m, path, "Principal", "NotPrincipal")
	if err != nil {
		return st, err
	}
	switch {
	case r != nil && kind == Identity:
		return st, fail(path+"."+name, "an identity-based policy cannot name a principal: it applies to the user or role it is attached to")
	case r == nil && kind == Resource:
		return st, fail(path, "the statement has no Principal: a resource-based policy must say whom each statement applies to")
	case r != nil:
		if st.principals, err = parsePrincipals(r, path+"."+name); err != nil {
			return st, err
		}
		st.principals.not = name == "NotPrincipal"
	}

	name, r, err = oneOf(m, path, "Action", "NotAction")
	if err != nil {
		return st, err
	}
	if r == nil {
		return st, fail(path, "the statement has no Action or NotAction")
	}
	actions, err := strs(r, path+"."+name)
	if err != nil {
		return st, err
	}
	for _, a := range actions {
		if msg := checkAction(a); msg != "" {
			return st, fail(path+"."+name, "%s", msg)
		}
		st.actions = append(st.actions, compilePattern(a, true))
	}
	st.notAction = name == "NotAction"

	name, r, err = oneOf(m, path, "Resource", "NotResource")
	if err != nil {
		return st, err
	}
	if r == nil {
		return st, fail(path, "the statement has no Resource or NotResource")
	}
	resources, err := strs(r, path+"."+name)
	if err != nil {
		return st, err
	}
	for _, res := range resources {
		if variables && strings.Contains(res, "${") {
			return st, fail(path+"."+name, "%q holds a policy variable; rotor does not substitute policy variables", res)
		}
		if res != "*" && !isResourcePattern(res) {
			return st, fail(path+"."+name, "%q is neither an ARN (arn:partition:service:region:account:resource) nor \"*\"", res)
		}
		st.resources = append(st.resources, compileARN(res))
	}
	st.notResource = name == "NotResource"

	if r, ok := m["Condition"]; ok {
		if st.conditions, err = parseConditions(r, path+".Condition", variables); err != nil {
			return st, err
		}
	}
	return st, nil
}

// isResourcePattern reports whether res can name resources: a whole ARN, or
// the start of one that ends with '*' (arn:aws:secretsmanager:*), whose '*'
// then runs to the end of any ARN.
func isResourcePattern(res string) bool {
	if _, ok := splitARN(res); ok {
		return true
	}
	return strings.HasPrefix(res, "arn:") && strings.HasSuffix(res, "*")
}

// checkAction checks one Action value: "*" or service:action, where the
// action part may hold wildcards.
func checkAction(a string) string {
	if a == "*" {
		return ""
	}
	svc, name, ok := strings.Cut(a, ":")
	if !ok || svc == "" || name == "" {
		return fmt.Sprintf("%q is not an action: write service:action (secretsmanager:GetSecretValue) or \"*\"", a)
	}
	for i := 0; i < len(svc); i++ {
		c := lowerASCII(svc[i])
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return fmt.Sprintf("%q is not an action: the service prefix %q may hold only letters, digits and hyphens", a, svc)
		}
	}
	return ""
}

func parsePrincipals(raw json.RawMessage, path string) (principals, error) {
	p := principals{present: true}
	if firstByte(raw) == '"' {
		s, err := str(raw, path)
		if err != nil {
			return p, err
		}
		if s != "*" {
			return p, fail(path, "%q: a principal given as a string must be \"*\"; name others as {\"AWS\": ...} or {\"Service\": ...}", s)
		}
		p.anyone = true
		return p, nil
	}
	m, err := object(raw, path, `"*" or an object such as {"AWS": "arn:aws:iam::123456789012:role/Name"}`)
	if err != nil {
		return p, err
	}
	if len(m) == 0 {
		return p, fail(path, "names no principal")
	}
	for _, typ := range sortedKeys(m) {
		vals, err := strs(m[typ], path+"."+typ)
		if err != nil {
			return p, err
		}
		switch typ {
		case "AWS":
			for _, v := range vals {
				if err := p.addAWS(v, path+".AWS"); err != nil {
					return p, err
				}
			}
		case "Service":
			for _, v := range vals {
				if hasWildcard(v) || strings.ContainsAny(v, " :/") {
					return p, fail(path+".Service", "%q is not a service principal such as lambda.amazonaws.com", v)
				}
				p.services = append(p.services, v)
			}
		default:
			return p, fail(path, "principal type %q is not supported: use AWS or Service", typ)
		}
	}
	return p, nil
}

// addAWS adds one value of an "AWS" principal: "*", an account id, an
// account's root ARN, or the ARN of a user, role or role session.
func (p *principals) addAWS(v, path string) error {
	if v == "*" {
		p.anyone = true
		return nil
	}
	if hasWildcard(v) {
		return fail(path, "%q: wildcards cannot stand for part of a principal; use \"*\" alone, or a condition on aws:PrincipalArn", v)
	}
	if isAccountID(v) {
		p.accounts = append(p.accounts, v)
		return nil
	}
	f, ok := splitARN(v)
	if !ok || f.region != "" || !isAccountID(f.account) || f.partition == "" {
		return fail(path, "%q is neither an account id (12 digits) nor the ARN of an IAM user, role or account", v)
	}
	switch {
	case f.service == "iam" && f.resource == "root":
		p.accounts = append(p.accounts, f.account)
	case f.service == "iam" && strings.HasPrefix(f.resource, "user/") && len(f.resource) > len("user/"):
		p.arns = append(p.arns, principalARN{arn: v})
	case f.service == "iam" && strings.HasPrefix(f.resource, "role/") && len(f.resource) > len("role/"):
		name := f.resource[strings.LastIndexByte(f.resource, '/')+1:]
		p.arns = append(p.arns, principalARN{arn: v, partition: f.partition, account: f.account, role: name})
	case f.service == "sts" && strings.HasPrefix(f.resource, "assumed-role/") && strings.Count(f.resource, "/") == 2:
		p.arns = append(p.arns, principalARN{arn: v})
	default:
		return fail(path, "%q is neither an account id (12 digits) nor the ARN of an IAM user, role or account", v)
	}
	return nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseConditions(raw json.RawMessage, path string, variables bool) ([]condition, error) {
	ops, err := object(raw, path, "an object of operators")
	if err != nil {
		return nil, err
	}
	var out []condition
	for _, name := range sortedKeys(ops) {
		opPath := path + "." + name
		set, o, not, ifExists, msg := splitOperator(name)
		if msg != "" {
			return nil, fail(path, "%s", msg)
		}
		keys, err := object(ops[name], opPath, "an object of condition keys")
		if err != nil {
			return nil, err
		}
		if len(keys) == 0 {
			return nil, fail(opPath, "names no condition key")
		}
		for _, key := range sortedKeys(keys) {
			canon := strings.ToLower(key)
			if !knownKey(canon) {
				return nil, fail(opPath, "unknown condition key %q", key)
			}
			vals, err := conditionValues(keys[key], opPath+"."+key)
			if err != nil {
				return nil, err
			}
			for _, v := range vals {
				if variables && strings.Contains(v, "${") {
					return nil, fail(opPath+"."+key, "%q holds a policy variable; rotor does not substitute policy variables", v)
				}
			}
			c := condition{op: o, not: not, set: set, ifExists: ifExists, key: key, canon: canon}
			if msg := c.compileValues(vals); msg != "" {
				return nil, fail(opPath+"."+key, "%s", msg)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// conditionValues reads a condition's value: a string, boolean or number, or
// a non-empty list of them. Booleans and numbers keep their JSON spelling.
func conditionValues(raw json.RawMessage, path string) ([]string, error) {
	const want = "must be a string, a boolean, a number or a list of them"
	var items []json.RawMessage
	if firstByte(raw) == '[' {
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fail(path, want)
		}
		if len(items) == 0 {
			return nil, fail(path, "the list of values is empty")
		}
	} else {
		items = []json.RawMessage{raw}
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		it = bytes.TrimSpace(it)
		switch b := firstByte(it); {
		case b == '"':
			var s string
			if err := json.Unmarshal(it, &s); err != nil {
				return nil, fail(path, want)
			}
			out = append(out, s)
		case b == 't' || b == 'f' || b == '-' || ('0' <= b && b <= '9'):
			out = append(out, string(it))
		default:
			return nil, fail(path, want)
		}
	}
	return out, nil
}

// oneOf returns whichever of the two exclusive elements the statement has.
func oneOf(m map[string]json.RawMessage, path, a, b string) (string, json.RawMessage, error) {
	ra, okA := m[a]
	rb, okB := m[b]
	switch {
	case okA && okB:
		return "", nil, fail(path, "the statement has both %s and %s: keep one", a, b)
	case okA:
		return a, ra, nil
	case okB:
		return b, rb, nil
	}
	return "", nil, nil
}

func onlyElements(m map[string]json.RawMessage, path string, allowed []string) error {
	for _, k := range sortedKeys(m) {
		if !slices.Contains(allowed, k) {
			return fail(path, "unknown element %q (elements are case-sensitive: %s)", k, strings.Join(allowed, ", "))
		}
	}
	return nil
}

func object(raw json.RawMessage, path, what string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if firstByte(raw) != '{' || json.Unmarshal(raw, &m) != nil {
		return nil, fail(path, "must be %s", what)
	}
	return m, nil
}

func str(raw json.RawMessage, path string) (string, error) {
	var s string
	if firstByte(raw) != '"' || json.Unmarshal(raw, &s) != nil {
		return "", fail(path, "must be a string")
	}
	return s, nil
}

// strs reads a string or a non-empty list of non-empty strings.
func strs(raw json.RawMessage, path string) ([]string, error) {
	var out []string
	switch firstByte(raw) {
	case '"':
		s, err := str(raw, path)
		if err != nil {
			return nil, err
		}
		out = []string{s}
	case '[':
		if json.Unmarshal(raw, &out) != nil {
			return nil, fail(path, "must be a string or a list of strings")
		}
		if len(out) == 0 {
			return nil, fail(path, "the list is empty")
		}
	default:
		return nil, fail(path, "must be a string or a list of strings")
	}
	for _, s := range out {
		if s == "" {
			return nil, fail(path, "holds an empty string")
		}
	}
	return out, nil
}

func firstByte(raw []byte) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkJSON refuses text that is not one JSON value, and any object that
// repeats a key: Go would keep the last of {"Effect":"Deny","Effect":"Allow"}
// where another reader might keep the first, so such a document is ambiguous.
func checkJSON(doc string) error {
	if strings.TrimSpace(doc) == "" {
		return fail("", "the policy document is empty")
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	type frame struct {
		object bool
		keys   map[string]bool
		key    bool // the next string token is a key
	}
	var stack []frame
	for seen := false; ; seen = true {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if len(stack) > 0 {
				return fail("", "the policy document is not valid JSON: it ends too soon")
			}
			break
		}
		if err != nil {
			return fail("", "the policy document is not valid JSON: %v", err)
		}
		if seen && len(stack) == 0 {
			return fail("", "the policy document is not valid JSON: text follows the document")
		}
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.object && top.key {
				if d, ok := tok.(json.Delim); ok && d == '}' {
					stack = stack[:len(stack)-1]
					continue
				}
				k := tok.(string)
				if top.keys[k] {
					return fail("", "the key %q appears twice in one object", k)
				}
				top.keys[k] = true
				top.key = false
				continue
			}
			if top.object {
				top.key = true
			}
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				stack = append(stack, frame{object: true, keys: map[string]bool{}, key: true})
			case '[':
				stack = append(stack, frame{})
			case ']':
				stack = stack[:len(stack)-1]
			}
		}
	}
	return nil
}
