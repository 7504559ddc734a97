package awssdk_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/rotorkit/rotor/cache"
	"github.com/rotorkit/rotor/cache/awssdk"
	"github.com/rotorkit/rotor/rotortest"
)

// A service reads its database password through the SDK (here against
// rotortest's server; on AWS, secretsmanager.NewFromConfig(cfg)). The cache
// learns of a new password at its next check, or at once when a login
// with the cached one fails and the service calls Refresh.
func Example() {
	ctx := context.Background()
	srv := rotortest.Start()
	defer srv.Close()
	client := secretsmanager.NewFromConfig(srv.Config)
	if _, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("prod/db"), SecretString: aws.String("first-password")}); err != nil {
		fmt.Println(err)
		return
	}
	database := "first-password" // the password the database accepts
	login := func(password string) error {
		if password != database {
			return errors.New("password authentication failed")
		}
		return nil
	}

	secrets := cache.New(awssdk.New(client), cache.WithCheckInterval(time.Minute))
	defer secrets.Close()
	v, err := secrets.Get(ctx, "prod/db")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("login:", login(v.Value.Text()))

	// Elsewhere, a rotation sets a new password and makes it AWSCURRENT.
	database = "second-password"
	if _, err := client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: aws.String("prod/db"), SecretString: aws.String(database)}); err != nil {
		fmt.Println(err)
		return
	}

	v, _ = secrets.Get(ctx, "prod/db") // within the check interval: the cached password
	if err := login(v.Value.Text()); err != nil {
		fmt.Println("login:", err)
		if v, err = secrets.Refresh(ctx, "prod/db"); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("login after Refresh:", login(v.Value.Text()))
	}
	// Output:
	// login: <nil>
	// login: password authentication failed
	// login after Refresh: <nil>
}
