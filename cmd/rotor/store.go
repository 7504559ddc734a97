package main

import (
	"context"
	crand "crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/store/bolt"
	"github.com/rotorkit/rotor/store/encrypted"
	"github.com/rotorkit/rotor/store/postgres"
)

// storeConfig says which store to open and how.
type storeConfig struct {
	// spec is --store: memory, a PostgreSQL URL, or a bbolt file.
	spec string
	// keysFile is --keys; "" means the default beside the store.
	keysFile string
	// create lets the store file and its keys file be created: rotor
	// serve may start a new store, an operation command never does.
	create bool
	// region is the region whose secrets are checked against the keys
	// when the store cannot name its regions (rotor.RegionLister).
	region string
	// allowMissingKeys opens a store whose secrets were sealed under keys
	// the keyring lacks: their metadata is served, their values fail with
	// DecryptionFailure, and they can be deleted.
	allowMissingKeys bool
	getenv           func(string) string
	logger           *slog.Logger
}

// openStore opens the store --store names: memory, a PostgreSQL URL, or a
// bbolt file. Durable stores are wrapped with encryption at rest under the
// keys of the keys file and of the environment (ROTOR_MASTER_KEY,
// ROTOR_KEYS), after a check that those keys open every value the store
// holds: rotor refuses to start rather than serve secrets it cannot read.
// A keys file is created with a fresh default key only beside a store that
// holds no encrypted value. close releases the store.
func openStore(ctx context.Context, c storeConfig) (store rotor.Store, close func() error, err error) {
	if c.spec == "memory" {
		return rotor.NewMemoryStore(), func() error { return nil }, nil
	}
	keysFile, defaultKeys := c.keysFile, c.keysFile == ""
	var inner rotor.Store
	switch {
	case strings.HasPrefix(c.spec, "postgres://"), strings.HasPrefix(c.spec, "postgresql://"):
		if defaultKeys {
			keysFile = "rotor.keys"
		}
		pg, err := postgres.Open(ctx, c.spec)
		if err != nil {
			return nil, nil, fmt.Errorf("--store: %w", err)
		}
		inner, close = pg, pg.Close
	default:
		if defaultKeys {
			keysFile = c.spec + ".keys"
		}
		db, err := openBolt(c, keysFile, defaultKeys)
		if err != nil {
			return nil, nil, err
		}
		inner, close = db, db.Close
	}
	keys, err := loadKeys(ctx, c, inner, keysFile)
	if err != nil {
		_ = close()
		return nil, nil, err
	}
	return encrypted.New(inner, keys), close, nil
}

// openBolt opens the bbolt file of --store, creating it only for serve and
// only where nothing was lost: not beside the keys file of a store that is
// gone, not over an empty (0-byte) file whose keys say it held secrets.
func openBolt(c storeConfig, keysFile string, defaultKeys bool) (*bolt.Store, error) {
	info, statErr := os.Stat(c.spec)
	exists := statErr == nil
	switch {
	case !exists && !errors.Is(statErr, fs.ErrNotExist):
		return nil, fmt.Errorf("--store %s: %w", c.spec, statErr)
	case !exists && !c.create:
		return nil, fmt.Errorf("--store %s: no such store file; an operation never creates a store: check the path, or create the store by starting rotor serve --store %s", c.spec, c.spec)
	case !exists && defaultKeys && fileExists(keysFile):
		return nil, fmt.Errorf("--store %s does not exist, but its keys file %s does: the store was moved or deleted, and a new one here would hide that. Restore %s from a backup, or point --store at it; to start a new store here, move %s away first",
			c.spec, keysFile, c.spec, keysFile)
	case exists && info.Size() == 0:
		ids := configuredKeyIDs(keysFile, c.getenv)
		if len(ids) > 0 || !c.create {
			why := "nothing says whether it held secrets"
			if len(ids) > 0 {
				why = fmt.Sprintf("its master keys (%s) say it held secrets", strings.Join(ids, ", "))
			}
			return nil, fmt.Errorf("--store %s is empty (0 bytes) and %s: its data is lost. Restore it from a backup; rotor does not start an empty store over it (to start a new store, delete the file)", c.spec, why)
		}
		// No key was ever made for it: a first start that died before
		// bbolt wrote its first pages.
		c.logger.Warn("the store file is empty and no master key exists for it: starting a new store in it", "store", c.spec)
		if err := os.Remove(c.spec); err != nil {
			return nil, fmt.Errorf("--store %s: %w", c.spec, err)
		}
		exists = false
	}
	db, err := bolt.Open(c.spec, bolt.WithCreate(c.create))
	if err != nil {
		return nil, fmt.Errorf("--store %s: %w", c.spec, err)
	}
	if !exists {
		c.logger.Info("created a new store file", "store", c.spec)
	}
	return db, nil
}

