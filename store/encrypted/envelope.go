package encrypted

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// An envelope is one version's encrypted value, stored as the bytes of a
// binary rotor.Value:
//
//	magic       4 bytes  "RTE1"
//	kind        1 byte   kindString or kindBinary: the plaintext's kind
//	key id      2 bytes big-endian length, then the master key id (UTF-8)
//	data key    60 bytes: GCM nonce (12) and the sealed 32-byte data key (48)
//	nonce       12 bytes
//	ciphertext  the rest: the sealed value, 16 bytes longer than the value
//
// The data key is sealed under the master key with additional data
// dataKeyAD(ARN, key id); the value under the data key with additional data
// valueAD(ARN, version id, kind, key id).
var magic = []byte(magicText)

const magicText = "RTE1"

// The kind of the plaintext value.
const (
	kindString byte = 0
	kindBinary byte = 1
)

const (
	nonceSize      = 12
	tagSize        = 16
	sealedKeySize  = nonceSize + KeySize + tagSize
	minEnvelopeLen = len(magicText) + 1 + 2 + sealedKeySize + nonceSize + tagSize
)

// errMalformed reports an envelope that cannot be parsed.
var errMalformed = errors.New("the stored value is not an envelope this version of rotor reads")

// dataKey is one save's data key, sealed once and copied into every
// envelope of that save.
type dataKey struct {
	keyID  string
	aead   cipher.AEAD
	sealed []byte
}

// newDataKey draws a data key from random and seals it under master.
func newDataKey(random io.Reader, master []byte, keyID, arn string) (*dataKey, error) {
	key := make([]byte, KeySize)
	if _, err := io.ReadFull(random, key); err != nil {
		return nil, fmt.Errorf("draw a data key: %w", err)
	}
	masterAEAD, err := newGCM(master)
	if err != nil {
		return nil, err
	}
	sealed := make([]byte, nonceSize, sealedKeySize)
	if _, err := io.ReadFull(random, sealed); err != nil {
		return nil, fmt.Errorf("draw a nonce: %w", err)
	}
	sealed = masterAEAD.Seal(sealed, sealed[:nonceSize], key, dataKeyAD(arn, keyID))
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return &dataKey{keyID: keyID, aead: aead, sealed: sealed}, nil
}

// seal returns the envelope of one value.
func (k *dataKey) seal(random io.Reader, arn, versionID string, kind byte, plain []byte) ([]byte, error) {
	head := len(magic) + 1 + 2 + len(k.keyID) + sealedKeySize
	env := make([]byte, 0, head+nonceSize+len(plain)+tagSize)
	env = append(env, magic...)
	env = append(env, kind)
	env = binary.BigEndian.AppendUint16(env, uint16(len(k.keyID)))
	env = append(env, k.keyID...)
	env = append(env, k.sealed...)
	env = env[:head+nonceSize]
	if _, err := io.ReadFull(random, env[head:]); err != nil {
		return nil, fmt.Errorf("draw a nonce: %w", err)
	}
	return k.aead.Seal(env, env[head:], plain, valueAD(arn, versionID, kind, k.keyID)), nil
}

// envelope is a parsed envelope; its slices point into the stored bytes.
type envelope struct {
	kind       byte
	keyID      string
	sealedKey  []byte
	nonce      []byte
	ciphertext []byte
}

func parseEnvelope(b []byte) (envelope, error) {
	if len(b) < minEnvelopeLen || !bytes.Equal(b[:len(magic)], magic) {
		return envelope{}, errMalformed
	}
	e := envelope{kind: b[len(magic)]}
	if e.kind != kindString && e.kind != kindBinary {
		return envelope{}, errMalformed
	}
	b = b[len(magic)+1:]
	n := int(binary.BigEndian.Uint16(b))
	b = b[2:]
	if len(b) < n+sealedKeySize+nonceSize+tagSize {
		return envelope{}, errMalformed
	}
	e.keyID, b = string(b[:n]), b[n:]
	e.sealedKey, b = b[:sealedKeySize], b[sealedKeySize:]
	e.nonce, e.ciphertext = b[:nonceSize], b[nonceSize:]
	return e, nil
}

// openDataKey unseals the data key of an envelope under master.
func openDataKey(e envelope, master []byte, arn string) (cipher.AEAD, error) {
	masterAEAD, err := newGCM(master)
	if err != nil {
		return nil, err
	}
	key, err := masterAEAD.Open(nil, e.sealedKey[:nonceSize], e.sealedKey[nonceSize:], dataKeyAD(arn, e.keyID))
	if err != nil {
		return nil, errors.New("the data key does not open under this master key for this secret (wrong key, or a record moved from another secret)")
	}
	return newGCM(key)
}

// open returns the plaintext of an envelope.
func (e envelope) open(aead cipher.AEAD, arn, versionID string) ([]byte, error) {
	plain, err := aead.Open(nil, e.nonce, e.ciphertext, valueAD(arn, versionID, e.kind, e.keyID))
	if err != nil {
		return nil, errors.New("the value does not open for this secret and version (moved from another record, or tampered with)")
	}
	return plain, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// dataKeyAD is the additional data of a sealed data key.
func dataKeyAD(arn, keyID string) []byte {
	return appendFields([]byte("rotor data key v1"), arn, keyID)
}

// valueAD is the additional data of a sealed value.
func valueAD(arn, versionID string, kind byte, keyID string) []byte {
	return appendFields([]byte("rotor value v1"), arn, versionID, string([]byte{kind}), keyID)
}

// appendFields appends length-prefixed fields, so that no two lists of
// fields give the same bytes.
func appendFields(b []byte, fields ...string) []byte {
	for _, f := range fields {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	return b
}
