package rotators

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/rotorkit/rotor"
)

// SecretsAPI is what a rotator calls: the five Secrets Manager operations a
// rotation function needs. *rotor.Service implements it; so does the
// adapter of package rotators/awssdk over the AWS SDK's client. A missing
// version must be an error matching rotor.ErrResourceNotFound.
type SecretsAPI = rotor.SecretsAPI

// DefaultExcludeCharacters are the characters AWS's database templates keep
// out of generated passwords (their EXCLUDE_CHARACTERS default): ones that
// break connection strings and shell quoting.
const DefaultExcludeCharacters = `/@"'\`

// steps runs the four steps of a rotation as AWS's templates do, leaving
// what is specific to a kind of rotator to next, set and test.
type steps struct {
	api SecretsAPI
	// next returns the pending SecretString made from the current one and
	// a fresh password.
	next func(ctx context.Context, current rotor.GetSecretValueOutput, password string) (string, error)
	// set installs the pending value where it is used; nil means nothing.
	set func(ctx context.Context, ev rotor.RotationEvent, pending rotor.GetSecretValueOutput) error
	// test checks that the pending value works; nil means nothing.
	test func(ctx context.Context, pending rotor.GetSecretValueOutput) error
	// password is the request for the fresh password.
	password rotor.GetRandomPasswordInput
}

// errDone ends a step early: the token's version is already AWSCURRENT.
var errDone = errors.New("rotators: version already AWSCURRENT")

// check does what the templates do before every step: rotation must be
// enabled and the token a version labelled AWSPENDING, unless it is already
// AWSCURRENT (a retry of a finished rotation, which has nothing left to do).
func (s *steps) check(ctx context.Context, ev rotor.RotationEvent) (rotor.DescribeSecretOutput, error) {
	d, err := s.api.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: ev.SecretId})
	if err != nil {
		return d, fmt.Errorf("%s: describing the secret: %w", ev.Step, err)
	}
	if d.RotationEnabled != nil && !*d.RotationEnabled {
		return d, fmt.Errorf("%s: secret %s is not enabled for rotation", ev.Step, d.ARN)
	}
	stages, ok := d.VersionIdsToStages[ev.ClientRequestToken]
	switch {
	case !ok:
		return d, fmt.Errorf("%s: secret version %s has no stage for rotation of secret %s", ev.Step, ev.ClientRequestToken, d.ARN)
	case slices.Contains(stages, rotor.StageCurrent):
		return d, errDone
	case !slices.Contains(stages, rotor.StagePending):
		return d, fmt.Errorf("%s: secret version %s is not AWSPENDING for rotation of secret %s", ev.Step, ev.ClientRequestToken, d.ARN)
	}
	return d, nil
}

func done(err error) error {
	if errors.Is(err, errDone) {
		return nil
	}
	return err
}

// CreateSecret fills the pending version with a new value, unless it
// already has one (a retry).
func (s *steps) CreateSecret(ctx context.Context, ev rotor.RotationEvent) error {
	if _, err := s.check(ctx, ev); err != nil {
		return done(err)
	}
	current, err := s.api.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: ev.SecretId, VersionStage: rotor.StageCurrent})
	if err != nil {
		return fmt.Errorf("createSecret: reading AWSCURRENT: %w", err)
	}
	_, err = s.api.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: ev.SecretId, VersionId: ev.ClientRequestToken, VersionStage: rotor.StagePending})
	if err == nil {
		return nil // a retry: the pending value was made already
	}
	if !errors.Is(err, rotor.ErrResourceNotFound) {
		return fmt.Errorf("createSecret: reading AWSPENDING: %w", err)
	}
	pw, err := s.api.GetRandomPassword(ctx, s.password)
	if err != nil {
		return fmt.Errorf("createSecret: generating a password: %w", err)
	}
	value, err := s.next(ctx, current, pw.RandomPassword)
	if err != nil {
		return fmt.Errorf("createSecret: %w", err)
	}
	if _, err := s.api.PutSecretValue(ctx, rotor.PutSecretValueInput{
		SecretId: ev.SecretId, ClientRequestToken: ev.ClientRequestToken, SecretString: value,
		VersionStages: []string{rotor.StagePending}, RotationToken: ev.RotationToken,
	}); err != nil {
		return fmt.Errorf("createSecret: storing AWSPENDING: %w", err)
	}
	return nil
}

// SetSecret installs the pending value.
func (s *steps) SetSecret(ctx context.Context, ev rotor.RotationEvent) error {
	if _, err := s.check(ctx, ev); err != nil {
		return done(err)
	}
	if s.set == nil {
		return nil
	}
	pending, err := s.pending(ctx, ev)
	if err != nil {
		return err
	}
	if err := s.set(ctx, ev, pending); err != nil {
		return fmt.Errorf("setSecret: %w", err)
	}
	return nil
}

// TestSecret checks the pending value.
func (s *steps) TestSecret(ctx context.Context, ev rotor.RotationEvent) error {
	if _, err := s.check(ctx, ev); err != nil {
		return done(err)
	}
	if s.test == nil {
		return nil
	}
	pending, err := s.pending(ctx, ev)
	if err != nil {
		return err
	}
	if err := s.test(ctx, pending); err != nil {
		return fmt.Errorf("testSecret: %w", err)
	}
	return nil
}

func (s *steps) pending(ctx context.Context, ev rotor.RotationEvent) (rotor.GetSecretValueOutput, error) {
	v, err := s.api.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: ev.SecretId, VersionId: ev.ClientRequestToken, VersionStage: rotor.StagePending})
	if err != nil {
		return v, fmt.Errorf("%s: reading AWSPENDING: %w", ev.Step, err)
	}
	return v, nil
}

// FinishSecret moves AWSCURRENT to the pending version; Secrets Manager
// moves AWSPREVIOUS to the version that was current.
func (s *steps) FinishSecret(ctx context.Context, ev rotor.RotationEvent) error {
	d, err := s.check(ctx, ev)
	if err != nil {
		return done(err)
	}
	var current string
	for id, stages := range d.VersionIdsToStages {
		if slices.Contains(stages, rotor.StageCurrent) {
			current = id
		}
	}
	if _, err := s.api.UpdateSecretVersionStage(ctx, rotor.UpdateSecretVersionStageInput{
		SecretId: ev.SecretId, VersionStage: rotor.StageCurrent, MoveToVersionId: ev.ClientRequestToken, RemoveFromVersionId: current,
	}); err != nil {
		return fmt.Errorf("finishSecret: moving AWSCURRENT: %w", err)
	}
	return nil
}
