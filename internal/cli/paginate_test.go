package cli

import (
	"encoding/json"
	"fmt"
	"testing"
)

func names(t *testing.T, out string) ([]string, string) {
	t.Helper()
	var v struct {
		SecretList []struct{ Name string }
		NextToken  string
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	var ns []string
	for _, s := range v.SecretList {
		ns = append(ns, s.Name)
	}
	return ns, v.NextToken
}

func TestListSecretsPaginates(t *testing.T) {
	svc := newService(t)
	for i := 0; i < 7; i++ {
		if r := run(t, svc, fmt.Sprintf("create-secret --name s%d --secret-string v", i)); r.code != 0 {
			t.Fatal(r.stderr)
		}
	}
	// Every page, fetched two at a time.
	got, next := names(t, run(t, svc, "list-secrets --page-size 2").stdout)
	if len(got) != 7 || next != "" {
		t.Fatalf("all pages: %v %q", got, next)
	}
	// --max-items stops inside a page and says where to go on.
	got, next = names(t, run(t, svc, "list-secrets --page-size 2 --max-items 3").stdout)
	if fmt.Sprint(got) != "[s0 s1 s2]" || next == "" {
		t.Fatalf("max-items: %v %q", got, next)
	}
	got, next = names(t, run(t, svc, "list-secrets", "--page-size", "2", "--max-items", "3", "--starting-token", next).stdout)
	if fmt.Sprint(got) != "[s3 s4 s5]" || next == "" {
		t.Fatalf("second run: %v %q", got, next)
	}
	got, next = names(t, run(t, svc, "list-secrets", "--starting-token", next).stdout)
	if fmt.Sprint(got) != "[s6]" || next != "" {
		t.Fatalf("last run: %v %q", got, next)
	}
	// One page only: --no-paginate, or the service's own MaxResults/NextToken.
	for _, args := range []string{"list-secrets --no-paginate --max-results 2", "list-secrets --max-results 2"} {
		got, next = names(t, run(t, svc, args).stdout)
		if len(got) != 2 || next == "" {
			t.Fatalf("%s: %v %q", args, got, next)
		}
	}
	got, _ = names(t, run(t, svc, "list-secrets", "--next-token", next, "--max-results", "2").stdout)
	if fmt.Sprint(got) != "[s2 s3]" {
		t.Fatalf("next-token: %v", got)
	}
	if r := run(t, svc, "list-secrets --starting-token !!!"); r.code != ExitUsage {
		t.Fatalf("bad starting token: exit %d", r.code)
	}
}

func TestAMaxItemsOfZeroOrLessWarnsAndKeepsBotocoresArithmetic(t *testing.T) {
	svc := newService(t)
	for i := 0; i < 7; i++ {
		if r := run(t, svc, fmt.Sprintf("create-secret --name s%d --secret-string v", i)); r.code != 0 {
			t.Fatal(r.stderr)
		}
	}
	const warning = "warning: Non-positive values for --max-items may result in undefined behavior.\n"
	for _, tc := range []struct {
		args, want string
		truncate   int
	}{
		// Python's list[:-2] of the first page, and a token that resumes
		// at the same place.
		{"list-secrets --max-items -2 --page-size 3", "[s0]", -2},
		{"list-secrets --max-items -5", "[s0 s1]", -5},
		{"list-secrets --max-items -9", "[]", -9},
		{"list-secrets --max-items 0 --page-size 3", "[]", 0},
	} {
		r := run(t, svc, tc.args)
		if r.code != ExitOK || r.stderr != warning {
			t.Errorf("%s: exit %d, stderr %q", tc.args, r.code, r.stderr)
			continue
		}
		got, next := names(t, r.stdout)
		if fmt.Sprint(got) != tc.want {
			t.Errorf("%s: %v, want %s", tc.args, got, tc.want)
		}
		if tok, n, err := decodeStartingToken(next); err != nil || tok != "" || n != tc.truncate {
			t.Errorf("%s: resume token %q (%q, %d, %v), want the first page truncated at %d", tc.args, next, tok, n, err, tc.truncate)
		}
	}
	// The token of a negative --max-items starts from the end of its page.
	r := run(t, svc, "list-secrets", "--max-items", "2", "--starting-token", encodeStartingToken("", -3, true))
	if got, _ := names(t, r.stdout); fmt.Sprint(got) != "[s4 s5]" {
		t.Errorf("starting at -3: %v", got)
	}
}

func TestPagingOptionsWhereTheCLIDoesNotPageAreRefused(t *testing.T) {
	svc := newService(t)
	for _, tc := range []struct{ args, stderr string }{
		{"list-secrets --no-paginate --max-items 3", "\nCannot specify --no-paginate along with pagination arguments: --max-items\n"},
		{"list-secrets --max-results 2 --page-size 1 --max-items 3", "\nCannot specify --no-paginate along with pagination arguments: --page-size, --max-items\n"},
		{"list-secrets --no-paginate --page-size 0", "\nParameter validation failed:\nUnknown parameter in input: \"PaginationConfig\", must be one of: IncludePlannedDeletion, MaxResults, NextToken, Filters, SortOrder\n"},
	} {
		if r := run(t, svc, tc.args); r.code != ExitUsage || r.stderr != tc.stderr {
			t.Errorf("%s: exit %d, stderr %q; want 252 and %q", tc.args, r.code, r.stderr, tc.stderr)
		}
	}
}
