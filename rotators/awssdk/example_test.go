package awssdk_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/rotators"
	"github.com/rotorkit/rotor/rotators/awssdk"
	"github.com/rotorkit/rotor/rotortest"
)

// A built-in rotator calls Secrets Manager through the AWS SDK: here a
// rotor server started by rotortest, on AWS the client of your Lambda.
func Example() {
	ctx := context.Background()
	srv := rotortest.Start()
	defer srv.Close()
	client := secretsmanager.NewFromConfig(srv.Config)

	const fn = "arn:aws:lambda:us-east-1:000000000000:function:rotate-hmac-key"
	srv.Functions.Register(fn, rotators.RandomValue(awssdk.New(client), rotor.GetRandomPasswordInput{PasswordLength: 64}))

	if _, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("hmac-key"), SecretString: aws.String("first")}); err != nil {
		fmt.Println(err)
		return
	}
	out, err := client.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String("hmac-key"), RotationLambdaARN: aws.String(fn)})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := srv.WaitRotation(ctx, "hmac-key", *out.VersionId); err != nil {
		fmt.Println(err)
		return
	}
	v, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("hmac-key")})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("new key:", len(*v.SecretString), "characters")
	// Output:
	// new key: 64 characters
}
