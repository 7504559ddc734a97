package revcache_test

import (
	"testing"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/internal/revcache"
	"github.com/stretchr/testify/assert"
)

func TestTheCacheReturnsASnapshotOnlyForItsRevision(t *testing.T) {
	c := revcache.New[*rotor.Secret](4)
	a1, a2 := &rotor.Secret{Name: "a"}, &rotor.Secret{Name: "a"}
	c.Put("us-east-1", "a", 1, a1)
	got, ok := c.Get("us-east-1", "a", 1)
	assert.True(t, ok)
	assert.Same(t, a1, got)
	got, ok = c.GetBytes("us-east-1", []byte("a"), 1)
	assert.True(t, ok)
	assert.Same(t, a1, got)
	_, ok = c.Get("us-east-1", "a", 2)
	assert.False(t, ok, "another revision")
	_, ok = c.Get("eu-west-1", "a", 1)
	assert.False(t, ok, "another region")

	c.Put("us-east-1", "a", 2, a2)
	_, ok = c.Get("us-east-1", "a", 1)
	assert.False(t, ok, "a newer revision replaces the older one")
	got, _ = c.Get("us-east-1", "a", 2)
	assert.Same(t, a2, got)
}

func TestTheCacheKeepsAtMostItsSizeOfSecrets(t *testing.T) {
	c := revcache.New[*rotor.Secret](2)
	for rev := rotor.Revision(1); rev <= 10; rev++ {
		c.Put("us-east-1", "busy", rev, &rotor.Secret{})
	}
	c.Put("us-east-1", "b", 11, &rotor.Secret{})
	_, ok := c.Get("us-east-1", "busy", 10)
	assert.True(t, ok, "ten revisions of one secret take one entry")
	c.Put("eu-west-1", "c", 12, &rotor.Secret{})
	kept := 0
	for _, k := range []struct {
		region, name string
		rev          rotor.Revision
	}{{"us-east-1", "busy", 10}, {"us-east-1", "b", 11}, {"eu-west-1", "c", 12}} {
		if _, ok := c.Get(k.region, k.name, k.rev); ok {
			kept++
		}
	}
	assert.Equal(t, 2, kept, "a third secret evicted one of the two")
}

func TestASizeOfZeroCachesNothing(t *testing.T) {
	c := revcache.New[*rotor.Secret](0)
	c.Put("us-east-1", "a", 1, &rotor.Secret{})
	_, ok := c.Get("us-east-1", "a", 1)
	assert.False(t, ok)
}