// loadKeys reads the master keys of inner: the keys file merged with the
// environment, then checks them against the envelopes the store holds. The
// keys file is created, with a fresh default key, only for serve, only when
// the environment does not give the default key, and only when the store
// holds no encrypted value: a missing keys file beside encrypted values is
// lost or misplaced, never replaced.
func loadKeys(ctx context.Context, c storeConfig, inner rotor.Store, file string) (*encrypted.Keyring, error) {
	keys, err := encrypted.KeyringFromEnv(c.getenv)
	if err != nil {
		return nil, err
	}
	_, statErr := os.Stat(file)
	missing := errors.Is(statErr, fs.ErrNotExist)
	if !missing {
		fromFile, err := encrypted.LoadKeyringFile(file)
		if err != nil {
			return nil, fmt.Errorf("--keys: %w", err)
		}
		if err := fromFile.Merge(keys); err != nil {
			return nil, fmt.Errorf("--keys and the environment: %w", err)
		}
		keys = fromFile
	}
	in, err := encrypted.Inspect(ctx, inner, keys, c.region)
	if err != nil {
		return nil, fmt.Errorf("--store: checking the master keys: %w", err)
	}
	if !in.Complete {
		c.logger.Info("checked the master keys against the secrets of one region only: the store cannot name its regions", "region", c.region)
	}
	if missing && c.create && in.Sealed == 0 && !slices.Contains(keys.IDs(), encrypted.DefaultKeyID) {
		created, err := encrypted.EnsureKeyFile(file, crand.Reader)
		if err != nil {
			return nil, fmt.Errorf("--keys: %w", err)
		}
		if created {
			c.logger.Warn("created a master key for encryption at rest: back it up, the secrets cannot be read without it", "keys", file)
		}
		fromFile, err := encrypted.LoadKeyringFile(file)
		if err != nil {
			return nil, fmt.Errorf("--keys: %w", err)
		}
		if err := fromFile.Merge(keys); err != nil {
			return nil, fmt.Errorf("--keys and the environment: %w", err)
		}
		return fromFile, nil
	}
	if in.Plain > 0 {
		// A damaged value spoils only its own version: reading it answers
		// DecryptionFailure, everything else is served.
		c.logger.Warn("the store holds values that do not decrypt (written without encryption at rest, or damaged); reading them answers DecryptionFailure", "values", in.Plain)
	}
	if err := keysProblem(in, file, missing); err != nil {
		if !c.allowMissingKeys {
			return nil, fmt.Errorf("%w. To serve the other secrets anyway (those sealed under a lacking key are listed, described and deleted, their values answer DecryptionFailure), add --allow-missing-keys", err)
		}
		c.logger.Warn("serving a store whose secrets were sealed under keys this keyring lacks: their values answer DecryptionFailure", "problem", err.Error())
	}
	return keys, nil
}

// keysProblem explains what an inspection found wrong, and what to do.
func keysProblem(in encrypted.Inspection, file string, missing bool) error {
	named := func(ids []string) string {
		var parts []string
		for _, id := range ids {
			parts = append(parts, fmt.Sprintf("%s (secret %s, for one)", id, in.Examples[id]))
		}
		return strings.Join(parts, ", ")
	}
	keysFile := fmt.Sprintf("The keys file %s does not hold them.", file)
	if missing {
		keysFile = fmt.Sprintf("The keys file %s does not exist.", file)
	}
	switch {
	case len(in.Missing) > 0:
		return fmt.Errorf("--keys: the store holds secrets sealed under master keys that rotor does not have: %s. %s Restore the keys file from a backup, or point --keys at the file that holds these keys (or give them in ROTOR_MASTER_KEY / ROTOR_KEYS). rotor does not make a new key for a store that holds secrets: they could never be read again",
			named(in.Missing), keysFile)
	case len(in.Wrong) > 0:
		return fmt.Errorf("--keys: the keys file %s holds other keys than the ones the store's secrets were sealed with: %s. It is another store's keys file, or a new key replaced the right one: restore this store's keys file from a backup, or point --keys at it",
			file, named(in.Wrong))
	}
	return nil
}

// configuredKeyIDs names the master keys that the keys file and the
// environment hold, or that a keys file which cannot be read may hold.
func configuredKeyIDs(file string, getenv func(string) string) []string {
	var ids []string
	if env, err := encrypted.KeyringFromEnv(getenv); err == nil {
		ids = env.IDs()
	}
	if fileExists(file) {
		k, err := encrypted.LoadKeyringFile(file)
		if err != nil {
			return append(ids, "those of "+file)
		}
		ids = append(ids, k.IDs()...)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
