package cli

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/rotorkit/rotor"
)

// Remote is an API that calls a Secrets Manager endpoint (a rotor server or
// AWS itself) through the AWS SDK for Go v2, with SigV4 signing. A list the
// response leaves out stays nil and one it sends empty stays empty, so
// commands print what the endpoint sent.
type Remote struct {
	// Client is the SDK client that Remote calls.
	Client *sm.Client
}

var _ API = (*Remote)(nil)

// NewRemote returns a Remote configured as the aws CLI configures itself:
// region and credentials from the environment (AWS_REGION,
// AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_CA_BUNDLE, AWS_PROFILE, ...)
// and the shared config and credentials files, overridden by --region,
// --profile, --endpoint-url, --ca-bundle and --no-verify-ssl in g, with the
// connect and read timeouts of --cli-connect-timeout and --cli-read-timeout
// (60 seconds each by default, 0 for none). Timeouts that do not parse are
// left at their defaults here: Run reports them before any call.
func NewRemote(ctx context.Context, g Globals) (*Remote, error) {
	connect, read, err := cliTimeouts(g)
	if err != nil {
		connect, read = defaultCLITimeout, defaultCLITimeout
	}
	_, noVerify := g.Values["no-verify-ssl"]
	httpClient := awshttp.NewBuildableClient().
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = connect }).
		WithReadTimeout(read).
		WithTransportOptions(func(tr *http.Transport) {
			if noVerify {
				tr.TLSClientConfig.InsecureSkipVerify = true
			}
		})
	opts := []func(*config.LoadOptions) error{config.WithHTTPClient(httpClient)}
	if g.Region != "" {
		opts = append(opts, config.WithRegion(g.Region))
	}
	if g.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(g.Profile))
	}
	if path := g.Values["ca-bundle"]; path != "" {
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--ca-bundle: %w", err)
		}
		opts = append(opts, config.WithCustomCABundle(bytes.NewReader(pem)))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		// The aws CLI refuses to run without a region; a rotor server
		// serves us-east-1 unless told otherwise.
		cfg.Region = "us-east-1"
	}
	client := sm.NewFromConfig(cfg, func(o *sm.Options) {
		if g.EndpointURL != "" {
			o.BaseEndpoint = aws.String(g.EndpointURL)
		}
	})
	return &Remote{Client: client}, nil
}

// str is a string member: "" is absent.
func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// optTrue is a boolean member that rotor models as false-by-default.
func optTrue(b bool) *bool {
	if !b {
		return nil
	}
	return &b
}

func i32(n int) *int32 {
	if n == 0 {
		return nil
	}
	v := int32(n)
	return &v
}

func i64(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}

func tm(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func tagsIn(tags []rotor.Tag) []types.Tag {
	if tags == nil {
		return nil
	}
	out := make([]types.Tag, len(tags))
	for i, t := range tags {
		out[i] = types.Tag{Key: aws.String(t.Key), Value: aws.String(t.Value)}
	}
	return out
}

func tagsOut(tags []types.Tag) []rotor.Tag {
	if tags == nil {
		return nil
	}
	out := make([]rotor.Tag, len(tags))
	for i, t := range tags {
		out[i] = rotor.Tag{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)}
	}
	return out
}

func filtersIn(fs []rotor.Filter) []types.Filter {
	if fs == nil {
		return nil
	}
	out := make([]types.Filter, len(fs))
	for i, f := range fs {
		out[i] = types.Filter{Key: types.FilterNameStringType(f.Key), Values: f.Values}
	}
	return out
}

func rulesIn(r *rotor.RotationRules) *types.RotationRulesType {
	if r == nil {
		return nil
	}
	return &types.RotationRulesType{AutomaticallyAfterDays: i64(r.AutomaticallyAfterDays), Duration: str(r.Duration), ScheduleExpression: str(r.ScheduleExpression)}
}

func rulesOut(r *types.RotationRulesType) *rotor.RotationRules {
	if r == nil {
		return nil
	}
	return &rotor.RotationRules{AutomaticallyAfterDays: aws.ToInt64(r.AutomaticallyAfterDays), Duration: aws.ToString(r.Duration), ScheduleExpression: aws.ToString(r.ScheduleExpression)}
}

