package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jmespath/go-jmespath"
	"github.com/rotorkit/rotor"
)

// Exit statuses, as the aws CLI uses them.
const (
	// ExitOK is a successful command.
	ExitOK = 0
	// ExitUsage is bad usage: an unknown flag, a missing required flag, a
	// value that does not parse, parameters that fail validation.
	ExitUsage = 252
	// ExitServiceError is an error the service returned.
	ExitServiceError = 254
	// ExitOther is any other failure (a connection error, say).
	ExitOther = 255
)

// Options changes how Run prints. The zero value prints as the aws CLI does
// on this machine.
type Options struct {
	// Location is the zone dates are printed in; nil means time.Local, as
	// the aws CLI prints dates in the local zone.
	Location *time.Location
	// Program is the command's name in usage messages; empty means "rotor".
	Program string
	// Globals are the caller's own global options, accepted and ignored by
	// Run and described by its help.
	Globals []GlobalOption
}

// Run runs one command line (without the program name), such as
// ["rotate-secret", "--secret-id", "db", "--rotation-rules",
// "AutomaticallyAfterDays=10"], against api, printing as the aws CLI prints
// `aws secretsmanager ...`, and returns the exit status (ExitOK,
// ExitUsage, ExitServiceError or ExitOther). Like the aws CLI it does not
// read stdin itself (file:///dev/stdin does); stdin is there for commands
// that will. Dates print in the local zone, as the aws CLI prints them.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, api API) int {
	return RunWith(ctx, Options{}, args, stdin, stdout, stderr, api)
}

// RunWith is Run with options.
func RunWith(ctx context.Context, opts Options, args []string, stdin io.Reader, stdout, stderr io.Writer, api API) int {
	_ = stdin // no command reads it yet
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Program == "" {
		opts.Program = "rotor"
	}
	m := loadModel()
	inv, err := parseArgs(m, args, opts.Globals...)
	if err != nil {
		return usageFailure(stderr, opts.Program, err)
	}
	if inv.help {
		if inv.op.Name == "" {
			fmt.Fprint(stdout, mainHelp(m, opts.Program, opts.Globals))
		} else {
			fmt.Fprint(stdout, operationHelp(m, inv.op, opts.Program, opts.Globals))
		}
		return ExitOK
	}
	switch inv.skeleton {
	case "input":
		fmt.Fprint(stdout, inputSkeletonJSON(m, inv.op))
		return ExitOK
	case "yaml-input":
		fmt.Fprint(stdout, inputSkeletonYAML(m, inv.op))
		return ExitOK
	case "output":
		v, err := outputSkeleton(m, inv.op)
		if err != nil {
			return usageFailure(stderr, opts.Program, err)
		}
		return printResult(stdout, stderr, opts.Program, inv.globals, v)
	}
	if api == nil {
		fmt.Fprintf(stderr, "\n%s: no service to call\n", opts.Program)
		return ExitOther
	}
	result, err := call(ctx, m, inv, api, opts.Location)
	if err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			return usageFailure(stderr, opts.Program, err)
		}
		return serviceFailure(stderr, inv.op.Name, err)
	}
	return printResult(stdout, stderr, opts.Program, inv.globals, result)
}

// call runs the operation, paging through ListSecrets as the aws CLI does
// unless --no-paginate.
func call(ctx context.Context, m *serviceModel, inv *invocation, api API, loc *time.Location) (any, error) {
	fn := callers[inv.op.Name]
	outShape := m.shape(inv.op.Output)
	once := func(params map[string]any) (*object, error) {
		b, err := json.Marshal(params)
		if err != nil {
			return nil, err
		}
		out, err := fn(ctx, api, b)
		if err != nil {
			return nil, err
		}
		if outShape == nil {
			return newObject(), nil
		}
		v, err := renderOutput(m, outShape, out, loc)
		if err != nil {
			return nil, err
		}
		return v.(*object), nil
	}
	pg, paged := paginators[inv.op.Name]
	_, hasLimit := inv.params[pg.limitKey]
	_, hasToken := inv.params[pg.inputToken]
	if !paged || inv.globals.NoPaginate || hasLimit || hasToken {
		// As the aws CLI, a request that sets the page size or token
		// itself gets one page.
		return once(inv.params)
	}
	params := map[string]any{}
	for k, v := range inv.params {
		params[k] = v
	}
	skip := 0
	if inv.startingToken != "" {
		tok, n, err := decodeStartingToken(inv.startingToken)
		if err != nil {
			return nil, err
		}
		if tok != "" {
			params[pg.inputToken] = tok
		}
		skip = n
	}
	if inv.pageSize > 0 {
		params[pg.limitKey] = inv.pageSize
	}
	var items []any
	var next string
	var pages []*object
	for {
		page, err := once(params)
		if err != nil {
			return nil, err
		}
		list, _ := page.vals[pg.resultKey].([]any)
		pageToken, _ := params[pg.inputToken].(string)
		if skip > 0 {
			if skip > len(list) {
				skip = len(list)
			}
			list = list[skip:]
			skip = 0
		}
		if inv.maxItems > 0 && len(items)+len(list) >= inv.maxItems {
			take := inv.maxItems - len(items)
			items = append(items, list[:take]...)
			pages = append(pages, pageOf(pg.resultKey, list[:take]))
			tok, _ := page.vals[pg.outputToken].(string)
			if take < len(list) {
				consumed := len(list[:take])
				if orig, _ := page.vals[pg.resultKey].([]any); len(orig) > len(list) {
					consumed += len(orig) - len(list)
				}
				next = encodeStartingToken(pageToken, consumed)
			} else if tok != "" {
				next = encodeStartingToken(tok, 0)
			}
			break
		}
		items = append(items, list...)
		pages = append(pages, pageOf(pg.resultKey, list))
		tok, _ := page.vals[pg.outputToken].(string)
		if tok == "" {
			break
		}
		params[pg.inputToken] = tok
	}
	out := newObject()
	if items == nil {
		items = []any{}
	}
	out.set(pg.resultKey, items)
	if next != "" {
		out.set(pg.outputToken, next)
	}
	return &pagedResult{full: out, pages: pages, resume: next}, nil
}

