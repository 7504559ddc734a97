// Package awssdk lets rotor's rotators call Secrets Manager through the AWS
// SDK for Go v2: on AWS (in a Lambda function) or against any endpoint that
// speaks its protocol, rotor serve included.
//
//	client := secretsmanager.NewFromConfig(cfg)
//	r := postgres.SingleUser(awssdk.New(client))
package awssdk

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/rotorkit/rotor"
)

// Client is the part of *secretsmanager.Client the adapter calls.
type Client interface {
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	UpdateSecretVersionStage(ctx context.Context, in *secretsmanager.UpdateSecretVersionStageInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error)
	GetRandomPassword(ctx context.Context, in *secretsmanager.GetRandomPasswordInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetRandomPasswordOutput, error)
}

// API is a rotor.SecretsAPI over an AWS SDK client. An error the service
// answered is a *rotor.Error with its code (so errors.Is(err,
// rotor.ErrResourceNotFound) works) wrapping the SDK's error.
type API struct {
	Client Client
}

// New returns the API of client.
func New(client Client) *API { return &API{Client: client} }

var _ rotor.SecretsAPI = (*API)(nil)

func convert(err error) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return &rotor.Error{Code: apiErr.ErrorCode(), Message: apiErr.ErrorMessage(), Err: err}
	}
	return err
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// DescribeSecret implements rotor.SecretsAPI.
func (a *API) DescribeSecret(ctx context.Context, in rotor.DescribeSecretInput) (rotor.DescribeSecretOutput, error) {
	out, err := a.Client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(in.SecretId)})
	if err != nil {
		return rotor.DescribeSecretOutput{}, convert(err)
	}
	return rotor.DescribeSecretOutput{
		ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name), RotationEnabled: out.RotationEnabled,
		RotationLambdaARN: aws.ToString(out.RotationLambdaARN), VersionIdsToStages: out.VersionIdsToStages,
	}, nil
}

// GetSecretValue implements rotor.SecretsAPI.
func (a *API) GetSecretValue(ctx context.Context, in rotor.GetSecretValueInput) (rotor.GetSecretValueOutput, error) {
	out, err := a.Client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String(in.SecretId), VersionId: optional(in.VersionId), VersionStage: optional(in.VersionStage),
	})
	if err != nil {
		return rotor.GetSecretValueOutput{}, convert(err)
	}
	return rotor.GetSecretValueOutput{
		ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name), VersionId: aws.ToString(out.VersionId),
		SecretString: aws.ToString(out.SecretString), SecretBinary: out.SecretBinary, VersionStages: out.VersionStages,
		CreatedDate: aws.ToTime(out.CreatedDate),
	}, nil
}

// PutSecretValue implements rotor.SecretsAPI.
func (a *API) PutSecretValue(ctx context.Context, in rotor.PutSecretValueInput) (rotor.PutSecretValueOutput, error) {
	req := &secretsmanager.PutSecretValueInput{
		SecretId: aws.String(in.SecretId), ClientRequestToken: optional(in.ClientRequestToken),
		VersionStages: in.VersionStages, RotationToken: optional(in.RotationToken),
	}
	if in.SecretBinary != nil {
		req.SecretBinary = in.SecretBinary
	} else {
		req.SecretString = aws.String(in.SecretString)
	}
	out, err := a.Client.PutSecretValue(ctx, req)
	if err != nil {
		return rotor.PutSecretValueOutput{}, convert(err)
	}
	return rotor.PutSecretValueOutput{ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name), VersionId: aws.ToString(out.VersionId), VersionStages: out.VersionStages}, nil
}

// UpdateSecretVersionStage implements rotor.SecretsAPI.
func (a *API) UpdateSecretVersionStage(ctx context.Context, in rotor.UpdateSecretVersionStageInput) (rotor.UpdateSecretVersionStageOutput, error) {
	out, err := a.Client.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String(in.SecretId), VersionStage: aws.String(in.VersionStage),
		MoveToVersionId: optional(in.MoveToVersionId), RemoveFromVersionId: optional(in.RemoveFromVersionId),
	})
	if err != nil {
		return rotor.UpdateSecretVersionStageOutput{}, convert(err)
	}
	return rotor.UpdateSecretVersionStageOutput{ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name)}, nil
}

// GetRandomPassword implements rotor.SecretsAPI.
func (a *API) GetRandomPassword(ctx context.Context, in rotor.GetRandomPasswordInput) (rotor.GetRandomPasswordOutput, error) {
	req := &secretsmanager.GetRandomPasswordInput{
		ExcludeCharacters: optional(in.ExcludeCharacters), RequireEachIncludedType: in.RequireEachIncludedType,
	}
	if in.PasswordLength != 0 {
		req.PasswordLength = aws.Int64(in.PasswordLength)
	}
	for p, v := range map[**bool]bool{
		&req.ExcludeNumbers: in.ExcludeNumbers, &req.ExcludePunctuation: in.ExcludePunctuation,
		&req.ExcludeUppercase: in.ExcludeUppercase, &req.ExcludeLowercase: in.ExcludeLowercase, &req.IncludeSpace: in.IncludeSpace,
	} {
		if v {
			*p = aws.Bool(true)
		}
	}
	out, err := a.Client.GetRandomPassword(ctx, req)
	if err != nil {
		return rotor.GetRandomPasswordOutput{}, convert(err)
	}
	return rotor.GetRandomPasswordOutput{RandomPassword: aws.ToString(out.RandomPassword)}, nil
}