// CreateSecret implements API.
func (r *Remote) CreateSecret(ctx context.Context, in rotor.CreateSecretInput) (rotor.CreateSecretOutput, error) {
	out, err := r.Client.CreateSecret(ctx, &sm.CreateSecretInput{
		Name: aws.String(in.Name), ClientRequestToken: str(in.ClientRequestToken), Description: str(in.Description),
		KmsKeyId: str(in.KmsKeyId), SecretString: str(in.SecretString), SecretBinary: in.SecretBinary, Tags: tagsIn(in.Tags),
		AddReplicaRegions: replicaRegionsIn(in.AddReplicaRegions), ForceOverwriteReplicaSecret: in.ForceOverwriteReplicaSecret,
	})
	if err != nil {
		return rotor.CreateSecretOutput{}, err
	}
	return rotor.CreateSecretOutput{ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name), VersionId: aws.ToString(out.VersionId),
		ReplicationStatus: replicationStatusOut(out.ReplicationStatus)}, nil
}

// ReplicateSecretToRegions implements API.
func (r *Remote) ReplicateSecretToRegions(ctx context.Context, in rotor.ReplicateSecretToRegionsInput) (rotor.ReplicateSecretToRegionsOutput, error) {
	out, err := r.Client.ReplicateSecretToRegions(ctx, &sm.ReplicateSecretToRegionsInput{SecretId: aws.String(in.SecretId),
		AddReplicaRegions: replicaRegionsIn(in.AddReplicaRegions), ForceOverwriteReplicaSecret: in.ForceOverwriteReplicaSecret})
	if err != nil {
		return rotor.ReplicateSecretToRegionsOutput{}, err
	}
	return rotor.ReplicateSecretToRegionsOutput{ARN: aws.ToString(out.ARN), ReplicationStatus: replicationStatusOut(out.ReplicationStatus)}, nil
}

// RemoveRegionsFromReplication implements API.
func (r *Remote) RemoveRegionsFromReplication(ctx context.Context, in rotor.RemoveRegionsFromReplicationInput) (rotor.RemoveRegionsFromReplicationOutput, error) {
	out, err := r.Client.RemoveRegionsFromReplication(ctx, &sm.RemoveRegionsFromReplicationInput{SecretId: aws.String(in.SecretId), RemoveReplicaRegions: in.RemoveReplicaRegions})
	if err != nil {
		return rotor.RemoveRegionsFromReplicationOutput{}, err
	}
	return rotor.RemoveRegionsFromReplicationOutput{ARN: aws.ToString(out.ARN), ReplicationStatus: replicationStatusOut(out.ReplicationStatus)}, nil
}

// StopReplicationToReplica implements API.
func (r *Remote) StopReplicationToReplica(ctx context.Context, in rotor.StopReplicationToReplicaInput) (rotor.StopReplicationToReplicaOutput, error) {
	out, err := r.Client.StopReplicationToReplica(ctx, &sm.StopReplicationToReplicaInput{SecretId: aws.String(in.SecretId)})
	if err != nil {
		return rotor.StopReplicationToReplicaOutput{}, err
	}
	return rotor.StopReplicationToReplicaOutput{ARN: aws.ToString(out.ARN)}, nil
}

func replicaRegionsIn(rs []rotor.ReplicaRegion) []types.ReplicaRegionType {
	var out []types.ReplicaRegionType
	for _, r := range rs {
		out = append(out, types.ReplicaRegionType{Region: aws.String(r.Region), KmsKeyId: str(r.KmsKeyId)})
	}
	return out
}

func replicationStatusOut(rs []types.ReplicationStatusType) []rotor.ReplicationStatusEntry {
	var out []rotor.ReplicationStatusEntry
	for _, r := range rs {
		out = append(out, rotor.ReplicationStatusEntry{Region: aws.ToString(r.Region), KmsKeyId: aws.ToString(r.KmsKeyId),
			Status: rotor.ReplicaStatus(r.Status), StatusMessage: aws.ToString(r.StatusMessage), LastAccessedDate: tm(r.LastAccessedDate)})
	}
	return out
}

