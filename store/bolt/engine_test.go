package bolt_test

import (
	"testing"

	"github.com/rotorkit/rotor/engine/duetest"
	"github.com/rotorkit/rotor/store/encrypted"
	"github.com/stretchr/testify/require"
)

func TestTheEngineSchedulesRotationsOverBolt(t *testing.T) {
	duetest.RunScheduler(t, openTemp(t))
}

func TestTheEngineSchedulesRotationsOverEncryptedBolt(t *testing.T) {
	keys := encrypted.NewKeyring()
	require.NoError(t, keys.Add(encrypted.DefaultKeyID, make([]byte, encrypted.KeySize)))
	duetest.RunScheduler(t, encrypted.New(openTemp(t), keys))
}
