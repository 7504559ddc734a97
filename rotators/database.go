package rotators

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rotorkit/rotor"
)

// Database is what a database rotator needs of one engine: logging in and
// changing passwords. Package rotators/postgres and rotators/mysql
// implement it. Errors must never hold a password.
type Database interface {
	// Engines are the secret engine names the database accepts.
	Engines() []string
	// Ping logs in as c and runs a trivial query.
	Ping(ctx context.Context, c DatabaseSecret) error
	// SetOwnPassword logs in as login and changes that user's own password
	// to password.
	SetOwnPassword(ctx context.Context, login DatabaseSecret, password string) error
	// SetUser logs in as master and makes user.Username a user that logs in
	// with user.Password and, unless like names the same user, holds the
	// grants and role memberships of like.Username: it creates the user if
	// it does not exist and sets its password if it does. It must be
	// idempotent.
	SetUser(ctx context.Context, master, like, user DatabaseSecret) error
}

// CloneSuffix is what the alternating-users rotators append to a username
// to name the other user, as AWS's templates do.
const CloneSuffix = "_clone"

// SingleUser returns the rotator of a database user that changes its own
// password, as AWS's single-user templates do: createSecret stores the
// current secret with a new password as AWSPENDING; setSecret logs in with
// the pending secret (done already), else the current, else the previous
// one, and sets the user's password to the pending one; testSecret logs in
// with the pending secret; finishSecret moves AWSCURRENT.
//
// Between setSecret and finishSecret only the pending password logs in, so
// clients reading AWSCURRENT fail until the rotation finishes (the engine
// resumes it after a crash): AlternatingUsers has no such window.
func SingleUser(api SecretsAPI, db Database) rotor.Rotator {
	return &steps{
		api:      api,
		password: rotor.GetRandomPasswordInput{ExcludeCharacters: DefaultExcludeCharacters},
		next: func(_ context.Context, current rotor.GetSecretValueOutput, password string) (string, error) {
			c, err := parseCurrent(current, db)
			if err != nil {
				return "", err
			}
			return c.WithUser(c.Username, password).Marshal()
		},
		set: func(ctx context.Context, ev rotor.RotationEvent, pendingValue rotor.GetSecretValueOutput) error {
			pending, current, err := pendingAndCurrent(ctx, api, ev, pendingValue, db)
			if err != nil {
				return err
			}
			if pending.Username != current.Username {
				return fmt.Errorf("AWSPENDING names user %s, AWSCURRENT %s: a single-user rotation changes one user's password", pending.Username, current.Username)
			}
			if err := db.Ping(ctx, pending); err == nil {
				return nil // set already (a retry)
			}
			login := current
			errCurrent := db.Ping(ctx, current)
			if errCurrent != nil {
				previous, errPrevious := previousSecret(ctx, api, ev, db, pending)
				if errPrevious != nil {
					return fmt.Errorf("cannot log in with AWSPENDING, AWSCURRENT or AWSPREVIOUS: AWSCURRENT: %w; AWSPREVIOUS: %w", errCurrent, errPrevious)
				}
				login = previous
			}
			if err := db.SetOwnPassword(ctx, login, pending.Password); err != nil {
				return fmt.Errorf("setting the password of %s: %w", pending.Username, err)
			}
			return nil
		},
		test: testLogin(db),
	}
}

