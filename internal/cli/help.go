package cli

import (
	"fmt"
	"strings"
)

// globalHelp describes the global options that Run understands.
var globalHelp = [][2]string{
	{"--output <value>", "The formatting style for command output: json (the default), text, yaml or yaml-stream."},
	{"--query <value>", "A JMESPath query to use in filtering the response data."},
	{"--no-paginate", "Make a single call to a paginated operation (list-secrets) instead of fetching every page."},
	{"--cli-binary-format <value>", "How binary input parameters are given: base64 (the default) or raw-in-base64-out."},
	{"--endpoint-url <value>", "The URL of the Secrets Manager endpoint to call."},
	{"--region <value>", "The region to use."},
	{"--profile <value>", "A profile from the credentials and config files."},
	{"--ca-bundle <value>", "The CA certificate bundle (a PEM file) to verify the endpoint's TLS certificate with, instead of the system's."},
	{"--no-verify-ssl", "Do not verify the endpoint's TLS certificate: anyone on the path can then read and change what is sent, secret values included."},
	{"--cli-read-timeout <value>", "The longest time in seconds to wait for data from the endpoint; 0 waits forever. The default is 60."},
	{"--cli-connect-timeout <value>", "The longest time in seconds to wait for a connection to the endpoint; 0 waits forever. The default is 60."},
	{"--debug, --no-sign-request, --no-cli-pager, --color <value>", "Accepted for compatibility with the aws CLI."},
}

// globalsHelp is globalHelp with the caller's own options first.
func globalsHelp(extra []GlobalOption) [][2]string {
	var out [][2]string
	for _, o := range extra {
		name := "--" + o.Name
		if o.TakesValue {
			name += " <value>"
		}
		out = append(out, [2]string{name, o.Help})
	}
	return append(out, globalHelp...)
}

