package rotor

import (
	"context"
	"fmt"
	"regexp"
	"slices"
)

// PutSecretValueInput is the input of PutSecretValue. Exactly one of
// SecretString and SecretBinary must be set.
type PutSecretValueInput struct {
	// SecretId is the secret's name, complete ARN or partial ARN, 1–2048
	// characters.
	SecretId string
	// ClientRequestToken becomes the VersionId: 32–64 characters; empty
	// means a fresh UUID. The token of the value-less AWSPENDING version a
	// rotation made fills it.
	ClientRequestToken string
	// SecretString or SecretBinary is the value, 1–65,536 bytes; exactly
	// one of them.
	SecretString string
	SecretBinary []byte
	// VersionStages are the labels to attach, 1–20 of 1–256 characters
	// each; nil means AWSCURRENT. A secret carries at most 20 labels across
	// its versions (LimitExceededException).
	VersionStages []string
	// RotationToken is the token a rotation function passes back: optional,
	// 36–256 letters, digits and hyphens.
	RotationToken string
}

// PutSecretValueOutput is the output of PutSecretValue.
type PutSecretValueOutput struct {
	ARN           string
	Name          string
	VersionId     string
	VersionStages []string
}

var rotationTokenPattern = regexp.MustCompile(`^[a-zA-Z0-9\-]+$`)

// PutSecretValue adds a version with a new value. Without VersionStages it
// becomes AWSCURRENT and the old current version becomes AWSPREVIOUS; with
// them, exactly those labels move to it. A token that names the value-less
// AWSPENDING placeholder of a rotation fills it; one that names a version with
// the same value is an idempotent replay; any other existing token is refused.
func (s *Service) PutSecretValue(ctx context.Context, in PutSecretValueInput) (PutSecretValueOutput, error) {
	token, err := s.tokenOrNew(in.ClientRequestToken, "clientRequestToken")
	if err != nil {
		return PutSecretValueOutput{}, err
	}
	value, ok, err := secretValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return PutSecretValueOutput{}, err
	}
	if !ok {
		return PutSecretValueOutput{}, newError(CodeInvalidRequest, msgNoValue)
	}
	if in.VersionStages != nil {
		if err := validateLabels(in.VersionStages); err != nil {
			return PutSecretValueOutput{}, err
		}
	}
	if in.RotationToken != "" {
		if err := checkLength(in.RotationToken, "rotationToken", 36, 256); err != nil {
			return PutSecretValueOutput{}, err
		}
		if !rotationTokenPattern.MatchString(in.RotationToken) {
			return PutSecretValueOutput{}, constraintError(in.RotationToken, "rotationToken", `satisfy regular expression pattern: ^[a-zA-Z0-9\-]+$`)
		}
	}
	sec, changed, err := s.update(ctx, in.SecretId, func(sec *Secret) error {
		return s.putValue(sec, token, value, in.VersionStages)
	})
	if err != nil {
		return PutSecretValueOutput{}, err
	}
	out := PutSecretValueOutput{ARN: sec.ARN, Name: sec.Name, VersionId: token, VersionStages: sec.StagesOf(token)}
	if changed {
		s.emitWithLabels(sec, Event{Kind: EventValuePut, ARN: sec.ARN, Name: sec.Name, VersionID: token, Stages: out.VersionStages, Time: sec.LastChangedDate})
	}
	return out, nil
}

// putValue applies a value write to sec: a new version, a placeholder fill,
// or (errUnchanged) a replay. stages nil means AWSCURRENT.
func (s *Service) putValue(sec *Secret, token string, value Value, stages []string) error {
	if err := writable(sec); err != nil {
		return err
	}
	now := s.now()
	hadVersions := len(sec.Versions) > 0
	if i := sec.versionIndex(token); i >= 0 {
		old := sec.Versions[i]
		if err := old.Value.readable(); err != nil {
			return err // the replay cannot be told from a conflict
		}
		if !old.Value.IsZero() {
			if old.Value.Equal(value) {
				return errUnchanged
			}
			return errTokenInUse(token, sec.ARN)
		}
		// The rotation placeholder: fill it. Filling never adds AWSCURRENT by
		// itself, so that rotating a secret that had no value works; listed
		// labels move as usual.
		filled := *old
		filled.Value = value
		sec.ownVersions()
		sec.Versions[i] = &filled
		if stages == nil {
			stages = []string{StageCurrent}
		}
		hadVersions = true
	} else {
		if err := sec.addVersion(&Version{ID: token, Value: value, CreatedDate: now}); err != nil {
			return err
		}
		if stages == nil {
			stages = []string{StageCurrent}
		}
	}
	before, _ := sec.StageVersion(StageCurrent)
	for _, label := range stages {
		sec.attachLabel(label, token)
	}
	if !hadVersions && !slices.Contains(stages, StageCurrent) {
		// The first version of a secret is always AWSCURRENT.
		sec.attachLabel(StageCurrent, token)
	}
	if err := sec.checkLabelLimit(); err != nil {
		return err
	}
	sec.LastChangedDate = now
	sec.dropStaleRotation()
	if after, _ := sec.StageVersion(StageCurrent); after != before {
		sec.rescheduleAfterChange(now)
	}
	return nil
}

