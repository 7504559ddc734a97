package cli

import (
	"context"

	"github.com/rotorkit/rotor"
)

// API is the Secrets Manager service that the commands call: one method per
// operation, with the root package's input and output types. A *rotor.Service
// satisfies it (local mode), and so can a client of a remote endpoint.
type API interface {
	CreateSecret(ctx context.Context, in rotor.CreateSecretInput) (rotor.CreateSecretOutput, error)
	PutSecretValue(ctx context.Context, in rotor.PutSecretValueInput) (rotor.PutSecretValueOutput, error)
	GetSecretValue(ctx context.Context, in rotor.GetSecretValueInput) (rotor.GetSecretValueOutput, error)
	BatchGetSecretValue(ctx context.Context, in rotor.BatchGetSecretValueInput) (rotor.BatchGetSecretValueOutput, error)
	UpdateSecret(ctx context.Context, in rotor.UpdateSecretInput) (rotor.UpdateSecretOutput, error)
	UpdateSecretVersionStage(ctx context.Context, in rotor.UpdateSecretVersionStageInput) (rotor.UpdateSecretVersionStageOutput, error)
	RotateSecret(ctx context.Context, in rotor.RotateSecretInput) (rotor.RotateSecretOutput, error)
	CancelRotateSecret(ctx context.Context, in rotor.CancelRotateSecretInput) (rotor.CancelRotateSecretOutput, error)
	DescribeSecret(ctx context.Context, in rotor.DescribeSecretInput) (rotor.DescribeSecretOutput, error)
	ListSecretVersionIds(ctx context.Context, in rotor.ListSecretVersionIdsInput) (rotor.ListSecretVersionIdsOutput, error)
	ListSecrets(ctx context.Context, in rotor.ListSecretsInput) (rotor.ListSecretsOutput, error)
	DeleteSecret(ctx context.Context, in rotor.DeleteSecretInput) (rotor.DeleteSecretOutput, error)
	RestoreSecret(ctx context.Context, in rotor.RestoreSecretInput) (rotor.RestoreSecretOutput, error)
	GetRandomPassword(ctx context.Context, in rotor.GetRandomPasswordInput) (rotor.GetRandomPasswordOutput, error)
	TagResource(ctx context.Context, in rotor.TagResourceInput) (rotor.TagResourceOutput, error)
	UntagResource(ctx context.Context, in rotor.UntagResourceInput) (rotor.UntagResourceOutput, error)
	GetResourcePolicy(ctx context.Context, in rotor.GetResourcePolicyInput) (rotor.GetResourcePolicyOutput, error)
	PutResourcePolicy(ctx context.Context, in rotor.PutResourcePolicyInput) (rotor.PutResourcePolicyOutput, error)
	DeleteResourcePolicy(ctx context.Context, in rotor.DeleteResourcePolicyInput) (rotor.DeleteResourcePolicyOutput, error)
	ValidateResourcePolicy(ctx context.Context, in rotor.ValidateResourcePolicyInput) (rotor.ValidateResourcePolicyOutput, error)
	ReplicateSecretToRegions(ctx context.Context, in rotor.ReplicateSecretToRegionsInput) (rotor.ReplicateSecretToRegionsOutput, error)
	RemoveRegionsFromReplication(ctx context.Context, in rotor.RemoveRegionsFromReplicationInput) (rotor.RemoveRegionsFromReplicationOutput, error)
	StopReplicationToReplica(ctx context.Context, in rotor.StopReplicationToReplicaInput) (rotor.StopReplicationToReplicaOutput, error)
}

var _ API = (*rotor.Service)(nil)

// caller runs one operation: it decodes the JSON request params into the
// operation's input type, calls the API and returns its output.
type caller func(ctx context.Context, api API, params []byte) (any, error)

func bind[I, O any](method func(API) func(context.Context, I) (O, error)) caller {
	return func(ctx context.Context, api API, params []byte) (any, error) {
		var in I
		if err := decodeInput(params, &in); err != nil {
			return nil, err
		}
		return method(api)(ctx, in)
	}
}

