package builtin_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/rotators/builtin"
)

func TestEveryKindMakesARotatorAndOthersAreRefusedByName(t *testing.T) {
	svc := rotor.New(rotor.NewMemoryStore())
	for _, kind := range builtin.Kinds() {
		r, err := builtin.New(kind, svc)
		require.NoError(t, err, kind)
		assert.NotNil(t, r, kind)
		assert.True(t, builtin.Valid(kind))
	}
	_, err := builtin.New("oracle-single-user", svc)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"oracle-single-user"`)
	assert.Contains(t, err.Error(), builtin.RandomValue)
	assert.False(t, builtin.Valid(""))
}
