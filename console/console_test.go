package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/rotorkit/rotor"
	"github.com/rotorkit/rotor/awsapi"
	"github.com/rotorkit/rotor/console"
)

// listedNames are the secret names a list page shows.
func listedNames(doc *html.Node) []string {
	var names []string
	for _, a := range findAll(doc, byClass("secret-link")) {
		names = append(names, text(a))
	}
	return names
}

func TestTheListMapsItsSearchOntoListSecretsFilters(t *testing.T) {
	e := newEnv(t, false)
	e.createSecret(t, &secretsmanager.CreateSecretInput{Name: aws.String("prod/db"), SecretString: aws.String("a"),
		Description: aws.String("orders database"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("payments")}}})
	e.createSecret(t, &secretsmanager.CreateSecretInput{Name: aws.String("prod/api-key"), SecretString: aws.String("b"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("search")}}})
	e.createSecret(t, &secretsmanager.CreateSecretInput{Name: aws.String("dev/db"), SecretString: aws.String("c"), Description: aws.String("scratch database")})
	for _, tc := range []struct {
		name  string
		query url.Values
		want  []string
	}{
		{"no search lists every secret", url.Values{}, []string{"prod/db", "prod/api-key", "dev/db"}},
		{"a name is a prefix of the name", url.Values{"name": {"prod/"}}, []string{"prod/db", "prod/api-key"}},
		{"a tag key finds the tagged", url.Values{"tag_key": {"team"}}, []string{"prod/db", "prod/api-key"}},
		{"a tag value narrows to its secrets", url.Values{"tag_value": {"pay"}}, []string{"prod/db"}},
		{"description words match the description", url.Values{"description": {"database"}}, []string{"prod/db", "dev/db"}},
		{"filters apply together", url.Values{"description": {"database"}, "name": {"dev"}}, []string{"dev/db"}},
		{"the search box looks at everything", url.Values{"search": {"scratch"}}, []string{"dev/db"}},
		{"a primary Region matches only replicated secrets", url.Values{"primary_region": {"us-east-1"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser(t)
			doc := b.get("/console/?" + tc.query.Encode())
			require.Equal(t, http.StatusOK, b.status)
			assert.Equal(t, tc.want, listedNames(doc))
		})
	}
	t.Run("a filter the API refuses shows the API's message", func(t *testing.T) {
		b := e.browser(t)
		doc := b.get("/console/?" + url.Values{"name": {"bad<name>"}}.Encode())
		assert.Equal(t, http.StatusBadRequest, b.status)
		assert.Contains(t, text(find(doc, byID("list-error"))), "ValidationException")
	})
}

func TestTheListPagesWithNextToken(t *testing.T) {
	e := newEnv(t, false)
	for i := range 60 {
		e.createSecret(t, &secretsmanager.CreateSecretInput{Name: aws.String(fmt.Sprintf("app/%02d", i)), SecretString: aws.String("v")})
	}
	b := e.browser(t)
	doc := b.get("/console/")
	first := listedNames(doc)
	require.Len(t, first, 50)
	next := find(doc, byID("next-page"))
	require.NotNil(t, next, "a next page link")
	doc = b.get(strings.TrimPrefix(attr(next, "href"), e.srv.URL))
	second := listedNames(doc)
	assert.Len(t, second, 10)
	assert.Nil(t, find(doc, byID("next-page")), "the last page has no next")
	assert.NotNil(t, find(doc, byID("first-page")))
	assert.Equal(t, "app/50", second[0])
	assert.Empty(t, slices.DeleteFunc(slices.Clone(first), func(n string) bool { return !slices.Contains(second, n) }), "no secret on both pages")
	assert.Equal(t, 2, strings.Count(strings.Join(e.exchanges.all(), "\n"), "ListSecrets"), "one ListSecrets call a page")
}

func TestAValueIsInAPageOnlyWhenAskedFor(t *testing.T) {
	e := newEnv(t, true)
	const value = "correct-horse-battery-staple"
	arn := e.createSecret(t, &secretsmanager.CreateSecretInput{Name: aws.String("prod/db"), SecretString: aws.String(value)})
	b := e.browser(t)
	b.signIn(adminKey, adminSecret)
	for _, path := range []string{"/console/", secretPath("prod/db"), secretPath(arn)} {
		doc := b.get(path)
		require.Equal(t, http.StatusOK, b.status, path)
		assert.NotContains(t, render(doc), value, path)
	}
	before := len(e.exchanges.all())
	doc := b.post(secretPath("prod/db"), url.Values{"op": {"value"}})
	assert.Equal(t, value, text(find(doc, byID("value-text"))))
	calls := e.exchanges.all()[before:]
	assert.Contains(t, calls, "GetSecretValue "+adminARN+" ", "an ordinary GetSecretValue, as the principal")
	doc = b.get(secretPath("prod/db"))
	assert.NotContains(t, render(doc), value, "reloading hides it")
}