// PutSecretValue implements API.
func (r *Remote) PutSecretValue(ctx context.Context, in rotor.PutSecretValueInput) (rotor.PutSecretValueOutput, error) {
	out, err := r.Client.PutSecretValue(ctx, &sm.PutSecretValueInput{
		SecretId: aws.String(in.SecretId), ClientRequestToken: str(in.ClientRequestToken), SecretString: str(in.SecretString),
		SecretBinary: in.SecretBinary, VersionStages: in.VersionStages, RotationToken: str(in.RotationToken),
	})
	if err != nil {
		return rotor.PutSecretValueOutput{}, err
	}
	return rotor.PutSecretValueOutput{ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name), VersionId: aws.ToString(out.VersionId), VersionStages: out.VersionStages}, nil
}

// GetSecretValue implements API.
func (r *Remote) GetSecretValue(ctx context.Context, in rotor.GetSecretValueInput) (rotor.GetSecretValueOutput, error) {
	out, err := r.Client.GetSecretValue(ctx, &sm.GetSecretValueInput{SecretId: aws.String(in.SecretId), VersionId: str(in.VersionId), VersionStage: str(in.VersionStage)})
	if err != nil {
		return rotor.GetSecretValueOutput{}, err
	}
	return rotor.GetSecretValueOutput{
		ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name), VersionId: aws.ToString(out.VersionId),
		SecretString: aws.ToString(out.SecretString), SecretBinary: out.SecretBinary, VersionStages: out.VersionStages, CreatedDate: tm(out.CreatedDate),
	}, nil
}

// BatchGetSecretValue implements API.
func (r *Remote) BatchGetSecretValue(ctx context.Context, in rotor.BatchGetSecretValueInput) (rotor.BatchGetSecretValueOutput, error) {
	out, err := r.Client.BatchGetSecretValue(ctx, &sm.BatchGetSecretValueInput{SecretIdList: in.SecretIdList, Filters: filtersIn(in.Filters), MaxResults: i32(in.MaxResults), NextToken: str(in.NextToken)})
	if err != nil {
		return rotor.BatchGetSecretValueOutput{}, err
	}
	res := rotor.BatchGetSecretValueOutput{NextToken: aws.ToString(out.NextToken)}
	if out.SecretValues != nil {
		res.SecretValues = []rotor.SecretValueEntry{}
	}
	if out.Errors != nil {
		res.Errors = []rotor.BatchError{}
	}
	for _, v := range out.SecretValues {
		res.SecretValues = append(res.SecretValues, rotor.SecretValueEntry{
			ARN: aws.ToString(v.ARN), Name: aws.ToString(v.Name), VersionId: aws.ToString(v.VersionId),
			SecretString: aws.ToString(v.SecretString), SecretBinary: v.SecretBinary, VersionStages: v.VersionStages, CreatedDate: tm(v.CreatedDate),
		})
	}
	for _, e := range out.Errors {
		res.Errors = append(res.Errors, rotor.BatchError{SecretId: aws.ToString(e.SecretId), ErrorCode: aws.ToString(e.ErrorCode), Message: aws.ToString(e.Message)})
	}
	return res, nil
}

// UpdateSecret implements API.
func (r *Remote) UpdateSecret(ctx context.Context, in rotor.UpdateSecretInput) (rotor.UpdateSecretOutput, error) {
	out, err := r.Client.UpdateSecret(ctx, &sm.UpdateSecretInput{
		SecretId: aws.String(in.SecretId), ClientRequestToken: str(in.ClientRequestToken), Description: in.Description,
		KmsKeyId: in.KmsKeyId, SecretString: str(in.SecretString), SecretBinary: in.SecretBinary,
	})
	if err != nil {
		return rotor.UpdateSecretOutput{}, err
	}
	return rotor.UpdateSecretOutput{ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name), VersionId: aws.ToString(out.VersionId)}, nil
}

