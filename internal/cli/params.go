package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/jmespath/go-jmespath"
	"go.yaml.in/yaml/v3"
)

// usageError is bad usage of the command line: exit status 252.
type usageError struct {
	msg string
	// bare errors print without the usage lines (parameter validation).
	bare bool
	// code is the exit status when it is not ExitUsage.
	code int
}

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

func paramErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), bare: true}
}

// argument is one operation flag: a member of the input shape.
type argument struct {
	name     string // without the leading --
	member   member
	shape    *shape
	required bool
	hidden   bool
}

func (a argument) isBool() bool { return a.shape.Type == "boolean" }

// arguments lists the flags of an operation in the order of its input shape.
func arguments(m *serviceModel, op operation) []argument {
	in := m.shape(op.Input)
	pg, paged := paginators[op.Name]
	var args []argument
	for _, mem := range in.Members {
		a := argument{name: xformName(mem.Name), member: mem, shape: m.shape(mem.Shape), required: in.required(mem.Name)}
		if paged && (mem.Name == pg.inputToken || mem.Name == pg.limitKey) {
			a.hidden = true
		}
		args = append(args, a)
	}
	return args
}

// globalValueOptions are the aws CLI's global options that take a value.
var globalValueOptions = []string{"output", "query", "endpoint-url", "region", "profile", "ca-bundle", "cli-read-timeout", "cli-connect-timeout", "cli-binary-format", "color"}

// globalFlagOptions are the aws CLI's global options without a value.
var globalFlagOptions = []string{"debug", "no-verify-ssl", "no-paginate", "no-sign-request", "no-cli-pager", "cli-auto-prompt", "no-cli-auto-prompt", "version"}

// Globals are the global options of a command line, wherever they appear.
type Globals struct {
	// Output is json (the default), yaml, yaml-stream or text.
	Output string
	// Query is the JMESPath expression of --query.
	Query string
	// EndpointURL, Region and Profile are --endpoint-url, --region and --profile.
	EndpointURL, Region, Profile string
	// NoPaginate is --no-paginate.
	NoPaginate bool
	// BinaryFormat is --cli-binary-format: base64 (the default) or raw-in-base64-out.
	BinaryFormat string
	// Debug is --debug.
	Debug bool
	// Values holds every global option given, by name without -- ("" for
	// options without a value).
	Values map[string]string
}

// invocation is a parsed command line.
type invocation struct {
	op       operation
	globals  Globals
	params   map[string]any
	skeleton string
	help     bool
	// pagination options of a paginated operation
	startingToken    string
	hasStartingToken bool
	pageSize         int
	hasPageSize      bool
	maxItems         int
	hasMaxItems      bool
}

// splitFlag splits "--name=value" into name and value.
func splitFlag(tok string) (name, value string, hasValue bool) {
	name = strings.TrimPrefix(tok, "--")
	if i := strings.IndexByte(name, '='); i >= 0 {
		return name[:i], name[i+1:], true
	}
	return name, "", false
}

// GlobalOption is a global option of the caller's own (rotor's --store, say)
// that Run accepts anywhere on the command line, ignores, and lists in its
// help.
type GlobalOption struct {
	// Name is the option without the leading --.
	Name string
	// TakesValue says whether the option is followed by a value.
	TakesValue bool
	// Help describes the option in `rotor --help`.
	Help string
}

// ParseGlobals extracts the global options from a command line (without the
// program name), for a caller that must choose an API before calling Run;
// extra names the caller's own global options, whose values land in
// Globals.Values. It ignores everything else and never fails.
func ParseGlobals(args []string, extra ...GlobalOption) Globals {
	g := Globals{Values: map[string]string{}}
	valueOptions := slices.Clone(globalValueOptions)
	flagOptions := slices.Clone(globalFlagOptions)
	for _, o := range extra {
		if o.TakesValue {
			valueOptions = append(valueOptions, o.Name)
		} else {
			flagOptions = append(flagOptions, o.Name)
		}
	}
	for i := 0; i < len(args); i++ {
		if !strings.HasPrefix(args[i], "--") {
			continue
		}
		name, value, has := splitFlag(args[i])
		switch {
		case slices.Contains(valueOptions, name):
			if !has && i+1 < len(args) {
				i++
				value = args[i]
			}
			g.set(name, value)
		case slices.Contains(flagOptions, name):
			g.setFlag(name)
			g.Values[name] = ""
		}
	}
	return g
}

