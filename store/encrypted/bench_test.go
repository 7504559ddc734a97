package encrypted_test

import (
	"path/filepath"
	"testing"

	"github.com/rotorkit/rotor/store/encrypted"
	"github.com/rotorkit/rotor/storetest"
)

// BenchmarkEncryptedBoltGetSecretValue reads AWSCURRENT through the service.
func BenchmarkEncryptedBoltGetSecretValue(b *testing.B) {
	storetest.BenchGetSecretValue(b, encrypted.New(openBolt(b, filepath.Join(b.TempDir(), "rotor.db")), testKeyring(b)))
}

// BenchmarkEncryptedBoltPutSecretValue writes a new AWSCURRENT version through the service.
func BenchmarkEncryptedBoltPutSecretValue(b *testing.B) {
	storetest.BenchPutSecretValue(b, encrypted.New(openBolt(b, filepath.Join(b.TempDir(), "rotor.db")), testKeyring(b)))
}
