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
	if err := checkPagingArgs(m, inv, stderr); err != nil {
		return usageFailure(stderr, opts.Program, err)
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
	return paginate(inv, pg, once)
}

// checkPagingArgs refuses --starting-token, --page-size and --max-items
// where the aws CLI does not page (--no-paginate, or the operation's own
// token or page size given), and warns of a --max-items of 0 or less, with
// the aws CLI's messages in its order.
func checkPagingArgs(m *serviceModel, inv *invocation, stderr io.Writer) error {
	pg, paged := paginators[inv.op.Name]
	if !paged {
		return nil
	}
	_, hasLimit := inv.params[pg.limitKey]
	_, hasToken := inv.params[pg.inputToken]
	paginates := !inv.globals.NoPaginate && !hasLimit && !hasToken
	if !paginates {
		// Only the options given a value Python finds true count here.
		var used []string
		if inv.startingToken != "" {
			used = append(used, "--starting-token")
		}
		if inv.pageSize != 0 {
			used = append(used, "--page-size")
		}
		if inv.maxItems != 0 {
			used = append(used, "--max-items")
		}
		if len(used) > 0 {
			return paramErrorf("Cannot specify --no-paginate along with pagination arguments: %s", strings.Join(used, ", "))
		}
	}
	if inv.hasMaxItems && inv.maxItems <= 0 {
		fmt.Fprint(stderr, "warning: Non-positive values for --max-items may result in undefined behavior.\n")
	}
	if !paginates && (inv.hasStartingToken || inv.hasPageSize || inv.hasMaxItems) {
		var members []string
		for _, mem := range m.shape(inv.op.Input).Members {
			members = append(members, mem.Name)
		}
		return paramErrorf("\nParameter validation failed:\nUnknown parameter in input: \"PaginationConfig\", must be one of: %s", strings.Join(members, ", "))
	}
	return nil
}

// paginate fetches the pages of a paginated operation as botocore's
// paginator, which the aws CLI uses, does: --starting-token skips into its
// first page, --max-items cuts the output short and makes the token to
// resume from. A --max-items of 0 or less keeps botocore's arithmetic
// (Python's slices: -2 drops the last two items of the first page), which
// the aws CLI warns is undefined but prints all the same.
func paginate(inv *invocation, pg paginator, once func(map[string]any) (*object, error)) (any, error) {
	params := map[string]any{}
	for k, v := range inv.params {
		params[k] = v
	}
	token, startTruncation := "", 0 // the token of the page being read; "" is the first page
	if inv.hasStartingToken {
		var err error
		if token, startTruncation, err = decodeStartingToken(inv.startingToken); err != nil {
			return nil, err
		}
		if token != "" {
			params[pg.inputToken] = token
		}
	}
	if inv.pageSize > 0 {
		params[pg.limitKey] = inv.pageSize
	}
	var (
		items  []any
		pages  []*object
		resume string
		total  int
	)
	for first := true; ; first = false {
		page, err := once(params)
		if err != nil {
			return nil, err
		}
		list, _ := page.vals[pg.resultKey].([]any)
		truncation := 0 // how far into this page the output starts
		if first && inv.hasStartingToken {
			truncation = startTruncation
			list = pySliceFrom(list, truncation)
		}
		if inv.hasMaxItems {
			if over := total + len(list) - inv.maxItems; over > 0 {
				keep := len(list) - over
				list = pySliceTo(list, keep)
				items = append(items, list...)
				pages = append(pages, pageOf(pg.resultKey, list))
				resume = encodeStartingToken(token, keep+truncation, true)
				break
			}
		}
		items = append(items, list...)
		pages = append(pages, pageOf(pg.resultKey, list))
		total += len(list)
		next, _ := page.vals[pg.outputToken].(string)
		if next == "" {
			break
		}
		token = next
		if inv.hasMaxItems && total == inv.maxItems {
			// On a page boundary: the next page's token resumes.
			resume = encodeStartingToken(token, 0, false)
			break
		}
		params[pg.inputToken] = token
	}
	out := newObject()
	if items == nil {
		items = []any{}
	}
	out.set(pg.resultKey, items)
	if resume != "" {
		out.set(pg.outputToken, resume)
	}
	return &pagedResult{full: out, pages: pages, resume: resume}, nil
}

// pySliceFrom is Python's list[i:]: a negative i counts from the end.
func pySliceFrom(list []any, i int) []any {
	if i < 0 {
		i = max(len(list)+i, 0)
	}
	return list[min(i, len(list)):]
}

// pySliceTo is Python's list[:i]: a negative i counts from the end.
func pySliceTo(list []any, i int) []any {
	if i < 0 {
		i = max(len(list)+i, 0)
	}
	return list[:min(i, len(list))]
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
// does: base64 of Python's JSON of {"NextToken": ..., "boto_truncate_amount":
// skip}, the amount only when withSkip.
func encodeStartingToken(token string, skip int, withSkip bool) string {
	var b strings.Builder
	b.WriteString(`{"NextToken": `)
	if token == "" {
		b.WriteString("null")
	} else {
		writeString(&b, token, true)
	}
	if withSkip {
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
