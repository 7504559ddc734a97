package engine_test

import (
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/engine"
	"github.com/rotorkit/rotor/storetest"
)

func TestIndexedStoreIsAStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) rotor.Store { return engine.NewIndexedStore(rotor.NewMemoryStore()) })
}
