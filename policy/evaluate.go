package policy

import "strings"

// Request is one call to authorize: who calls, what action, on what resource,
// and the condition keys of the call.
type Request struct {
	// Principal is the caller's ARN: arn:aws:iam::ACCOUNT:user/NAME,
	// arn:aws:iam::ACCOUNT:role/NAME, a role session
	// (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION), an account's
	// arn:aws:iam::ACCOUNT:root, or a service principal such as
	// lambda.amazonaws.com.
	Principal string
	// Action is service:Operation, such as secretsmanager:GetSecretValue.
	// Actions compare without regard to case.
	Action string
	// Resource is the ARN acted on, such as the secret's ARN, or "*" for an
	// action on no resource (ListSecrets, GetRandomPassword). ARNs compare
	// with regard to case.
	Resource string
	// Context maps condition keys (aws:SecureTransport,
	// secretsmanager:ResourceTag/Env, ...) to their values in this call: one
	// value for most keys, several for aws:TagKeys. A key absent from the map,
	// or mapped to no values, is absent from the call. Keys compare without
	// regard to case, as IAM compares them; a map that holds one key under two
	// spellings gets one of them. rotor reads no clock: a policy that tests
	// aws:CurrentTime needs the time here (RFC 3339). When aws:PrincipalArn is
	// absent it is derived from Principal; for a role session that is
	// arn:aws:iam::ACCOUNT:role/NAME, without the role's path, which a
	// session ARN does not carry, so a caller whose roles have paths should
	// put the role's ARN here. Evaluate only reads the map.
	Context map[string][]string
}

// Reason says why a Decision came out as it did.
type Reason uint8

const (
	// ImplicitDeny: no applicable statement allows the request, and none
	// denies it. It is the zero Reason, so a zero Decision denies.
	ImplicitDeny Reason = iota
	// ExplicitDenyIdentity: a Deny statement of an identity-based policy
	// matches the request.
	ExplicitDenyIdentity
	// ExplicitDenyResource: a Deny statement of the resource-based policy
	// matches the request.
	ExplicitDenyResource
	// Allowed: no Deny matches, and an Allow statement of an identity-based
	// policy or of the resource-based policy does.
	Allowed
)

// String returns the Reason's name.
func (r Reason) String() string {
	switch r {
	case ImplicitDeny:
		return "ImplicitDeny"
	case ExplicitDenyIdentity:
		return "ExplicitDenyIdentity"
	case ExplicitDenyResource:
		return "ExplicitDenyResource"
	case Allowed:
		return "Allowed"
	}
	return "Reason(?)"
}

// Decision is the outcome of Evaluate.
type Decision struct {
	// Allowed is true only when Reason is Allowed.
	Allowed bool
	// Reason says which rule decided: an explicit deny (and in which kind of
	// policy), an allow, or the implicit deny.
	Reason Reason
	// Statement names the statement that decided, the Deny that refused or the
	// Allow that granted: its Sid, or Statement[i] (i counting from 0) when it
	// has none. It is empty for an implicit deny.
	Statement string
}

// Evaluate decides a same-account request the way AWS documents its policy
// evaluation logic: a Deny statement that matches, in any identity-based
// policy or in the resource-based policy, refuses the request whatever
// allows it; otherwise an Allow statement that matches, in an identity-based
// policy or in the resource-based policy, grants it (either one suffices);
// otherwise the request is implicitly denied.
//
// A statement matches when its Principal (resource-based policies only)
// names the caller, Action matches the request's action (or NotAction does
// not), Resource matches its resource (or NotResource does not) and every
// condition holds. Identity policies apply to the caller they are attached
// to; a resource-based statement without a principal applies to nobody. Nil
// policies are skipped, resource may be nil, and identity policies are
// checked before the resource policy, so an explicit deny in both is reported
// as ExplicitDenyIdentity.
//
// Evaluate does not modify its arguments and is safe for concurrent use.
func Evaluate(identity []*Policy, resource *Policy, req Request) Decision {
	c := newCaller(req.Principal)
	// One pass over every statement: a Deny decides at once (identity
	// policies come first, so their denies win the report); the first Allow
	// is remembered, after which only Deny statements need looking at.
	var allow *statement
	for _, p := range identity {
		deny, a := p.scan(&req, &c, false, allow != nil)
		if deny != nil {
			return Decision{Reason: ExplicitDenyIdentity, Statement: deny.label}
		}
		if allow == nil {
			allow = a
		}
	}
	deny, a := resource.scan(&req, &c, true, allow != nil)
	if deny != nil {
		return Decision{Reason: ExplicitDenyResource, Statement: deny.label}
	}
	if allow == nil {
		allow = a
	}
	if allow != nil {
		return Decision{Allowed: true, Reason: Allowed, Statement: allow.label}
	}
	return Decision{Reason: ImplicitDeny}
}

// Message returns the text of the AccessDeniedException AWS sends for this
// decision, or "" when the request is allowed.
func (d Decision) Message(req Request) string {
	head := "User: " + req.Principal + " is not authorized to perform: " + req.Action + " on resource: " + req.Resource
	switch d.Reason {
	case Allowed:
		return ""
	case ExplicitDenyIdentity:
		return head + " with an explicit deny in an identity-based policy"
	case ExplicitDenyResource:
		return head + " with an explicit deny in a resource-based policy"
	}
	return head + " because no identity-based policy allows the " + req.Action + " action"
}

// scan returns the first Deny statement of the policy that matches the
// request, and unless haveAllow the first matching Allow. A nil policy has
// neither.
func (p *Policy) scan(req *Request, c *caller, inResource, haveAllow bool) (deny, allow *statement) {
	if p == nil {
		return nil, nil
	}
	for i := range p.statements {
		st := &p.statements[i]
		if st.effect == Allow && (haveAllow || allow != nil) {
			continue
		}
		if !st.matches(req, c, inResource) {
			continue
		}
		if st.effect == Deny {
			return st, nil
		}
		allow = st
	}
	return nil, allow
}

func (st *statement) matches(req *Request, c *caller, inResource bool) bool {
	if !st.principals.applies(c, st.effect == Allow, inResource) {
		return false
	}
	if matchAction(st.actions, req.Action) == st.notAction {
		return false
	}
	if matchResource(st.resources, req.Resource) == st.notResource {
		return false
	}
	for i := range st.conditions {
		cnd := &st.conditions[i]
		if !cnd.eval(req.lookup(cnd, c)) {
			return false
		}
	}
	return true
}

func matchAction(patterns []pattern, action string) bool {
	for i := range patterns {
		if patterns[i].match(action) {
			return true
		}
	}
	return false
}

func matchResource(patterns []arnPattern, resource string) bool {
	for i := range patterns {
		if patterns[i].match(resource) {
			return true
		}
	}
	return false
}

// lookup finds the condition's key in the request context, trying the
// policy's spelling, then lower case, then every key without case.
func (req *Request) lookup(cnd *condition, c *caller) values {
	if v, ok := req.Context[cnd.key]; ok {
		return values{list: v}
	}
	if v, ok := req.Context[cnd.canon]; ok {
		return values{list: v}
	}
	for k, v := range req.Context {
		if strings.EqualFold(k, cnd.key) {
			return values{list: v}
		}
	}
	if cnd.canon == keyPrincipalARN && c.principalARN != "" {
		return values{one: c.principalARN, has1: true}
	}
	return values{}
}