// UpdateSecretVersionStage implements API.
func (r *Remote) UpdateSecretVersionStage(ctx context.Context, in rotor.UpdateSecretVersionStageInput) (rotor.UpdateSecretVersionStageOutput, error) {
	out, err := r.Client.UpdateSecretVersionStage(ctx, &sm.UpdateSecretVersionStageInput{
		SecretId: aws.String(in.SecretId), VersionStage: aws.String(in.VersionStage),
		RemoveFromVersionId: str(in.RemoveFromVersionId), MoveToVersionId: str(in.MoveToVersionId),
	})
	if err != nil {
		return rotor.UpdateSecretVersionStageOutput{}, err
	}
	return rotor.UpdateSecretVersionStageOutput{ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name)}, nil
}

// RotateSecret implements API.
func (r *Remote) RotateSecret(ctx context.Context, in rotor.RotateSecretInput) (rotor.RotateSecretOutput, error) {
	out, err := r.Client.RotateSecret(ctx, &sm.RotateSecretInput{
		SecretId: aws.String(in.SecretId), ClientRequestToken: str(in.ClientRequestToken), RotationLambdaARN: str(in.RotationLambdaARN),
		RotationRules: rulesIn(in.RotationRules), RotateImmediately: in.RotateImmediately,
	})
	if err != nil {
		return rotor.RotateSecretOutput{}, err
	}
	return rotor.RotateSecretOutput{ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name), VersionId: aws.ToString(out.VersionId)}, nil
}

// CancelRotateSecret implements API.
func (r *Remote) CancelRotateSecret(ctx context.Context, in rotor.CancelRotateSecretInput) (rotor.CancelRotateSecretOutput, error) {
	out, err := r.Client.CancelRotateSecret(ctx, &sm.CancelRotateSecretInput{SecretId: aws.String(in.SecretId)})
	if err != nil {
		return rotor.CancelRotateSecretOutput{}, err
	}
	return rotor.CancelRotateSecretOutput{ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name), VersionId: aws.ToString(out.VersionId)}, nil
}

// DescribeSecret implements API.
func (r *Remote) DescribeSecret(ctx context.Context, in rotor.DescribeSecretInput) (rotor.DescribeSecretOutput, error) {
	o, err := r.Client.DescribeSecret(ctx, &sm.DescribeSecretInput{SecretId: aws.String(in.SecretId)})
	if err != nil {
		return rotor.DescribeSecretOutput{}, err
	}
	return rotor.DescribeSecretOutput{
		ARN: aws.ToString(o.ARN), Name: aws.ToString(o.Name), Description: aws.ToString(o.Description),
		KmsKeyId: aws.ToString(o.KmsKeyId), RotationEnabled: o.RotationEnabled, RotationLambdaARN: aws.ToString(o.RotationLambdaARN),
		RotationRules: rulesOut(o.RotationRules), LastRotatedDate: tm(o.LastRotatedDate), LastChangedDate: tm(o.LastChangedDate),
		LastAccessedDate: tm(o.LastAccessedDate), DeletedDate: tm(o.DeletedDate), NextRotationDate: tm(o.NextRotationDate),
		Tags: tagsOut(o.Tags), VersionIdsToStages: o.VersionIdsToStages, OwningService: aws.ToString(o.OwningService),
		CreatedDate: tm(o.CreatedDate), PrimaryRegion: aws.ToString(o.PrimaryRegion),
		ReplicationStatus: replicationStatusOut(o.ReplicationStatus),
	}, nil
}

// ListSecretVersionIds implements API.
func (r *Remote) ListSecretVersionIds(ctx context.Context, in rotor.ListSecretVersionIdsInput) (rotor.ListSecretVersionIdsOutput, error) {
	o, err := r.Client.ListSecretVersionIds(ctx, &sm.ListSecretVersionIdsInput{
		SecretId: aws.String(in.SecretId), MaxResults: i32(in.MaxResults), NextToken: str(in.NextToken), IncludeDeprecated: optTrue(in.IncludeDeprecated),
	})
	if err != nil {
		return rotor.ListSecretVersionIdsOutput{}, err
	}
	res := rotor.ListSecretVersionIdsOutput{ARN: aws.ToString(o.ARN), Name: aws.ToString(o.Name), NextToken: aws.ToString(o.NextToken)}
	if o.Versions != nil {
		res.Versions = []rotor.SecretVersionsListEntry{}
	}
	for _, v := range o.Versions {
		res.Versions = append(res.Versions, rotor.SecretVersionsListEntry{
			VersionId: aws.ToString(v.VersionId), VersionStages: v.VersionStages, LastAccessedDate: tm(v.LastAccessedDate),
			CreatedDate: tm(v.CreatedDate), KmsKeyIds: v.KmsKeyIds,
		})
	}
	return res, nil
}

