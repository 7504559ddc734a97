package mysql_test

import (
	"testing"

	"github.com/rotorkit/rotor/internal/dbtest"
	"github.com/rotorkit/rotor/rotators/mysql"
)

func TestRotatorsAgainstARealMariaDB(t *testing.T) {
	dbtest.Run(t, dbtest.MySQL(t, mysql.Database{}), dbtest.Rotators{
		SingleUser: mysql.SingleUser, AlternatingUsers: mysql.AlternatingUsers,
	})
}
