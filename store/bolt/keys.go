package bolt

import (
	"encoding/binary"
	"time"

	"github.com/rotorkit/rotor"
)

// Sizes of the fixed parts of a record value.
const (
	revisionLen = 8
	createdLen  = 12
)

// regionName is the name of a region's nested bucket. The prefix keeps it
// non-empty, which bbolt requires, even for a secret whose ARN has no region.
func regionName(region string) []byte { return []byte("region/" + region) }

// createdKey encodes t so that byte order is time order for every time.Time:
// Unix seconds with the sign bit flipped, then nanoseconds, both big-endian.
func createdKey(t time.Time) []byte {
	k := make([]byte, createdLen)
	binary.BigEndian.PutUint64(k, uint64(t.Unix())^(1<<63))
	binary.BigEndian.PutUint32(k[8:], uint32(t.Nanosecond()))
	return k
}

// orderKey is a key of a region's listing index: CreatedDate, then name.
func orderKey(created []byte, name string) []byte {
	k := make([]byte, 0, len(created)+len(name))
	k = append(k, created...)
	return append(k, name...)
}

// recordValue is a record as stored: revision, listing key, encoded secret.
func recordValue(rev rotor.Revision, created, encoded []byte) []byte {
	v := make([]byte, revisionLen, revisionLen+len(created)+len(encoded))
	binary.BigEndian.PutUint64(v, uint64(rev))
	v = append(v, created...)
	return append(v, encoded...)
}
