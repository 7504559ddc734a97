package rotor

import (
	"context"
	"errors"
)

// CreateSecretInput is the input of CreateSecret. SecretString and
// SecretBinary are the value (at most one; "" and nil mean absent): without a
// value the secret has no version until PutSecretValue or a rotation adds one.
type CreateSecretInput struct {
	// Name is 1–512 characters of ASCII letters, digits and / _ + = . @ -
	// (ValidationException otherwise). Avoid ending it with a hyphen and six
	// characters: a partial ARN of such a name reads as a complete one.
	Name string
	// ClientRequestToken becomes the VersionId: 32–64 characters; empty
	// means a fresh UUID.
	ClientRequestToken string
	// Description is at most 2048 characters.
	Description string
	// KmsKeyId names the key the value is encrypted under, at most 2048
	// characters; "" is the default key aws/secretsmanager.
	KmsKeyId string
	// SecretString or SecretBinary is the first value, 1–65,536 bytes; at
	// most one of them (InvalidParameterException for both). Neither makes
	// a secret without a version.
	SecretString string
	SecretBinary []byte
	// Tags are at most 50: keys 1–128 characters, not starting with aws:
	// (reserved); values 0–256 characters.
	Tags []Tag
	// AddReplicaRegions replicates the new secret to these Regions, as
	// ReplicateSecretToRegions does; ForceOverwriteReplicaSecret replaces a
	// secret of the same name found there.
	AddReplicaRegions           []ReplicaRegion
	ForceOverwriteReplicaSecret bool
}

// CreateSecretOutput is the output of CreateSecret. VersionId is empty when no
// value was given.
type CreateSecretOutput struct {
	ARN       string
	Name      string
	VersionId string
	// ReplicationStatus lists the replicas AddReplicaRegions asked for,
	// InProgress; nil without.
	ReplicationStatus []ReplicationStatusEntry
}

// CreateSecret creates a secret, with its first version labelled AWSCURRENT
// when a value is given. Repeating the call with the same ClientRequestToken
// and value returns the same output and changes nothing.
func (s *Service) CreateSecret(ctx context.Context, in CreateSecretInput) (CreateSecretOutput, error) {
	if err := validateName(in.Name); err != nil {
		return CreateSecretOutput{}, err
	}
	token, err := s.tokenOrNew(in.ClientRequestToken, "clientRequestToken")
	if err != nil {
		return CreateSecretOutput{}, err
	}
	if err := checkLength(in.Description, "description", 0, MaxDescriptionLength); err != nil {
		return CreateSecretOutput{}, err
	}
	if err := checkLength(in.KmsKeyId, "kmsKeyId", 0, MaxKmsKeyIDLength); err != nil {
		return CreateSecretOutput{}, err
	}
	value, hasValue, err := secretValue(in.SecretString, in.SecretBinary)
	if err != nil {
		return CreateSecretOutput{}, err
	}
	if err := validateTags(in.Tags, "tags"); err != nil {
		return CreateSecretOutput{}, err
	}
	tags, err := mergeTags(nil, in.Tags)
	if err != nil {
		return CreateSecretOutput{}, err
	}
	if in.AddReplicaRegions != nil {
		if err := validateReplicaRegions(in.AddReplicaRegions); err != nil {
			return CreateSecretOutput{}, err
		}
	}
	for attempt := 0; ; attempt++ {
		existing, _, err := s.loadLive(ctx, in.Name)
		switch {
		case err == nil:
			return s.createReplay(existing, token, value, hasValue)
		case !isCode(err, CodeResourceNotFound):
			return CreateSecretOutput{}, err
		}
		now := s.now()
		arn, err := s.newARN(in.Name)
		if err != nil {
			return CreateSecretOutput{}, err
		}
		sec := &Secret{
			ARN: arn, Name: in.Name, Description: in.Description, KmsKeyID: in.KmsKeyId,
			CreatedDate: now, LastChangedDate: now,
		}
		if len(tags) > 0 {
			sec.Tags = tags
		}
		out := CreateSecretOutput{ARN: arn, Name: in.Name}
		if hasValue {
			sec.Versions = []*Version{{ID: token, Value: value, CreatedDate: now}}
			sec.Stages = []Stage{{Label: StageCurrent, VersionID: token}}
			out.VersionId = token
		}
		if in.AddReplicaRegions != nil {
			if err := sec.addReplicas(in.AddReplicaRegions, in.ForceOverwriteReplicaSecret, now); err != nil {
				return CreateSecretOutput{}, err
			}
			sec.Generation = 1
			out.ReplicationStatus = sec.replicationStatus(nil)
		}
		_, err = s.store.Save(ctx, sec, 0)
		if err == nil {
			s.emitWithLabels(sec, Event{Kind: EventCreated, ARN: arn, Name: in.Name, VersionID: out.VersionId, Stages: sec.StagesOf(out.VersionId), Time: now})
			if len(sec.Replicas) > 0 {
				s.replicate(ctx, sec, now)
			}
			return out, nil
		}
		if !errors.Is(err, ErrStoreExists) && !errors.Is(err, ErrStoreConflict) {
			return CreateSecretOutput{}, storeError(err)
		}
		if attempt >= s.retries {
			return CreateSecretOutput{}, &Error{Code: CodeInternalServiceError, Message: "The secret kept changing under this request; nothing was saved.", Err: err}
		}
		// Another caller created the name meanwhile: answer as if it had been first.
	}
}

// createReplay answers CreateSecret for a name that exists: a replay of the
// same token and value succeeds, anything else is refused.
func (s *Service) createReplay(existing *Secret, token string, value Value, hasValue bool) (CreateSecretOutput, error) {
	if existing.Deleted() {
		return CreateSecretOutput{}, newError(CodeInvalidRequest, msgScheduledForDeletion)
	}
	if hasValue {
		if v := existing.Version(token); v != nil {
			if err := v.Value.readable(); err != nil {
				return CreateSecretOutput{}, err // the replay cannot be told from a conflict
			}
			if v.Value.Equal(value) {
				return CreateSecretOutput{ARN: existing.ARN, Name: existing.Name, VersionId: token}, nil
			}
			return CreateSecretOutput{}, errTokenInUse(token, existing.ARN)
		}
	}
	return CreateSecretOutput{}, newError(CodeResourceExists, "The operation failed because the secret %s already exists.", existing.Name)
}

// tokenOrNew validates a ClientRequestToken, or generates one as the SDKs do.
func (s *Service) tokenOrNew(token, path string) (string, error) {
	if token == "" {
		return s.newToken()
	}
	if err := validateToken(token, path); err != nil {
		return "", err
	}
	return token, nil
}
