package encrypted

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DefaultKeyID is the id of the master key of secrets whose KmsKeyID is
// empty, as AWS names its managed key for Secrets Manager.
const DefaultKeyID = "aws/secretsmanager"

// KeySize is the size of a master key: 32 bytes, for AES-256.
const KeySize = 32

// maxKeyIDLen bounds a key id, which envelopes store with a 16-bit length;
// KMS ARNs and aliases are far shorter.
const maxKeyIDLen = 2048

// Keyring maps master key ids to 256-bit keys. Build it with NewKeyring and
// Add, LoadKeyringFile or KeyringFromEnv; after it is handed to New it must
// not change. A Keyring never prints its keys.
type Keyring struct {
	keys map[string]*masterKey
}

// masterKey keeps a key two pointers deep: fmt prints a nested pointer as an
// address, and even a wrong verb, which makes fmt print one level of
// pointer in full, reaches only the second pointer. So no formatting of a
// struct holding a Keyring can show a key.
type masterKey struct{ bytes *[KeySize]byte }

// NewKeyring returns an empty keyring.
func NewKeyring() *Keyring { return &Keyring{keys: make(map[string]*masterKey)} }

// Add adds a key under id, keeping a copy of key. The id is matched exactly
// against a secret's KmsKeyID (a key id, a key ARN or an alias: add each form
// your secrets use), except that "", "aws/secretsmanager" and
// "alias/aws/secretsmanager" all name DefaultKeyID. It fails if key is not
// KeySize bytes, if id is empty, longer than 2048 bytes or holds white space, or if id is already
// in the keyring with another key.
func (k *Keyring) Add(id string, key []byte) error {
	if id == "" || len(id) > maxKeyIDLen || strings.ContainsFunc(id, isSpace) {
		return fmt.Errorf("encrypted: key id %q must be 1 to %d bytes and hold no white space", id, maxKeyIDLen)
	}
	if len(key) != KeySize {
		return fmt.Errorf("encrypted: key %q is %d bytes, want %d", id, len(key), KeySize)
	}
	id = canonicalKeyID(id)
	if old, ok := k.keys[id]; ok && !bytes.Equal(old.bytes[:], key) {
		return fmt.Errorf("encrypted: key %q is given twice with different values", id)
	}
	var b [KeySize]byte
	copy(b[:], key)
	k.keys[id] = &masterKey{bytes: &b}
	return nil
}

// IDs returns the key ids in the keyring, sorted.
func (k *Keyring) IDs() []string {
	ids := make([]string, 0, len(k.keys))
	for id := range k.keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// String lists the key ids, never the keys.
func (k *Keyring) String() string { return "Keyring" + fmt.Sprint(k.IDs()) }

// Format prints what String does, whatever the verb, so that no verb shows
// a key.
func (k Keyring) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, k.String()) }

// key returns the key named by a secret's KmsKeyID.
func (k *Keyring) key(kmsKeyID string) ([]byte, bool) {
	key, ok := k.keys[canonicalKeyID(kmsKeyID)]
	if !ok {
		return nil, false
	}
	return key.bytes[:], true
}

// canonicalKeyID maps the names of the default key to DefaultKeyID.
func canonicalKeyID(id string) string {
	switch id {
	case "", DefaultKeyID, "alias/" + DefaultKeyID:
		return DefaultKeyID
	}
	return id
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}

// LoadKeyringFile reads a key file. The format is text, one key a line:
//
//	# comments and blank lines are ignored
//	aws/secretsmanager  q1Xb...base64 of 32 bytes...=
//	arn:aws:kms:us-east-1:123456789012:key/1234abcd-...  Zm9v...=
//
// that is, a key id, white space, then the key in standard base64 (with
// padding). The file must not be readable or writable by group or others
// (mode 0600 or stricter): LoadKeyringFile refuses it otherwise, as ssh
// refuses a private key.
func LoadKeyringFile(path string) (*Keyring, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("encrypted: key file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("encrypted: key file: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("encrypted: key file %s has mode %#o: others may read it; make it 0600", path, perm)
	}
	k := NewKeyring()
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) != 2 {
			return nil, fmt.Errorf("encrypted: key file %s line %d: want a key id and a base64 key", path, line)
		}
		if err := k.addBase64(fields[0], fields[1]); err != nil {
			return nil, fmt.Errorf("encrypted: key file %s line %d: %w", path, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("encrypted: key file %s: %w", path, err)
	}
	return k, nil
}

