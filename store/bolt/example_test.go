package bolt_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/bolt"
)

// A service whose secrets survive restarts: open the file, serve, close.
func Example() {
	dir, _ := os.MkdirTemp("", "rotor")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "rotor.db")
	ctx := context.Background()

	st, err := bolt.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = rotor.New(st).CreateSecret(ctx, rotor.CreateSecretInput{Name: "db/prod", SecretString: "hunter2"})
	fmt.Println("created:", err == nil)
	_ = st.Close()

	st, err = bolt.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	out, err := rotor.New(st).GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "db/prod"})
	fmt.Println("after a restart:", out.SecretString, err)
	// Output:
	// created: true
	// after a restart: hunter2 <nil>
}
