package revcache_test

import (
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/internal/revcache"
	"github.com/stretchr/testify/assert"
)

func TestTheCacheKeepsAtMostItsSizeAndReturnsWhatWasPut(t *testing.T) {
	c := revcache.New[*rotor.Secret](2)
	a, b, d := &rotor.Secret{Name: "a"}, &rotor.Secret{Name: "b"}, &rotor.Secret{Name: "d"}
	c.Put(1, a)
	c.Put(2, b)
	got, ok := c.Get(1)
	assert.True(t, ok)
	assert.Same(t, a, got)
	c.Put(3, d)
	got, _ = c.Get(3)
	assert.Same(t, d, got)
	kept := 0
	for _, rev := range []rotor.Revision{1, 2} {
		if _, ok := c.Get(rev); ok {
			kept++
		}
	}
	assert.Equal(t, 1, kept, "one of the older entries was evicted")
	_, ok = c.Get(9)
	assert.False(t, ok)
}

func TestASizeOfZeroCachesNothing(t *testing.T) {
	c := revcache.New[*rotor.Secret](0)
	c.Put(1, &rotor.Secret{})
	_, ok := c.Get(1)
	assert.False(t, ok)
}