func (g *Globals) set(name, value string) {
	if g.Values == nil {
		g.Values = map[string]string{}
	}
	g.Values[name] = value
	switch name {
	case "output":
		g.Output = value
	case "query":
		g.Query = value
	case "endpoint-url":
		g.EndpointURL = value
	case "region":
		g.Region = value
	case "profile":
		g.Profile = value
	case "cli-binary-format":
		g.BinaryFormat = value
	}
}

func (g *Globals) setFlag(name string) {
	switch name {
	case "no-paginate":
		g.NoPaginate = true
	case "debug":
		g.Debug = true
	}
}

// parseArgs parses the operation's command line.
func parseArgs(m *serviceModel, args []string, extra ...GlobalOption) (*invocation, error) {
	inv := &invocation{globals: Globals{Values: map[string]string{}}}
	valueOptions := slices.Clone(globalValueOptions)
	flagOptions := slices.Clone(globalFlagOptions)
	for _, o := range extra {
		if o.TakesValue {
			valueOptions = append(valueOptions, o.Name)
		} else {
			flagOptions = append(flagOptions, o.Name)
		}
	}
	var rest []string
	// Global options may come anywhere; pull them out first.
	for i := 0; i < len(args); i++ {
		tok := args[i]
		if !strings.HasPrefix(tok, "--") {
			rest = append(rest, tok)
			continue
		}
		name, value, has := splitFlag(tok)
		switch {
		case slices.Contains(valueOptions, name):
			if !has {
				if i+1 >= len(args) {
					return nil, usagef("argument --%s: expected one argument", name)
				}
				i++
				value = args[i]
			}
			inv.globals.set(name, value)
		case slices.Contains(flagOptions, name):
			inv.globals.setFlag(name)
			inv.globals.Values[name] = ""
		default:
			rest = append(rest, tok)
		}
	}
	if g := inv.globals.Output; g != "" && !slices.Contains([]string{"json", "yaml", "yaml-stream", "text"}, g) {
		return nil, usagef("argument --output: Invalid choice, valid choices are:\n\njson                                     | text\nyaml                                     | yaml-stream")
	}
	if q := inv.globals.Query; q != "" {
		if _, err := jmespath.Compile(q); err != nil {
			return nil, usagef("argument --query: Bad value for --query %s: %v", q, err)
		}
	}
	if f := inv.globals.BinaryFormat; f != "" && f != "base64" && f != "raw-in-base64-out" {
		return nil, usagef("argument --cli-binary-format: Invalid choice, valid choices are:\n\nbase64                                   | raw-in-base64-out")
	}
	if len(rest) == 0 {
		return nil, usagef("the following arguments are required: operation")
	}
	// The aws CLI reads its timeouts before it looks at the operation.
	if _, _, err := cliTimeouts(inv.globals); err != nil {
		return nil, err
	}
	if rest[0] == "--help" || rest[0] == "help" || rest[0] == "-h" {
		inv.help = true
		return inv, nil
	}
	if strings.HasPrefix(rest[0], "-") {
		return nil, usagef("the following arguments are required: operation")
	}
	op, ok := m.operationByCLIName(rest[0])
	if !ok {
		return nil, usagef("argument operation: Invalid choice, valid choices are:\n\n%s", choices(m))
	}
	inv.op = op
	return inv, inv.parseOperationArgs(m, rest[1:])
}

func choices(m *serviceModel) string {
	var b strings.Builder
	for i, op := range m.Operations {
		name := xformName(op.Name)
		if i%2 == 0 {
			fmt.Fprintf(&b, "%-40s | ", name)
		} else {
			b.WriteString(name + "\n")
		}
	}
	return strings.TrimSuffix(strings.TrimSuffix(b.String(), " | "), "\n")
}

