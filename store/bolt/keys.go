package bolt

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/rotorkit/rotor"
)

// A record value is a header, then the secret as rotor.EncodeSecret made it:
//
//	revision   8 bytes big-endian
//	created    timeKeyLen bytes: the key of CreatedDate
//	due flag   1 byte: 1 when the secret is in the due-rotation index
//	due        timeKeyLen bytes: the key of NextRotationDate, zero if no flag
//	changed    timeKeyLen bytes: the key of LastChangedDate
//	accessed   timeKeyLen bytes: the key of LastAccessedDate
//
// The header holds the index keys so that a save or a delete can remove the
// old index entries without decoding the secret. Files of layout "1" had
// no changed and accessed keys (headerLenV1); Open adds them.
const (
	revisionLen = 8
	timeKeyLen  = 12
	headerLenV1 = revisionLen + timeKeyLen + 1 + timeKeyLen
	headerLen   = headerLenV1 + 2*timeKeyLen
)

// header is a record's header; due is nil when the secret is not due-indexed.
type header struct {
	rev      rotor.Revision
	created  []byte
	due      []byte
	changed  []byte
	accessed []byte
}

// headerOf returns the header of s as a save at revision rev writes it.
func headerOf(s *rotor.Secret, rev rotor.Revision) header {
	return header{rev: rev, created: timeKey(s.CreatedDate), due: dueKey(s),
		changed: timeKey(s.LastChangedDate), accessed: timeKey(s.LastAccessedDate)}
}

// parseRecord splits a record value. The slices point into raw.
func parseRecord(raw []byte) (header, []byte, error) {
	if len(raw) < headerLen {
		return header{}, nil, fmt.Errorf("bolt: record of %d bytes is too short", len(raw))
	}
	h := header{
		rev:      rotor.Revision(binary.BigEndian.Uint64(raw)),
		created:  raw[revisionLen : revisionLen+timeKeyLen],
		changed:  raw[headerLenV1 : headerLenV1+timeKeyLen],
		accessed: raw[headerLenV1+timeKeyLen : headerLen],
	}
	if raw[revisionLen+timeKeyLen] == 1 {
		h.due = raw[revisionLen+timeKeyLen+1 : headerLenV1]
	}
	return h, raw[headerLen:], nil
}

// recordValue is a record as stored.
func recordValue(h header, encoded []byte) []byte {
	v := make([]byte, headerLen, headerLen+len(encoded))
	binary.BigEndian.PutUint64(v, uint64(h.rev))
	copy(v[revisionLen:], h.created)
	if h.due != nil {
		v[revisionLen+timeKeyLen] = 1
		copy(v[revisionLen+timeKeyLen+1:], h.due)
	}
	copy(v[headerLenV1:], h.changed)
	copy(v[headerLenV1+timeKeyLen:], h.accessed)
	return append(v, encoded...)
}

// regionName is the name of a region's nested bucket. The prefix keeps it
// non-empty, which bbolt requires, even for a secret whose ARN has no region.
func regionName(region string) []byte { return []byte("region/" + region) }

// timeKey encodes t so that byte order is time order for every time.Time:
// Unix seconds with the sign bit flipped, then nanoseconds, both big-endian.
func timeKey(t time.Time) []byte {
	k := make([]byte, timeKeyLen)
	binary.BigEndian.PutUint64(k, uint64(t.Unix())^(1<<63))
	binary.BigEndian.PutUint32(k[8:], uint32(t.Nanosecond()))
	return k
}

// dueKey is the due index's time key of s: rotor.DueAt(s), or nil when the
// scheduler never needs to look at s.
func dueKey(s *rotor.Secret) []byte {
	at, ok := rotor.DueAt(s)
	if !ok {
		return nil
	}
	return timeKey(at)
}

// indexKey is a key of a region's index bucket: a time key, then the name.
func indexKey(t []byte, name string) []byte {
	k := make([]byte, 0, len(t)+len(name))
	k = append(k, t...)
	return append(k, name...)
}
