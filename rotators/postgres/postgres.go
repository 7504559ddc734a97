// Package postgres rotates PostgreSQL passwords, as AWS's Python templates
// SecretsManagerRDSPostgreSQLRotationSingleUser and …MultiUser do, with pgx.
//
//	functions.Register(arn, postgres.SingleUser(svc))
//
// A password is sent to the server as a SCRAM-SHA-256 verifier computed here,
// never as text, so that no server log (log_statement = 'ddl') can hold it.
package postgres

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/rotators"
)

// DefaultPort is the port of a secret that names none.
const DefaultPort = 5432

// ConnectTimeout bounds each login.
const ConnectTimeout = 10 * time.Second

// SingleUser returns the single-user rotator (see rotators.SingleUser) of
// PostgreSQL secrets read and written through api.
func SingleUser(api rotators.SecretsAPI) rotor.Rotator { return rotators.SingleUser(api, Database{}) }

// AlternatingUsers returns the alternating-users rotator (see
// rotators.AlternatingUsers) of PostgreSQL secrets: the user of
// AWSPENDING is created as a member of the original user, and of every
// role the original is a member of, so that it holds the same privileges.
// The master user needs CREATEROLE.
func AlternatingUsers(api rotators.SecretsAPI) rotor.Rotator {
	return rotators.AlternatingUsers(api, Database{})
}

// Database is rotators.Database for PostgreSQL.
type Database struct{}

// Engines implements rotators.Database.
func (Database) Engines() []string { return []string{rotators.EnginePostgres} }

// connect logs in as s: sslmode verify-full when its ssl field is true,
// disable when false, prefer (TLS if the server has it) when absent. The
// password is never part of a connection string.
func connect(ctx context.Context, s rotators.DatabaseSecret) (*pgx.Conn, error) {
	mode := "prefer"
	if s.SSL != nil {
		mode = map[bool]string{true: "verify-full", false: "disable"}[*s.SSL]
	}
	port := s.Port
	if port == 0 {
		port = DefaultPort
	}
	db := s.DBName
	if db == "" {
		db = "postgres"
	}
	dsn := fmt.Sprintf("host=%s port=%d dbname=%s user=%s sslmode=%s", quote(s.Host), port, quote(db), quote(s.Username), mode)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	cfg.Password = s.Password
	cfg.ConnectTimeout = ConnectTimeout
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: logging in as %s at %s: %w", s.Username, s.Addr(DefaultPort), err)
	}
	return conn, nil
}

// quote quotes a value of a keyword/value connection string.
func quote(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// Ping implements rotators.Database: it logs in and runs SELECT 1.
func (Database) Ping(ctx context.Context, s rotators.DatabaseSecret) error {
	conn, err := connect(ctx, s)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "SELECT 1"); err != nil {
		return fmt.Errorf("postgres: SELECT 1 as %s: %w", s.Username, err)
	}
	return nil
}

// SetOwnPassword implements rotators.Database with ALTER ROLE … PASSWORD.
func (Database) SetOwnPassword(ctx context.Context, login rotators.DatabaseSecret, password string) error {
	verifier, err := scramVerifier(password)
	if err != nil {
		return err
	}
	conn, err := connect(ctx, login)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "ALTER ROLE "+ident(login.Username)+" PASSWORD "+literal(verifier)); err != nil {
		return fmt.Errorf("postgres: ALTER ROLE %s PASSWORD: %w", login.Username, err)
	}
	return nil
}

// SetUser implements rotators.Database: in one transaction, as master, it
// creates user (LOGIN, with its password) or sets its password, and makes
// it a member of like and of every role like is a member of.
func (Database) SetUser(ctx context.Context, master, like, user rotators.DatabaseSecret) error {
	verifier, err := scramVerifier(user.Password)
	if err != nil {
		return err
	}
	conn, err := connect(ctx, master)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)", user.Username).Scan(&exists); err != nil {
			return fmt.Errorf("postgres: looking for role %s: %w", user.Username, err)
		}
		verb := "CREATE"
		if exists {
			verb = "ALTER"
		}
		if _, err := tx.Exec(ctx, verb+" ROLE "+ident(user.Username)+" LOGIN PASSWORD "+literal(verifier)); err != nil {
			return fmt.Errorf("postgres: %s ROLE %s: %w", verb, user.Username, err)
		}
		if like.Username == user.Username {
			return nil
		}
		rows, err := tx.Query(ctx, `SELECT g.rolname FROM pg_auth_members m
			JOIN pg_roles u ON u.oid = m.member JOIN pg_roles g ON g.oid = m.roleid
			WHERE u.rolname = $1 AND g.rolname <> $2 ORDER BY 1`, like.Username, user.Username)
		if err != nil {
			return fmt.Errorf("postgres: reading the roles of %s: %w", like.Username, err)
		}
		roles, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("postgres: reading the roles of %s: %w", like.Username, err)
		}
		for _, role := range append([]string{like.Username}, roles...) {
			if _, err := tx.Exec(ctx, "GRANT "+ident(role)+" TO "+ident(user.Username)); err != nil {
				return fmt.Errorf("postgres: GRANT %s TO %s: %w", role, user.Username, err)
			}
		}
		return nil
	})
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

// literal quotes a string constant (standard_conforming_strings: only '
// is special).
func literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// scramIterations is PostgreSQL's scram_iterations default.
const scramIterations = 4096

// scramVerifier returns password's SCRAM-SHA-256 verifier in the form
// PostgreSQL stores (RFC 5802, RFC 7677). PostgreSQL normalizes a password
// with SASLprep first, which leaves printable ASCII unchanged; other
// passwords are refused rather than hashed differently from the server.
func scramVerifier(password string) (string, error) {
	for _, r := range password {
		if r < 0x20 || r > 0x7e {
			return "", errors.New("postgres: the new password holds a character outside printable ASCII")
		}
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	salted, err := pbkdf2.Key(sha256.New, password, salt, scramIterations, sha256.Size)
	if err != nil {
		return "", err
	}
	clientKey := hmacSHA256(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	serverKey := hmacSHA256(salted, "Server Key")
	b64 := base64.StdEncoding.EncodeToString
	return "SCRAM-SHA-256$" + strconv.Itoa(scramIterations) + ":" + b64(salt) + "$" + b64(storedKey[:]) + ":" + b64(serverKey), nil
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}