func (inv *invocation) parseOperationArgs(m *serviceModel, args []string) error {
	_, paged := paginators[inv.op.Name]
	opArgs := arguments(m, inv.op)
	byName := map[string]argument{}
	for _, a := range opArgs {
		byName[a.name] = a
		if a.isBool() {
			byName["no-"+a.name] = a
		}
	}
	given := map[string]any{}
	var order []string
	var cliInputJSON, cliInputYAML *string
	var unknown []string
	for i := 0; i < len(args); i++ {
		tok := args[i]
		if tok == "help" || tok == "--help" || tok == "-h" {
			inv.help = true
			return nil
		}
		if !strings.HasPrefix(tok, "--") {
			unknown = append(unknown, tok)
			continue
		}
		name, value, has := splitFlag(tok)
		// one value, from "=value" or the next token
		one := func() (string, error) {
			if has {
				return value, nil
			}
			if i+1 >= len(args) || (strings.HasPrefix(args[i+1], "--") && args[i+1] != "--") {
				return "", usagef("argument --%s: expected one argument", name)
			}
			i++
			return args[i], nil
		}
		switch name {
		case "generate-cli-skeleton":
			inv.skeleton = "input"
			if has {
				inv.skeleton = value
			} else if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				i++
				inv.skeleton = args[i]
			}
			if !slices.Contains([]string{"input", "output", "yaml-input"}, inv.skeleton) {
				return usagef("argument --generate-cli-skeleton: Invalid choice, valid choices are:\n\ninput                                    | output\nyaml-input")
			}
			continue
		case "cli-input-json", "cli-input-yaml":
			v, err := one()
			if err != nil {
				return err
			}
			if name == "cli-input-json" {
				cliInputJSON = &v
			} else {
				cliInputYAML = &v
			}
			continue
		}
		if paged {
			switch name {
			case "starting-token":
				v, err := one()
				if err != nil {
					return err
				}
				inv.startingToken, inv.hasStartingToken = v, true
				continue
			case "page-size", "max-items":
				v, err := one()
				if err != nil {
					return err
				}
				n, err := strconv.Atoi(v)
				if err != nil {
					return usagef("argument --%s: invalid int value: '%s'", name, v)
				}
				if name == "page-size" {
					inv.pageSize, inv.hasPageSize = n, true
				} else {
					inv.maxItems, inv.hasMaxItems = n, true
				}
				continue
			}
		}
		a, ok := byName[name]
		if !ok {
			unknown = append(unknown, tok)
			continue
		}
		if a.isBool() {
			if has {
				unknown = append(unknown, value)
			}
			given[a.member.Name] = !strings.HasPrefix(name, "no-") || strings.HasPrefix(a.name, "no-")
			order = append(order, a.member.Name)
			continue
		}
		var raw []string
		if a.shape.Type == "list" {
			// nargs='+': every token up to the next option.
			if has {
				raw = append(raw, value)
			}
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				i++
				raw = append(raw, args[i])
			}
			if len(raw) == 0 {
				return usagef("argument --%s: expected at least one argument", name)
			}
		} else {
			v, err := one()
			if err != nil {
				return err
			}
			raw = []string{v}
		}
		v, err := unpackArg(m, a, raw, inv.globals.BinaryFormat)
		if err != nil {
			return err
		}
		given[a.member.Name] = v
		order = append(order, a.member.Name)
	}
	if len(unknown) > 0 {
		return usagef("Unknown options: %s", strings.Join(unknown, ", "))
	}
	if cliInputJSON != nil && cliInputYAML != nil {
		return usagef("argument --cli-input-yaml: not allowed with argument --cli-input-json")
	}
	// Required arguments, unless a skeleton is asked for (output excepted) or
	// an input file may supply them.
	if (inv.skeleton == "" || inv.skeleton == "output") && cliInputJSON == nil && cliInputYAML == nil {
		var missing []string
		for _, a := range opArgs {
			if _, ok := given[a.member.Name]; a.required && !ok {
				missing = append(missing, "--"+a.name)
			}
		}
		if len(missing) > 0 {
			return usagef("the following arguments are required: %s", strings.Join(missing, ", "))
		}
	}
	params := map[string]any{}
	if cliInputJSON != nil || cliInputYAML != nil {
		var err error
		if params, err = loadCLIInput(m, inv.op, cliInputJSON, cliInputYAML); err != nil {
			return err
		}
	}
	for _, k := range order {
		params[k] = given[k]
	}
	inv.params = params
	if inv.skeleton == "input" || inv.skeleton == "yaml-input" {
		return nil
	}
	return validateParams(m, m.shape(inv.op.Input), params)
}

