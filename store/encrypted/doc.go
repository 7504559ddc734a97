// Package encrypted keeps secret values encrypted at rest in any rotor.Store:
// wrap the store with New, and every version's value reaches the inner store
// as ciphertext.
//
//	keys, err := encrypted.LoadKeyringFile("rotor.keys") // "KEY_ID BASE64_KEY" lines
//	svc := rotor.New(encrypted.New(inner, keys))
//
// # Which store to pick
//
// Pick the inner store as the store/bolt package documentation says (memory
// for tests, bolt for one server, postgres for many); wrap it with this
// package whenever the medium is shared or backed up (a file on a disk, a
// database), so that a copy of the file or of the table does not reveal
// values. The memory store needs no wrapping: its plaintext is in the
// process, as the wrapper's own keys are.
//
// # What is encrypted
//
// Each version's value (SecretString or SecretBinary) is sealed with
// AES-256-GCM under a data key drawn at random by the save that added the
// version. A later save stores the envelopes of the versions it keeps as they
// were, so it encrypts only what it adds, unless the secret's KmsKeyID
// changed: then every version is sealed again under the new master key.
// The data key is itself sealed with AES-256-GCM under the master key named
// by the secret's KmsKeyID ("" meaning DefaultKeyID, "aws/secretsmanager"),
// taken from a Keyring. The additional data of the value binds the secret's
// ARN, the version id and the kind of value (string or binary), and that of
// the data key binds the ARN and the master key id: a ciphertext copied to
// another secret or another version fails to decrypt instead of yielding a
// value. Everything else (name, description, tags, dates, labels, rotation
// state) is stored in the clear, as AWS keeps metadata unencrypted.
//
// The ciphertext is stored as a binary rotor.Value (see envelope.go for the
// byte layout), so the inner store needs nothing special.
//
// # Failures
//
// A master key missing from the keyring, a wrong key or a tampered record is
// a *rotor.Error with Code rotor.CodeEncryptionFailure (on save; nothing was
// saved) or rotor.CodeDecryptionFailure (on load or list; nothing changed),
// naming the key id and the secret, never the value.
//
// # Keys
//
// A Keyring maps key ids to 256-bit keys. LoadKeyringFile reads the file
// format described there; KeyringFromEnv reads ROTOR_MASTER_KEY and
// ROTOR_KEYS; EnsureKeyFile creates a key file holding a fresh default key,
// mode 0600, when none exists (what `rotor serve` does on its first start,
// beside the store file).
package encrypted
