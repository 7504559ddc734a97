package encrypted_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/bolt"
	"github.com/rotorkit/rotor/store/encrypted"
)

// Values encrypted at rest in a bolt file, under a default key kept in a
// key file beside it, made on the first start.
func Example() {
	dir, _ := os.MkdirTemp("", "rotor")
	defer os.RemoveAll(dir)
	keyFile := filepath.Join(dir, "rotor.keys")

	created, err := encrypted.EnsureKeyFile(keyFile, rand.Reader)
	fmt.Println("key file created:", created, err)
	keys, err := encrypted.LoadKeyringFile(keyFile)
	if err != nil {
		fmt.Println(err)
		return
	}
	inner, err := bolt.Open(filepath.Join(dir, "rotor.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer inner.Close()

	svc := rotor.New(encrypted.New(inner, keys))
	ctx := context.Background()
	_, err = svc.CreateSecret(ctx, rotor.CreateSecretInput{Name: "db/prod", SecretString: "hunter2"})
	fmt.Println("created:", err == nil)
	out, err := svc.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: "db/prod"})
	fmt.Println("read back:", out.SecretString, err)

	sealed, _, _ := inner.Load(ctx, "us-east-1", "db/prod")
	fmt.Println("what the file holds is binary ciphertext:", sealed.Versions[0].Value.IsBinary())
	// Output:
	// key file created: true <nil>
	// created: true
	// read back: hunter2 <nil>
	// what the file holds is binary ciphertext: true
}
