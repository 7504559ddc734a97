package rotor

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// SecretsAPI is the part of Secrets Manager that a rotation function calls.
// *Service implements it; so can a client of a remote endpoint.
type SecretsAPI interface {
	DescribeSecret(ctx context.Context, in DescribeSecretInput) (DescribeSecretOutput, error)
	GetSecretValue(ctx context.Context, in GetSecretValueInput) (GetSecretValueOutput, error)
	PutSecretValue(ctx context.Context, in PutSecretValueInput) (PutSecretValueOutput, error)
	UpdateSecretVersionStage(ctx context.Context, in UpdateSecretVersionStageInput) (UpdateSecretVersionStageOutput, error)
	GetRandomPassword(ctx context.Context, in GetRandomPasswordInput) (GetRandomPasswordOutput, error)
}

// TemplateRotator is a Rotator that does what AWS's rotation function
// template does, through the public operations of API only, exactly as a
// Lambda would. The caller supplies what is specific to the credential:
// Generate makes the new value, Set installs it in the service that uses it,
// Test checks that it works. createSecret and finishSecret are the template's.
//
// Before every step it checks, as the template does, that rotation is enabled,
// that the token is a version of the secret labelled AWSPENDING, and it
// succeeds at once if that version is already AWSCURRENT.
type TemplateRotator struct {
	API SecretsAPI
	// Generate returns the new SecretString from the current version. Nil
	// means a 32-character password from GetRandomPassword.
	Generate func(ctx context.Context, current GetSecretValueOutput) (string, error)
	// Set installs the pending value where it is used (a database, say). Nil
	// means nothing to do.
	Set func(ctx context.Context, pending GetSecretValueOutput) error
	// Test checks that the pending value works. Nil means nothing to do.
	Test func(ctx context.Context, pending GetSecretValueOutput) error
}

// errAlreadyCurrent ends a step early: the version is already AWSCURRENT.
var errAlreadyCurrent = errors.New("rotor: version already AWSCURRENT")

func (t *TemplateRotator) check(ctx context.Context, ev RotationEvent) (DescribeSecretOutput, error) {
	d, err := t.API.DescribeSecret(ctx, DescribeSecretInput{SecretId: ev.SecretId})
	if err != nil {
		return d, err
	}
	if d.RotationEnabled == nil || !*d.RotationEnabled {
		return d, fmt.Errorf("secret %s is not enabled for rotation", d.ARN)
	}
	stages, ok := d.VersionIdsToStages[ev.ClientRequestToken]
	if !ok {
		return d, fmt.Errorf("secret version %s has no stage for rotation of secret %s", ev.ClientRequestToken, d.ARN)
	}
	if slices.Contains(stages, StageCurrent) {
		return d, errAlreadyCurrent
	}
	if !slices.Contains(stages, StagePending) {
		return d, fmt.Errorf("secret version %s not set as AWSPENDING for rotation of secret %s", ev.ClientRequestToken, d.ARN)
	}
	return d, nil
}

// CreateSecret implements Rotator: it fills the pending version with a new
// value unless it already has one.
func (t *TemplateRotator) CreateSecret(ctx context.Context, ev RotationEvent) error {
	if _, err := t.check(ctx, ev); err != nil {
		return ignoreDone(err)
	}
	current, err := t.API.GetSecretValue(ctx, GetSecretValueInput{SecretId: ev.SecretId, VersionStage: StageCurrent})
	if err != nil {
		return err
	}
	_, err = t.API.GetSecretValue(ctx, GetSecretValueInput{SecretId: ev.SecretId, VersionId: ev.ClientRequestToken, VersionStage: StagePending})
	if err == nil {
		return nil
	}
	if !errors.Is(err, ErrResourceNotFound) {
		return err
	}
	var value string
	if t.Generate != nil {
		value, err = t.Generate(ctx, current)
	} else {
		var pw GetRandomPasswordOutput
		pw, err = t.API.GetRandomPassword(ctx, GetRandomPasswordInput{})
		value = pw.RandomPassword
	}
	if err != nil {
		return err
	}
	_, err = t.API.PutSecretValue(ctx, PutSecretValueInput{
		SecretId: ev.SecretId, ClientRequestToken: ev.ClientRequestToken, SecretString: value,
		VersionStages: []string{StagePending}, RotationToken: ev.RotationToken,
	})
	return err
}

// SetSecret implements Rotator by calling Set with the pending value.
func (t *TemplateRotator) SetSecret(ctx context.Context, ev RotationEvent) error {
	return t.withPending(ctx, ev, t.Set)
}

// TestSecret implements Rotator by calling Test with the pending value.
func (t *TemplateRotator) TestSecret(ctx context.Context, ev RotationEvent) error {
	return t.withPending(ctx, ev, t.Test)
}

func (t *TemplateRotator) withPending(ctx context.Context, ev RotationEvent, fn func(context.Context, GetSecretValueOutput) error) error {
	if _, err := t.check(ctx, ev); err != nil {
		return ignoreDone(err)
	}
	if fn == nil {
		return nil
	}
	pending, err := t.API.GetSecretValue(ctx, GetSecretValueInput{SecretId: ev.SecretId, VersionId: ev.ClientRequestToken, VersionStage: StagePending})
	if err != nil {
		return err
	}
	return fn(ctx, pending)
}

// FinishSecret implements Rotator: it moves AWSCURRENT to the pending version.
func (t *TemplateRotator) FinishSecret(ctx context.Context, ev RotationEvent) error {
	d, err := t.check(ctx, ev)
	if err != nil {
		return ignoreDone(err)
	}
	var current string
	for id, stages := range d.VersionIdsToStages {
		if slices.Contains(stages, StageCurrent) {
			current = id
		}
	}
	_, err = t.API.UpdateSecretVersionStage(ctx, UpdateSecretVersionStageInput{
		SecretId: ev.SecretId, VersionStage: StageCurrent, MoveToVersionId: ev.ClientRequestToken, RemoveFromVersionId: current,
	})
	return err
}

func ignoreDone(err error) error {
	if errors.Is(err, errAlreadyCurrent) {
		return nil
	}
	return err
}
