package rotor

import "context"

// UpdateSecretVersionStageInput is the input of UpdateSecretVersionStage:
// move VersionStage to MoveToVersionId, remove it from RemoveFromVersionId,
// or both. Moving a label that sits on another version requires naming that
// version in RemoveFromVersionId.
type UpdateSecretVersionStageInput struct {
	// SecretId is the secret's name, complete ARN or partial ARN, 1–2048
	// characters.
	SecretId string
	// VersionStage is the label, 1–256 characters. A secret carries at most
	// 20 labels across its versions (LimitExceededException).
	VersionStage string
	// RemoveFromVersionId and MoveToVersionId are version ids of 32–64
	// characters; at least one is needed.
	RemoveFromVersionId string
	MoveToVersionId     string
}

// UpdateSecretVersionStageOutput is the output of UpdateSecretVersionStage.
type UpdateSecretVersionStageOutput struct {
	ARN  string
	Name string
}

// UpdateSecretVersionStage moves or removes a staging label. Moving AWSCURRENT
// moves AWSPREVIOUS to the version it left. AWSCURRENT can be moved but not
// removed, so a secret with versions always has one current version.
func (s *Service) UpdateSecretVersionStage(ctx context.Context, in UpdateSecretVersionStageInput) (UpdateSecretVersionStageOutput, error) {
	if err := validateLabel(in.VersionStage, "versionStage"); err != nil {
		return UpdateSecretVersionStageOutput{}, err
	}
	for _, f := range []struct{ id, path string }{{in.RemoveFromVersionId, "removeFromVersionId"}, {in.MoveToVersionId, "moveToVersionId"}} {
		if f.id != "" {
			if err := validateVersionID(f.id, f.path); err != nil {
				return UpdateSecretVersionStageOutput{}, err
			}
		}
	}
	if in.RemoveFromVersionId == "" && in.MoveToVersionId == "" {
		return UpdateSecretVersionStageOutput{}, newError(CodeInvalidParameter, "You must specify MoveToVersionId, RemoveFromVersionId, or both.")
	}
	label := in.VersionStage
	sec, changed, err := s.update(ctx, in.SecretId, func(sec *Secret) error {
		if err := writable(sec); err != nil {
			return err
		}
		for _, id := range []string{in.RemoveFromVersionId, in.MoveToVersionId} {
			if id != "" && sec.Version(id) == nil {
				return newError(CodeInvalidParameter, "The version %s does not exist in secret %s.", id, sec.Name)
			}
		}
		holder, attached := sec.StageVersion(label)
		if in.RemoveFromVersionId != "" && (!attached || holder != in.RemoveFromVersionId) {
			return errRemoveMismatch(label, in.RemoveFromVersionId)
		}
		if in.MoveToVersionId == "" {
			if label == StageCurrent {
				return newError(CodeInvalidParameter, "You can't remove the staging label AWSCURRENT from version %s without moving it to another version with MoveToVersionId.", in.RemoveFromVersionId)
			}
			sec.removeLabel(label)
		} else {
			if attached && holder != in.MoveToVersionId && in.RemoveFromVersionId == "" {
				return newError(CodeInvalidParameter, "The parameter RemoveFromVersionId can't be empty. Staging label %s is currently attached to version %s, so you must explicitly reference that version in RemoveFromVersionId.", label, holder)
			}
			if attached && holder == in.MoveToVersionId {
				return errUnchanged
			}
			sec.attachLabel(label, in.MoveToVersionId)
			if err := sec.checkLabelLimit(); err != nil {
				return err
			}
		}
		now := s.now()
		sec.LastChangedDate = now
		sec.dropStaleRotation()
		if label == StageCurrent {
			sec.rescheduleAfterChange(now)
		}
		return nil
	})
	if err != nil {
		return UpdateSecretVersionStageOutput{}, err
	}
	if changed {
		id := in.MoveToVersionId
		if id == "" {
			id = in.RemoveFromVersionId
		}
		s.emitWithLabels(sec, Event{Kind: EventLabelMoved, ARN: sec.ARN, Name: sec.Name, VersionID: id, Stages: sec.StagesOf(id), Time: sec.LastChangedDate})
	}
	return UpdateSecretVersionStageOutput{ARN: sec.ARN, Name: sec.Name}, nil
}

func errRemoveMismatch(label, id string) *Error {
	return newError(CodeInvalidParameter, "The staging label %s is not attached to version %s. When you move staging label %s, RemoveFromVersionId must be the version that currently has it.", label, id, label)
}
