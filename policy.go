package rotor

import (
	"context"
	"encoding/json"
	"fmt"
)

// PutResourcePolicyInput is the input of PutResourcePolicy. With
// BlockPublicPolicy, a policy that grants access to every principal is refused.
type PutResourcePolicyInput struct {
	SecretId          string
	ResourcePolicy    string
	BlockPublicPolicy bool
}

// PutResourcePolicyOutput is the output of PutResourcePolicy.
type PutResourcePolicyOutput struct {
	ARN  string
	Name string
}

// GetResourcePolicyInput is the input of GetResourcePolicy.
type GetResourcePolicyInput struct {
	SecretId string
}

// GetResourcePolicyOutput is the output of GetResourcePolicy; ResourcePolicy
// is empty when none is attached.
type GetResourcePolicyOutput struct {
	ARN            string
	Name           string
	ResourcePolicy string
}

// DeleteResourcePolicyInput is the input of DeleteResourcePolicy.
type DeleteResourcePolicyInput struct {
	SecretId string
}

// DeleteResourcePolicyOutput is the output of DeleteResourcePolicy.
type DeleteResourcePolicyOutput struct {
	ARN  string
	Name string
}

// ValidateResourcePolicyInput is the input of ValidateResourcePolicy.
type ValidateResourcePolicyInput struct {
	SecretId       string
	ResourcePolicy string
}

// ValidationErrorsEntry is one finding of ValidateResourcePolicy.
type ValidationErrorsEntry struct {
	CheckName    string
	ErrorMessage string
}

// ValidateResourcePolicyOutput is the output of ValidateResourcePolicy.
type ValidateResourcePolicyOutput struct {
	PolicyValidationPassed bool
	ValidationErrors       []ValidationErrorsEntry
}

// PutResourcePolicy attaches a resource policy to a secret; it is stored and
// returned verbatim.
func (s *Service) PutResourcePolicy(ctx context.Context, in PutResourcePolicyInput) (PutResourcePolicyOutput, error) {
	if err := checkLength(in.ResourcePolicy, "resourcePolicy", 1, MaxPolicyLength); err != nil {
		return PutResourcePolicyOutput{}, err
	}
	doc, err := parsePolicy(in.ResourcePolicy)
	if err != nil {
		return PutResourcePolicyOutput{}, newError(CodeMalformedPolicyDocument, "%s", err.Error())
	}
	if in.BlockPublicPolicy && doc.public() {
		return PutResourcePolicyOutput{}, newError(CodePublicPolicy, "BlockPublicPolicy is set and this resource policy grants access to every principal (\"*\") without a condition.")
	}
	sec, err := s.update(ctx, in.SecretId, func(sec *Secret) error {
		if err := live(sec); err != nil {
			return err
		}
		sec.ResourcePolicy = in.ResourcePolicy
		sec.LastChangedDate = s.now()
		return nil
	})
	if err != nil {
		return PutResourcePolicyOutput{}, err
	}
	s.emit(Event{Kind: EventUpdated, ARN: sec.ARN, Name: sec.Name, Time: sec.LastChangedDate})
	return PutResourcePolicyOutput{ARN: sec.ARN, Name: sec.Name}, nil
}

// GetResourcePolicy returns the secret's resource policy, if any.
func (s *Service) GetResourcePolicy(ctx context.Context, in GetResourcePolicyInput) (GetResourcePolicyOutput, error) {
	sec, _, err := s.find(ctx, in.SecretId)
	if err != nil {
		return GetResourcePolicyOutput{}, err
	}
	if err := live(sec); err != nil {
		return GetResourcePolicyOutput{}, err
	}
	return GetResourcePolicyOutput{ARN: sec.ARN, Name: sec.Name, ResourcePolicy: sec.ResourcePolicy}, nil
}

// DeleteResourcePolicy removes the secret's resource policy; without one it
// changes nothing and succeeds.
func (s *Service) DeleteResourcePolicy(ctx context.Context, in DeleteResourcePolicyInput) (DeleteResourcePolicyOutput, error) {
	sec, err := s.update(ctx, in.SecretId, func(sec *Secret) error {
		if err := live(sec); err != nil {
			return err
		}
		if sec.ResourcePolicy == "" {
			return errUnchanged
		}
		sec.ResourcePolicy = ""
		sec.LastChangedDate = s.now()
		return nil
	})
	if err != nil {
		return DeleteResourcePolicyOutput{}, err
	}
	return DeleteResourcePolicyOutput{ARN: sec.ARN, Name: sec.Name}, nil
}

