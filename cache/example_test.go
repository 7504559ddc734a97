package cache_test

import (
	"context"
	"fmt"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/cache"
)

// In-process, the cache drops an entry at the commit that moves AWSCURRENT:
// the Get after RotateSecret returns reads the new value.
func Example() {
	ctx := context.Background()
	functions := &rotor.FunctionRegistry{}
	svc := rotor.New(rotor.NewMemoryStore(), rotor.WithInvoker(functions))
	const rotateDB = "arn:aws:lambda:us-east-1:000000000000:function:rotate-db"
	functions.Register(rotateDB, &rotor.TemplateRotator{API: svc,
		Generate: func(context.Context, rotor.GetSecretValueOutput) (string, error) { return "second-password", nil }})
	if _, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "prod/db", SecretString: "first-password"}); err != nil {
		panic(err)
	}

	// The cache subscribes to the service's events: a commit drops what
	// it changed.
	secrets := cache.New(svc)
	defer secrets.Close()

	v, err := secrets.Get(ctx, "prod/db")
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Value.Text(), v.Value) // a Value never prints itself
	out, err := svc.RotateSecret(ctx, rotor.RotateSecretInput{SecretId: "prod/db", RotationLambdaARN: rotateDB})
	if err != nil {
		panic(err)
	}
	v, err = secrets.Get(ctx, "prod/db")
	if err != nil {
		panic(err)
	}
	fmt.Println(v.Value.Text(), v.VersionID == out.VersionId)
	// Output:
	// first-password [REDACTED]
	// second-password true
}

// GetStage and GetVersion read other versions; each is cached apart.
func ExampleCache_GetStage() {
	ctx := context.Background()
	svc := rotor.New(rotor.NewMemoryStore())
	first, err := svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "prod/db", SecretString: "first-password"})
	if err != nil {
		panic(err)
	}
	if _, err := svc.PutSecretValue(ctx, rotor.PutSecretValueInput{SecretId: "prod/db", SecretString: "second-password"}); err != nil {
		panic(err)
	}
	secrets := cache.New(svc)
	defer secrets.Close()

	previous, err := secrets.GetStage(ctx, "prod/db", rotor.StagePrevious)
	if err != nil {
		panic(err)
	}
	byID, err := secrets.GetVersion(ctx, "prod/db", first.VersionId)
	if err != nil {
		panic(err)
	}
	fmt.Println(previous.Value.Text(), byID.Value.Text())
	// Output:
	// first-password first-password
}
