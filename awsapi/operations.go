package awsapi

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/rotorkit/rotor"
)

// operation decodes one request body, runs it on the region's service and
// returns the value to encode as the reply.
type operation func(ctx context.Context, s *rotor.Service, body []byte) (any, error)

// op turns a typed run function into an operation that decodes Req first,
// exactly (see schema.exact), and, when authorization is on, authorizes the
// decoded request.
func op[Req any](run func(ctx context.Context, s *rotor.Service, req *Req) (any, error)) operation {
	sch := schemaOf(reflect.TypeFor[Req]())
	return func(ctx context.Context, s *rotor.Service, body []byte) (any, error) {
		var req Req
		if err := decodeBody(body, &req, sch); err != nil {
			return nil, err
		}
		if c := callFrom(ctx); c != nil {
			if err := c.authorize(ctx, s, &req); err != nil {
				return nil, err
			}
		}
		return run(ctx, s, &req)
	}
}

// operations maps each X-Amz-Target operation name to its codec.
var operations = map[string]operation{
	"CreateSecret":             op(createSecret),
	"PutSecretValue":           op(putSecretValue),
	"GetSecretValue":           op(getSecretValue),
	"BatchGetSecretValue":      op(batchGetSecretValue),
	"UpdateSecret":             op(updateSecret),
	"UpdateSecretVersionStage": op(updateSecretVersionStage),
	"RotateSecret":             op(rotateSecret),
	"CancelRotateSecret":       op(cancelRotateSecret),
	"DescribeSecret":           op(describeSecret),
	"ListSecretVersionIds":     op(listSecretVersionIds),
	"ListSecrets":              op(listSecrets),
	"DeleteSecret":             op(deleteSecret),
	"RestoreSecret":            op(restoreSecret),
	"GetRandomPassword":        op(getRandomPassword),
	"TagResource":              op(tagResource),
	"UntagResource":            op(untagResource),
	"GetResourcePolicy":        op(getResourcePolicy),
	"PutResourcePolicy":        op(putResourcePolicy),
	"DeleteResourcePolicy":     op(deleteResourcePolicy),
	"ValidateResourcePolicy":   op(validateResourcePolicy),

	"ReplicateSecretToRegions":     op(replicateSecretToRegions),
	"RemoveRegionsFromReplication": op(removeRegionsFromReplication),
	"StopReplicationToReplica":     op(stopReplicationToReplica),
}

// unsupported are operations of the API model that rotor does not implement.
var unsupported = map[string]bool{}

// validation is a constraint violation in the words AWS uses for them.
func validation(value, path, rule string) error {
	return &rotor.Error{Code: rotor.CodeValidation, Message: fmt.Sprintf(
		"1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must %s", value, path, rule)}
}

// sentValue refuses a value member that was sent empty: the Go API reads an
// empty value as "no value", the wire as a value shorter than the minimum.
func sentValue(str *string, bin []byte) error {
	if str != nil && *str == "" {
		return validation("***", "secretString", "have length greater than or equal to 1")
	}
	if bin != nil && len(bin) == 0 {
		return validation("***", "secretBinary", "have length greater than or equal to 1")
	}
	return nil
}

func hasValue(str *string, bin []byte) bool { return str != nil || bin != nil }

