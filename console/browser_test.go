package console_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromium finds Debian's chromium. Without it the browser tests skip,
// loudly, except in CI (CI=true), where they fail.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	const msg = "SKIPPED: the browser tests need Debian's chromium (apt-get install -y chromium); .ci/run installs it"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// screenshotDir is where the browser tests keep their screenshots:
// $ROTOR_CONSOLE_SCREENSHOTS, or a temporary directory they name in the log.
func screenshotDir(t *testing.T) string {
	if dir := os.Getenv("ROTOR_CONSOLE_SCREENSHOTS"); dir != "" {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		return dir
	}
	dir := t.TempDir()
	t.Logf("screenshots in %s (set ROTOR_CONSOLE_SCREENSHOTS to keep them)", dir)
	return dir
}

// page drives one headless chromium tab.
type page struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
	shot int
}

func newPage(t *testing.T, base string) *page {
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.WindowSize(1400, 1100), chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 5*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	require.NoError(t, chromedp.Run(ctx), "start chromium")
	return &page{t: t, ctx: ctx, base: base, dir: screenshotDir(t)}
}

func (p *page) run(actions ...chromedp.Action) {
	p.t.Helper()
	require.NoError(p.t, chromedp.Run(p.ctx, actions...))
}

// text is the text of the first element sel matches, "" when none does;
// it does not wait.
func (p *page) text(sel string) string {
	p.t.Helper()
	var s string
	p.run(chromedp.Evaluate(`(function(){const e=document.querySelector(`+jsString(sel)+`);return e?e.innerText:"";})()`, &s))
	return s
}

func (p *page) count(sel string) int {
	p.t.Helper()
	var n int
	p.run(chromedp.Evaluate(`document.querySelectorAll(`+jsString(sel)+`).length`, &n))
	return n
}