// callers maps each operation name to its caller.
var callers = map[string]caller{
	"CreateSecret": bind(func(a API) func(context.Context, rotor.CreateSecretInput) (rotor.CreateSecretOutput, error) {
		return a.CreateSecret
	}),
	"PutSecretValue": bind(func(a API) func(context.Context, rotor.PutSecretValueInput) (rotor.PutSecretValueOutput, error) {
		return a.PutSecretValue
	}),
	"GetSecretValue": bind(func(a API) func(context.Context, rotor.GetSecretValueInput) (rotor.GetSecretValueOutput, error) {
		return a.GetSecretValue
	}),
	"BatchGetSecretValue": bind(func(a API) func(context.Context, rotor.BatchGetSecretValueInput) (rotor.BatchGetSecretValueOutput, error) {
		return a.BatchGetSecretValue
	}),
	"UpdateSecret": bind(func(a API) func(context.Context, rotor.UpdateSecretInput) (rotor.UpdateSecretOutput, error) {
		return a.UpdateSecret
	}),
	"UpdateSecretVersionStage": bind(func(a API) func(context.Context, rotor.UpdateSecretVersionStageInput) (rotor.UpdateSecretVersionStageOutput, error) {
		return a.UpdateSecretVersionStage
	}),
	"RotateSecret": bind(func(a API) func(context.Context, rotor.RotateSecretInput) (rotor.RotateSecretOutput, error) {
		return a.RotateSecret
	}),
	"CancelRotateSecret": bind(func(a API) func(context.Context, rotor.CancelRotateSecretInput) (rotor.CancelRotateSecretOutput, error) {
		return a.CancelRotateSecret
	}),
	"DescribeSecret": bind(func(a API) func(context.Context, rotor.DescribeSecretInput) (rotor.DescribeSecretOutput, error) {
		return a.DescribeSecret
	}),
	"ListSecretVersionIds": bind(func(a API) func(context.Context, rotor.ListSecretVersionIdsInput) (rotor.ListSecretVersionIdsOutput, error) {
		return a.ListSecretVersionIds
	}),
	"ListSecrets": bind(func(a API) func(context.Context, rotor.ListSecretsInput) (rotor.ListSecretsOutput, error) {
		return a.ListSecrets
	}),
	"DeleteSecret": bind(func(a API) func(context.Context, rotor.DeleteSecretInput) (rotor.DeleteSecretOutput, error) {
		return a.DeleteSecret
	}),
	"RestoreSecret": bind(func(a API) func(context.Context, rotor.RestoreSecretInput) (rotor.RestoreSecretOutput, error) {
		return a.RestoreSecret
	}),
	"GetRandomPassword": bind(func(a API) func(context.Context, rotor.GetRandomPasswordInput) (rotor.GetRandomPasswordOutput, error) {
		return a.GetRandomPassword
	}),
	"TagResource": bind(func(a API) func(context.Context, rotor.TagResourceInput) (rotor.TagResourceOutput, error) {
		return a.TagResource
	}),
	"UntagResource": bind(func(a API) func(context.Context, rotor.UntagResourceInput) (rotor.UntagResourceOutput, error) {
		return a.UntagResource
	}),
	"GetResourcePolicy": bind(func(a API) func(context.Context, rotor.GetResourcePolicyInput) (rotor.GetResourcePolicyOutput, error) {
		return a.GetResourcePolicy
	}),
	"PutResourcePolicy": bind(func(a API) func(context.Context, rotor.PutResourcePolicyInput) (rotor.PutResourcePolicyOutput, error) {
		return a.PutResourcePolicy
	}),
	"DeleteResourcePolicy": bind(func(a API) func(context.Context, rotor.DeleteResourcePolicyInput) (rotor.DeleteResourcePolicyOutput, error) {
		return a.DeleteResourcePolicy
	}),
	"ValidateResourcePolicy": bind(func(a API) func(context.Context, rotor.ValidateResourcePolicyInput) (rotor.ValidateResourcePolicyOutput, error) {
		return a.ValidateResourcePolicy
	}),
	"ReplicateSecretToRegions": bind(func(a API) func(context.Context, rotor.ReplicateSecretToRegionsInput) (rotor.ReplicateSecretToRegionsOutput, error) {
		return a.ReplicateSecretToRegions
	}),
	"RemoveRegionsFromReplication": bind(func(a API) func(context.Context, rotor.RemoveRegionsFromReplicationInput) (rotor.RemoveRegionsFromReplicationOutput, error) {
		return a.RemoveRegionsFromReplication
	}),
	"StopReplicationToReplica": bind(func(a API) func(context.Context, rotor.StopReplicationToReplicaInput) (rotor.StopReplicationToReplicaOutput, error) {
		return a.StopReplicationToReplica
	}),
}
