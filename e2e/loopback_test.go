package e2e

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/typedsession/sessions/examples/webapp/app"
)

// TestSecureCookieOverPlainHTTP finds out where Chromium keeps the
// secure default cookie (__Host-session; Secure) that the app sets over
// plain HTTP: it must on 127.0.0.1 and localhost, which browsers treat as
// secure contexts, or `go run ./examples/webapp` would not work as the
// README says; and it drops the cookie on any other address, so that
// logging in does not stick, which is why the command refuses plain HTTP
// there.
func TestSecureCookieOverPlainHTTP(t *testing.T) {
	browser := startChromium(t, "")
	base := serveApp(t, app.Config{}, nil)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"127.0.0.1", "localhost"} {
		t.Run(host, func(t *testing.T) {
			tb := browser.newTab(t, "http://"+net.JoinHostPort(host, port))
			tb.login("ann")
			tb.reload()
			if !tb.has("#counter") {
				t.Fatalf("%s: logged out after a reload: the session cookie was dropped", browser.version)
			}
			c, ok := tb.cookie("__Host-session")
			if !ok || !c.Secure || !c.HTTPOnly {
				t.Fatalf("%s: cookie %+v, want a Secure HttpOnly __Host-session", browser.version, c)
			}
			tb.pressOK("#count")
			if got := tb.text("#counter"); got != "1" {
				t.Fatalf("counter %q after one count, want 1", got)
			}
			t.Logf("%s keeps the Secure __Host-session cookie from http://%s (source scheme %s)", browser.version, host, c.SourceScheme)
		})
	}
	t.Run("non-loopback address", func(t *testing.T) {
		ip := nonLoopbackIPv4(t)
		tb := browser.newTab(t, serveOn(t, net.JoinHostPort(ip, "0")))
		tb.open("/")
		if _, ok := tb.cookie("__Host-session"); ok {
			t.Fatalf("%s kept a Secure cookie from plain HTTP on %s", browser.version, ip)
		}
		tb.do("filling in the login form",
			chromedp.SendKeys(chromedp.CSS("#user"), "ann"),
			chromedp.SendKeys(chromedp.CSS("#password"), "demo"))
		// The login succeeds and sets the cookie, which the browser drops:
		// the redirect shows the login form again.
		if status := tb.press("#login"); status != http.StatusOK || !tb.has("#login-form") || tb.has("#counter") {
			t.Fatalf("login over plain HTTP on %s: status %d; want 200 and, the cookie dropped, the login form again", ip, status)
		}
		if _, ok := tb.cookie("__Host-session"); ok {
			t.Fatalf("%s kept a Secure cookie from plain HTTP on %s", browser.version, ip)
		}
		t.Logf("%s drops the Secure cookie from http://%s: logging in does not stick", browser.version, ip)
	})
}

// serveOn serves the app on addr over plain HTTP for the rest of t.
func serveOn(t *testing.T, addr string) string {
	t.Helper()
	h, closeStore, err := app.New(app.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closeStore() })
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// nonLoopbackIPv4 returns an IPv4 address of this machine that is neither
// loopback nor link-local, or skips t.
func nonLoopbackIPv4(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Skipf("listing addresses: %v", err)
	}
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP.String()
		}
	}
	t.Skip("this machine has no non-loopback IPv4 address")
	return ""
}
