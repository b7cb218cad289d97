package app_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/typedsession/sessions/examples/webapp/app"
	"github.com/typedsession/sessions/internal/teststores"
)

// eachStore runs test on the memory store and, by the testenv rule, on
// Redis and PostgreSQL, each under a name no other run uses.
func eachStore(t *testing.T, test func(t *testing.T, cfg app.Config)) {
	teststores.Each(t, "webapp_test", func(t *testing.T, s teststores.Store) {
		test(t, app.Config{RedisURL: s.RedisURL, RedisPrefix: s.RedisPrefix, PostgresURL: s.PostgresURL, PostgresTable: s.Table("sessions")})
	})
}

// startApp serves the app over TLS for the rest of t.
func startApp(t *testing.T, cfg app.Config) *httptest.Server {
	t.Helper()
	cfg.Logger = testLogger(t)
	h, closeStore, err := app.New(cfg)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	return serveTLS(t, h, closeStore)
}

// startInMemory serves the app with sessions in memory over TLS for the
// rest of t, and returns a function that counts the stored sessions.
func startInMemory(t *testing.T) (*httptest.Server, func() int) {
	t.Helper()
	h, count, closeStore, err := app.NewInMemory(app.Config{Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("app.NewInMemory: %v", err)
	}
	return serveTLS(t, h, closeStore), count
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func serveTLS(t *testing.T, h http.Handler, closeStore func() error) *httptest.Server {
	t.Helper()
	t.Cleanup(func() {
		if err := closeStore(); err != nil {
			t.Errorf("closing the store: %v", err)
		}
	})
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// browser is a client with a cookie jar of its own that remembers the
// last page it got, so that posts can carry that page's CSRF token, as
// a form would.
type browser struct {
	t         *testing.T
	client    *http.Client
	base      *url.URL
	userAgent string
	page      string
}

func newBrowser(t *testing.T, srv *httptest.Server, userAgent string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(srv.URL)
	return &browser{
		t:         t,
		client:    &http.Client{Transport: srv.Client().Transport, Jar: jar, Timeout: 10 * time.Second},
		base:      base,
		userAgent: userAgent,
	}
}

// response is a page as a browser got it, after redirects.
type response struct {
	status int
	body   string
}

// get loads a page.
func (b *browser) get(path string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base.String()+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post submits a form to path, with the CSRF token of the last page, if
// it has one, unless form has a csrf_token already, and follows the
// redirect.
func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf_token"]; !ok && b.hasCSRFToken() {
		form.Set("csrf_token", b.csrfToken())
	}
	req, err := http.NewRequest(http.MethodPost, b.base.String()+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	if b.userAgent != "" {
		req.Header.Set("User-Agent", b.userAgent)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("%s %s: reading: %v", req.Method, req.URL.Path, err)
	}
	b.page = string(body)
	return response{resp.StatusCode, b.page}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// hasCSRFToken reports whether the last page's forms carry a CSRF token:
// those of a visitor without a session do not.
func (b *browser) hasCSRFToken() bool { return strings.Contains(b.page, `name="csrf_token"`) }

// csrfToken returns the CSRF token of the last page's forms.
func (b *browser) csrfToken() string {
	b.t.Helper()
	m := csrfField.FindStringSubmatch(b.page)
	if m == nil {
		b.t.Fatalf("the last page has no CSRF token:\n%s", b.page)
	}
	return m[1]
}

// sessionCookie returns the value of the browser's session cookie, "" if
// it has none.
func (b *browser) sessionCookie() string {
	for _, c := range b.client.Jar.Cookies(b.base) {
		if c.Name == "__Host-session" {
			return c.Value
		}
	}
	return ""
}

// ok returns the page's body, failing t unless its status is 200.
func (r response) ok(t *testing.T, what string) string {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("%s: status %d:\n%s", what, r.status, r.body)
	}
	return r.body
}

// flashes returns the flash messages on a page.
func flashes(page string) []string {
	var out []string
	for _, m := range flashText.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

var flashText = regexp.MustCompile(`<p class="flash [a-z]+" role="status">([^<]*)</p>`)

// loggedInAs reports whether the page greets user.
func loggedInAs(page, user string) bool {
	return strings.Contains(page, `id="logout">Log out `+user+`<`)
}

// showsLoginForm reports whether the page offers to log in.
func showsLoginForm(page string) bool { return strings.Contains(page, `id="login-form"`) }

// login logs the browser in as user with the demo password.
func (b *browser) login(user string) string {
	b.t.Helper()
	b.get("/").ok(b.t, "GET /")
	return b.post("/login", url.Values{"user": {user}, "password": {"demo"}}).ok(b.t, "login")
}
