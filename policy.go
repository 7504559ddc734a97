package rotor

import (
	"context"

	"github.com/rotorkit/rotor/policy"
)

// PutResourcePolicyInput is the input of PutResourcePolicy. With
// BlockPublicPolicy, a policy that grants access to every principal is refused.
type PutResourcePolicyInput struct {
	// SecretId is the secret's name, complete ARN or partial ARN, 1–2048
	// characters.
	SecretId string
	// ResourcePolicy is a JSON policy document of 1–20,480 characters
	// (MalformedPolicyDocumentException when it is not a valid one).
	ResourcePolicy string
	// BlockPublicPolicy refuses a policy that grants access to every
	// principal (PublicPolicyException).
	BlockPublicPolicy bool
}

// PutResourcePolicyOutput is the output of PutResourcePolicy.
type PutResourcePolicyOutput struct {
	ARN  string
	Name string
}

// GetResourcePolicyInput is the input of GetResourcePolicy.
type GetResourcePolicyInput struct {
	// SecretId is the secret's name, complete ARN or partial ARN, 1–2048
	// characters.
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
	// SecretId is the secret's name, complete ARN or partial ARN, 1–2048
	// characters.
	SecretId string
}

// DeleteResourcePolicyOutput is the output of DeleteResourcePolicy.
type DeleteResourcePolicyOutput struct {
	ARN  string
	Name string
}

// ValidateResourcePolicyInput is the input of ValidateResourcePolicy.
type ValidateResourcePolicyInput struct {
	// SecretId, optional, names the secret the policy is meant for: 1–2048
	// characters.
	SecretId string
	// ResourcePolicy is a JSON policy document of 1–20,480 characters.
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
// returned verbatim. The document must be a valid IAM resource policy
// (package policy checks it); with BlockPublicPolicy, one that grants access
// to every principal is refused.
func (s *Service) PutResourcePolicy(ctx context.Context, in PutResourcePolicyInput) (PutResourcePolicyOutput, error) {
	if err := checkLength(in.ResourcePolicy, "resourcePolicy", 1, MaxPolicyLength); err != nil {
		return PutResourcePolicyOutput{}, err
	}
	doc, err := policy.Parse(in.ResourcePolicy, policy.Resource)
	if err != nil {
		return PutResourcePolicyOutput{}, &Error{Code: CodeMalformedPolicyDocument, Message: err.Error(), Err: err}
	}
	if in.BlockPublicPolicy && doc.IsPublic() {
		return PutResourcePolicyOutput{}, newError(CodePublicPolicy, "BlockPublicPolicy is set and this resource policy grants access to every principal (\"*\").")
	}
	sec, changed, err := s.update(ctx, in.SecretId, func(sec *Secret) error {
		if err := writable(sec); err != nil {
			return err
		}
		sec.ResourcePolicy = in.ResourcePolicy
		sec.LastChangedDate = s.now()
		return nil
	})
	if err != nil {
		return PutResourcePolicyOutput{}, err
	}
	if changed {
		s.emit(Event{Kind: EventUpdated, ARN: sec.ARN, Name: sec.Name, Time: sec.LastChangedDate})
	}
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
	sec, changed, err := s.update(ctx, in.SecretId, func(sec *Secret) error {
		if err := writable(sec); err != nil {
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
	if changed {
		s.emit(Event{Kind: EventUpdated, ARN: sec.ARN, Name: sec.Name, Time: sec.LastChangedDate})
	}
	return DeleteResourcePolicyOutput{ARN: sec.ARN, Name: sec.Name}, nil
}

// ValidateResourcePolicy checks a policy document without attaching it: its
// syntax, and whether it grants access to everyone.
func (s *Service) ValidateResourcePolicy(ctx context.Context, in ValidateResourcePolicyInput) (ValidateResourcePolicyOutput, error) {
	if err := checkLength(in.ResourcePolicy, "resourcePolicy", 1, MaxPolicyLength); err != nil {
		return ValidateResourcePolicyOutput{}, err
	}
	if in.SecretId != "" {
		if _, _, err := s.find(ctx, in.SecretId); err != nil {
			return ValidateResourcePolicyOutput{}, err
		}
	}
	out := ValidateResourcePolicyOutput{PolicyValidationPassed: true}
	for _, f := range policy.Validate(in.ResourcePolicy, policy.Resource) {
		out.PolicyValidationPassed = false
		out.ValidationErrors = append(out.ValidationErrors, ValidationErrorsEntry{CheckName: f.CheckName, ErrorMessage: f.ErrorMessage})
	}
	return out, nil
}