// ListSecrets implements API.
func (r *Remote) ListSecrets(ctx context.Context, in rotor.ListSecretsInput) (rotor.ListSecretsOutput, error) {
	o, err := r.Client.ListSecrets(ctx, &sm.ListSecretsInput{
		IncludePlannedDeletion: optTrue(in.IncludePlannedDeletion), MaxResults: i32(in.MaxResults), NextToken: str(in.NextToken),
		Filters: filtersIn(in.Filters), SortOrder: types.SortOrderType(in.SortOrder),
	})
	if err != nil {
		return rotor.ListSecretsOutput{}, err
	}
	res := rotor.ListSecretsOutput{NextToken: aws.ToString(o.NextToken)}
	if o.SecretList != nil {
		res.SecretList = []rotor.SecretListEntry{}
	}
	for _, e := range o.SecretList {
		res.SecretList = append(res.SecretList, rotor.SecretListEntry{
			ARN: aws.ToString(e.ARN), Name: aws.ToString(e.Name), Description: aws.ToString(e.Description),
			KmsKeyId: aws.ToString(e.KmsKeyId), RotationEnabled: e.RotationEnabled, RotationLambdaARN: aws.ToString(e.RotationLambdaARN),
			RotationRules: rulesOut(e.RotationRules), LastRotatedDate: tm(e.LastRotatedDate), LastChangedDate: tm(e.LastChangedDate),
			LastAccessedDate: tm(e.LastAccessedDate), DeletedDate: tm(e.DeletedDate), NextRotationDate: tm(e.NextRotationDate),
			Tags: tagsOut(e.Tags), VersionIdsToStages: e.SecretVersionsToStages, OwningService: aws.ToString(e.OwningService),
			CreatedDate: tm(e.CreatedDate), PrimaryRegion: aws.ToString(e.PrimaryRegion),
		})
	}
	return res, nil
}

// DeleteSecret implements API.
func (r *Remote) DeleteSecret(ctx context.Context, in rotor.DeleteSecretInput) (rotor.DeleteSecretOutput, error) {
	o, err := r.Client.DeleteSecret(ctx, &sm.DeleteSecretInput{
		SecretId: aws.String(in.SecretId), RecoveryWindowInDays: in.RecoveryWindowInDays, ForceDeleteWithoutRecovery: optTrue(in.ForceDeleteWithoutRecovery),
	})
	if err != nil {
		return rotor.DeleteSecretOutput{}, err
	}
	return rotor.DeleteSecretOutput{ARN: aws.ToString(o.ARN), Name: aws.ToString(o.Name), DeletionDate: tm(o.DeletionDate)}, nil
}

// RestoreSecret implements API.
func (r *Remote) RestoreSecret(ctx context.Context, in rotor.RestoreSecretInput) (rotor.RestoreSecretOutput, error) {
	o, err := r.Client.RestoreSecret(ctx, &sm.RestoreSecretInput{SecretId: aws.String(in.SecretId)})
	if err != nil {
		return rotor.RestoreSecretOutput{}, err
	}
	return rotor.RestoreSecretOutput{ARN: aws.ToString(o.ARN), Name: aws.ToString(o.Name)}, nil
}

// GetRandomPassword implements API.
func (r *Remote) GetRandomPassword(ctx context.Context, in rotor.GetRandomPasswordInput) (rotor.GetRandomPasswordOutput, error) {
	o, err := r.Client.GetRandomPassword(ctx, &sm.GetRandomPasswordInput{
		PasswordLength: i64(in.PasswordLength), ExcludeCharacters: str(in.ExcludeCharacters),
		ExcludeNumbers: optTrue(in.ExcludeNumbers), ExcludePunctuation: optTrue(in.ExcludePunctuation),
		ExcludeUppercase: optTrue(in.ExcludeUppercase), ExcludeLowercase: optTrue(in.ExcludeLowercase),
		IncludeSpace: optTrue(in.IncludeSpace), RequireEachIncludedType: in.RequireEachIncludedType,
	})
	if err != nil {
		return rotor.GetRandomPasswordOutput{}, err
	}
	return rotor.GetRandomPasswordOutput{RandomPassword: aws.ToString(o.RandomPassword)}, nil
}

