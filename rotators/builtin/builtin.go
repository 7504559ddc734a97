// Package builtin names rotor's ready-made rotation functions, so that a
// command line (rotor serve --rotation-function NAME=KIND) or an
// environment variable (cmd/rotor-lambda) can choose one.
package builtin

import (
	"fmt"
	"strings"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/rotators"
	"github.com/rotorkit/rotor/rotators/mysql"
	"github.com/rotorkit/rotor/rotators/postgres"
)

// The kinds of built-in rotation functions.
const (
	PostgresSingleUser       = "postgres-single-user"
	PostgresAlternatingUsers = "postgres-alternating-users"
	MySQLSingleUser          = "mysql-single-user"
	MySQLAlternatingUsers    = "mysql-alternating-users"
	RandomValue              = "random-value"
)

var kinds = map[string]func(rotators.SecretsAPI) rotor.Rotator{
	PostgresSingleUser:       postgres.SingleUser,
	PostgresAlternatingUsers: postgres.AlternatingUsers,
	MySQLSingleUser:          mysql.SingleUser,
	MySQLAlternatingUsers:    mysql.AlternatingUsers,
	RandomValue: func(api rotators.SecretsAPI) rotor.Rotator {
		return rotators.RandomValue(api, rotor.GetRandomPasswordInput{})
	},
}

// Kinds returns the kind names, in the order documentation lists them.
func Kinds() []string {
	return []string{PostgresSingleUser, PostgresAlternatingUsers, MySQLSingleUser, MySQLAlternatingUsers, RandomValue}
}

// Valid reports whether kind names a built-in rotation function.
func Valid(kind string) bool { return kinds[kind] != nil }

// New returns the rotator of kind over api, or an error naming the kinds
// when kind is none of them.
func New(kind string, api rotators.SecretsAPI) (rotor.Rotator, error) {
	make := kinds[kind]
	if make == nil {
		return nil, fmt.Errorf("unknown rotation function kind %q: want one of %s", kind, strings.Join(Kinds(), ", "))
	}
	return make(api), nil
}
