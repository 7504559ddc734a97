// Package dbtest gives the rotators' tests a real PostgreSQL or MariaDB
// server (ROTOR_TEST_POSTGRES_URL, ROTOR_TEST_MYSQL_URL), users of their own
// that are dropped after the test, and a suite that every database rotator
// passes. Without the variable a test is skipped loudly; with CI=true it
// fails instead.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strconv"
	"testing"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor/rotators"
)

// Server is a database server the tests may create users on.
type Server struct {
	// Engine is the secrets' engine field.
	Engine string
	// Master logs in as the test user, which may create users and grant.
	Master rotators.DatabaseSecret
	// DB is the engine's rotators.Database.
	DB rotators.Database
	// exec runs statements as Master.
	exec func(ctx context.Context, stmt string) error
	// quote quotes an identifier.
	quote func(string) string
}

func need(t testing.TB, env, what string) string {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set, and CI=true: .ci/run must start %s and set it", env, what)
		}
		t.Skipf("SKIPPED: these tests need a real %s; set %s", what, env)
	}
	return v
}

// Postgres returns the server of ROTOR_TEST_POSTGRES_URL
// (postgres://user:pass@host:port/db?sslmode=disable; the user needs
// CREATEROLE).
func Postgres(t testing.TB, db rotators.Database) *Server {
	url := need(t, "ROTOR_TEST_POSTGRES_URL", "PostgreSQL")
	cfg, err := pgx.ParseConfig(url)
	require.NoError(t, err)
	ssl := cfg.TLSConfig != nil
	s := &Server{Engine: rotators.EnginePostgres, DB: db, quote: func(s string) string { return pgx.Identifier{s}.Sanitize() }}
	s.Master = secret(t, fmt.Sprintf(`{"engine":"postgres","host":%q,"port":%d,"username":%q,"password":%q,"dbname":%q,"ssl":%t}`,
		cfg.Host, cfg.Port, cfg.User, cfg.Password, cfg.Database, ssl))
	s.exec = func(ctx context.Context, stmt string) error {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		_, err = conn.Exec(ctx, stmt)
		return err
	}
	return s
}