// loadCLIInput reads --cli-input-json or --cli-input-yaml.
func loadCLIInput(m *serviceModel, op operation, js, ym *string) (map[string]any, error) {
	src, flag := js, "cli-input-json"
	if ym != nil {
		src, flag = ym, "cli-input-yaml"
	}
	text, err := resolveParamFile(*src, flag, false)
	if err != nil {
		return nil, err
	}
	var params map[string]any
	if flag == "cli-input-json" {
		dec := json.NewDecoder(bytes.NewReader(text.([]byte)))
		dec.UseNumber()
		if err := dec.Decode(&params); err != nil {
			return nil, paramErrorf("Error parsing parameter 'cli-input-json': Invalid JSON received.")
		}
	} else {
		var v any
		if err := yaml.Unmarshal(text.([]byte), &v); err != nil {
			return nil, paramErrorf("Error parsing parameter 'cli-input-yaml': Invalid YAML received: %v", err)
		}
		mm, ok := v.(map[string]any)
		if !ok && v != nil {
			return nil, paramErrorf("Invalid type for parameter --cli-input-yaml: expected a mapping")
		}
		params = mm
	}
	if params == nil {
		params = map[string]any{}
	}
	// JSON and YAML give blobs as base64 text.
	in := m.shape(op.Input)
	for _, mem := range in.Members {
		if v, ok := params[mem.Name]; ok && m.shape(mem.Shape).Type == "blob" {
			switch b := v.(type) {
			case string:
				dec, err := decodeBase64(b)
				if err != nil {
					return nil, err
				}
				params[mem.Name] = dec
			case nil:
				delete(params, mem.Name)
			}
		}
	}
	return params, nil
}

// resolveParamFile reads file:// (text) and fileb:// (bytes) values; other
// values are returned as they are. It returns []byte when asBlob or when the
// value named a file for --cli-input-*, else string.
func resolveParamFile(value, flag string, blob bool) (any, error) {
	for _, prefix := range []string{"file://", "fileb://"} {
		if !strings.HasPrefix(value, prefix) {
			continue
		}
		path := strings.TrimPrefix(value, prefix)
		if strings.HasPrefix(path, "~/") {
			if home, err := os.UserHomeDir(); err == nil {
				path = home + path[1:]
			}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, paramErrorf("Error parsing parameter '--%s': Unable to load paramfile %s: %v", flag, value, err)
		}
		if prefix == "fileb://" {
			return data, nil
		}
		if strings.HasPrefix(flag, "cli-input-") {
			return data, nil
		}
		return string(data), nil
	}
	if strings.HasPrefix(flag, "cli-input-") {
		return []byte(value), nil
	}
	return value, nil
}

// unpackArg turns the text of a flag into the parameter value its shape
// calls for.
func unpackArg(m *serviceModel, a argument, raw []string, binaryFormat string) (any, error) {
	flag := a.name
	vals := make([]any, len(raw))
	for i, r := range raw {
		v, err := resolveParamFile(r, flag, a.shape.Type == "blob")
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	fail := func(err error) error {
		return paramErrorf("Error parsing parameter '--%s': %v", flag, err)
	}
	switch a.shape.Type {
	case "blob":
		switch v := vals[0].(type) {
		case []byte:
			return v, nil
		case string:
			if binaryFormat == "raw-in-base64-out" {
				return []byte(v), nil
			}
			return decodeBase64(v)
		}
	case "list":
		str := func(v any) string {
			if b, ok := v.([]byte); ok {
				return string(b)
			}
			return v.(string)
		}
		elem := m.shape(a.shape.Member)
		if len(vals) == 1 && strings.HasPrefix(strings.TrimSpace(str(vals[0])), "[") {
			v, err := parseJSONValue(str(vals[0]))
			if err != nil {
				return nil, fail(err)
			}
			return v, nil
		}
		list := make([]any, 0, len(vals))
		for _, v := range vals {
			s := str(v)
			switch elem.Type {
			case "structure", "map":
				var x any
				var err error
				if strings.HasPrefix(strings.TrimSpace(s), "{") {
					x, err = parseJSONValue(s)
				} else {
					var sh map[string]any
					sh, err = ParseShorthand(s)
					if err == nil {
						x, err = backCompat(m, elem, sh)
					}
				}
				if err != nil {
					return nil, fail(err)
				}
				list = append(list, x)
			default:
				x, err := scalar(elem, s)
				if err != nil {
					return nil, fail(err)
				}
				list = append(list, x)
			}
		}
		return list, nil
	case "structure", "map":
		s, _ := vals[0].(string)
		if b, ok := vals[0].([]byte); ok {
			s = string(b)
		}
		if strings.HasPrefix(strings.TrimSpace(s), "{") {
			v, err := parseJSONValue(s)
			if err != nil {
				return nil, fail(err)
			}
			return v, nil
		}
		sh, err := ParseShorthand(s)
		if err != nil {
			return nil, fail(err)
		}
		v, err := backCompat(m, a.shape, sh)
		if err != nil {
			return nil, fail(err)
		}
		return v, nil
	}
	s, _ := vals[0].(string)
	if b, ok := vals[0].([]byte); ok {
		s = string(b)
	}
	v, err := scalar(a.shape, s)
	if err != nil {
		return nil, fail(err)
	}
	return v, nil
}

func parseJSONValue(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, message(fmt.Sprintf("Invalid JSON: %v\nJSON received: %s", err, s))
	}
	if dec.More() {
		return nil, message("Invalid JSON: extra data\nJSON received: " + s)
	}
	return v, nil
}