// pagedResult is the output of a paginated operation: the pages merged (as
// JSON and YAML print it) and one by one (as text prints it).
type pagedResult struct {
	full   *object
	pages  []*object
	resume string
}

func pageOf(key string, items []any) *object {
	o := newObject()
	if items == nil {
		items = []any{}
	}
	o.set(key, items)
	return o
}

// encodeStartingToken makes a --starting-token as botocore's paginator
// does: base64 of Python's JSON of {"NextToken": ..., "boto_truncate_amount": n}.
func encodeStartingToken(token string, skip int) string {
	var b strings.Builder
	b.WriteString(`{"NextToken": `)
	if token == "" {
		b.WriteString("null")
	} else {
		writeString(&b, token, true)
	}
	if skip > 0 {
		fmt.Fprintf(&b, `, "boto_truncate_amount": %d`, skip)
	}
	b.WriteString("}")
	return base64.StdEncoding.EncodeToString([]byte(b.String()))
}

func decodeStartingToken(s string) (string, int, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	var t struct {
		NextToken string `json:"NextToken"`
		Truncate  int    `json:"boto_truncate_amount"`
	}
	if err != nil || json.Unmarshal(b, &t) != nil {
		return "", 0, paramErrorf("\nBad starting token: %s", s)
	}
	return t.NextToken, t.Truncate, nil
}

// printResult applies --query and prints in the --output format. The text
// output of a paginated operation prints each page by itself, then the token
// to resume from, as the aws CLI's does.
func printResult(stdout, stderr io.Writer, program string, g Globals, v any) int {
	if p, ok := v.(*pagedResult); ok {
		if g.Output != "text" {
			return printResult(stdout, stderr, program, g, p.full)
		}
		for _, page := range p.pages {
			if code := printResult(stdout, stderr, program, g, page); code != ExitOK {
				return code
			}
		}
		if p.resume != "" {
			token := newObject()
			token.set("NextToken", p.resume)
			wrapper := newObject()
			wrapper.set("NextToken", token)
			fmt.Fprint(stdout, formatText(plain(wrapper, map[uintptr][]string{}), nil))
		}
		return ExitOK
	}
	order := map[uintptr][]string{}
	data := plain(v, order)
	if o, ok := v.(*object); ok && len(o.keys) == 0 && g.Query == "" {
		return ExitOK
	}
	if g.Query != "" {
		res, err := jmespath.Search(g.Query, data)
		if err != nil {
			return usageFailure(stderr, program, usagef("argument --query: Bad value for --query %s: %v", g.Query, err))
		}
		data = res
		orderQueryResult(data, hashKeyOrders(g.Query), order)
	}
	var out string
	switch g.Output {
	case "text":
		out = formatText(data, order)
	case "yaml", "yaml-stream":
		out = formatYAML(data)
	default:
		var b strings.Builder
		writeJSON(&b, data, 0, order, false)
		b.WriteString("\n")
		out = b.String()
	}
	fmt.Fprint(stdout, out)
	return ExitOK
}

// usageFailure prints a usage error and returns 252.
func usageFailure(stderr io.Writer, program string, err error) int {
	var ue *usageError
	if errors.As(err, &ue) && ue.bare {
		fmt.Fprintf(stderr, "\n%s\n", strings.TrimPrefix(ue.msg, "\n"))
		if ue.code != 0 {
			return ue.code
		}
		return ExitUsage
	}
	fmt.Fprintf(stderr, "usage: %s [options] <operation> [parameters]\nTo see help text, you can run:\n\n  %s --help\n  %s <operation> --help\n\n%s: error: %s\n", program, program, program, program, err)
	return ExitUsage
}

// apiError is the shape of an error from an AWS SDK (smithy.APIError).
type apiError interface {
	ErrorCode() string
	ErrorMessage() string
}

// serviceFailure prints an error as the aws CLI prints a service error and
// returns its exit status.
func serviceFailure(stderr io.Writer, opName string, err error) int {
	var re *rotor.Error
	if errors.As(err, &re) {
		fmt.Fprintf(stderr, "\nAn error occurred (%s) when calling the %s operation: %s\n", re.Code, opName, re.Message)
		return ExitServiceError
	}
	var ae apiError
	if errors.As(err, &ae) {
		fmt.Fprintf(stderr, "\nAn error occurred (%s) when calling the %s operation: %s\n", ae.ErrorCode(), opName, ae.ErrorMessage())
		return ExitServiceError
	}
	fmt.Fprintf(stderr, "\n%v\n", err)
	return ExitOther
}
