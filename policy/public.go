package policy

// IsPublic reports whether the policy grants access to everyone: an Allow
// statement whose Principal is "*" (or {"AWS": "*"}), or that uses
// NotPrincipal, with no condition that narrows who may call. Only a condition
// that pins aws:PrincipalArn to ARNs of named accounts (StringEquals,
// StringLike, ArnEquals or ArnLike, without IfExists or ForAllValues, with no
// wildcard in the account) narrows; conditions on the transport, the time or
// tags leave the secret open to every AWS account. Secrets Manager refuses
// such a policy when BlockPublicPolicy is set. An identity-based policy is
// never public.
func (p *Policy) IsPublic() bool {
	for i := range p.statements {
		st := &p.statements[i]
		if st.effect != Allow || !st.principals.present {
			continue
		}
		if !st.principals.not && !st.principals.anyone {
			continue
		}
		if !narrowsPrincipal(st.conditions) {
			return true
		}
	}
	return false
}

func narrowsPrincipal(conds []condition) bool {
	for i := range conds {
		c := &conds[i]
		if c.canon != keyPrincipalARN || c.not || c.ifExists || c.set == setAllValues {
			continue
		}
		if c.op != opStringEquals && c.op != opStringLike && c.op != opArn {
			continue
		}
		pinned := true
		for _, v := range c.strs {
			f, ok := splitARN(v)
			if !ok || !isAccountID(f.account) {
				pinned = false
				break
			}
		}
		if pinned {
			return true
		}
	}
	return false
}
