package postgres_test

import (
	"context"
	"fmt"
	"os"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/postgres"
)

// Several servers, each opening the same database: the schema is migrated
// by whichever starts first, and the revision checks run in the database.
func Example() {
	ctx := context.Background()
	st, err := postgres.Open(ctx, os.Getenv("ROTOR_POSTGRES_URL"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	svc := rotor.New(st)
	out, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "db/prod"})
	fmt.Println(out.SecretString, err)
}
