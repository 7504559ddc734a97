package revcache_test

import (
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/internal/revcache"
	"github.com/stretchr/testify/assert"
)

func TestTheCacheKeepsAtMostItsSizeAndReturnsWhatWasPut(t *testing.T) {
	c := revcache.New(2)
	a, b, d := &rotor.Secret{Name: "a"}, &rotor.Secret{Name: "b"}, &rotor.Secret{Name: "d"}
	c.Put(1, a)
	c.Put(2, b)
	assert.Same(t, a, c.Get(1))
	c.Put(3, d)
	assert.Same(t, d, c.Get(3))
	kept := 0
	for _, rev := range []rotor.Revision{1, 2} {
		if c.Get(rev) != nil {
			kept++
		}
	}
	assert.Equal(t, 1, kept, "one of the older entries was evicted")
	assert.Nil(t, c.Get(9))
}

func TestASizeOfZeroCachesNothing(t *testing.T) {
	c := revcache.New(0)
	c.Put(1, &rotor.Secret{})
	assert.Nil(t, c.Get(1))
}