// UpdateSecretInput is the input of UpdateSecret. Nil Description and
// KmsKeyId leave them unchanged; "" clears them. A value creates a new
// AWSCURRENT version.
type UpdateSecretInput struct {
	// SecretId is the secret's name, complete ARN or partial ARN, 1–2048
	// characters.
	SecretId string
	// ClientRequestToken becomes the VersionId of the new value: 32–64
	// characters; empty means a fresh UUID.
	ClientRequestToken string
	// Description, at most 2048 characters.
	Description *string
	// KmsKeyId, at most 2048 characters; "" is the default key.
	KmsKeyId *string
	// SecretString or SecretBinary, 1–65,536 bytes, at most one: a new
	// AWSCURRENT version.
	SecretString string
	SecretBinary []byte
}

// UpdateSecretOutput is the output of UpdateSecret. VersionId is set only
// when a value was given.
type UpdateSecretOutput struct {
	ARN       string
	Name      string
	VersionId string
}

// UpdateSecret changes a secret's description or KMS key, and with a value
// adds a version that becomes AWSCURRENT.
func (s *Service) UpdateSecret(ctx context.Context, in UpdateSecretInput) (UpdateSecretOutput, error) {
	value, hasValue, err := secretValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return UpdateSecretOutput{}, err
	}
	var token string
	if hasValue {
		if token, err = s.tokenOrNew(in.ClientRequestToken, "clientRequestToken"); err != nil {
			return UpdateSecretOutput{}, err
		}
	} else if in.ClientRequestToken != "" {
		if err := validateToken(in.ClientRequestToken, "clientRequestToken"); err != nil {
			return UpdateSecretOutput{}, err
		}
	}
	if in.Description != nil {
		if err := checkLength(*in.Description, "description", 0, MaxDescriptionLength); err != nil {
			return UpdateSecretOutput{}, err
		}
	}
	if in.KmsKeyId != nil {
		if err := checkLength(*in.KmsKeyId, "kmsKeyId", 0, MaxKmsKeyIDLength); err != nil {
			return UpdateSecretOutput{}, err
		}
	}
	sec, changed, err := s.update(ctx, in.SecretId, func(sec *Secret) error {
		// A replica takes one change of its own: its encryption key.
		if err := writable(sec); err != nil && !(sec.IsReplica() && !hasValue && in.Description == nil && in.KmsKeyId != nil) {
			return err
		}
		if hasValue {
			if err := s.putValue(sec, token, value, nil); err != nil {
				// A replay of the same token and value changes nothing else either.
				return err
			}
		}
		if in.Description != nil {
			sec.Description = *in.Description
		}
		if in.KmsKeyId != nil {
			sec.KmsKeyID = *in.KmsKeyId
		}
		if !hasValue && in.Description == nil && in.KmsKeyId == nil {
			return errUnchanged
		}
		sec.LastChangedDate = s.now()
		return nil
	})
	if err != nil {
		return UpdateSecretOutput{}, err
	}
	out := UpdateSecretOutput{ARN: sec.ARN, Name: sec.Name, VersionId: token}
	switch {
	case changed && hasValue:
		s.emitWithLabels(sec, Event{Kind: EventValuePut, ARN: sec.ARN, Name: sec.Name, VersionID: token, Stages: sec.StagesOf(token), Time: sec.LastChangedDate})
	case changed:
		s.emit(Event{Kind: EventUpdated, ARN: sec.ARN, Name: sec.Name, Time: sec.LastChangedDate})
	}
	return out, nil
}

func (s *Service) String() string {
	return fmt.Sprintf("rotor.Service{region: %s, account: %s}", s.region, s.account)
}