// Environment variables read by KeyringFromEnv.
const (
	// EnvMasterKey holds the base64 default key, DefaultKeyID.
	EnvMasterKey = "ROTOR_MASTER_KEY"
	// EnvKeys holds more keys as id=base64 pairs separated by commas or
	// new lines; an id must not contain '=' or ','.
	EnvKeys = "ROTOR_KEYS"
)

// KeyringFromEnv builds a keyring from the variables EnvMasterKey and EnvKeys
// as getenv returns them (pass os.Getenv). Unset variables add nothing; a
// malformed one is an error naming the variable, never its value.
func KeyringFromEnv(getenv func(string) string) (*Keyring, error) {
	k := NewKeyring()
	if v := strings.TrimSpace(getenv(EnvMasterKey)); v != "" {
		if err := k.addBase64(DefaultKeyID, v); err != nil {
			return nil, fmt.Errorf("encrypted: %s: %w", EnvMasterKey, err)
		}
	}
	for i, pair := range strings.FieldsFunc(getenv(EnvKeys), func(r rune) bool { return r == ',' || r == '\n' }) {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		id, b64, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, fmt.Errorf("encrypted: %s: entry %d is not id=base64", EnvKeys, i+1)
		}
		if err := k.addBase64(strings.TrimSpace(id), strings.TrimSpace(b64)); err != nil {
			return nil, fmt.Errorf("encrypted: %s: entry %d: %w", EnvKeys, i+1, err)
		}
	}
	return k, nil
}

// Merge adds every key of o to k, failing as Add does on a clash.
func (k *Keyring) Merge(o *Keyring) error {
	for _, id := range o.IDs() {
		if err := k.Add(id, o.keys[id].bytes[:]); err != nil {
			return err
		}
	}
	return nil
}

func (k *Keyring) addBase64(id, b64 string) error {
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		// The decoder's error quotes a byte offset, not the key.
		return fmt.Errorf("key %q is not standard base64", id)
	}
	return k.Add(id, key)
}

// EnsureKeyFile creates a key file at path holding a fresh DefaultKeyID key
// read from random (pass crypto/rand.Reader), with mode 0600, unless a file
// exists there already, which it leaves alone. It reports whether it created
// the file. The file is written to a temporary name, synced and renamed, so
// a crash never leaves a half-written key file.
func EnsureKeyFile(path string, random io.Reader) (created bool, err error) {
	if _, err := os.Stat(path); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("encrypted: key file: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := io.ReadFull(random, key); err != nil {
		return false, fmt.Errorf("encrypted: generate default key: %w", err)
	}
	content := "# rotor master keys: key id, then a base64 256-bit key. Keep this file secret and backed up:\n" +
		"# without it the values encrypted under these keys are lost.\n" +
		DefaultKeyID + " " + base64.StdEncoding.EncodeToString(key) + "\n"

	// CreateTemp makes the file with mode 0600.
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return false, fmt.Errorf("encrypted: create key file: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err = tmp.WriteString(content); err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return false, fmt.Errorf("encrypted: write key file: %w", err)
	}
	// Link, unlike rename, fails if another process created path meanwhile,
	// so two first starts never replace each other's key.
	if err = os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return false, nil
		}
		return false, fmt.Errorf("encrypted: create key file: %w", err)
	}
	syncDir(filepath.Dir(path))
	return true, nil
}

// syncDir makes a new directory entry durable; failing is not fatal (some
// file systems do not sync directories).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
