package policy

import "strings"

// principals is a compiled Principal or NotPrincipal element.
type principals struct {
	present  bool // the statement has Principal or NotPrincipal
	not      bool // it is NotPrincipal
	anyone   bool // "*" or {"AWS": "*"}
	accounts []string
	arns     []principalARN
	services []string
}

// principalARN is one IAM user, role or role session named in a policy. For a
// role, partition, account and role hold its parts, so that a session of the
// role (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION) matches it, as AWS
// matches a role's sessions against the role named in a Principal element.
type principalARN struct {
	arn                      string
	partition, account, role string
}

// caller is the calling principal, taken apart once per evaluation.
type caller struct {
	arn       string
	partition string
	account   string // "" for a service principal
	root      bool   // the account's root user
	role      string // the role name of an assumed-role session, or ""
	// principalARN is the value of aws:PrincipalArn: the caller's ARN, or
	// for a role session the role's ARN.
	principalARN string
}

func newCaller(arn string) caller {
	c := caller{arn: arn, principalARN: arn}
	f, ok := splitARN(arn)
	if !ok {
		return c // a service principal such as lambda.amazonaws.com
	}
	c.partition, c.account = f.partition, f.account
	switch {
	case f.service == "iam" && f.resource == "root":
		c.root = true
	case f.service == "sts" && strings.HasPrefix(f.resource, "assumed-role/"):
		rest := f.resource[len("assumed-role/"):]
		if i := strings.IndexByte(rest, '/'); i > 0 {
			c.role = rest[:i]
			c.principalARN = "arn:" + c.partition + ":iam::" + c.account + ":role/" + c.role
		}
	}
	return c
}

// arnFields are the parts of an ARN.
type arnFields struct {
	partition, service, region, account, resource string
}

// splitARN takes an ARN apart without allocating.
func splitARN(s string) (arnFields, bool) {
	var parts [5]string
	rest, ok := strings.CutPrefix(s, "arn:")
	if !ok {
		return arnFields{}, false
	}
	for i := 0; i < 4; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return arnFields{}, false
		}
		parts[i], rest = rest[:j], rest[j+1:]
	}
	parts[4] = rest
	return arnFields{partition: parts[0], service: parts[1], region: parts[2], account: parts[3], resource: parts[4]}, true
}

// names reports whether a Principal element names the caller. In an Allow
// statement an account (its 12-digit id or its root ARN) names only the
// account's root user: for a same-account request, AWS lets the account's own
// identity-based policies decide what its users and roles may do. In a Deny
// statement an account names every identity in it.
func (p *principals) names(c *caller, allow bool) bool {
	if p.anyone {
		return true
	}
	for _, a := range p.accounts {
		if a == c.account && (c.root || !allow) {
			return true
		}
	}
	for i := range p.arns {
		e := &p.arns[i]
		if e.arn == c.arn {
			return true
		}
		if e.role != "" && c.role == e.role && c.account == e.account && c.partition == e.partition {
			return true
		}
	}
	for _, s := range p.services {
		if s == c.arn {
			return true
		}
	}
	return false
}

// excludes reports whether a NotPrincipal element leaves the caller out. AWS
// evaluates a request from an IAM identity as coming from the identity and
// from its account, so both must be listed: the exact ARN of the user, role
// session or role, and the account. A service is left out when it is listed.
func (p *principals) excludes(c *caller) bool {
	if p.anyone {
		return true
	}
	if c.account == "" {
		for _, s := range p.services {
			if s == c.arn {
				return true
			}
		}
		return false
	}
	accountListed := false
	for _, a := range p.accounts {
		if a == c.account {
			accountListed = true
			break
		}
	}
	if !accountListed {
		return false
	}
	if c.root {
		return true
	}
	for i := range p.arns {
		if p.arns[i].arn == c.arn {
			return true
		}
	}
	return false
}

// applies reports whether a statement with this element applies to the caller.
// A statement with neither Principal nor NotPrincipal applies to the identity
// the policy is attached to when it is an identity-based policy (inResource
// false) and to nobody in a resource-based policy.
func (p *principals) applies(c *caller, allow, inResource bool) bool {
	if !p.present {
		return !inResource
	}
	if p.not {
		return !p.excludes(c)
	}
	return p.names(c, allow)
}
