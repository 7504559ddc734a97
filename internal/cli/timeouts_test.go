package cli

import (
	"context"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

func TestTimeoutsThatAreNotWholeSecondsFailAsTheAWSCLIFailsThem(t *testing.T) {
	svc := newService(t)
	for _, tc := range []struct {
		args, stderr string
	}{
		{"--cli-connect-timeout abc list-secrets", "\ninvalid literal for int() with base 10: 'abc'\n"},
		{"list-secrets --cli-connect-timeout 1.5", "\ninvalid literal for int() with base 10: '1.5'\n"},
		{"--cli-read-timeout x --cli-connect-timeout y list-secrets", "\ninvalid literal for int() with base 10: 'x'\n"},
		{"--cli-read-timeout -2 --cli-connect-timeout y list-secrets", "\ninvalid literal for int() with base 10: 'y'\n"},
		{"--cli-connect-timeout -1 list-secrets", "\nAttempted to set connect timeout to -1, but the timeout cannot be set to a value less than or equal to 0.\n"},
		{"--cli-read-timeout -2 --cli-connect-timeout -3 list-secrets", "\nAttempted to set connect timeout to -3, but the timeout cannot be set to a value less than or equal to 0.\n"},
		{"--cli-read-timeout -7 describe-secret", "\nAttempted to set read timeout to -7, but the timeout cannot be set to a value less than or equal to 0.\n"},
	} {
		r := run(t, svc, tc.args)
		if r.code != ExitOther || r.stderr != tc.stderr || r.stdout != "" {
			t.Errorf("%s: exit %d, stderr %q, stdout %q; want exit 255 and %q", tc.args, r.code, r.stderr, r.stdout, tc.stderr)
		}
	}
	r := run(t, svc, "--cli-connect-timeout", "it's", "list-secrets")
	if want := "\ninvalid literal for int() with base 10: \"it's\"\n"; r.code != ExitOther || r.stderr != want {
		t.Errorf("a quote in the value: exit %d, %q; want %q", r.code, r.stderr, want)
	}
}

func TestTimeoutsInWholeSecondsAreAccepted(t *testing.T) {
	svc := newService(t)
	for _, v := range []string{"0", "-0", " 7", "+4", "1_0", "99999999999999"} {
		r := run(t, svc, "list-secrets", "--cli-connect-timeout", v, "--cli-read-timeout", v)
		if r.code != ExitOK {
			t.Errorf("%q: exit %d: %s", v, r.code, r.stderr)
		}
	}
}

func TestTheRemoteClientUsesTheTimeoutsOfTheCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args          []string
		connect, read time.Duration
	}{
		{nil, 60 * time.Second, 60 * time.Second},
		{[]string{"--cli-connect-timeout", "3", "--cli-read-timeout", "0"}, 3 * time.Second, 0},
		{[]string{"--cli-read-timeout", "12"}, 60 * time.Second, 12 * time.Second},
	} {
		remote, err := NewRemote(context.Background(), ParseGlobals(append(tc.args, "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:1")))
		if err != nil {
			t.Fatal(err)
		}
		client, ok := remote.Client.Options().HTTPClient.(*awshttp.BuildableClient)
		if !ok {
			t.Fatalf("%v: the HTTP client is a %T", tc.args, remote.Client.Options().HTTPClient)
		}
		if got := client.GetDialer().Timeout; got != tc.connect {
			t.Errorf("%v: connect timeout %s, want %s", tc.args, got, tc.connect)
		}
		if got, set := client.GetReadTimeout(); !set || got != tc.read {
			t.Errorf("%v: read timeout %s (set %v), want %s", tc.args, got, set, tc.read)
		}
	}
}
