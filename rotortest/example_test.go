package rotortest_test

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/rotortest"
)

// rotationHandler is a rotation Lambda's handler, written against the AWS
// SDK as it would run on AWS: createSecret fills the pending version,
// finishSecret moves AWSCURRENT to it.
func rotationHandler(client *secretsmanager.Client) func(ctx context.Context, ev rotor.RotationEvent) error {
	return func(ctx context.Context, ev rotor.RotationEvent) error {
		switch ev.Step {
		case rotor.StepCreateSecret:
			_, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
				SecretId: &ev.SecretId, VersionId: &ev.ClientRequestToken, VersionStage: aws.String("AWSPENDING")})
			var notFound *types.ResourceNotFoundException
			if !errors.As(err, &notFound) {
				return err // already filled (a retry), or a real failure
			}
			_, err = client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
				SecretId: &ev.SecretId, ClientRequestToken: &ev.ClientRequestToken,
				SecretString: aws.String("rotated-password"), VersionStages: []string{"AWSPENDING"}})
			return err
		case rotor.StepFinishSecret:
			d, err := client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: &ev.SecretId})
			if err != nil {
				return err
			}
			for id, stages := range d.VersionIdsToStages {
				if slices.Contains(stages, "AWSCURRENT") && id != ev.ClientRequestToken {
					_, err = client.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
						SecretId: &ev.SecretId, VersionStage: aws.String("AWSCURRENT"),
						MoveToVersionId: &ev.ClientRequestToken, RemoveFromVersionId: aws.String(id)})
					return err
				}
			}
		}
		return nil // setSecret and testSecret have nothing to do here
	}
}

// Test a rotation Lambda's handler through all four steps with the real SDK.
// In a test, call rotortest.NewServer(t) instead of Start and Close.
func Example() {
	ctx := context.Background()
	srv := rotortest.Start()
	defer srv.Close()
	client := secretsmanager.NewFromConfig(srv.Config)

	const lambda = "arn:aws:lambda:us-east-1:000000000000:function:rotate-db"
	srv.Functions.Register(lambda, rotor.RotatorFunc(rotationHandler(client)))

	if _, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("prod/db"), SecretString: aws.String("first-password")}); err != nil {
		fmt.Println(err)
		return
	}
	out, err := client.RotateSecret(ctx, &secretsmanager.RotateSecretInput{
		SecretId: aws.String("prod/db"), RotationLambdaARN: aws.String(lambda),
		RotationRules: &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The outcome of the rotation, with the step and the error of a failure.
	if err := srv.WaitRotation(ctx, "prod/db", *out.VersionId); err != nil {
		fmt.Println(err)
		return
	}
	current, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("prod/db")})
	if err != nil {
		fmt.Println(err)
		return
	}
	previous, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId: aws.String("prod/db"), VersionStage: aws.String("AWSPREVIOUS")})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("AWSCURRENT: ", *current.SecretString)
	fmt.Println("AWSPREVIOUS:", *previous.SecretString)
	// Output:
	// AWSCURRENT:  rotated-password
	// AWSPREVIOUS: first-password
}
