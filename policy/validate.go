package policy

// Finding is one problem Validate found, in the shape of an entry of
// ValidationErrors in Secrets Manager's ValidateResourcePolicy response.
type Finding struct {
	CheckName    string
	ErrorMessage string
}

// Check names of the findings Validate reports. They are rotor's names for
// the syntax check and the broad-access check that ValidateResourcePolicy
// documents.
const (
	CheckSyntax      = "SYNTAX_CHECK"
	CheckBroadAccess = "BROAD_ACCESS_CHECK"
)

// Validate checks a policy document of the given kind and returns what is
// wrong with it, or nil when it passes: a CheckSyntax finding with Parse's
// message when it cannot be parsed, or, for a resource-based policy, a
// CheckBroadAccess finding when it grants access to everyone (IsPublic).
func Validate(doc string, kind Kind) []Finding {
	p, err := Parse(doc, kind)
	if err != nil {
		return []Finding{{CheckName: CheckSyntax, ErrorMessage: err.Error()}}
	}
	if kind == Resource && p.IsPublic() {
		return []Finding{{CheckName: CheckBroadAccess, ErrorMessage: "The policy grants access to every principal (\"*\") with no condition on aws:PrincipalArn that limits it to named accounts."}}
	}
	return nil
}