// scalar converts the text of a scalar to its shape's type.
func scalar(sh *shape, s string) (any, error) {
	switch sh.Type {
	case "integer", "long":
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("invalid literal for int() with base 10: '%s'", s)
		}
		return n, nil
	case "boolean":
		return strings.EqualFold(s, "true"), nil
	case "blob":
		return []byte(s), nil
	}
	return s, nil
}

// backCompat gives shorthand values (all strings) the types of the shape, as
// the aws CLI's BackCompatVisitor does: numbers, booleans, and a lone value
// where a list is expected becomes a list of one.
func backCompat(m *serviceModel, sh *shape, v any) (any, error) {
	switch sh.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			return v, nil
		}
		out := map[string]any{}
		for k, x := range obj {
			mem, ok := sh.member(k)
			if !ok {
				out[k] = x
				continue
			}
			y, err := backCompat(m, m.shape(mem.Shape), x)
			if err != nil {
				return nil, err
			}
			out[k] = y
		}
		return out, nil
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			return v, nil
		}
		out := map[string]any{}
		for k, x := range obj {
			y, err := backCompat(m, m.shape(sh.Value), x)
			if err != nil {
				return nil, err
			}
			out[k] = y
		}
		return out, nil
	case "list":
		list, ok := v.([]any)
		if !ok {
			list = []any{v}
		}
		out := make([]any, len(list))
		for i, x := range list {
			y, err := backCompat(m, m.shape(sh.Member), x)
			if err != nil {
				return nil, err
			}
			out[i] = y
		}
		return out, nil
	case "integer", "long":
		if s, ok := v.(string); ok {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return s, nil // left for validation to report
			}
			return n, nil
		}
	case "boolean":
		if s, ok := v.(string); ok {
			return strings.EqualFold(s, "true"), nil
		}
	}
	return v, nil
}