// MySQL returns the server of ROTOR_TEST_MYSQL_URL, a go-sql-driver DSN
// (user:pass@tcp(host:port)/db; the user needs CREATE USER and to grant
// WITH GRANT OPTION).
func MySQL(t testing.TB, db rotators.Database) *Server {
	dsn := need(t, "ROTOR_TEST_MYSQL_URL", "MySQL or MariaDB")
	cfg, err := mysqldriver.ParseDSN(dsn)
	require.NoError(t, err)
	host, port, err := net.SplitHostPort(cfg.Addr)
	require.NoError(t, err)
	p, err := strconv.Atoi(port)
	require.NoError(t, err)
	s := &Server{Engine: rotators.EngineMySQL, DB: db, quote: func(s string) string { return "`" + s + "`" }}
	s.Master = secret(t, fmt.Sprintf(`{"engine":"mysql","host":%q,"port":%d,"username":%q,"password":%q,"dbname":%q,"ssl":false}`,
		host, p, cfg.User, cfg.Passwd, cfg.DBName))
	s.exec = func(ctx context.Context, stmt string) error {
		db, err := sql.Open("mysql", dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.ExecContext(ctx, stmt)
		return err
	}
	return s
}

func secret(t testing.TB, js string) rotators.DatabaseSecret {
	s, err := rotators.ParseDatabaseSecret(js)
	require.NoError(t, err)
	return s
}

// Exec runs stmt as the master user.
func (s *Server) Exec(t testing.TB, stmt string) {
	t.Helper()
	require.NoError(t, s.exec(context.Background(), stmt), "%s", stmt)
}

// account names a user in statements.
func (s *Server) account(name string) string {
	if s.Engine == rotators.EngineMySQL {
		return s.quote(name) + "@'%'"
	}
	return s.quote(name)
}

// Name returns a name no other test uses (roles are global to a server),
// short enough for MySQL's 32 characters with "_clone".
func Name(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}

// NewUser creates a user that logs in with a fresh password and returns its
// secret (on the master's host and database). It and its clone are
// dropped when the test ends.
func (s *Server) NewUser(t testing.TB) rotators.DatabaseSecret {
	t.Helper()
	name := Name("rt")
	password := "Pw-" + Name("x")
	verb := "CREATE ROLE " + s.quote(name) + " LOGIN PASSWORD '" + password + "'"
	if s.Engine == rotators.EngineMySQL {
		verb = "CREATE USER " + s.account(name) + " IDENTIFIED BY '" + password + "'"
	}
	s.Exec(t, verb)
	t.Cleanup(func() {
		for _, n := range []string{name, rotators.OtherUser(name)} {
			stmt := "DROP ROLE IF EXISTS " + s.quote(n)
			if s.Engine == rotators.EngineMySQL {
				stmt = "DROP USER IF EXISTS " + s.account(n)
			}
			if err := s.exec(context.Background(), stmt); err != nil {
				t.Errorf("dropping %s: %v", n, err)
			}
		}
	})
	u := s.Master.WithUser(name, password)
	if s.Engine == rotators.EngineMySQL {
		u = secret(t, fmt.Sprintf(`{"engine":"mysql","host":%q,"port":%d,"username":%q,"password":%q,"ssl":false}`, u.Host, u.Port, name, password))
	}
	return u
}

// table names a table in statements: on MySQL, with the database, since
// the users log in without one.
func (s *Server) table(name string) string {
	if s.Engine == rotators.EngineMySQL {
		return s.quote(s.Master.DBName) + "." + s.quote(name)
	}
	return s.quote(name)
}

// GrantRead creates a table that user may read directly, and one it may
// read through a role (on MySQL, its default role) and returns a check that
// logs in as a secret and reads it. Table and role go when the test ends.
func (s *Server) GrantRead(t testing.TB, user string) func(rotators.DatabaseSecret) error {
	t.Helper()
	table := Name("rt_t")
	s.Exec(t, "CREATE TABLE "+s.table(table)+" (n int)")
	t.Cleanup(func() { _ = s.exec(context.Background(), "DROP TABLE IF EXISTS "+s.table(table)) })
	queries := []string{"SELECT count(*) FROM " + s.table(table)}
	s.Exec(t, "GRANT SELECT ON "+s.table(table)+" TO "+s.account(user))
	if s.Engine == rotators.EngineMySQL { // a role, active by default
		role, roleTable := Name("rt_r"), Name("rt_t")
		s.Exec(t, "CREATE ROLE "+s.quote(role))
		s.Exec(t, "CREATE TABLE "+s.table(roleTable)+" (n int)")
		t.Cleanup(func() {
			_ = s.exec(context.Background(), "DROP TABLE IF EXISTS "+s.table(roleTable))
			_ = s.exec(context.Background(), "DROP ROLE IF EXISTS "+s.quote(role))
		})
		s.Exec(t, "GRANT SELECT ON "+s.table(roleTable)+" TO "+s.quote(role))
		s.Exec(t, "GRANT "+s.quote(role)+" TO "+s.account(user))
		s.Exec(t, "SET DEFAULT ROLE "+s.quote(role)+" FOR "+s.account(user))
		queries = append(queries, "SELECT count(*) FROM "+s.table(roleTable))
	}
	if s.Engine == rotators.EnginePostgres {
		group, groupTable := Name("rt_g"), Name("rt_t")
		s.Exec(t, "CREATE ROLE "+s.quote(group))
		s.Exec(t, "CREATE TABLE "+s.quote(groupTable)+" (n int)")
		t.Cleanup(func() {
			_ = s.exec(context.Background(), "DROP TABLE IF EXISTS "+s.quote(groupTable))
			_ = s.exec(context.Background(), "DROP ROLE IF EXISTS "+s.quote(group))
		})
		s.Exec(t, "GRANT SELECT ON "+s.quote(groupTable)+" TO "+s.quote(group))
		s.Exec(t, "GRANT "+s.quote(group)+" TO "+s.quote(user))
		queries = append(queries, "SELECT count(*) FROM "+s.quote(groupTable))
	}
	return func(login rotators.DatabaseSecret) error {
		for _, q := range queries {
			if err := s.query(login, q); err != nil {
				return err
			}
		}
		return nil
	}
}

// query logs in as login and runs q.
func (s *Server) query(login rotators.DatabaseSecret, q string) error {
	ctx := context.Background()
	if s.Engine == rotators.EnginePostgres {
		cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%d dbname=%s user=%s sslmode=disable", login.Host, login.Port, login.DBName, login.Username))
		if err != nil {
			return err
		}
		cfg.Password = login.Password
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, q)
		return err
	}
	cfg := mysqldriver.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName = login.Username, login.Password, "tcp", login.Addr(3306), login.DBName
	connector, err := mysqldriver.NewConnector(cfg)
	if err != nil {
		return err
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	_, err = db.ExecContext(ctx, q)
	return err
}