func jsString(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// waitUntil waits until the JavaScript condition cond holds. It does not
// reload: after "Rotate now" the page follows the rotation by reloading
// itself (a meta refresh) until it ends, so a check may meet a page
// being replaced, and is tried again.
func (p *page) waitUntil(cond string) {
	p.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var ok bool
		if err := chromedp.Run(p.ctx, chromedp.Evaluate(cond, &ok)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			var state string
			_ = chromedp.Run(p.ctx, chromedp.Evaluate(`document.location.href + ' | ' + document.querySelectorAll('.run').length + ' | ' + (document.querySelector('.run .outcome')||{}).innerText + ' | ' + !!document.querySelector('meta[http-equiv=refresh]')`, &state))
			p.t.Fatalf("never true: %s\nthe page: %s", cond, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// finished is the condition that the page shows n rotations, the newest
// one succeeded, and no longer reloads itself.
func finished(n int) string {
	return fmt.Sprintf(`document.querySelectorAll('.run').length == %d && document.querySelector('.run .outcome').innerText == 'succeeded' && !document.querySelector('meta[http-equiv=refresh]')`, n)
}

// screenshot keeps the whole page as NN-name.png.
func (p *page) screenshot(name string) {
	p.t.Helper()
	var buf []byte
	p.run(chromedp.FullScreenshot(&buf, 100))
	p.shot++
	path := filepath.Join(p.dir, strings.ReplaceAll(p.t.Name(), "/", "_")+"-"+string(rune('0'+p.shot/10))+string(rune('0'+p.shot%10))+"-"+name+".png")
	require.NoError(p.t, os.WriteFile(path, buf, 0o644))
}

func (p *page) signIn(key, secret string) {
	p.t.Helper()
	p.run(chromedp.Navigate(p.base+"/console/"),
		chromedp.WaitVisible(`#login`),
		chromedp.SendKeys(`input[name=access_key_id]`, key),
		chromedp.SendKeys(`input[name=secret_access_key]`, secret),
		chromedp.Submit(`#login`),
		chromedp.WaitVisible(`#secrets`))
}

func TestTheConsoleInABrowser(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, true)
	p := newPage(t, e.srv.URL)
	arn := e.createSecret(t, &secretsmanager.CreateSecretInput{Name: aws.String("prod/db"), SecretString: aws.String("initial-password"),
		Description: aws.String("orders database"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("payments")}}})
	e.createSecret(t, &secretsmanager.CreateSecretInput{Name: aws.String("prod/api-key"), SecretString: aws.String("k")})
	e.createSecret(t, &secretsmanager.CreateSecretInput{Name: aws.String("dev/db"), SecretString: aws.String("d")})
	secretURL := e.srv.URL + secretPath(arn)

	p.signIn(adminKey, adminSecret)
	assert.Equal(t, adminARN, p.text(`#who`))

	t.Run("listing with a filter", func(t *testing.T) {
		p.t = t
		assert.Equal(t, 3, p.count(`a.secret-link`))
		p.screenshot("list")
		p.run(chromedp.SendKeys(`#filters input[name=name]`, "prod/"), chromedp.Submit(`#filters`))
		// The list it replaces has the same table: wait for the new address.
		p.waitUntil(`document.location.search.includes('name=prod') && document.readyState == 'complete'`)
		assert.Equal(t, 2, p.count(`a.secret-link`))
		assert.NotContains(t, p.text(`#secrets`), "dev/db")
		p.screenshot("list-filtered")
	})

	t.Run("a rotation that fails, then succeeds on its retry", func(t *testing.T) {
		p.t = t
		e.failTests.Store(1)
		p.run(chromedp.Navigate(secretURL), chromedp.WaitVisible(`#form-rotate`),
			chromedp.SendKeys(`#form-rotate input[name=lambda]`, rotateFn),
			chromedp.SendKeys(`#form-rotate input[name=days]`, "30"),
			chromedp.Click(`#rotate`), chromedp.WaitVisible(`#notice`))
		p.waitUntil(finished(1))
		run := p.text(`.run`)
		assert.Contains(t, run, "2 attempts (1 retry)")
		assert.Contains(t, p.text(`.run tr.failed`), "cannot log in to db.internal with the new password")
		assert.Contains(t, p.text(`#rotation-config`), "AutomaticallyAfterDays=30")
		assert.Positive(t, p.count(`#strip li.has-window`), "the next windows are on the strip")
		p.screenshot("rotation-failed-then-succeeded")
	})

	t.Run("the timeline after three rotations", func(t *testing.T) {
		p.t = t
		for n := 2; n <= 3; n++ {
			p.run(chromedp.Navigate(secretURL), chromedp.WaitVisible(`#rotate`), chromedp.Click(`#rotate`), chromedp.WaitVisible(`#notice`))
			p.waitUntil(finished(n))
		}
		assert.Equal(t, 3, p.count(`.run`))
		assert.Equal(t, 4, p.count(`#timeline th[data-version]`), "the first version and three rotations")
		assert.Equal(t, 2, p.count(`#timeline th.deprecated`), "the first two versions lost their labels")
		// Newest row first: the rotation's end took AWSPENDING off the
		// last version; the row before, finishSecret moved AWSCURRENT onto
		// it and AWSPREVIOUS followed onto the version it left.
		assert.Equal(t, "AWSCURRENT", p.text(`#timeline tbody tr:nth-child(1) td:nth-child(6) .current`))
		assert.Equal(t, "AWSPENDING", p.text(`#timeline tbody tr:nth-child(1) td:nth-child(6) .left`))
		assert.Equal(t, "AWSPREVIOUS", p.text(`#timeline tbody tr:nth-child(1) td:nth-child(5) .previous`))
		assert.Equal(t, "AWSCURRENT", p.text(`#timeline tbody tr:nth-child(2) td:nth-child(5) .left`), "struck where it left")
		assert.Equal(t, "AWSPREVIOUS", p.text(`#timeline tbody tr:nth-child(2) td:nth-child(4) .left`))
		p.screenshot("timeline-three-rotations")
	})

	t.Run("moving a label", func(t *testing.T) {
		p.t = t
		out, err := e.admin.ListSecretVersionIds(ctx, &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(arn), IncludeDeprecated: aws.Bool(true)})
		require.NoError(t, err)
		var first string
		for _, v := range out.Versions {
			if len(v.VersionStages) == 0 {
				first = *v.VersionId
			}
		}
		require.NotEmpty(t, first)
		p.run(chromedp.Navigate(secretURL), chromedp.WaitVisible(`#form-move`),
			chromedp.SendKeys(`#form-move input[name=label]`, "LEGACY"),
			chromedp.SetValue(`#form-move select[name=move_to]`, first),
			chromedp.Click(`#move`), chromedp.WaitVisible(`#notice`))
		assert.Equal(t, "The label was moved.", p.text(`#notice`))
		assert.Contains(t, p.text(`#timeline tbody tr:first-child`), "label moved")
		assert.Equal(t, "LEGACY", p.text(`#timeline tbody tr:first-child td:nth-child(3) .custom`))
		assert.Equal(t, 1, p.count(`#timeline th.deprecated`), "a labelled version is not deprecated")
		p.screenshot("label-moved")
	})

	t.Run("a refused action shows the API's refusal in place", func(t *testing.T) {
		p.t = t
		p.run(chromedp.Click(`#sign-out`), chromedp.WaitVisible(`#login`))
		p.signIn(readerKey, readerSecret)
		p.run(chromedp.Navigate(secretURL), chromedp.WaitVisible(`#delete`), chromedp.Click(`#delete`), chromedp.WaitVisible(`#error-delete`))
		assert.Contains(t, p.text(`#error-delete`), "AccessDeniedException: User: "+readerARN+" is not authorized to perform: secretsmanager:DeleteSecret")
		p.screenshot("refused-delete")
		d, err := e.admin.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
		require.NoError(t, err)
		assert.Nil(t, d.DeletedDate, "nothing was deleted")
	})
}