// AlternatingUsers returns the rotator of two database users that take
// turns, as AWS's alternating-users templates do: createSecret stores the
// current secret naming the other user (username with CloneSuffix added,
// or removed) and a new password as AWSPENDING; setSecret logs in as the
// master user of the secret the masterarn field names and creates or
// updates that user, with the grants and role memberships of the current
// one; testSecret logs in with the pending secret; finishSecret moves
// AWSCURRENT. The user AWSPREVIOUS names keeps its password until the next
// rotation, so clients holding it keep working.
func AlternatingUsers(api SecretsAPI, db Database) rotor.Rotator {
	return &steps{
		api:      api,
		password: rotor.GetRandomPasswordInput{ExcludeCharacters: DefaultExcludeCharacters},
		next: func(_ context.Context, current rotor.GetSecretValueOutput, password string) (string, error) {
			c, err := parseCurrent(current, db)
			if err != nil {
				return "", err
			}
			if c.MasterARN == "" {
				return "", fmt.Errorf("AWSCURRENT: %w", &FormatError{Field: "masterarn", Reason: "missing: an alternating-users rotation logs in as the master user of the secret it names"})
			}
			return c.WithUser(OtherUser(c.Username), password).Marshal()
		},
		set: func(ctx context.Context, ev rotor.RotationEvent, pendingValue rotor.GetSecretValueOutput) error {
			pending, current, err := pendingAndCurrent(ctx, api, ev, pendingValue, db)
			if err != nil {
				return err
			}
			if OtherUser(current.Username) != pending.Username && current.Username != pending.Username {
				return fmt.Errorf("AWSPENDING names user %s, not %s or %s", pending.Username, current.Username, OtherUser(current.Username))
			}
			if pending.MasterARN == "" {
				return &FormatError{Field: "masterarn", Reason: "missing in AWSPENDING"}
			}
			mv, err := api.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: pending.MasterARN, VersionStage: rotor.StageCurrent})
			if err != nil {
				return fmt.Errorf("reading the master secret %s: %w", pending.MasterARN, err)
			}
			master, err := ParseDatabaseSecret(mv.SecretString, db.Engines()...)
			if err != nil {
				return fmt.Errorf("master secret %s: %w", pending.MasterARN, err)
			}
			if master.Host != pending.Host {
				return fmt.Errorf("the master secret's host %s is not AWSPENDING's host %s", master.Host, pending.Host)
			}
			if master.Port == 0 {
				master.Port = pending.Port
			}
			if master.DBName == "" {
				master.DBName = pending.DBName
			}
			// Always through the master, even when the pending user
			// logs in already: a crash may have left it without its
			// grants, and SetUser completes it. The clone gets the
			// original's grants; the original keeps its own.
			like := current.WithUser(strings.TrimSuffix(pending.Username, CloneSuffix), "")
			if err := db.SetUser(ctx, master, like, pending); err != nil {
				return fmt.Errorf("as master user %s, setting user %s: %w", master.Username, pending.Username, err)
			}
			return nil
		},
		test: testLogin(db),
	}
}

// OtherUser is the user an alternating-users rotation switches to from
// username: username with CloneSuffix, or without it.
func OtherUser(username string) string {
	if base, ok := strings.CutSuffix(username, CloneSuffix); ok && base != "" {
		return base
	}
	return username + CloneSuffix
}

func testLogin(db Database) func(ctx context.Context, pendingValue rotor.GetSecretValueOutput) error {
	return func(ctx context.Context, pendingValue rotor.GetSecretValueOutput) error {
		pending, err := ParseDatabaseSecret(pendingValue.SecretString, db.Engines()...)
		if err != nil {
			return fmt.Errorf("AWSPENDING: %w", err)
		}
		if err := db.Ping(ctx, pending); err != nil {
			return fmt.Errorf("logging in as %s with AWSPENDING: %w", pending.Username, err)
		}
		return nil
	}
}

func pendingAndCurrent(ctx context.Context, api SecretsAPI, ev rotor.RotationEvent, pendingValue rotor.GetSecretValueOutput, db Database) (pending, current DatabaseSecret, err error) {
	if pending, err = ParseDatabaseSecret(pendingValue.SecretString, db.Engines()...); err != nil {
		return pending, current, fmt.Errorf("AWSPENDING: %w", err)
	}
	cv, err := api.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: ev.SecretId, VersionStage: rotor.StageCurrent})
	if err != nil {
		return pending, current, fmt.Errorf("reading AWSCURRENT: %w", err)
	}
	if current, err = ParseDatabaseSecret(cv.SecretString, db.Engines()...); err != nil {
		return pending, current, fmt.Errorf("AWSCURRENT: %w", err)
	}
	if pending.Host != current.Host {
		return pending, current, fmt.Errorf("AWSPENDING's host %s is not AWSCURRENT's host %s", pending.Host, current.Host)
	}
	return pending, current, nil
}

// previousSecret is AWSPREVIOUS as a login of pending's user, when it can
// log in.
func previousSecret(ctx context.Context, api SecretsAPI, ev rotor.RotationEvent, db Database, pending DatabaseSecret) (DatabaseSecret, error) {
	pv, err := api.GetSecretValue(ctx, rotor.GetSecretValueInput{SecretId: ev.SecretId, VersionStage: rotor.StagePrevious})
	if errors.Is(err, rotor.ErrResourceNotFound) {
		return DatabaseSecret{}, errors.New("no AWSPREVIOUS version")
	}
	if err != nil {
		return DatabaseSecret{}, err
	}
	previous, err := ParseDatabaseSecret(pv.SecretString, db.Engines()...)
	if err != nil {
		return previous, err
	}
	if previous.Username != pending.Username || previous.Host != pending.Host {
		return previous, errors.New("AWSPREVIOUS names another user or host")
	}
	return previous, db.Ping(ctx, previous)
}

// parseCurrent parses AWSCURRENT's value as a database secret of one of
// db's engines.
func parseCurrent(current rotor.GetSecretValueOutput, db Database) (DatabaseSecret, error) {
	c, err := ParseDatabaseSecret(current.SecretString, db.Engines()...)
	if err != nil {
		return DatabaseSecret{}, fmt.Errorf("AWSCURRENT: %w", err)
	}
	return c, nil
}
