package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// consoleBrowser is an HTTP client with cookies that does not follow
// redirects.
func consoleBrowser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func fetch(t *testing.T, c *http.Client, method, u string, form url.Values) (int, string, string) {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = c.PostForm(u, form)
	} else {
		resp, err = c.Get(u)
	}
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

func TestServeConsole(t *testing.T) {
	ctx := context.Background()
	t.Run("rotor serve serves the console, signed in with a key, its reads audited", func(t *testing.T) {
		trail := filepath.Join(t.TempDir(), "audit.log")
		b := startBinary(t, "--store", "memory", "--audit-log", trail)
		go drain(b)
		_, err := sdkClient(b.url).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("prod/db"), SecretString: aws.String("correct-horse-battery")})
		require.NoError(t, err)
		c := consoleBrowser(t)
		status, loc, _ := fetch(t, c, http.MethodGet, b.url+"/console/", nil)
		require.Equal(t, http.StatusSeeOther, status, "with credentials, the console asks who you are")
		require.Equal(t, "/console/login", loc)
		_, _, body := fetch(t, c, http.MethodGet, b.url+"/console/login", nil)
		token := csrfField.FindStringSubmatch(body)
		require.NotNil(t, token)
		status, _, _ = fetch(t, c, http.MethodPost, b.url+"/console/login", url.Values{"csrf": {token[1]},
			"access_key_id": {"AKIDBINARY"}, "secret_access_key": {"binary-secret"}})
		require.Equal(t, http.StatusSeeOther, status)
		status, _, body = fetch(t, c, http.MethodGet, b.url+"/console/", nil)
		require.Equal(t, http.StatusOK, status)
		assert.Contains(t, body, "prod/db")
		page := b.url + "/console/secret?" + url.Values{"id": {"prod/db"}}.Encode()
		_, _, body = fetch(t, c, http.MethodGet, page, nil)
		assert.NotContains(t, body, "correct-horse-battery")
		token = csrfField.FindStringSubmatch(body)
		require.NotNil(t, token)
		_, _, body = fetch(t, c, http.MethodPost, page, url.Values{"csrf": {token[1]}, "op": {"value"}})
		assert.Contains(t, body, "correct-horse-battery", "shown when asked")
		raw, err := os.ReadFile(trail)
		require.NoError(t, err)
		assert.NotContains(t, string(raw), "correct-horse-battery")
		assert.Contains(t, string(raw), `"eventName":"GetSecretValue"`)
		assert.Equal(t, 1, strings.Count(string(raw), `"eventName":"GetSecretValue"`), "the one read is the one asked for")
		assert.Contains(t, string(raw), `"userAgent":"`, "recorded with the browser's request")
	})
	t.Run("--console=false leaves /console/ to the API, which has no such path", func(t *testing.T) {
		b := startBinary(t, "--store", "memory", "--console=false")
		go drain(b)
		status, body := httpGet(t, b.url+"/console/")
		assert.NotEqual(t, http.StatusOK, status)
		assert.Contains(t, body, "UnknownOperationException")
		assert.NotContains(t, body, "rotor console")
	})
}