func TestSigningIn(t *testing.T) {
	e := newEnv(t, true)
	for _, tc := range []struct {
		name, key, secret string
		status            int
		error             string
	}{
		{"an unknown key is refused", "AKIDNOBODY", "x", http.StatusUnauthorized, "UnrecognizedClientException"},
		{"a wrong secret is refused", adminKey, "wrong", http.StatusUnauthorized, "InvalidSignatureException"},
		{"an empty field is refused", adminKey, "", http.StatusBadRequest, "Give both"},
		{"the admin's keys sign in", adminKey, adminSecret, http.StatusSeeOther, ""},
		{"a principal that may do little still signs in", readerKey, readerSecret, http.StatusSeeOther, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser(t)
			b.get("/console/")
			require.Equal(t, http.StatusSeeOther, b.status, "a visitor is sent to sign in")
			require.Equal(t, "/console/login", b.loc)
			b.get("/console/login")
			doc := b.post("/console/login", url.Values{"access_key_id": {tc.key}, "secret_access_key": {tc.secret}})
			assert.Equal(t, tc.status, b.status)
			if tc.error != "" {
				assert.Contains(t, text(find(doc, byID("login-error"))), tc.error)
				if tc.secret != "" {
					assert.NotContains(t, render(doc), `"`+tc.secret+`"`, "the secret key is not echoed")
				}
				return
			}
			doc = b.get("/console/")
			require.Equal(t, http.StatusOK, b.status)
			assert.NotEmpty(t, text(find(doc, byID("who"))))
		})
	}
	t.Run("the session cookie is random, HttpOnly and SameSite=Strict", func(t *testing.T) {
		resp, err := http.Get(e.srv.URL + "/console/login")
		require.NoError(t, err)
		resp.Body.Close()
		require.Len(t, resp.Cookies(), 1)
		c := resp.Cookies()[0]
		assert.True(t, c.HttpOnly)
		assert.Equal(t, http.SameSiteStrictMode, c.SameSite)
		assert.False(t, c.Secure, "plain HTTP: Secure would drop it")
		assert.GreaterOrEqual(t, len(c.Value), 43)
	})
	t.Run("signing out ends the session", func(t *testing.T) {
		b := e.browser(t)
		b.signIn(adminKey, adminSecret)
		b.get("/console/")
		b.post("/console/logout", url.Values{})
		require.Equal(t, http.StatusSeeOther, b.status)
		b.get("/console/")
		assert.Equal(t, "/console/login", b.loc)
	})
}

func TestActionsGoThroughTheAPIAsThePrincipal(t *testing.T) {
	e := newEnv(t, true)
	arn := e.createSecret(t, &secretsmanager.CreateSecretInput{Name: aws.String("prod/db"), SecretString: aws.String("initial")})
	admin, reader := e.browser(t), e.browser(t)
	admin.signIn(adminKey, adminSecret)
	reader.signIn(readerKey, readerSecret)
	for _, tc := range []struct {
		name    string
		who     *browser
		form    url.Values
		status  int
		errorID string
		message string
	}{
		{"the reader may not rotate", reader, url.Values{"op": {"rotate"}, "lambda": {rotateFn}}, http.StatusBadRequest, "error-rotate",
			"AccessDeniedException: User: " + readerARN + " is not authorized to perform: secretsmanager:RotateSecret"},
		{"the reader may not delete", reader, url.Values{"op": {"delete"}}, http.StatusBadRequest, "error-delete", "AccessDeniedException"},
		{"the reader may not read the value", reader, url.Values{"op": {"value"}}, http.StatusBadRequest, "error-value", "AccessDeniedException"},
		{"a label without a version is the API's validation error", admin, url.Values{"op": {"move"}, "label": {"AWSCURRENT"}}, http.StatusBadRequest, "error-move",
			"InvalidParameterException"},
		{"a recovery window out of range is the API's", admin, url.Values{"op": {"delete"}, "window": {"3"}}, http.StatusBadRequest, "error-delete",
			"RecoveryWindowInDays"},
		{"a schedule the model refuses is refused in place", admin, url.Values{"op": {"rotate"}, "lambda": {rotateFn}, "expression": {"rate(1 hours)"}}, http.StatusBadRequest, "error-rotate",
			"InvalidParameterException"},
		{"a form without its token is refused", admin, url.Values{"op": {"delete"}, "csrf": {"forged"}}, http.StatusForbidden, "message", "token"},
		{"the admin puts a value", admin, url.Values{"op": {"put"}, "value": {"second"}}, http.StatusSeeOther, "", ""},
		{"the admin moves a label", admin, url.Values{"op": {"move"}, "label": {"STAGING"}, "move_to": {""}}, http.StatusBadRequest, "error-move", "MoveToVersionId"},
		{"the admin deletes", admin, url.Values{"op": {"delete"}, "window": {"7"}}, http.StatusSeeOther, "", ""},
		{"the admin restores", admin, url.Values{"op": {"restore"}}, http.StatusSeeOther, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.who.get(secretPath(arn))
			doc := tc.who.post(secretPath(arn), tc.form)
			assert.Equal(t, tc.status, tc.who.status)
			if tc.errorID != "" {
				assert.Contains(t, text(find(doc, byID(tc.errorID))), tc.message)
			} else {
				assert.Contains(t, tc.who.loc, "done="+tc.form.Get("op"))
			}
			assert.NotContains(t, render(doc), "second", "a value put is never shown back")
		})
	}
	d, err := e.admin.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
	require.NoError(t, err)
	assert.Nil(t, d.DeletedDate, "restored")
	assert.Nil(t, d.RotationEnabled, "the refused rotation changed nothing")
	assert.Len(t, d.VersionIdsToStages, 2, "the value put made a version")
	calls := strings.Join(e.exchanges.all(), "\n")
	assert.Contains(t, calls, "RotateSecret "+readerARN+" AccessDeniedException", "the refusal is the API's own, and recorded")
	assert.Contains(t, calls, "PutSecretValue "+adminARN+" ")
}