// atLeastOne refuses an integer member sent as a number below 1, which the
// Go API would read as "not set".
func atLeastOne[N int | int64](n *N, path string) (N, error) {
	if n == nil {
		return 0, nil
	}
	if *n < 1 {
		return 0, validation(fmt.Sprint(*n), path, "have value greater than or equal to 1")
	}
	return *n, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func createSecret(ctx context.Context, s *rotor.Service, r *createSecretRequest) (any, error) {
	if err := sentValue(r.SecretString, r.SecretBinary); err != nil {
		return nil, err
	}
	if hasValue(r.SecretString, r.SecretBinary) && r.ClientRequestToken == "" {
		return nil, rotor.ErrTokenRequired
	}
	out, err := s.CreateSecret(ctx, rotor.CreateSecretInput{
		Name: r.Name, ClientRequestToken: r.ClientRequestToken, Description: r.Description,
		KmsKeyId: r.KmsKeyId, SecretString: deref(r.SecretString), SecretBinary: r.SecretBinary,
		Tags: tagsIn(r.Tags), AddReplicaRegions: replicaRegionsIn(r.AddReplicaRegions),
		ForceOverwriteReplicaSecret: r.ForceOverwriteReplicaSecret,
	})
	if err != nil {
		return nil, err
	}
	if out.ReplicationStatus != nil {
		return replicationResponse{ARN: out.ARN, Name: out.Name, VersionId: out.VersionId, ReplicationStatus: replicationStatusOut(out.ReplicationStatus)}, nil
	}
	return arnNameVersion{ARN: out.ARN, Name: out.Name, VersionId: out.VersionId}, nil
}

func replicateSecretToRegions(ctx context.Context, s *rotor.Service, r *replicateSecretToRegionsRequest) (any, error) {
	out, err := s.ReplicateSecretToRegions(ctx, rotor.ReplicateSecretToRegionsInput{SecretId: r.SecretId,
		AddReplicaRegions: replicaRegionsIn(r.AddReplicaRegions), ForceOverwriteReplicaSecret: r.ForceOverwriteReplicaSecret})
	if err != nil {
		return nil, err
	}
	return replicationResponse{ARN: out.ARN, ReplicationStatus: replicationStatusOut(out.ReplicationStatus)}, nil
}

func removeRegionsFromReplication(ctx context.Context, s *rotor.Service, r *removeRegionsFromReplicationRequest) (any, error) {
	out, err := s.RemoveRegionsFromReplication(ctx, rotor.RemoveRegionsFromReplicationInput{SecretId: r.SecretId, RemoveReplicaRegions: r.RemoveReplicaRegions})
	if err != nil {
		return nil, err
	}
	return replicationResponse{ARN: out.ARN, ReplicationStatus: replicationStatusOut(out.ReplicationStatus)}, nil
}

func stopReplicationToReplica(ctx context.Context, s *rotor.Service, r *secretIDRequest) (any, error) {
	out, err := s.StopReplicationToReplica(ctx, rotor.StopReplicationToReplicaInput{SecretId: r.SecretId})
	if err != nil {
		return nil, err
	}
	return arnName{ARN: out.ARN}, nil
}

func putSecretValue(ctx context.Context, s *rotor.Service, r *putSecretValueRequest) (any, error) {
	if err := sentValue(r.SecretString, r.SecretBinary); err != nil {
		return nil, err
	}
	if r.ClientRequestToken == "" {
		return nil, rotor.ErrTokenRequired
	}
	out, err := s.PutSecretValue(ctx, rotor.PutSecretValueInput{
		SecretId: r.SecretId, ClientRequestToken: r.ClientRequestToken,
		SecretString: deref(r.SecretString), SecretBinary: r.SecretBinary,
		VersionStages: r.VersionStages, RotationToken: r.RotationToken,
	})
	if err != nil {
		return nil, err
	}
	return putSecretValueResponse{ARN: out.ARN, Name: out.Name, VersionId: out.VersionId, VersionStages: out.VersionStages}, nil
}

func updateSecret(ctx context.Context, s *rotor.Service, r *updateSecretRequest) (any, error) {
	if err := sentValue(r.SecretString, r.SecretBinary); err != nil {
		return nil, err
	}
	if hasValue(r.SecretString, r.SecretBinary) && r.ClientRequestToken == "" {
		return nil, rotor.ErrTokenRequired
	}
	out, err := s.UpdateSecret(ctx, rotor.UpdateSecretInput{
		SecretId: r.SecretId, ClientRequestToken: r.ClientRequestToken,
		Description: r.Description, KmsKeyId: r.KmsKeyId,
		SecretString: deref(r.SecretString), SecretBinary: r.SecretBinary,
	})
	if err != nil {
		return nil, err
	}
	return arnNameVersion{ARN: out.ARN, Name: out.Name, VersionId: out.VersionId}, nil
}

func getSecretValue(ctx context.Context, s *rotor.Service, r *getSecretValueRequest) (any, error) {
	out, err := s.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: r.SecretId, VersionId: r.VersionId, VersionStage: r.VersionStage})
	if err != nil {
		return nil, err
	}
	return secretValueOut(out), nil
}

