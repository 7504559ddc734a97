package storetest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rotorkit/rotor"
	"github.com/stretchr/testify/assert"
)

// assertSameSecret checks that got holds exactly what want holds: every
// field, walked by reflection so that a field added to Secret is compared
// without changing the suite. Times compare with Equal (a store may return
// another location), values with Value.Equal, and Tags must keep nil apart
// from empty. Failure messages name the fields that differ and never print a
// secret value.
func assertSameSecret(t *testing.T, want, got *rotor.Secret, msgAndArgs ...any) bool {
	t.Helper()
	if got == nil {
		return assert.Fail(t, "got no secret", msgAndArgs...)
	}
	var diffs []string
	if (want.Tags == nil) != (got.Tags == nil) {
		diffs = append(diffs, fmt.Sprintf("Secret.Tags: want nil=%t, got nil=%t (nil means never tagged, empty means every tag was removed)", want.Tags == nil, got.Tags == nil))
	}
	diffValues("Secret", reflect.ValueOf(want).Elem(), reflect.ValueOf(got).Elem(), &diffs)
	if len(diffs) == 0 {
		return true
	}
	return assert.Fail(t, "the secret differs from what was saved:\n\t"+strings.Join(diffs, "\n\t"), msgAndArgs...)
}

var (
	timeType  = reflect.TypeOf(time.Time{})
	valueType = reflect.TypeOf(rotor.Value{})
)

func diffValues(path string, want, got reflect.Value, diffs *[]string) {
	switch want.Type() {
	case timeType:
		w, g := want.Interface().(time.Time), got.Interface().(time.Time)
		if !w.Equal(g) {
			*diffs = append(*diffs, fmt.Sprintf("%s: want %s, got %s", path, w.Format(time.RFC3339Nano), g.Format(time.RFC3339Nano)))
		}
		return
	case valueType:
		w, g := want.Interface().(rotor.Value), got.Interface().(rotor.Value)
		if !w.Equal(g) {
			dw, dg := describeValue(w), describeValue(g)
			if dw == dg {
				dg += " with other content"
			}
			*diffs = append(*diffs, fmt.Sprintf("%s: want %s, got %s", path, dw, dg))
		}
		return
	}
	switch want.Kind() {
	case reflect.Pointer:
		if want.IsNil() || got.IsNil() {
			if want.IsNil() != got.IsNil() {
				*diffs = append(*diffs, fmt.Sprintf("%s: want nil=%t, got nil=%t", path, want.IsNil(), got.IsNil()))
			}
			return
		}
		diffValues(path, want.Elem(), got.Elem(), diffs)
	case reflect.Slice:
		if want.Len() != got.Len() {
			*diffs = append(*diffs, fmt.Sprintf("%s: want %d elements, got %d", path, want.Len(), got.Len()))
			return
		}
		for i := 0; i < want.Len(); i++ {
			diffValues(fmt.Sprintf("%s[%d]", path, i), want.Index(i), got.Index(i), diffs)
		}
	case reflect.Struct:
		for i := 0; i < want.NumField(); i++ {
			f := want.Type().Field(i)
			if !f.IsExported() {
				// Unexported fields are rotor's bookkeeping of one copy in
				// memory (Value and time.Time are compared whole above);
				// what a store keeps is the exported fields.
				continue
			}
			diffValues(path+"."+f.Name, want.Field(i), got.Field(i), diffs)
		}
	default:
		if want.Interface() != got.Interface() {
			*diffs = append(*diffs, fmt.Sprintf("%s: want %#v, got %#v", path, want.Interface(), got.Interface()))
		}
	}
}

// describeValue says what kind of value v is and how long, never what it holds.
func describeValue(v rotor.Value) string {
	switch {
	case v.IsZero():
		return "no value"
	case v.IsBinary():
		return fmt.Sprintf("binary of %d bytes", v.Len())
	default:
		return fmt.Sprintf("text of %d bytes", v.Len())
	}
}
