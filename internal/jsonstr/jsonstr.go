// Package jsonstr appends JSON strings without reflection, for the encoders
// that rotor keeps off encoding/json's reflection on its hot paths (the
// record codec and GetSecretValue's reply).
package jsonstr

import "encoding/json"

// Append appends s to b as json.Marshal encodes a string. A string of
// printable ASCII that JSON need not escape (json.Marshal also escapes <, >
// and &) is copied between quotes; any other is left to json.Marshal, so the
// bytes are always json.Marshal's.
func Append(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
