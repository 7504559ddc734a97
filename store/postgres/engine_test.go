package postgres_test

import (
	"testing"

	"github.com/rotorkit/rotor/engine/duetest"
	"github.com/rotorkit/rotor/store/encrypted"
)

func TestTheEngineSchedulesRotationsOverPostgres(t *testing.T) {
	duetest.RunScheduler(t, openTemp(t))
}

func TestTheEngineSchedulesRotationsOverEncryptedPostgres(t *testing.T) {
	duetest.RunScheduler(t, encrypted.New(openTemp(t), testKeyring(t)))
}
