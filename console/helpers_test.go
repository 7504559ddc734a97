package console_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
	"github.com/rotorkit/rotor/console"
	"github.com/rotorkit/rotor/engine"
	"github.com/rotorkit/rotor/policy"
)

// The principals of a signed console.
const (
	adminKey, adminSecret   = "AKIDADMIN", "admin-secret"
	readerKey, readerSecret = "AKIDREADER", "reader-secret"
	adminARN                = "arn:aws:iam::000000000000:role/admin"
	readerARN               = "arn:aws:iam::000000000000:user/reader"
	rotateFn                = "arn:aws:lambda:us-east-1:000000000000:function:rotate-db"
)

// env is a rotor server as rotor serve wires it: the API at /, engines
// that rotate in the background, and the console at /console/.
type env struct {
	srv       *httptest.Server
	admin     *secretsmanager.Client // over HTTP, as the admin (or unsigned)
	exchanges *exchangeLog
	// failTests makes the rotation function's testSecret fail this many
	// more times.
	failTests atomic.Int32
	history   *console.History
	engines   []*engine.Engine
	mu        sync.Mutex
}

// exchangeLog is an observer that keeps what the API saw.
type exchangeLog struct {
	mu  sync.Mutex
	got []string // "Operation principal status"
}

func (l *exchangeLog) Observe(x *awsapi.Exchange) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	who := x.Principal
	if who == "" {
		who = "-"
	}
	l.got = append(l.got, x.Operation+" "+who+" "+x.ErrorCode)
	return nil
}

func (l *exchangeLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.got...)
}

func mustPolicy(t testing.TB, doc string) *policy.Policy {
	p, err := policy.Parse(doc, policy.Identity)
	require.NoError(t, err)
	return p
}

