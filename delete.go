package rotor

import (
	"context"
	"errors"
	"time"
)

// DeleteSecretInput is the input of DeleteSecret.
type DeleteSecretInput struct {
	// SecretId is the secret's name, complete ARN or partial ARN, 1–2048
	// characters.
	SecretId string
	// RecoveryWindowInDays is 7–30 days; nil means 30. It excludes
	// ForceDeleteWithoutRecovery (InvalidParameterException for both).
	RecoveryWindowInDays       *int64
	ForceDeleteWithoutRecovery bool
}

// DeleteSecretOutput is the output of DeleteSecret. DeletionDate is when the
// secret is (or was, when forced) removed for good.
type DeleteSecretOutput struct {
	ARN          string
	Name         string
	DeletionDate time.Time
}

// DeleteSecret schedules a secret for deletion after a recovery window, or
// removes it at once when forced. While scheduled, its values cannot be read
// or changed, DescribeSecret still works and RestoreSecret brings it back.
// Forcing the deletion of a secret that does not exist succeeds, as on AWS.
func (s *Service) DeleteSecret(ctx context.Context, in DeleteSecretInput) (DeleteSecretOutput, error) {
	if in.RecoveryWindowInDays != nil {
		if w := *in.RecoveryWindowInDays; w < 7 || w > 30 {
			return DeleteSecretOutput{}, newError(CodeInvalidParameter, msgRecoveryWindow)
		}
		if in.ForceDeleteWithoutRecovery {
			return DeleteSecretOutput{}, newError(CodeInvalidParameter, msgForceAndWindow)
		}
	}
	if in.ForceDeleteWithoutRecovery {
		return s.forceDelete(ctx, in.SecretId)
	}
	window := int64(30)
	if in.RecoveryWindowInDays != nil {
		window = *in.RecoveryWindowInDays
	}
	sec, changed, err := s.update(ctx, in.SecretId, func(sec *Secret) error {
		if err := deletable(sec); err != nil {
			return err
		}
		now := s.now()
		sec.DeletedDate = now
		sec.DeletionDate = now.Add(time.Duration(window) * 24 * time.Hour)
		return nil
	})
	if err != nil {
		return DeleteSecretOutput{}, err
	}
	if changed {
		s.emit(Event{Kind: EventDeleted, ARN: sec.ARN, Name: sec.Name, Time: sec.DeletedDate})
	}
	return DeleteSecretOutput{ARN: sec.ARN, Name: sec.Name, DeletionDate: sec.DeletionDate}, nil
}

func (s *Service) forceDelete(ctx context.Context, id string) (DeleteSecretOutput, error) {
	for attempt := 0; ; attempt++ {
		now := s.now()
		sec, rev, err := s.find(ctx, id)
		if isCode(err, CodeResourceNotFound) {
			return s.deletedAnyway(id, now)
		}
		if err != nil {
			return DeleteSecretOutput{}, err
		}
		if sec.IsReplica() || len(sec.Replicas) > 0 {
			if err := deletable(sec); err != nil {
				return DeleteSecretOutput{}, err
			}
		}
		err = s.store.Delete(ctx, s.region, sec.Name, rev)
		if err == nil || errors.Is(err, ErrStoreNotFound) {
			s.emit(Event{Kind: EventPurged, ARN: sec.ARN, Name: sec.Name, Time: now})
			return DeleteSecretOutput{ARN: sec.ARN, Name: sec.Name, DeletionDate: now}, nil
		}
		if !errors.Is(err, ErrStoreConflict) {
			return DeleteSecretOutput{}, storeError(err)
		}
		if attempt >= s.retries {
			return DeleteSecretOutput{}, &Error{Code: CodeInternalServiceError, Message: "The secret kept changing under this request; nothing was deleted.", Err: err}
		}
	}
}

// deletedAnyway answers a forced deletion of a secret that does not exist.
func (s *Service) deletedAnyway(id string, now time.Time) (DeleteSecretOutput, error) {
	if _, _, resource := splitSecretARN(id); resource != "" {
		name, _ := arnResourceName(resource)
		return DeleteSecretOutput{ARN: id, Name: name, DeletionDate: now}, nil
	}
	arn, err := s.newARN(id)
	if err != nil {
		return DeleteSecretOutput{}, err
	}
	return DeleteSecretOutput{ARN: arn, Name: id, DeletionDate: now}, nil
}

// RestoreSecretInput is the input of RestoreSecret.
type RestoreSecretInput struct {
	// SecretId is the secret's name, complete ARN or partial ARN, 1–2048
	// characters.
	SecretId string
}

// RestoreSecretOutput is the output of RestoreSecret.
type RestoreSecretOutput struct {
	ARN  string
	Name string
}

// RestoreSecret cancels a scheduled deletion; everything comes back as it
// was. Restoring a secret that is not scheduled for deletion changes nothing.
func (s *Service) RestoreSecret(ctx context.Context, in RestoreSecretInput) (RestoreSecretOutput, error) {
	sec, changed, err := s.update(ctx, in.SecretId, func(sec *Secret) error {
		if sec.IsReplica() {
			return newError(CodeInvalidParameter, msgReplicaReadOnly)
		}
		if !sec.Deleted() {
			return errUnchanged
		}
		sec.DeletedDate, sec.DeletionDate = time.Time{}, time.Time{}
		sec.LastChangedDate = s.now()
		return nil
	})
	if err != nil {
		return RestoreSecretOutput{}, err
	}
	if changed {
		s.emit(Event{Kind: EventRestored, ARN: sec.ARN, Name: sec.Name, Time: sec.LastChangedDate})
	}
	return RestoreSecretOutput{ARN: sec.ARN, Name: sec.Name}, nil
}