// ValidateResourcePolicy checks a policy document without attaching it.
func (s *Service) ValidateResourcePolicy(ctx context.Context, in ValidateResourcePolicyInput) (ValidateResourcePolicyOutput, error) {
	if err := checkLength(in.ResourcePolicy, "resourcePolicy", 1, MaxPolicyLength); err != nil {
		return ValidateResourcePolicyOutput{}, err
	}
	if in.SecretId != "" {
		if _, _, err := s.find(ctx, in.SecretId); err != nil {
			return ValidateResourcePolicyOutput{}, err
		}
	}
	if _, err := parsePolicy(in.ResourcePolicy); err != nil {
		return ValidateResourcePolicyOutput{ValidationErrors: []ValidationErrorsEntry{{CheckName: "SYNTAX_CHECK", ErrorMessage: err.Error()}}}, nil
	}
	return ValidateResourcePolicyOutput{PolicyValidationPassed: true}, nil
}

// policyDoc is the structure of a resource policy that rotor checks.
type policyDoc struct {
	Version   string          `json:"Version"`
	Statement json.RawMessage `json:"Statement"`
}

type policyStatement struct {
	Sid          string          `json:"Sid"`
	Effect       string          `json:"Effect"`
	Principal    json.RawMessage `json:"Principal"`
	NotPrincipal json.RawMessage `json:"NotPrincipal"`
	Action       json.RawMessage `json:"Action"`
	NotAction    json.RawMessage `json:"NotAction"`
	Resource     json.RawMessage `json:"Resource"`
	NotResource  json.RawMessage `json:"NotResource"`
	Condition    json.RawMessage `json:"Condition"`
}

type parsedPolicy struct{ statements []policyStatement }

// parsePolicy checks the shape every resource policy must have: a JSON
// object with a Statement (one or a list), each with an Effect of Allow or
// Deny, an action and a principal.
func parsePolicy(text string) (parsedPolicy, error) {
	var doc policyDoc
	if err := json.Unmarshal([]byte(text), &doc); err != nil {
		return parsedPolicy{}, policyFinding("The resource policy is not valid JSON: %v", err)
	}
	if doc.Version != "" && doc.Version != "2012-10-17" && doc.Version != "2008-10-17" {
		return parsedPolicy{}, policyFinding("The policy Version %q is not supported; use 2012-10-17.", doc.Version)
	}
	var stmts []policyStatement
	if len(doc.Statement) == 0 {
		return parsedPolicy{}, policyFinding("The resource policy has no Statement.")
	}
	if doc.Statement[0] == '[' {
		if err := json.Unmarshal(doc.Statement, &stmts); err != nil {
			return parsedPolicy{}, policyFinding("The policy Statement is not a list of statements: %v", err)
		}
	} else {
		var one policyStatement
		if err := json.Unmarshal(doc.Statement, &one); err != nil {
			return parsedPolicy{}, policyFinding("The policy Statement is not a statement: %v", err)
		}
		stmts = []policyStatement{one}
	}
	if len(stmts) == 0 {
		return parsedPolicy{}, policyFinding("The resource policy has no Statement.")
	}
	for i, st := range stmts {
		if st.Effect != "Allow" && st.Effect != "Deny" {
			return parsedPolicy{}, policyFinding("Statement %d: Effect must be Allow or Deny.", i+1)
		}
		if len(st.Action) == 0 && len(st.NotAction) == 0 {
			return parsedPolicy{}, policyFinding("Statement %d: Action or NotAction is required.", i+1)
		}
		if len(st.Principal) == 0 && len(st.NotPrincipal) == 0 {
			return parsedPolicy{}, policyFinding("Statement %d: a resource policy statement needs a Principal.", i+1)
		}
	}
	return parsedPolicy{statements: stmts}, nil
}

// public reports whether an Allow statement grants access to everyone with no
// condition to narrow it.
func (p parsedPolicy) public() bool {
	for _, st := range p.statements {
		if st.Effect != "Allow" || len(st.Condition) > 0 {
			continue
		}
		var star string
		if json.Unmarshal(st.Principal, &star) == nil && star == "*" {
			return true
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(st.Principal, &m) == nil {
			for _, v := range m {
				var one string
				var many []string
				if (json.Unmarshal(v, &one) == nil && one == "*") || (json.Unmarshal(v, &many) == nil && containsStar(many)) {
					return true
				}
			}
		}
	}
	return false
}

func containsStar(xs []string) bool {
	for _, x := range xs {
		if x == "*" {
			return true
		}
	}
	return false
}

// policyError is a finding about a policy document, worded for the caller.
type policyError string

func (e policyError) Error() string { return string(e) }

func policyFinding(format string, args ...any) error {
	return policyError(fmt.Sprintf(format, args...))
}
