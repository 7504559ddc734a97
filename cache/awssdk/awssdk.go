// Package awssdk lets a cache.Cache read through the AWS SDK for Go v2
// Secrets Manager client, against AWS or rotor serve:
//
//	client := secretsmanager.NewFromConfig(cfg)
//	c := cache.New(awssdk.New(client))
//
// It lives apart from package cache so that only a program that uses the SDK
// imports it.
package awssdk

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/rotorkit/rotor"
)

// Client is the part of *secretsmanager.Client that API calls.
type Client interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
}

// API calls a Client with rotor's inputs and outputs; it is a cache.API. An
// error the service answered becomes a *rotor.Error with the service's code
// and message, wrapping the SDK's error (so errors.Is(err,
// rotor.ErrResourceNotFound) and errors.As to the SDK's types both work);
// other errors (the network, the context) are returned as the SDK gave them.
// It is safe for concurrent use if the Client is, as the SDK's is.
type API struct{ client Client }

// New returns an API over client.
func New(client Client) *API { return &API{client: client} }

// GetSecretValue calls the client's GetSecretValue.
func (a *API) GetSecretValue(ctx context.Context, in rotor.GetSecretValueInput) (rotor.GetSecretValueOutput, error) {
	out, err := a.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: &in.SecretId, VersionId: optional(in.VersionId), VersionStage: optional(in.VersionStage),
	})
	if err != nil {
		return rotor.GetSecretValueOutput{}, convert(err)
	}
	return rotor.GetSecretValueOutput{
		ARN: value(out.ARN), Name: value(out.Name), VersionId: value(out.VersionId),
		SecretString: value(out.SecretString), SecretBinary: out.SecretBinary,
		VersionStages: out.VersionStages, CreatedDate: value(out.CreatedDate),
	}, nil
}

// DescribeSecret calls the client's DescribeSecret. The output carries the
// secret's identity, dates, rotation settings, tags and VersionIdsToStages;
// ReplicationStatus is left out.
func (a *API) DescribeSecret(ctx context.Context, in rotor.DescribeSecretInput) (rotor.DescribeSecretOutput, error) {
	out, err := a.client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: &in.SecretId})
	if err != nil {
		return rotor.DescribeSecretOutput{}, convert(err)
	}
	d := rotor.DescribeSecretOutput{
		ARN: value(out.ARN), Name: value(out.Name), Description: value(out.Description),
		KmsKeyId: value(out.KmsKeyId), RotationEnabled: out.RotationEnabled,
		RotationLambdaARN: value(out.RotationLambdaARN),
		LastRotatedDate:   value(out.LastRotatedDate), LastChangedDate: value(out.LastChangedDate),
		LastAccessedDate: value(out.LastAccessedDate), DeletedDate: value(out.DeletedDate),
		NextRotationDate: value(out.NextRotationDate), CreatedDate: value(out.CreatedDate),
		VersionIdsToStages: out.VersionIdsToStages, OwningService: value(out.OwningService),
		PrimaryRegion: value(out.PrimaryRegion),
	}
	if r := out.RotationRules; r != nil {
		d.RotationRules = &rotor.RotationRules{
			AutomaticallyAfterDays: value(r.AutomaticallyAfterDays),
			Duration:               value(r.Duration), ScheduleExpression: value(r.ScheduleExpression),
		}
	}
	if out.Tags != nil {
		d.Tags = make([]rotor.Tag, len(out.Tags))
		for i, t := range out.Tags {
			d.Tags[i] = rotor.Tag{Key: value(t.Key), Value: value(t.Value)}
		}
	}
	return d, nil
}

// convert turns an error the service answered into a *rotor.Error. The
// SDK's messages are the service's, which name no secret value.
func convert(err error) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return err
	}
	return &rotor.Error{Code: ae.ErrorCode(), Message: ae.ErrorMessage(), Err: err}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func value[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
