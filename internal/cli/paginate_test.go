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