// newEnv starts a server; signed turns credentials and authorization on,
// with an admin that may do everything and a reader that may only list and
// describe.
func newEnv(t testing.TB, signed bool) *env {
	history := console.NewHistory(0, 0)
	e := &env{exchanges: &exchangeLog{}, history: history}
	store := rotor.NewMemoryStore()
	functions := &rotor.FunctionRegistry{}
	logger := slog.New(slog.DiscardHandler)
	if os.Getenv("ROTOR_CONSOLE_DEBUG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cfg := awsapi.Config{Store: store, Logger: logger, Invoker: functions, Observer: e.exchanges}
	cfg.NewService = func(opts ...rotor.Option) *rotor.Service {
		eng := engine.New(store, engine.Config{Logger: logger, BackoffBase: 20 * time.Millisecond, BackoffMax: 40 * time.Millisecond, MaxAttempts: 4}, opts...)
		eng.Service().Subscribe(history.Record)
		require.NoError(t, eng.Start(ctx))
		e.mu.Lock()
		e.engines = append(e.engines, eng)
		e.mu.Unlock()
		return eng.Service()
	}
	if signed {
		cfg.Credentials = map[string]string{adminKey: adminSecret, readerKey: readerSecret}
		cfg.Principals = map[string]awsapi.Principal{
			adminKey: {ARN: adminARN, Policies: []*policy.Policy{mustPolicy(t,
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:*","lambda:InvokeFunction"],"Resource":"*"}]}`)}},
			readerKey: {ARN: readerARN, Policies: []*policy.Policy{mustPolicy(t,
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["secretsmanager:ListSecrets","secretsmanager:DescribeSecret","secretsmanager:ListSecretVersionIds"],"Resource":"*"}]}`)}},
		}
	}
	api := awsapi.NewHandler(cfg)
	svc, err := api.Service("us-east-1")
	require.NoError(t, err)
	functions.Register(rotateFn, &rotor.TemplateRotator{API: svc, Test: func(context.Context, rotor.GetSecretValueOutput) error {
		if e.failTests.Add(-1) >= 0 {
			return errors.New("cannot log in to db.internal with the new password")
		}
		return nil
	}})
	con := console.New(console.Config{API: api, Region: "us-east-1", Signed: signed, History: history, Logger: logger,
		Principal: func(id string) (string, bool) {
			p, ok := cfg.Principals[id]
			return p.ARN, ok
		}})
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/console/") {
			con.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		e.srv.Close()
		cancel()
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, eng := range e.engines {
			eng.Close()
		}
	})
	e.admin = secretsmanager.New(secretsmanager.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(e.srv.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(adminKey, adminSecret, ""),
	})
	return e
}

// browser is a cookie-keeping HTTP client that does not follow redirects.
type browser struct {
	t      testing.TB
	c      *http.Client
	base   string
	csrf   string
	status int
	loc    string
}

func (e *env) browser(t testing.TB) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, base: e.srv.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// get fetches path and parses the page, remembering its CSRF token.
func (b *browser) get(path string) *html.Node {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	require.NoError(b.t, err)
	return b.read(resp)
}

// post sends a form to path.
func (b *browser) post(path string, form url.Values) *html.Node {
	b.t.Helper()
	if form.Get("csrf") == "" && b.csrf != "" {
		form.Set("csrf", b.csrf)
	}
	resp, err := b.c.PostForm(b.base+path, form)
	require.NoError(b.t, err)
	return b.read(resp)
}

func (b *browser) read(resp *http.Response) *html.Node {
	b.t.Helper()
	defer resp.Body.Close()
	b.status, b.loc = resp.StatusCode, resp.Header.Get("Location")
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	doc, err := html.Parse(strings.NewReader(string(body)))
	require.NoError(b.t, err)
	if in := find(doc, func(n *html.Node) bool { return attr(n, "name") == "csrf" }); in != nil {
		b.csrf = attr(in, "value")
	}
	return doc
}

// signIn signs the browser in with a key.
func (b *browser) signIn(key, secret string) {
	b.t.Helper()
	b.get("/console/login")
	b.post("/console/login", url.Values{"access_key_id": {key}, "secret_access_key": {secret}})
	require.Equal(b.t, http.StatusSeeOther, b.status, "signed in")
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// find returns the first node under n that match accepts.
func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	if n.Type == html.ElementNode && match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, match); f != nil {
			return f
		}
	}
	return nil
}

// findAll returns every node under n that match accepts.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func byID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { return attr(n, "id") == id }
}

func byClass(class string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		for _, c := range strings.Fields(attr(n, "class")) {
			if c == class {
				return true
			}
		}
		return false
	}
}

// text is the text under n, spaces collapsed; "" for nil.
func text(n *html.Node) string {
	if n == nil {
		return ""
	}
	var sb strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			sb.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(sb.String()), " ")
}

// pageText is the whole page's text and markup, to check what it holds.
func render(n *html.Node) string {
	var sb strings.Builder
	_ = html.Render(&sb, n)
	return sb.String()
}

// createSecret creates a secret as the admin and returns its ARN.
func (e *env) createSecret(t testing.TB, in *secretsmanager.CreateSecretInput) string {
	t.Helper()
	out, err := e.admin.CreateSecret(context.Background(), in)
	require.NoError(t, err)
	return *out.ARN
}

// secretPath is the console's page of a secret.
func secretPath(id string) string {
	return "/console/secret?" + url.Values{"region": {"us-east-1"}, "id": {id}}.Encode()
}

// waitRotation waits until the secret's last rotation has ended, as the
// history tells (its events follow the commits).
func (e *env) waitRotation(t testing.TB, arn string) {
	t.Helper()
	require.Eventually(t, func() bool {
		ev, ok := e.history.Last(arn, rotor.EventRotationStarted, rotor.EventRotationFinished, rotor.EventRotationAbandon, rotor.EventRotationCanceled)
		return ok && ev.Kind != rotor.EventRotationStarted
	}, time.Minute, 10*time.Millisecond)
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