// validateParams checks params against the input shape as botocore's
// parameter validation does, reporting every problem at once.
func validateParams(m *serviceModel, in *shape, params map[string]any) error {
	var problems []string
	validateValue(m, in, params, "", &problems)
	if len(problems) > 0 {
		return paramErrorf("\nParameter validation failed:\n%s", strings.Join(problems, "\n"))
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func validateValue(m *serviceModel, sh *shape, v any, path string, problems *[]string) {
	name := path
	if name == "" {
		name = "input"
	}
	typeErr := func(valid string) {
		*problems = append(*problems, fmt.Sprintf("Invalid type for parameter %s, value: %s, type: %s, valid types: %s", path, pyRepr(v), pyType(v), valid))
	}
	switch sh.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			typeErr("<class 'dict'>")
			return
		}
		for _, r := range sh.Required {
			if _, ok := obj[r]; !ok {
				*problems = append(*problems, fmt.Sprintf("Missing required parameter in %s: %q", name, r))
			}
		}
		var names []string
		for _, mem := range sh.Members {
			names = append(names, mem.Name)
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			mem, ok := sh.member(k)
			if !ok {
				*problems = append(*problems, fmt.Sprintf("Unknown parameter in %s: %q, must be one of: %s", name, k, strings.Join(names, ", ")))
				continue
			}
			validateValue(m, m.shape(mem.Shape), obj[k], join(path, k), problems)
		}
	case "list":
		list, ok := v.([]any)
		if !ok {
			typeErr("<class 'list'>, <class 'tuple'>")
			return
		}
		if sh.Min != nil && float64(len(list)) < *sh.Min {
			*problems = append(*problems, fmt.Sprintf("Invalid length for parameter %s, value: %d, valid min length: %d", path, len(list), int(*sh.Min)))
		}
		for i, x := range list {
			validateValue(m, m.shape(sh.Member), x, fmt.Sprintf("%s[%d]", path, i), problems)
		}
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			typeErr("<class 'dict'>")
			return
		}
		for k, x := range obj {
			validateValue(m, m.shape(sh.Value), x, fmt.Sprintf("%s.%s", path, k), problems)
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			typeErr("<class 'str'>")
			return
		}
		if sh.Min != nil && float64(len([]rune(s))) < *sh.Min {
			*problems = append(*problems, fmt.Sprintf("Invalid length for parameter %s, value: %d, valid min length: %d", path, len([]rune(s)), int(*sh.Min)))
		}
	case "integer", "long":
		var n float64
		switch x := v.(type) {
		case int64:
			n = float64(x)
		case int:
			n = float64(x)
		case json.Number:
			f, err := x.Float64()
			if err != nil || strings.ContainsAny(string(x), ".eE") {
				typeErr("<class 'int'>")
				return
			}
			n = f
		default:
			typeErr("<class 'int'>")
			return
		}
		if sh.Min != nil && n < *sh.Min {
			*problems = append(*problems, fmt.Sprintf("Invalid value for parameter %s, value: %v, valid min value: %d", path, n, int(*sh.Min)))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			typeErr("<class 'bool'>")
		}
	case "blob":
		switch v.(type) {
		case []byte, string:
		default:
			typeErr("<class 'bytes'>, <class 'bytearray'>, file-like object")
		}
	}
}

func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(v)
}

func pyType(v any) string {
	switch v.(type) {
	case nil:
		return "<class 'NoneType'>"
	case string:
		return "<class 'str'>"
	case bool:
		return "<class 'bool'>"
	case json.Number, int64, int:
		return "<class 'int'>"
	case []any:
		return "<class 'list'>"
	case map[string]any:
		return "<class 'dict'>"
	}
	return "<class 'object'>"
}

// decodeInput decodes the request params into an input struct. A member that
// the input type has no field for is refused unless its value is empty.
func decodeInput(params []byte, in any) error {
	var raw map[string]any
	if err := json.Unmarshal(params, &raw); err != nil {
		return err
	}
	t := reflect.TypeOf(in).Elem()
	for k, v := range raw {
		if _, ok := t.FieldByName(k); ok {
			continue
		}
		if !isEmpty(v) {
			return paramErrorf("\nrotor does not support the parameter %s.", k)
		}
		delete(raw, k)
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(in); err != nil {
		return paramErrorf("\nParameter validation failed:\n%v", err)
	}
	return nil
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case []any:
		for _, e := range x {
			if !isEmpty(e) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, e := range x {
			if !isEmpty(e) {
				return false
			}
		}
		return true
	}
	return false
}

// decodeBase64 decodes a blob given as base64 as Python's b64decode does:
// characters outside the alphabet are dropped, the padding must be right.
// A failure exits 255 with the aws CLI's message.
func decodeBase64(s string) ([]byte, error) {
	kept := strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '=' {
			return r
		}
		return -1
	}, s)
	b, err := base64.StdEncoding.DecodeString(kept)
	if err != nil {
		return nil, &usageError{msg: fmt.Sprintf("Invalid base64: %s", pyQuote(s)), bare: true, code: ExitOther}
	}
	return b, nil
}

// pyQuote quotes s as the aws CLI's messages do ("%s" with double quotes).
func pyQuote(s string) string { return `"` + s + `"` }