func batchGetSecretValue(ctx context.Context, s *rotor.Service, r *batchGetSecretValueRequest) (any, error) {
	max, err := atLeastOne(r.MaxResults, "maxResults")
	if err != nil {
		return nil, err
	}
	in := rotor.BatchGetSecretValueInput{
		SecretIdList: r.SecretIdList, Filters: filtersIn(r.Filters), MaxResults: max, NextToken: r.NextToken,
	}
	if in.Filters != nil {
		release, err := takeListSlot(ctx)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	var out rotor.BatchGetSecretValueOutput
	if c := callFrom(ctx); c != nil && batchValid(in) {
		out, err = authorizedBatch(ctx, s, c, in)
	} else {
		out, err = s.BatchGetSecretValue(ctx, in)
	}
	if err != nil {
		return nil, err
	}
	resp := batchGetSecretValueResponse{
		SecretValues: make([]secretValueResponse, len(out.SecretValues)),
		Errors:       make([]batchError, len(out.Errors)),
		NextToken:    out.NextToken,
	}
	for i, v := range out.SecretValues {
		resp.SecretValues[i] = secretValueOut(rotor.GetSecretValueOutput(v))
	}
	for i, e := range out.Errors {
		resp.Errors[i] = batchError{SecretId: e.SecretId, ErrorCode: e.ErrorCode, Message: e.Message}
	}
	return resp, nil
}

// batchValid reports whether the service would accept in's shape; one it
// would refuse goes to it unchanged, to be refused before it reads anything.
func batchValid(in rotor.BatchGetSecretValueInput) bool {
	if in.SecretIdList != nil {
		return in.Filters == nil && len(in.SecretIdList) >= 1 && len(in.SecretIdList) <= 20 && in.NextToken == "" && in.MaxResults == 0
	}
	return in.Filters != nil && in.MaxResults >= 0 && in.MaxResults <= 20
}

// authorizedBatch runs BatchGetSecretValue on the secrets the caller may
// read with GetSecretValue and reports each other one as an
// AccessDeniedException entry of Errors, without reading its value. With
// Filters it lists the page first, as the service does.
func authorizedBatch(ctx context.Context, s *rotor.Service, c *call, in rotor.BatchGetSecretValueInput) (rotor.BatchGetSecretValueOutput, error) {
	ids, next := in.SecretIdList, ""
	if ids == nil {
		limit := in.MaxResults
		if limit == 0 {
			limit = 20
		}
		page, err := s.ListSecrets(ctx, rotor.ListSecretsInput{Filters: in.Filters, MaxResults: limit, NextToken: in.NextToken})
		if err != nil {
			return rotor.BatchGetSecretValueOutput{}, err
		}
		next = page.NextToken
		for _, e := range page.SecretList {
			ids = append(ids, e.ARN)
		}
	}
	allowed, denied, err := c.readable(ctx, s, ids)
	if err != nil {
		return rotor.BatchGetSecretValueOutput{}, err
	}
	var out rotor.BatchGetSecretValueOutput
	if len(allowed) > 0 {
		if out, err = s.BatchGetSecretValue(ctx, rotor.BatchGetSecretValueInput{SecretIdList: allowed}); err != nil {
			return rotor.BatchGetSecretValueOutput{}, err
		}
	}
	out.NextToken = next
	out.Errors = append(out.Errors, denied...)
	return out, nil
}

func updateSecretVersionStage(ctx context.Context, s *rotor.Service, r *updateSecretVersionStageRequest) (any, error) {
	out, err := s.UpdateSecretVersionStage(ctx, rotor.UpdateSecretVersionStageInput{
		SecretId: r.SecretId, VersionStage: r.VersionStage,
		RemoveFromVersionId: r.RemoveFromVersionId, MoveToVersionId: r.MoveToVersionId,
	})
	if err != nil {
		return nil, err
	}
	return arnName{ARN: out.ARN, Name: out.Name}, nil
}

// rotateSecret answers a rotation that was accepted but whose steps failed
// with success, as AWS does: there the steps run after the reply.
func rotateSecret(ctx context.Context, s *rotor.Service, r *rotateSecretRequest) (any, error) {
	if r.ClientRequestToken == "" {
		return nil, errRotateTokenRequired
	}
	if err := sentRules(r.RotationRules); err != nil {
		return nil, err
	}
	out, err := s.RotateSecret(ctx, rotor.RotateSecretInput{
		SecretId: r.SecretId, ClientRequestToken: r.ClientRequestToken,
		RotationLambdaARN: r.RotationLambdaARN, RotationRules: rulesIn(r.RotationRules),
		RotateImmediately: r.RotateImmediately,
	})
	var stepErr *rotor.StepError
	if err != nil && !(errors.As(err, &stepErr) && out.ARN != "") {
		return nil, err
	}
	resp := arnNameVersion{ARN: out.ARN, Name: out.Name, VersionId: out.VersionId}
	if err != nil {
		return stepFailed{resp, stepErr.Step}, nil
	}
	return resp, nil
}

// sentRules refuses RotationRules members that were sent but that
// rotor.RotationRules, where a zero member means "not set", would read as
// absent. An AutomaticallyAfterDays below 1 sent with a ScheduleExpression
// would vanish and leave the expression alone, accepted: it is refused with
// the error ParseSchedule gives for that number of days, so that the range
// stays a rule of the root package. An empty ScheduleExpression or Duration
// is shorter than the API model allows. (A RotationRules object with no
// member, or with AutomaticallyAfterDays 0 alone, goes to the service as a
// non-nil zero RotationRules, which is its to refuse.)
func sentRules(r *wireRotationRules) error {
	if r == nil {
		return nil
	}
	if r.ScheduleExpression != nil && *r.ScheduleExpression == "" {
		return validation("", "rotationRules.scheduleExpression", "have length greater than or equal to 1")
	}
	if r.Duration != nil && *r.Duration == "" {
		return validation("", "rotationRules.duration", "have length greater than or equal to 2")
	}
	if days := r.AutomaticallyAfterDays; days != nil && *days < 1 && r.ScheduleExpression != nil {
		if _, err := rotor.ParseSchedule(rotor.RotationRules{AutomaticallyAfterDays: *days}); err != nil {
			return err
		}
	}
	return nil
}

// errRotateTokenRequired is the refusal of a raw RotateSecret without a
// ClientRequestToken: AWS answers it with InvalidParameterException, where
// CreateSecret, UpdateSecret and PutSecretValue answer
// rotor.ErrTokenRequired's InvalidRequestException, with the same message.
var errRotateTokenRequired = &rotor.Error{Code: rotor.CodeInvalidParameter, Message: rotor.ErrTokenRequired.Message}

// stepFailed is a successful RotateSecret reply whose rotation step failed;
// the handler logs the step and sends only the reply.
type stepFailed struct {
	reply arnNameVersion
	step  rotor.Step
}

func cancelRotateSecret(ctx context.Context, s *rotor.Service, r *secretIDRequest) (any, error) {
	out, err := s.CancelRotateSecret(ctx, rotor.CancelRotateSecretInput{SecretId: r.SecretId})
	if err != nil {
		return nil, err
	}
	return arnNameVersion{ARN: out.ARN, Name: out.Name, VersionId: out.VersionId}, nil
}

func describeSecret(ctx context.Context, s *rotor.Service, r *secretIDRequest) (any, error) {
	out, err := s.DescribeSecret(ctx, rotor.DescribeSecretInput{SecretId: r.SecretId})
	if err != nil {
		return nil, err
	}
	return metadataOut(out), nil
}

func listSecretVersionIds(ctx context.Context, s *rotor.Service, r *listSecretVersionIdsRequest) (any, error) {
	max, err := atLeastOne(r.MaxResults, "maxResults")
	if err != nil {
		return nil, err
	}
	out, err := s.ListSecretVersionIds(ctx, rotor.ListSecretVersionIdsInput{
		SecretId: r.SecretId, MaxResults: max, NextToken: r.NextToken, IncludeDeprecated: r.IncludeDeprecated,
	})
	if err != nil {
		return nil, err
	}
	resp := listSecretVersionIdsResponse{ARN: out.ARN, Name: out.Name, NextToken: out.NextToken, Versions: make([]versionEntry, len(out.Versions))}
	for i, v := range out.Versions {
		resp.Versions[i] = versionEntry{
			VersionId: v.VersionId, VersionStages: v.VersionStages,
			LastAccessedDate: stamp(v.LastAccessedDate), CreatedDate: stamp(v.CreatedDate), KmsKeyIds: v.KmsKeyIds,
		}
	}
	return resp, nil
}

func listSecrets(ctx context.Context, s *rotor.Service, r *listSecretsRequest) (any, error) {
	max, err := atLeastOne(r.MaxResults, "maxResults")
	if err != nil {
		return nil, err
	}
	release, err := takeListSlot(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	out, err := s.ListSecrets(ctx, rotor.ListSecretsInput{
		IncludePlannedDeletion: r.IncludePlannedDeletion, MaxResults: max, NextToken: r.NextToken,
		Filters: filtersIn(r.Filters), SortOrder: r.SortOrder, SortBy: r.SortBy,
	})
	if err != nil {
		return nil, err
	}
	resp := listSecretsResponse{NextToken: out.NextToken, SecretList: make([]secretMetadata, len(out.SecretList))}
	for i, e := range out.SecretList {
		m := metadataOut(rotor.DescribeSecretOutput(e))
		m.SecretVersionsToStages, m.VersionIdsToStages = m.VersionIdsToStages, nil
		resp.SecretList[i] = m
	}
	return resp, nil
}

func deleteSecret(ctx context.Context, s *rotor.Service, r *deleteSecretRequest) (any, error) {
	out, err := s.DeleteSecret(ctx, rotor.DeleteSecretInput{
		SecretId: r.SecretId, RecoveryWindowInDays: r.RecoveryWindowInDays, ForceDeleteWithoutRecovery: r.ForceDeleteWithoutRecovery,
	})
	if err != nil {
		return nil, err
	}
	return deleteSecretResponse{ARN: out.ARN, Name: out.Name, DeletionDate: stamp(out.DeletionDate)}, nil
}

func restoreSecret(ctx context.Context, s *rotor.Service, r *secretIDRequest) (any, error) {
	out, err := s.RestoreSecret(ctx, rotor.RestoreSecretInput{SecretId: r.SecretId})
	if err != nil {
		return nil, err
	}
	return arnName{ARN: out.ARN, Name: out.Name}, nil
}

func getRandomPassword(ctx context.Context, s *rotor.Service, r *getRandomPasswordRequest) (any, error) {
	length, err := atLeastOne(r.PasswordLength, "passwordLength")
	if err != nil {
		return nil, err
	}
	out, err := s.GetRandomPassword(ctx, rotor.GetRandomPasswordInput{
		PasswordLength: length, ExcludeCharacters: r.ExcludeCharacters,
		ExcludeNumbers: r.ExcludeNumbers, ExcludePunctuation: r.ExcludePunctuation,
		ExcludeUppercase: r.ExcludeUppercase, ExcludeLowercase: r.ExcludeLowercase,
		IncludeSpace: r.IncludeSpace, RequireEachIncludedType: r.RequireEachIncludedType,
	})
	if err != nil {
		return nil, err
	}
	return getRandomPasswordResponse{RandomPassword: out.RandomPassword}, nil
}

func tagResource(ctx context.Context, s *rotor.Service, r *tagResourceRequest) (any, error) {
	if _, err := s.TagResource(ctx, rotor.TagResourceInput{SecretId: r.SecretId, Tags: tagsIn(r.Tags)}); err != nil {
		return nil, err
	}
	return empty{}, nil
}

func untagResource(ctx context.Context, s *rotor.Service, r *untagResourceRequest) (any, error) {
	if _, err := s.UntagResource(ctx, rotor.UntagResourceInput{SecretId: r.SecretId, TagKeys: r.TagKeys}); err != nil {
		return nil, err
	}
	return empty{}, nil
}

func getResourcePolicy(ctx context.Context, s *rotor.Service, r *secretIDRequest) (any, error) {
	out, err := s.GetResourcePolicy(ctx, rotor.GetResourcePolicyInput{SecretId: r.SecretId})
	if err != nil {
		return nil, err
	}
	return getResourcePolicyResponse{ARN: out.ARN, Name: out.Name, ResourcePolicy: out.ResourcePolicy}, nil
}

func putResourcePolicy(ctx context.Context, s *rotor.Service, r *putResourcePolicyRequest) (any, error) {
	out, err := s.PutResourcePolicy(ctx, rotor.PutResourcePolicyInput{
		SecretId: r.SecretId, ResourcePolicy: r.ResourcePolicy, BlockPublicPolicy: r.BlockPublicPolicy,
	})
	if err != nil {
		return nil, err
	}
	return arnName{ARN: out.ARN, Name: out.Name}, nil
}

func deleteResourcePolicy(ctx context.Context, s *rotor.Service, r *secretIDRequest) (any, error) {
	out, err := s.DeleteResourcePolicy(ctx, rotor.DeleteResourcePolicyInput{SecretId: r.SecretId})
	if err != nil {
		return nil, err
	}
	return arnName{ARN: out.ARN, Name: out.Name}, nil
}

func validateResourcePolicy(ctx context.Context, s *rotor.Service, r *validateResourcePolicyRequest) (any, error) {
	out, err := s.ValidateResourcePolicy(ctx, rotor.ValidateResourcePolicyInput{SecretId: r.SecretId, ResourcePolicy: r.ResourcePolicy})
	if err != nil {
		return nil, err
	}
	resp := validateResourcePolicyResponse{PolicyValidationPassed: out.PolicyValidationPassed, ValidationErrors: make([]validationErrorEntry, len(out.ValidationErrors))}
	for i, e := range out.ValidationErrors {
		resp.ValidationErrors[i] = validationErrorEntry{CheckName: e.CheckName, ErrorMessage: e.ErrorMessage}
	}
	return resp, nil
}
