package cli

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// object is a JSON object that keeps its keys in order (the service model's
// member order), as the aws CLI prints them.
type object struct {
	keys []string
	vals map[string]any
}

func newObject() *object { return &object{vals: map[string]any{}} }

func (o *object) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// plain turns objects into map[string]any (for JMESPath), recording each
// map's key order in order so that printing keeps it.
func plain(v any, order map[uintptr][]string) any {
	switch x := v.(type) {
	case *object:
		m := make(map[string]any, len(x.keys))
		for _, k := range x.keys {
			m[k] = plain(x.vals[k], order)
		}
		order[reflect.ValueOf(m).Pointer()] = x.keys
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e, order)
		}
		return out
	}
	return v
}

// keysOf returns a map's keys: in recorded order when known, else sorted.
func keysOf(m map[string]any, order map[uintptr][]string) []string {
	if keys, ok := order[reflect.ValueOf(m).Pointer()]; ok && len(keys) == len(m) {
		return keys
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// writeJSON renders v as Python's json.dumps(v, indent=4, ensure_ascii=False)
// does, which is how the aws CLI prints its output.
func writeJSON(b *strings.Builder, v any, indent int, order map[uintptr][]string, asciiOnly bool) {
	pad := strings.Repeat("    ", indent+1)
	end := strings.Repeat("    ", indent)
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case *object:
		if len(x.keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, k := range x.keys {
			if i > 0 {
				b.WriteString(",\n")
			}
			b.WriteString(pad)
			writeString(b, k, asciiOnly)
			b.WriteString(": ")
			writeJSON(b, x.vals[k], indent+1, order, asciiOnly)
		}
		b.WriteString("\n" + end + "}")
	case map[string]any:
		keys := keysOf(x, order)
		if len(keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(",\n")
			}
			b.WriteString(pad)
			writeString(b, k, asciiOnly)
			b.WriteString(": ")
			writeJSON(b, x[k], indent+1, order, asciiOnly)
		}
		b.WriteString("\n" + end + "}")
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, e := range x {
			if i > 0 {
				b.WriteString(",\n")
			}
			b.WriteString(pad)
			writeJSON(b, e, indent+1, order, asciiOnly)
		}
		b.WriteString("\n" + end + "]")
	case string:
		writeString(b, x, asciiOnly)
	case bool:
		b.WriteString(strconv.FormatBool(x))
	default:
		b.WriteString(pyNumber(x))
	}
}

// pyNumber prints a number as Python's json module does.
func pyNumber(v any) string {
	switch x := v.(type) {
	case json.Number:
		return x.String()
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case float64:
		// Numbers of the service's output are json.Number; a float64 is a
		// JMESPath function's result (length, sum, ...), which Python
		// computes as an int when it is whole.
		if x == math.Trunc(x) && math.Abs(x) < 1e16 {
			return strconv.FormatFloat(x, 'f', 0, 64)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func writeString(b *strings.Builder, s string, asciiOnly bool) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r < 0x20 || (asciiOnly && r > 0x7e):
				if r > 0xffff {
					r -= 0x10000
					fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
				} else {
					fmt.Fprintf(b, `\u%04x`, r)
				}
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// formatTime prints a date as the aws CLI v2 does by default: ISO 8601 in
// the local zone, with microseconds when there are any.
func formatTime(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	s := t.Format("2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	return s + t.Format("-07:00")
}

// renderOutput turns an operation's output (a rotor output struct) into
// ordered objects following the output shape: absent members (empty strings,
// zero dates and numbers, nil lists and maps) are left out, as AWS leaves
// them out of its responses.
func renderOutput(m *serviceModel, sh *shape, out any, loc *time.Location) (any, error) {
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	var raw any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	v, _ := shaped(m, sh, raw, loc)
	if v == nil {
		return newObject(), nil
	}
	return v, nil
}

// memberAliases are rotor field names that differ from the model's member names.
var memberAliases = map[string]string{"SecretVersionsToStages": "VersionIdsToStages"}

func shaped(m *serviceModel, sh *shape, raw any, loc *time.Location) (any, bool) {
	if raw == nil {
		return nil, false
	}
	switch sh.Type {
	case "structure":
		obj, ok := raw.(map[string]any)
		if !ok {
			return nil, false
		}
		o := newObject()
		for _, mem := range sh.Members {
			v, ok := obj[mem.Name]
			if !ok {
				v, ok = obj[memberAliases[mem.Name]]
			}
			if !ok {
				continue
			}
			if x, present := shaped(m, m.shape(mem.Shape), v, loc); present {
				o.set(mem.Name, x)
			}
		}
		return o, true
	case "list":
		list, ok := raw.([]any)
		if !ok {
			return nil, false
		}
		out := make([]any, 0, len(list))
		for _, e := range list {
			x, _ := shaped(m, m.shape(sh.Member), e, loc)
			out = append(out, x)
		}
		return out, true
	case "map":
		obj, ok := raw.(map[string]any)
		if !ok {
			return nil, false
		}
		o := newObject()
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			x, _ := shaped(m, m.shape(sh.Value), obj[k], loc)
			o.set(k, x)
		}
		return o, true
	case "timestamp":
		s, _ := raw.(string)
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || t.IsZero() {
			return nil, false
		}
		return formatTime(t, loc), true
	case "string", "blob":
		s, _ := raw.(string)
		return s, s != ""
	case "integer", "long":
		n, _ := raw.(json.Number)
		return n, n != "" && n != "0"
	case "boolean":
		bv, ok := raw.(bool)
		return bv, ok
	}
	return raw, true
}

// hashKeyOrders returns the key lists of the multi-select hashes
// ({a: x, b: y}) in a JMESPath expression, in the order written, so that
// their results print in that order as the aws CLI prints them.
func hashKeyOrders(expr string) [][]string {
	type frame struct {
		hash      bool
		keys      []string
		expectKey bool
	}
	var stack []*frame
	var orders [][]string
	rs := []rune(expr)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		top := func() *frame {
			if len(stack) == 0 {
				return nil
			}
			return stack[len(stack)-1]
		}
		switch c {
		case '\'', '`':
			for i++; i < len(rs) && rs[i] != c; i++ {
				if rs[i] == '\\' {
					i++
				}
			}
		case '"':
			start := i + 1
			for i++; i < len(rs) && rs[i] != '"'; i++ {
				if rs[i] == '\\' {
					i++
				}
			}
			if f := top(); f != nil && f.hash && f.expectKey && i <= len(rs) {
				f.keys = append(f.keys, string(rs[start:min(i, len(rs))]))
				f.expectKey = false
			}
		case '{':
			stack = append(stack, &frame{hash: true, expectKey: true})
		case '[', '(':
			stack = append(stack, &frame{})
		case '}', ']', ')':
			if f := top(); f != nil {
				stack = stack[:len(stack)-1]
				if f.hash && len(f.keys) > 0 {
					orders = append(orders, f.keys)
				}
			}
		case ',':
			if f := top(); f != nil && f.hash {
				f.expectKey = true
			}
		default:
			f := top()
			if f == nil || !f.hash || !f.expectKey {
				continue
			}
			if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
				start := i
				for i+1 < len(rs) && (rs[i+1] == '_' || rs[i+1] >= 'a' && rs[i+1] <= 'z' || rs[i+1] >= 'A' && rs[i+1] <= 'Z' || rs[i+1] >= '0' && rs[i+1] <= '9') {
					i++
				}
				f.keys = append(f.keys, string(rs[start:i+1]))
				f.expectKey = false
			}
		}
	}
	return orders
}

// orderQueryResult records, for each map in a query result whose keys are
// exactly those of a multi-select hash of the expression, that hash's order.
func orderQueryResult(v any, orders [][]string, order map[uintptr][]string) {
	switch x := v.(type) {
	case map[string]any:
		if _, known := order[reflect.ValueOf(x).Pointer()]; !known {
			for _, keys := range orders {
				if len(keys) != len(x) {
					continue
				}
				all := true
				for _, k := range keys {
					if _, ok := x[k]; !ok {
						all = false
						break
					}
				}
				if all {
					order[reflect.ValueOf(x).Pointer()] = keys
					break
				}
			}
		}
		for _, e := range x {
			orderQueryResult(e, orders, order)
		}
	case []any:
		for _, e := range x {
			orderQueryResult(e, orders, order)
		}
	}
}