// TagResource implements API.
func (r *Remote) TagResource(ctx context.Context, in rotor.TagResourceInput) (rotor.TagResourceOutput, error) {
	_, err := r.Client.TagResource(ctx, &sm.TagResourceInput{SecretId: aws.String(in.SecretId), Tags: tagsIn(in.Tags)})
	return rotor.TagResourceOutput{}, err
}

// UntagResource implements API.
func (r *Remote) UntagResource(ctx context.Context, in rotor.UntagResourceInput) (rotor.UntagResourceOutput, error) {
	_, err := r.Client.UntagResource(ctx, &sm.UntagResourceInput{SecretId: aws.String(in.SecretId), TagKeys: in.TagKeys})
	return rotor.UntagResourceOutput{}, err
}

// GetResourcePolicy implements API.
func (r *Remote) GetResourcePolicy(ctx context.Context, in rotor.GetResourcePolicyInput) (rotor.GetResourcePolicyOutput, error) {
	o, err := r.Client.GetResourcePolicy(ctx, &sm.GetResourcePolicyInput{SecretId: aws.String(in.SecretId)})
	if err != nil {
		return rotor.GetResourcePolicyOutput{}, err
	}
	return rotor.GetResourcePolicyOutput{ARN: aws.ToString(o.ARN), Name: aws.ToString(o.Name), ResourcePolicy: aws.ToString(o.ResourcePolicy)}, nil
}

// PutResourcePolicy implements API.
func (r *Remote) PutResourcePolicy(ctx context.Context, in rotor.PutResourcePolicyInput) (rotor.PutResourcePolicyOutput, error) {
	o, err := r.Client.PutResourcePolicy(ctx, &sm.PutResourcePolicyInput{SecretId: aws.String(in.SecretId), ResourcePolicy: aws.String(in.ResourcePolicy), BlockPublicPolicy: optTrue(in.BlockPublicPolicy)})
	if err != nil {
		return rotor.PutResourcePolicyOutput{}, err
	}
	return rotor.PutResourcePolicyOutput{ARN: aws.ToString(o.ARN), Name: aws.ToString(o.Name)}, nil
}

// DeleteResourcePolicy implements API.
func (r *Remote) DeleteResourcePolicy(ctx context.Context, in rotor.DeleteResourcePolicyInput) (rotor.DeleteResourcePolicyOutput, error) {
	o, err := r.Client.DeleteResourcePolicy(ctx, &sm.DeleteResourcePolicyInput{SecretId: aws.String(in.SecretId)})
	if err != nil {
		return rotor.DeleteResourcePolicyOutput{}, err
	}
	return rotor.DeleteResourcePolicyOutput{ARN: aws.ToString(o.ARN), Name: aws.ToString(o.Name)}, nil
}

// ValidateResourcePolicy implements API.
func (r *Remote) ValidateResourcePolicy(ctx context.Context, in rotor.ValidateResourcePolicyInput) (rotor.ValidateResourcePolicyOutput, error) {
	o, err := r.Client.ValidateResourcePolicy(ctx, &sm.ValidateResourcePolicyInput{SecretId: str(in.SecretId), ResourcePolicy: aws.String(in.ResourcePolicy)})
	if err != nil {
		return rotor.ValidateResourcePolicyOutput{}, err
	}
	res := rotor.ValidateResourcePolicyOutput{PolicyValidationPassed: o.PolicyValidationPassed}
	if o.ValidationErrors != nil {
		res.ValidationErrors = []rotor.ValidationErrorsEntry{}
	}
	for _, e := range o.ValidationErrors {
		res.ValidationErrors = append(res.ValidationErrors, rotor.ValidationErrorsEntry{CheckName: aws.ToString(e.CheckName), ErrorMessage: aws.ToString(e.ErrorMessage)})
	}
	return res, nil
}
