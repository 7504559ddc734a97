package rotor_test

import (
	"flag"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite README.md's Go snippets and outputs from the code they show")

// Every Go snippet in README.md is the code of a function that go test runs,
// and every output shown is that example's // Output: — so no snippet can
// stop compiling or lie. A snippet is announced by a comment naming its
// function,
//
//	<!-- code: engine/example_test.go Example -->
//
// followed by a ```go block: an example's body (without its output), or a
// test's whole declaration. <!-- output: FILE FUNC --> followed by a ```text
// block is the example's expected output. Run with -update-readme to write
// the blocks from the code.
func TestREADMESnippetsAreCodeThatRuns(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	require.NoError(t, err)
	lines := strings.Split(string(raw), "\n")
	marker := regexp.MustCompile(`^<!-- (code|output): (\S+) (\S+) -->$`)
	var out []string
	blocks := 0
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		out = append(out, line)
		if strings.HasPrefix(line, "```go") {
			t.Errorf("README.md:%d: a Go snippet without a <!-- code: FILE FUNC --> line before it", i+1)
			continue
		}
		m := marker.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		kind, file, fn := m[1], m[2], m[3]
		fence := "```go"
		if kind == "output" {
			fence = "```text"
		}
		require.Less(t, i+1, len(lines), "README.md:%d: nothing after the marker", i+1)
		require.Equal(t, fence, lines[i+1], "README.md:%d: the marker is followed by a %s block", i+1, fence)
		end := i + 2
		for end < len(lines) && lines[end] != "```" {
			end++
		}
		require.Less(t, end, len(lines), "README.md:%d: the block does not end", i+2)
		code, output := functionText(t, file, fn)
		want := code
		if kind == "output" {
			want = output
			require.NotEmpty(t, want, "%s %s has no // Output:", file, fn)
		}
		got := strings.Join(lines[i+2:end], "\n")
		if got != want && !*updateReadme {
			t.Errorf("README.md:%d: the %s of %s in %s differs from the README:\n--- README\n%s\n--- %s\n%s", i+2, kind, fn, file, got, file, want)
		}
		out = append(out, fence)
		out = append(out, want)
		out = append(out, "```")
		i = end
		blocks++
	}
	require.Positive(t, blocks, "README.md shows no code")
	if *updateReadme {
		require.NoError(t, os.WriteFile("README.md", []byte(strings.Join(out, "\n")), 0o644))
	}
}

// functionText returns the code README.md shows of function fn in file: an
// example's body, one tab less indented, without its output comment, and
// that output; or a test's whole declaration.
func functionText(t *testing.T, file, fn string) (code, output string) {
	t.Helper()
	src, err := os.ReadFile(filepath.FromSlash(file))
	require.NoError(t, err)
	fset := gotoken.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
	require.NoError(t, err)
	for _, d := range f.Decls {
		decl, ok := d.(*ast.FuncDecl)
		if !ok || decl.Name.Name != fn {
			continue
		}
		if !strings.HasPrefix(fn, "Example") {
			start := fset.Position(decl.Pos()).Offset
			if decl.Doc != nil {
				start = fset.Position(decl.Doc.Pos()).Offset
			}
			return string(src[start:fset.Position(decl.End()).Offset]), ""
		}
		body := string(src[fset.Position(decl.Body.Lbrace).Offset+1 : fset.Position(decl.Body.Rbrace).Offset])
		var codeLines, outLines []string
		inOutput := false
		for _, l := range strings.Split(strings.Trim(body, "\n"), "\n") {
			l = strings.TrimPrefix(l, "\t")
			switch {
			case strings.TrimSpace(l) == "// Output:":
				inOutput = true
			case inOutput:
				outLines = append(outLines, strings.TrimPrefix(strings.TrimPrefix(l, "//"), " "))
			default:
				codeLines = append(codeLines, l)
			}
		}
		return strings.Join(codeLines, "\n"), strings.Join(outLines, "\n")
	}
	t.Fatalf("%s has no function %s", file, fn)
	return "", ""
}
