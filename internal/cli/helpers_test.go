package cli

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

type result struct {
	code           int
	stdout, stderr string
}

// run runs a command line (split on spaces unless given as several args)
// against api with dates in UTC.
func run(t *testing.T, api API, args ...string) result {
	t.Helper()
	if len(args) == 1 {
		args = strings.Fields(args[0])
	}
	var out, errb bytes.Buffer
	code := RunWith(context.Background(), Options{Location: time.UTC}, args, io.NopCloser(strings.NewReader("")), &out, &errb, api)
	return result{code, out.String(), errb.String()}
}
