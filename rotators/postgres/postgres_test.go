package postgres_test

import (
	"testing"

	"github.com/rotorkit/rotor/internal/dbtest"
	"github.com/rotorkit/rotor/rotators/postgres"
)

func TestRotatorsAgainstARealPostgreSQL(t *testing.T) {
	dbtest.Run(t, dbtest.Postgres(t, postgres.Database{}), dbtest.Rotators{
		SingleUser: postgres.SingleUser, AlternatingUsers: postgres.AlternatingUsers,
	})
}
