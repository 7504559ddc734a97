package rotators_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/rotators"
	"github.com/rotorkit/rotor/rotators/postgres"
)

// A secret that is itself the credential (an API key) rotates with the
// random-value rotator, registered as the function RotateSecret names.
func Example_randomValue() {
	ctx := context.Background()
	functions := &rotor.FunctionRegistry{}
	svc := rotor.New(rotor.NewMemoryStore(), rotor.WithInvoker(functions))
	const fn = "arn:aws:lambda:us-east-1:000000000000:function:rotate-api-key"
	functions.Register(fn, rotators.RandomValue(svc, rotor.GetRandomPasswordInput{PasswordLength: 40, ExcludePunctuation: true}))

	if _, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "partner/api-key", SecretString: `{"client":"acme","password":"first-key"}`}); err != nil {
		panic(err)
	}
	out, err := svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "partner/api-key", RotationLambdaARN: fn})
	if err != nil {
		panic(err)
	}
	current, _ := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "partner/api-key"})
	previous, _ := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "partner/api-key", VersionStage: rotor.StagePrevious})
	var key struct{ Client, Password string }
	if err := json.Unmarshal([]byte(current.SecretString), &key); err != nil {
		panic(err)
	}
	fmt.Println("AWSCURRENT is the rotation's version:", current.VersionId == out.VersionId)
	fmt.Println("client kept:", key.Client, "- new key length:", len(key.Password))
	fmt.Println("AWSPREVIOUS:", previous.SecretString)
	// Output:
	// AWSCURRENT is the rotation's version: true
	// client kept: acme - new key length: 40
	// AWSPREVIOUS: {"client":"acme","password":"first-key"}
}

// A PostgreSQL user's password rotates with the single-user rotator; the
// secret is AWS's JSON for database credentials.
func Example_postgres() {
	ctx := context.Background()
	functions := &rotor.FunctionRegistry{}
	svc := rotor.New(rotor.NewMemoryStore(), rotor.WithInvoker(functions))
	const fn = "arn:aws:lambda:us-east-1:000000000000:function:rotate-orders-db"
	functions.Register(fn, postgres.SingleUser(svc))

	_, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "prod/orders-db", SecretString: `{"engine":"postgres",` +
		`"host":"orders.db.internal","port":5432,"username":"orders","password":"initial","dbname":"orders"}`})
	if err != nil {
		panic(err)
	}
	// Logs in as orders, changes its password, logs in with the new one,
	// then moves AWSCURRENT.
	if _, err := svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "prod/orders-db", RotationLambdaARN: fn}); err != nil {
		fmt.Println(err)
	}
}
