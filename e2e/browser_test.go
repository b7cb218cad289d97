package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/typedsession/sessions/internal/testenv"
)

const (
	// stepTimeout bounds every browser step, so a hang fails the test
	// instead of stalling CI.
	stepTimeout = 20 * time.Second
	// browserBudget bounds the life of one browser process, whatever
	// happens to its steps.
	browserBudget = 3 * time.Minute
	// viewport is the size of every tab's page, screenshots included.
	viewportWidth, viewportHeight = 1000, 760
)

// chromium is a running headless Chromium.
type chromium struct {
	ctx     context.Context // the first tab: the parent of every browser context
	version string          // such as "HeadlessChrome/156.0.8078.79"
}

// startChromium starts the browser testenv finds, with a fresh profile,
// and stops it when t ends. spki, if set, is the base64 SHA-256 of a
// certificate's public key info that the browser is to trust.
func startChromium(t *testing.T, spki string) *chromium {
	t.Helper()
	path := testenv.Browser(t)
	// Only these flags, spelled out: the allocator's own defaults are not
	// used. It adds --remote-debugging-pipe, the channel it drives the
	// browser through.
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	if spki != "" {
		opts = append(opts, chromedp.Flag("ignore-certificate-errors-spki-list", spki))
	}
	budget, cancelBudget := context.WithTimeout(context.Background(), browserBudget)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(budget, opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	// Registered after t.TempDir, so it runs first: the browser is gone
	// before its profile directory is removed.
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		cancelBudget()
	})
	// The first Run starts the browser and ties it to ctx, so it gets no
	// step timeout of its own; the budget bounds it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	v, err := chromedp.CallBrowser(ctx, browser.GetVersion, cdp.Empty{})
	if err != nil {
		t.Fatalf("asking %s for its version: %v", path, err)
	}
	return &chromium{ctx: ctx, version: v.Product}
}

// tab is a page in a browser context of its own: cookies and storage
// shared with no other tab, like a separate incognito window.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string // the app's origin, such as https://127.0.0.1:4321
}

// newTab opens a tab in a fresh browser context, closed when t ends.
func (c *chromium) newTab(t *testing.T, base string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(c.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tb := &tab{t: t, ctx: ctx, base: base}
	// The first Run on the context creates the tab and ties it to ctx.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	tb.do("setting the viewport", chromedp.EmulateViewport(viewportWidth, viewportHeight))
	return tb
}

// run runs one action within stepTimeout and returns its value.
func run[T any](tb *tab, what string, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// do runs steps within stepTimeout.
func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	run(tb, what, chromedp.Steps(steps...))
}

// navigate runs steps that load a page, waits for it and returns its
// HTTP status, after redirects.
func (tb *tab) navigate(what string, steps ...chromedp.Action[chromedp.Void]) int {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		tb.t.Fatalf("%s: %v", what, err)
	}
	return int(resp.Status)
}

// open loads path of the app and fails unless it answers 200.
func (tb *tab) open(path string) {
	tb.t.Helper()
	if status := tb.navigate("opening "+path, chromedp.Navigate(tb.base+path)); status != 200 {
		tb.t.Fatalf("opening %s: status %d", path, status)
	}
}

// reload reloads the page and fails unless it answers 200.
func (tb *tab) reload() {
	tb.t.Helper()
	if status := tb.navigate("reloading", chromedp.Reload()); status != 200 {
		tb.t.Fatalf("reloading: status %d", status)
	}
}

// press clicks the button sel selects, which submits its form, and
// returns the status of the page that loads.
func (tb *tab) press(sel string) int {
	tb.t.Helper()
	return tb.navigate("pressing "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// pressOK is press for a form that must succeed.
func (tb *tab) pressOK(sel string) {
	tb.t.Helper()
	if status := tb.press(sel); status != 200 {
		tb.t.Fatalf("pressing %s: status %d", sel, status)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	return run(tb, "evaluating "+expr, chromedp.Evaluate[T](expr))
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// has reports whether the page has an element sel selects.
func (tb *tab) has(sel string) bool {
	tb.t.Helper()
	return eval[bool](tb, "document.querySelector("+js(sel)+") !== null")
}

// text returns the text of the element sel selects, "" if there is none.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return eval[string](tb, "document.querySelector("+js(sel)+")?.textContent ?? ''")
}

// count returns how many elements sel selects.
func (tb *tab) count(sel string) int {
	tb.t.Helper()
	return eval[int](tb, "document.querySelectorAll("+js(sel)+").length")
}

// flashes returns the flash messages on the page.
func (tb *tab) flashes() []string {
	tb.t.Helper()
	return eval[[]string](tb, "[...document.querySelectorAll('.flash')].map(e => e.textContent)")
}

// login fills in the login form and submits it.
func (tb *tab) login(user string) {
	tb.t.Helper()
	tb.open("/")
	tb.do("filling in the login form",
		chromedp.SendKeys(chromedp.CSS("#user"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), "demo"))
	tb.pressOK("#login")
}

// cookie returns the browser's cookie called name for the app's origin.
func (tb *tab) cookie(name string) (*network.Cookie, bool) {
	tb.t.Helper()
	res := run(tb, "reading cookies", func(ctx context.Context, t *chromedp.Target) (network.GetCookiesResult, error) {
		return cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{tb.base + "/"}})
	})
	for _, c := range res.Cookies {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// screenshot saves the whole page as a PNG file called name, in
// $SESSIONS_E2E_SCREENSHOTS if set, else in a temporary directory.
func (tb *tab) screenshot(name string) string {
	tb.t.Helper()
	png := run(tb, "taking a screenshot", chromedp.FullScreenshot(100))
	dir := os.Getenv("SESSIONS_E2E_SCREENSHOTS")
	if dir == "" {
		dir = tb.t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot: %s", path)
	return path
}
