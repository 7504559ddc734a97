package jsonstr_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/rotorkit/rotor/internal/jsonstr"
)

func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "plain", `"\`, "<>&", "\x00\x1f\x7f\x80", "\u2028\u2029", "\xed\xa0\x80", "日本", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := jsonstr.Append([]byte("x"), s); !bytes.Equal(got, append([]byte("x"), want...)) {
			t.Fatalf("Append(%q) = %s, json.Marshal gives %s", s, got[1:], want)
		}
	})
}
