// Package mysql rotates MySQL and MariaDB passwords, as AWS's Python
// templates SecretsManagerRDSMySQLRotationSingleUser and …MultiUser do, with
// github.com/go-sql-driver/mysql.
//
//	functions.Register(arn, mysql.SingleUser(svc))
//
// Users are accounts of any host ('%'), as the templates create them.
package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	driver "github.com/go-sql-driver/mysql"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/rotators"
)

// DefaultPort is the port of a secret that names none.
const DefaultPort = 3306

// ConnectTimeout bounds each login.
const ConnectTimeout = 10 * time.Second

// SingleUser returns the single-user rotator (see rotators.SingleUser) of
// MySQL and MariaDB secrets read and written through api.
func SingleUser(api rotators.SecretsAPI) rotor.Rotator { return rotators.SingleUser(api, Database{}) }

// AlternatingUsers returns the alternating-users rotator (see
// rotators.AlternatingUsers) of MySQL and MariaDB secrets: the user of
// AWSPENDING gets every grant SHOW GRANTS lists for the original user. The
// master user needs CREATE USER and every privilege it grants, WITH GRANT
// OPTION.
func AlternatingUsers(api rotators.SecretsAPI) rotor.Rotator {
	return rotators.AlternatingUsers(api, Database{})
}

// Database is rotators.Database for MySQL and MariaDB.
type Database struct{}

// Engines implements rotators.Database.
func (Database) Engines() []string {
	return []string{rotators.EngineMySQL, rotators.EngineMariaDB}
}

// open returns one connection logged in as s: TLS with a verified
// certificate when its ssl field is true, none when false, TLS if the
// server offers it when absent.
func open(ctx context.Context, s rotators.DatabaseSecret) (*sql.Conn, func(), error) {
	cfg := driver.NewConfig()
	cfg.User, cfg.Passwd = s.Username, s.Password
	cfg.Net, cfg.Addr, cfg.DBName = "tcp", s.Addr(DefaultPort), s.DBName
	cfg.Timeout = ConnectTimeout
	// Parameters are interpolated here, so that ALTER USER … IDENTIFIED
	// BY ? (which cannot be prepared) takes its password as a parameter.
	cfg.InterpolateParams = true
	cfg.TLSConfig = "preferred"
	if s.SSL != nil {
		cfg.TLSConfig = map[bool]string{true: "true", false: "false"}[*s.SSL]
	}
	connector, err := driver.NewConnector(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("mysql: %w", err)
	}
	db := sql.OpenDB(connector)
	conn, err := db.Conn(ctx)
	if err == nil {
		err = conn.PingContext(ctx)
	}
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("mysql: logging in as %s at %s: %w", s.Username, s.Addr(DefaultPort), err)
	}
	return conn, func() { conn.Close(); db.Close() }, nil
}

// Ping implements rotators.Database: it logs in and runs SELECT 1.
func (Database) Ping(ctx context.Context, s rotators.DatabaseSecret) error {
	conn, closeConn, err := open(ctx, s)
	if err != nil {
		return err
	}
	defer closeConn()
	if _, err := conn.ExecContext(ctx, "SELECT 1"); err != nil {
		return fmt.Errorf("mysql: SELECT 1 as %s: %w", s.Username, err)
	}
	return nil
}

// SetOwnPassword implements rotators.Database: SET PASSWORD on MariaDB
// (where ALTER USER needs CREATE USER), ALTER USER USER() on MySQL.
func (Database) SetOwnPassword(ctx context.Context, login rotators.DatabaseSecret, password string) error {
	conn, closeConn, err := open(ctx, login)
	if err != nil {
		return err
	}
	defer closeConn()
	var version string
	if err := conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		return fmt.Errorf("mysql: SELECT VERSION(): %w", err)
	}
	stmt := "ALTER USER USER() IDENTIFIED BY ?"
	if strings.Contains(version, "MariaDB") {
		stmt = "SET PASSWORD = PASSWORD(?)"
	}
	if _, err := conn.ExecContext(ctx, stmt, password); err != nil {
		return fmt.Errorf("mysql: setting the password of %s: %w", login.Username, scrub(err, password))
	}
	return nil
}

// SetUser implements rotators.Database: as master it creates user@'%'
// (CREATE USER IF NOT EXISTS), gives it every grant and default role SHOW
// GRANTS lists for like@'%', and sets its password.
func (Database) SetUser(ctx context.Context, master, like, user rotators.DatabaseSecret) error {
	conn, closeConn, err := open(ctx, master)
	if err != nil {
		return err
	}
	defer closeConn()
	if _, err := conn.ExecContext(ctx, "CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", user.Username, user.Password); err != nil {
		return fmt.Errorf("mysql: CREATE USER %s: %w", user.Username, scrub(err, user.Password))
	}
	if like.Username != user.Username {
		grants, err := grantsOf(ctx, conn, like.Username)
		if err != nil {
			return err
		}
		for _, g := range grants {
			if _, err := conn.ExecContext(ctx, g+" ?@'%'", user.Username); err != nil {
				return fmt.Errorf("mysql: %s %s: %w", g, user.Username, err)
			}
		}
	}
	if _, err := conn.ExecContext(ctx, "ALTER USER ?@'%' IDENTIFIED BY ?", user.Username, user.Password); err != nil {
		return fmt.Errorf("mysql: ALTER USER %s: %w", user.Username, scrub(err, user.Password))
	}
	return nil
}

// grantsOf returns the statements that give a user what username@'%'
// has, each to be completed with the account it is for: "GRANT … ON … TO",
// "GRANT role TO" and MariaDB's "SET DEFAULT ROLE role FOR". What follows
// the account in SHOW GRANTS is dropped (MariaDB's USAGE line ends with
// the password hash).
func grantsOf(ctx context.Context, conn *sql.Conn, username string) ([]string, error) {
	rows, err := conn.QueryContext(ctx, "SHOW GRANTS FOR ?@'%'", username)
	if err != nil {
		return nil, fmt.Errorf("mysql: SHOW GRANTS FOR %s: %w", username, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, fmt.Errorf("mysql: SHOW GRANTS FOR %s: %w", username, err)
		}
		if strings.HasPrefix(line, "GRANT PROXY") || strings.Contains(line, "XA_RECOVER_ADMIN") {
			continue // the admin's rights, which the templates skip too
		}
		for _, sep := range []string{" TO ", " FOR "} {
			if i := strings.LastIndex(line, sep); i >= 0 {
				out = append(out, line[:i+len(sep)-1])
				break
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mysql: SHOW GRANTS FOR %s: %w", username, err)
	}
	return out, nil
}

// scrub returns err with password cut out of its text, in case a server
// message quotes the statement that held it.
func scrub(err error, password string) error {
	if password == "" || !strings.Contains(err.Error(), password) {
		return err
	}
	var me *driver.MySQLError
	if errors.As(err, &me) {
		return fmt.Errorf("error %d (%s): the server's message quoted the statement", me.Number, string(me.SQLState[:]))
	}
	return errors.New("the error quoted the statement")
}