func TestTheTimelineShowsLabelsWalkingAcrossRotations(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, false)
	arn := e.createSecret(t, &secretsmanager.CreateSecretInput{Name: aws.String("prod/db"), SecretString: aws.String("initial")})
	var versions []string
	for i := range 3 {
		in := &secretsmanager.RotateSecretInput{SecretId: aws.String(arn)}
		if i == 0 {
			in.RotationLambdaARN = aws.String(rotateFn)
			in.RotationRules = &types.RotationRulesType{AutomaticallyAfterDays: aws.Int64(30)}
		}
		out, err := e.admin.RotateSecret(ctx, in)
		require.NoError(t, err)
		versions = append(versions, *out.VersionId)
		e.waitRotation(t, arn)
	}
	b := e.browser(t)
	doc := b.get(secretPath(arn))
	require.Equal(t, http.StatusOK, b.status)
	table := find(doc, byID("timeline"))
	require.NotNil(t, table)
	heads := findAll(table, func(n *html.Node) bool { return n.Data == "th" && attr(n, "data-version") != "" })
	require.Len(t, heads, 4, "the first version and three rotations")
	var columns []string
	for _, h := range heads {
		columns = append(columns, attr(h, "data-version"))
	}
	assert.Equal(t, versions, columns[1:], "one column per version, in creation order")
	assert.Contains(t, text(heads[0]), "deprecated", "the first version has no label left")
	// Each row's AWSCURRENT column, oldest row first: it walks right.
	rows := findAll(find(table, func(n *html.Node) bool { return n.Data == "tbody" }), func(n *html.Node) bool { return n.Data == "tr" })
	var walk []int
	for i := len(rows) - 1; i >= 0; i-- {
		cells := findAll(rows[i], func(n *html.Node) bool { return n.Data == "td" })[2:]
		for j, c := range cells {
			here := findAll(c, func(n *html.Node) bool { return byClass("current")(n) && !byClass("left")(n) })
			if len(here) > 0 && (len(walk) == 0 || walk[len(walk)-1] != j) {
				walk = append(walk, j)
			}
		}
	}
	assert.Equal(t, []int{0, 1, 2, 3}, walk, "AWSCURRENT walks across the versions")
	now := rows[0]
	cells := findAll(now, func(n *html.Node) bool { return n.Data == "td" })[2:]
	assert.Equal(t, "AWSPREVIOUS", text(find(cells[2], byClass("previous"))))
	assert.Equal(t, "AWSCURRENT", text(find(cells[3], byClass("current"))))
	runs := findAll(doc, byClass("run"))
	assert.Len(t, runs, 3, "three rotations in the history")
}