func wrap(text string, indent, width int) string {
	pad := strings.Repeat(" ", indent)
	var b strings.Builder
	for i, para := range strings.Split(text, "\n\n") {
		if i > 0 {
			b.WriteString("\n")
		}
		line := pad
		for _, w := range strings.Fields(para) {
			if len(line) > indent && len(line)+1+len(w) > width {
				b.WriteString(strings.TrimRight(line, " ") + "\n")
				line = pad
			}
			if len(line) > indent {
				line += " "
			}
			line += w
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func firstSentence(doc string) string {
	para := strings.SplitN(doc, "\n\n", 2)[0]
	if i := strings.Index(para, ". "); i >= 0 {
		return para[:i+1]
	}
	return para
}

// mainHelp is what `rotor --help` prints.
func mainHelp(m *serviceModel, program string, extra []GlobalOption) string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: %s [options] <operation> [parameters]\n\n", program)
	b.WriteString(wrap(program+" runs the AWS Secrets Manager operations with the names, flags, input syntax and output of the aws CLI: `"+program+" <operation> ...` takes what `aws secretsmanager <operation> ...` takes and prints what it prints. Run `"+program+" <operation> --help` for an operation's flags.", 0, 79))
	b.WriteString("\nOPERATIONS\n")
	for _, op := range m.Operations {
		fmt.Fprintf(&b, "  %s\n%s", xformName(op.Name), wrap(firstSentence(op.Doc), 6, 79))
	}
	b.WriteString("\nGLOBAL OPTIONS\n")
	for _, g := range globalsHelp(extra) {
		fmt.Fprintf(&b, "  %s\n%s", g[0], wrap(g[1], 6, 79))
	}
	return b.String()
}

func typeName(sh *shape) string { return sh.Type }

// operationHelp is what `rotor <operation> --help` prints.
func operationHelp(m *serviceModel, op operation, program string, extra []GlobalOption) string {
	var b strings.Builder
	name := xformName(op.Name)
	fmt.Fprintf(&b, "NAME\n       %s -\n\nDESCRIPTION\n%s\nSYNOPSIS\n            %s\n", name, wrap(op.Doc, 7, 79), name)
	args := arguments(m, op)
	_, paged := paginators[op.Name]
	for _, a := range args {
		if a.hidden {
			continue
		}
		f := "--" + a.name + " <value>"
		if a.isBool() {
			f = "--" + a.name + " | --no-" + a.name
		}
		if !a.required || a.isBool() {
			f = "[" + f + "]"
		}
		fmt.Fprintf(&b, "          %s\n", f)
	}
	b.WriteString("          [--cli-input-json | --cli-input-yaml]\n")
	if paged {
		b.WriteString("          [--starting-token <value>]\n          [--page-size <value>]\n          [--max-items <value>]\n")
	}
	b.WriteString("          [--generate-cli-skeleton <value>]\n\nOPTIONS\n")
	for _, a := range args {
		if a.hidden {
			continue
		}
		flag := "--" + a.name
		if a.isBool() {
			flag += " | --no-" + a.name
		}
		fmt.Fprintf(&b, "       %s (%s)\n%s", flag, typeName(a.shape), wrap(a.member.Doc, 10, 79))
		if a.shape.Type == "blob" {
			b.WriteString("\n" + wrap("Give the value base64-encoded, or as fileb://PATH to read the bytes of a file (with --cli-binary-format raw-in-base64-out, as text).", 10, 79))
		}
		if len(a.shape.Enum) > 0 {
			b.WriteString("\n          Possible values:\n\n")
			for _, e := range a.shape.Enum {
				fmt.Fprintf(&b, "          o %s\n", e)
			}
		}
		if a.shape.Type == "structure" || a.shape.Type == "list" || a.shape.Type == "map" {
			b.WriteString(membersHelp(m, a.shape, 10))
			if sh := shorthandSyntax(m, a.shape); sh != "" {
				fmt.Fprintf(&b, "\n       Shorthand Syntax:\n\n          %s\n", sh)
			}
			fmt.Fprintf(&b, "\n       JSON Syntax:\n\n%s", indentLines(jsonSyntax(m, a.shape, 0), 10))
		}
		b.WriteString("\n")
	}
	b.WriteString(wrap("--cli-input-json | --cli-input-yaml (string) Reads arguments from the JSON (or YAML) string provided, or from file://PATH. The JSON string follows the format provided by --generate-cli-skeleton. If other arguments are provided on the command line, those values will override the JSON-provided values. It is not possible to pass arbitrary binary values using a JSON-provided value as the string will be taken literally. This may not be specified along with --cli-input-yaml.", 7, 79))
	b.WriteString("\n")
	if paged {
		b.WriteString(wrap("--starting-token (string) A token to specify where to start paginating. This is the NextToken from a previously truncated response.", 7, 79) + "\n")
		b.WriteString(wrap("--page-size (integer) The size of each page to get in the service call. This does not affect the number of items returned in the command's output.", 7, 79) + "\n")
		b.WriteString(wrap("--max-items (integer) The total number of items to return in the command's output. If the total number of items available is more than the value specified, a NextToken is provided in the command's output. To resume pagination, provide the NextToken value in the starting-token argument of a subsequent command.", 7, 79) + "\n")
	}
	b.WriteString(wrap("--generate-cli-skeleton (string) Prints a JSON skeleton to standard output without sending an API request. If provided with no value or the value input, prints a sample input JSON that can be used as an argument for --cli-input-json. Similarly, if provided yaml-input it will print a sample input YAML that can be used with --cli-input-yaml. If provided with the value output, it validates the command inputs and returns a sample output JSON for that command.", 7, 79))
	b.WriteString("\nGLOBAL OPTIONS\n")
	for _, g := range globalsHelp(extra) {
		fmt.Fprintf(&b, "       %s\n%s", g[0], wrap(g[1], 10, 79))
	}
	if op.Output != "" {
		b.WriteString("\nOUTPUT\n")
		for _, mem := range m.shape(op.Output).Members {
			sh := m.shape(mem.Shape)
			fmt.Fprintf(&b, "       %s -> (%s)\n%s", mem.Name, typeName(sh), wrap(mem.Doc, 10, 79))
			b.WriteString(membersHelp(m, sh, 10))
			b.WriteString("\n")
		}
	}
	return b.String()
}

func indentLines(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pad + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// membersHelp documents the members of a structure (or of a list's or map's
// structure elements), nested.
func membersHelp(m *serviceModel, sh *shape, indent int) string {
	switch sh.Type {
	case "list":
		return membersHelp(m, m.shape(sh.Member), indent)
	case "map":
		return membersHelp(m, m.shape(sh.Value), indent)
	case "structure":
	default:
		return ""
	}
	var b strings.Builder
	pad := strings.Repeat(" ", indent)
	for _, mem := range sh.Members {
		ms := m.shape(mem.Shape)
		fmt.Fprintf(&b, "\n%s%s -> (%s)\n%s", pad, mem.Name, typeName(ms), wrap(mem.Doc, indent+3, 79))
		b.WriteString(membersHelp(m, ms, indent+3))
	}
	return b.String()
}

// shorthandSyntax sketches the shorthand form of a shape, as the aws CLI's
// help does; "" when the shape has no shorthand form worth showing.
func shorthandSyntax(m *serviceModel, sh *shape) string {
	switch sh.Type {
	case "structure":
		var parts []string
		for _, mem := range sh.Members {
			ms := m.shape(mem.Shape)
			switch ms.Type {
			case "structure", "map":
				return ""
			case "list":
				el := m.shape(ms.Member)
				if el.Type == "structure" || el.Type == "list" || el.Type == "map" {
					return ""
				}
				parts = append(parts, mem.Name+"="+el.Type+","+el.Type)
			default:
				parts = append(parts, mem.Name+"="+ms.Type)
			}
		}
		return strings.Join(parts, ",")
	case "list":
		el := m.shape(sh.Member)
		if el.Type == "structure" {
			if s := shorthandSyntax(m, el); s != "" {
				return s + " ..."
			}
			return ""
		}
		if el.Type == "list" || el.Type == "map" {
			return ""
		}
		return el.Type + " " + el.Type + " ..."
	case "map":
		return "KeyName1=string,KeyName2=string"
	}
	return ""
}

// jsonSyntax sketches the JSON form of a shape.
func jsonSyntax(m *serviceModel, sh *shape, indent int) string {
	pad := strings.Repeat("  ", indent+1)
	end := strings.Repeat("  ", indent)
	switch sh.Type {
	case "structure":
		var parts []string
		for _, mem := range sh.Members {
			parts = append(parts, fmt.Sprintf("%s%q: %s", pad, mem.Name, jsonSyntax(m, m.shape(mem.Shape), indent+1)))
		}
		return "{\n" + strings.Join(parts, ",\n") + "\n" + end + "}"
	case "list":
		return "[\n" + pad + jsonSyntax(m, m.shape(sh.Member), indent+1) + "\n" + pad + "...\n" + end + "]"
	case "map":
		return "{\"string\": " + jsonSyntax(m, m.shape(sh.Value), indent+1) + "\n" + pad + "...}"
	case "string":
		if len(sh.Enum) > 0 {
			return "\"" + strings.Join(sh.Enum, "\"|\"") + "\""
		}
		return "\"string\""
	}
	return sh.Type
}