func TestTheRotationHistoryShowsAFailureThenTheRetryThatSucceeded(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, false)
	arn := e.createSecret(t, &secretsmanager.CreateSecretInput{Name: aws.String("prod/db"), SecretString: aws.String("initial")})
	e.failTests.Store(1)
	_, err := e.admin.RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(arn), RotationLambdaARN: aws.String(rotateFn),
		RotationRules: &types.RotationRulesType{ScheduleExpression: aws.String("cron(0 16 1,15 * ? *)"), Duration: aws.String("2h")}})
	require.NoError(t, err)
	e.waitRotation(t, arn)
	b := e.browser(t)
	doc := b.get(secretPath(arn))
	run := find(doc, byClass("run"))
	require.NotNil(t, run)
	assert.Contains(t, text(run), "succeeded")
	assert.Contains(t, text(run), "2 attempts (1 retry)")
	failed := find(run, func(n *html.Node) bool { return n.Data == "tr" && byClass("failed")(n) })
	require.NotNil(t, failed)
	assert.Contains(t, text(failed), "testSecret")
	assert.Contains(t, text(failed), "cannot log in to db.internal with the new password")
	list := e.browser(t).get("/console/")
	assert.Contains(t, text(find(list, byID("secrets"))), "succeeded")
	assert.Contains(t, text(find(list, byID("secrets"))), "enabled")

	// The windows are the model's: the one NextRotationDate names, then each next.
	d, err := e.admin.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
	require.NoError(t, err)
	sched, err := rotor.ParseSchedule(rotor.RotationRules{ScheduleExpression: "cron(0 16 1,15 * ? *)", Duration: "2h"})
	require.NoError(t, err)
	start, end := sched.WindowEnding(*d.NextRotationDate)
	var want []string
	for range 6 {
		want = append(want, start.UTC().Format("2006-01-02 15:04:05Z")+" → "+end.UTC().Format("2006-01-02 15:04:05Z"))
		start, end = sched.Window(start)
	}
	var got []string
	for _, li := range findAll(find(doc, byID("windows")), func(n *html.Node) bool { return n.Data == "li" }) {
		got = append(got, text(li))
	}
	assert.Equal(t, want, got)
}

func TestAnOpenConsoleAnswersOnlyLoopback(t *testing.T) {
	con := console.New(console.Config{API: awsapi.NewHandler(awsapi.Config{Logger: discard()})})
	for _, tc := range []struct {
		name, remote, host string
		status             int
	}{
		{"from loopback to 127.0.0.1", "127.0.0.1:5000", "127.0.0.1:8000", http.StatusOK},
		{"from loopback to localhost", "127.0.0.1:5000", "localhost:8000", http.StatusOK},
		{"from IPv6 loopback", "[::1]:5000", "[::1]:8000", http.StatusOK},
		{"from another machine", "192.0.2.7:5000", "127.0.0.1:8000", http.StatusForbidden},
		{"to a name that is not loopback's (DNS rebinding)", "127.0.0.1:5000", "evil.example:8000", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/console/", nil)
			r.RemoteAddr, r.Host = tc.remote, tc.host
			w := httptest.NewRecorder()
			con.ServeHTTP(w, r)
			assert.Equal(t, tc.status, w.Code)
			assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
		})
	}
}

func TestTheHistoryIsBounded(t *testing.T) {
	h := console.NewHistory(3, 2)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		h.Record(rotor.Event{Kind: rotor.EventValuePut, ARN: "a", VersionID: fmt.Sprint(i), Time: at})
	}
	var ids []string
	for _, ev := range h.Events("a") {
		ids = append(ids, ev.VersionID)
	}
	assert.Equal(t, []string{"2", "3", "4"}, ids, "the oldest events of a secret go first")
	h.Record(rotor.Event{Kind: rotor.EventCreated, ARN: "b"})
	h.Record(rotor.Event{Kind: rotor.EventCreated, ARN: "c"})
	assert.Empty(t, h.Events("a"), "the secret that changed least recently is forgotten")
	assert.Len(t, h.Events("c"), 1)
	h.Record(rotor.Event{Kind: rotor.EventPurged, ARN: "c"})
	assert.Empty(t, h.Events("c"), "a purged secret is forgotten")
}

func TestTheSessionCookieIsSecureUnderTLS(t *testing.T) {
	con := console.New(console.Config{API: awsapi.NewHandler(awsapi.Config{Logger: discard()}), Signed: true})
	for _, tc := range []struct {
		name   string
		url    string
		secure bool
	}{
		{"over HTTPS it is Secure", "https://rotor.internal/console/login", true},
		{"over plain HTTP (loopback) it cannot be", "http://127.0.0.1:8000/console/login", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			con.ServeHTTP(w, httptest.NewRequest(http.MethodGet, tc.url, nil))
			require.Equal(t, http.StatusOK, w.Code)
			cookies := w.Result().Cookies()
			require.Len(t, cookies, 1)
			assert.Equal(t, tc.secure, cookies[0].Secure)
			assert.True(t, cookies[0].HttpOnly)
			assert.Equal(t, http.SameSiteStrictMode, cookies[0].SameSite)
			assert.Equal(t, "/console/", cookies[0].Path)
		})
	}
}
