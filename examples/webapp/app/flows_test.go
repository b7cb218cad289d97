package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/typedsession/sessions/examples/webapp/app"
)

const (
	firefoxOnWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
	safariOnMac      = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
)

func TestLoginCountFlashAndLogout(t *testing.T) {
	eachStore(t, func(t *testing.T, cfg app.Config) {
		b := newBrowser(t, startApp(t, cfg), firefoxOnWindows)

		page := b.get("/").ok(t, "first visit")
		if !showsLoginForm(page) || len(flashes(page)) != 0 {
			t.Fatalf("first visit: want a login form and no flash:\n%s", page)
		}
		page = b.login("ann")
		if !loggedInAs(page, "ann") || !slices.Equal(flashes(page), []string{"Welcome, ann. This browser now holds a new session token."}) {
			t.Fatalf("after login: want a greeting and one welcome flash:\n%s", page)
		}
		if page = b.get("/").ok(t, "reload"); len(flashes(page)) != 0 || !loggedInAs(page, "ann") {
			t.Fatalf("reload after login: want the flash gone and still logged in:\n%s", page)
		}
		b.post("/count", nil).ok(t, "count")
		b.post("/count", nil).ok(t, "count")
		for range 2 {
			if page = b.get("/").ok(t, "reload"); !strings.Contains(page, `id="counter">2<`) {
				t.Fatalf("after two counts: want 2:\n%s", page)
			}
		}
		page = b.post("/logout", nil).ok(t, "logout")
		if !showsLoginForm(page) || !slices.Equal(flashes(page), []string{"You are logged out."}) {
			t.Fatalf("after logout: want the login form and one flash:\n%s", page)
		}
		if page = b.get("/").ok(t, "reload"); len(flashes(page)) != 0 || strings.Contains(page, `id="counter"`) {
			t.Fatalf("reload after logout: want no flash and no counter:\n%s", page)
		}
	})
}

func TestWrongPasswordOrNameLogsNobodyIn(t *testing.T) {
	b := newBrowser(t, startApp(t, app.Config{}), "")
	for _, form := range []url.Values{
		{"user": {"ann"}, "password": {"Demo"}},
		{"user": {"ann"}, "password": {""}},
		{"user": {"ann smith"}, "password": {"demo"}},
		{"user": {strings.Repeat("a", 33)}, "password": {"demo"}},
		{"user": {""}, "password": {"demo"}},
	} {
		b.get("/").ok(t, "GET /")
		page := b.post("/login", form).ok(t, "login")
		if !showsLoginForm(page) || !slices.Equal(flashes(page), []string{"Wrong user name or password."}) {
			t.Errorf("login with %v: want the form again and one warning:\n%s", form, page)
		}
	}
}

func TestCartSurvivesLoginUnderANewToken(t *testing.T) {
	eachStore(t, func(t *testing.T, cfg app.Config) {
		b := newBrowser(t, startApp(t, cfg), "")
		b.get("/").ok(t, "GET /")
		b.post("/cart/add", url.Values{"product": {"tea"}}).ok(t, "add tea")
		page := b.post("/cart/add", url.Values{"product": {"tea"}}).ok(t, "add tea")
		if !strings.Contains(page, `id="qty-tea">2<`) || !slices.Equal(flashes(page), []string{"Added Green tea to your cart."}) {
			t.Fatalf("after adding tea twice: want 2 and one flash:\n%s", page)
		}
		before := b.sessionCookie()
		page = b.login("ann")
		if after := b.sessionCookie(); after == "" || after == before {
			t.Fatalf("login kept the session token")
		}
		if !strings.Contains(page, `id="qty-tea">2<`) || !strings.Contains(page, `id="total">€9.00<`) {
			t.Fatalf("after login: want the cart kept:\n%s", page)
		}
		page = b.post("/cart/remove", url.Values{"product": {"tea"}}).ok(t, "remove tea")
		if !strings.Contains(page, `id="qty-tea">1<`) {
			t.Fatalf("after removing one tea: want 1:\n%s", page)
		}
		b.post("/cart/remove", url.Values{"product": {"tea"}}).ok(t, "remove tea")
		if page = b.get("/").ok(t, "reload"); !strings.Contains(page, `id="cart-empty"`) {
			t.Fatalf("after removing every tea: want an empty cart:\n%s", page)
		}
		page = b.post("/cart/remove", url.Values{"product": {"tea"}}).ok(t, "remove absent tea")
		if !slices.Equal(flashes(page), []string{"Green tea is not in your cart."}) {
			t.Fatalf("removing what is not there: want a warning:\n%s", page)
		}
	})
}

func TestCartRefusesUnknownProductsAndTooMany(t *testing.T) {
	b := newBrowser(t, startApp(t, app.Config{}), "")
	b.get("/").ok(t, "GET /")
	page := b.post("/cart/add", url.Values{"product": {"caviar"}}).ok(t, "add caviar")
	if !slices.Equal(flashes(page), []string{"That product is not on sale."}) {
		t.Fatalf("adding an unknown product: want a warning:\n%s", page)
	}
	for range 9 {
		b.post("/cart/add", url.Values{"product": {"honey"}}).ok(t, "add honey")
	}
	page = b.post("/cart/add", url.Values{"product": {"honey"}}).ok(t, "add a tenth honey")
	if !strings.Contains(page, `id="qty-honey">9<`) || !slices.Equal(flashes(page), []string{"You can have at most 9 of each product."}) {
		t.Fatalf("a tenth honey: want 9 kept and a warning:\n%s", page)
	}
}

func TestForgedFormsAreRefused(t *testing.T) {
	srv := startApp(t, app.Config{})
	ann, eve := newBrowser(t, srv, ""), newBrowser(t, srv, "")
	ann.login("ann")
	ann.post("/count", nil).ok(t, "count")
	eve.login("eve")
	token := ann.csrfToken()
	altered := token[:10] + string('A'+(token[10]-'A'+1)%26) + token[11:]

	for _, tc := range []struct {
		name string
		form url.Values
	}{
		{"no token", url.Values{"csrf_token": nil}},
		{"empty token", url.Values{"csrf_token": {""}}},
		{"altered token", url.Values{"csrf_token": {altered}}},
		{"another session's token", url.Values{"csrf_token": {eve.csrfToken()}}},
	} {
		if r := ann.post("/count", tc.form); r.status != http.StatusForbidden || !strings.Contains(r.body, `id="problem" data-status="403"`) {
			t.Errorf("%s: status %d, want the 403 page:\n%s", tc.name, r.status, r.body)
		}
	}
	if page := ann.get("/").ok(t, "reload"); !strings.Contains(page, `id="counter">1<`) {
		t.Fatalf("a forged post counted:\n%s", page)
	}
}

func TestCrossSitePostIsRefusedEvenWithAToken(t *testing.T) {
	srv := startApp(t, app.Config{})
	b := newBrowser(t, srv, "")
	b.login("ann")
	form := url.Values{"csrf_token": {b.csrfToken()}}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/count", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r := b.do(req); r.status != http.StatusForbidden {
		t.Fatalf("cross-site post: status %d, want 403", r.status)
	}
}

var otherDeviceID = regexp.MustCompile(`name="id" value="([0-9a-f]{64})"`)

func TestDevicesLogoutOneAndEverywhereElse(t *testing.T) {
	eachStore(t, func(t *testing.T, cfg app.Config) {
		srv := startApp(t, cfg)
		laptop, phone := newBrowser(t, srv, firefoxOnWindows), newBrowser(t, srv, safariOnMac)
		bobsLaptop, bobsPhone := newBrowser(t, srv, ""), newBrowser(t, srv, "")
		laptop.login("ann")
		phone.login("ann")
		bobsLaptop.login("bob")
		bobsPhone.login("bob")

		page := phone.get("/devices").ok(t, "devices")
		if n := strings.Count(page, `<tr class="device`); n != 2 {
			t.Fatalf("ann's devices: want 2 rows, got %d:\n%s", n, page)
		}
		for _, want := range []string{"Firefox on Windows", `Safari on macOS<span class="badge">this device</span>`, "just now"} {
			if !strings.Contains(page, want) {
				t.Errorf("ann's devices page lacks %q:\n%s", want, page)
			}
		}

		// A forged ID ends nobody else's session: bob's phone, as listed
		// on bob's page, posted from ann's.
		bobsPhoneID := otherDeviceID.FindStringSubmatch(bobsLaptop.get("/devices").ok(t, "bob's devices"))[1]
		page = phone.post("/devices/logout", url.Values{"id": {bobsPhoneID}}).ok(t, "log out bob's phone")
		if !slices.Equal(flashes(page), []string{"That session had already ended."}) {
			t.Fatalf("logging out another owner's session: want a warning:\n%s", page)
		}
		if !loggedInAs(bobsPhone.get("/").ok(t, "bob's phone"), "bob") {
			t.Fatal("ann logged out bob's phone")
		}

		page = phone.post("/devices/logout-others", nil).ok(t, "log out everywhere else")
		if !slices.Equal(flashes(page), []string{"Logged out 1 other session."}) || strings.Count(page, `<tr class="device`) != 1 {
			t.Fatalf("after logging out everywhere else: want one flash and one row:\n%s", page)
		}
		if page = laptop.get("/").ok(t, "laptop"); !showsLoginForm(page) {
			t.Fatalf("the laptop is still logged in:\n%s", page)
		}
		if !loggedInAs(phone.get("/").ok(t, "phone"), "ann") || !loggedInAs(bobsLaptop.get("/").ok(t, "bob"), "bob") {
			t.Fatal("logging out everywhere else ended the phone's or bob's session")
		}

		laptop.login("ann")
		m := otherDeviceID.FindStringSubmatch(phone.get("/devices").ok(t, "devices"))
		if m == nil {
			t.Fatalf("the devices page offers no other device to log out:\n%s", phone.page)
		}
		page = phone.post("/devices/logout", url.Values{"id": {m[1]}}).ok(t, "log out the laptop")
		if !slices.Equal(flashes(page), []string{"Logged out that device."}) {
			t.Fatalf("after logging out the laptop: want one flash:\n%s", page)
		}
		if page = laptop.get("/").ok(t, "laptop"); !showsLoginForm(page) {
			t.Fatalf("the laptop is still logged in:\n%s", page)
		}
	})
}

func TestDevicesPageNeedsLogin(t *testing.T) {
	b := newBrowser(t, startApp(t, app.Config{}), "")
	page := b.get("/devices").ok(t, "devices")
	if !showsLoginForm(page) || !slices.Equal(flashes(page), []string{"Log in to see your devices."}) {
		t.Fatalf("devices without login: want the login form and a warning:\n%s", page)
	}
}

func TestResponsesCarrySecureCookieAndStrictHeaders(t *testing.T) {
	srv := startApp(t, app.Config{})
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	// Adding to the cart is a visitor's first write: it sets the cookie.
	resp, err := client.PostForm(srv.URL+"/cart/add", url.Values{"product": {"tea"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding to the cart: status %d, want 303", resp.StatusCode)
	}
	cookie := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"__Host-session=", "; Path=/", "; Secure", "; HttpOnly", "; SameSite=Lax"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("Set-Cookie %q lacks %q", cookie, want)
		}
	}
	for name, want := range map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'sha256-",
		"X-Content-Type-Options":  "nosniff",
		"Vary":                    "Cookie",
		"Cache-Control":           "no-store",
	} {
		if got := resp.Header.Get(name); !strings.HasPrefix(got, want) {
			t.Errorf("%s = %q, want it to start with %q", name, got, want)
		}
	}
}

func TestNewRefusesTwoStores(t *testing.T) {
	_, _, err := app.New(app.Config{RedisURL: "redis://127.0.0.1:1/0", PostgresURL: "postgres://127.0.0.1:1/x"})
	if err == nil {
		t.Fatal("New accepted both Redis and PostgreSQL")
	}
}

// anonymousVisitors are how crawlers and browsers without a session
// look: the session cookie they bring, if any, and no jar.
var anonymousVisitors = []struct {
	name, cookie string
}{
	{"no cookie", ""},
	{"a cookie naming no session", "__Host-session=" + strings.Repeat("A", 43)},
	{"a malformed cookie", "__Host-session=nonsense"},
}

func TestLookingAroundStoresNoSession(t *testing.T) {
	srv, stored := startInMemory(t)
	const rounds = 10
	for range rounds {
		for _, v := range anonymousVisitors {
			for _, page := range []struct {
				method, path string
				status       int
			}{
				{"GET", "/", http.StatusOK},
				{"HEAD", "/", http.StatusOK},
				{"GET", "/devices", http.StatusOK},
				{"GET", "/no-such-page", http.StatusNotFound},
			} {
				req, _ := http.NewRequest(page.method, srv.URL+page.path, nil)
				if v.cookie != "" {
					req.Header.Set("Cookie", v.cookie)
				}
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != page.status || len(resp.Cookies()) != 0 {
					t.Fatalf("%s %s with %s: status %d, Set-Cookie %q; want %d and no cookie",
						page.method, page.path, v.name, resp.StatusCode, resp.Header.Values("Set-Cookie"), page.status)
				}
			}
		}
	}
	if n := stored(); n != 0 {
		t.Fatalf("the store holds %d sessions after %d rounds of anonymous page views, want 0", n, rounds)
	}

	b := newBrowser(t, srv, "")
	page := b.get("/").ok(t, "first visit")
	if !showsLoginForm(page) || b.hasCSRFToken() {
		t.Fatalf("first visit: want the login form, without a token:\n%s", page)
	}
	if page = b.login("ann"); !loggedInAs(page, "ann") {
		t.Fatalf("the login form of a visitor without a session does not log in:\n%s", page)
	}
	if !b.hasCSRFToken() {
		t.Fatalf("after login: the page's forms carry no token:\n%s", page)
	}
	if n := stored(); n != 1 {
		t.Fatalf("the store holds %d sessions after one login, want 1", n)
	}
}

func TestLoginFormOfADeadCookieLogsIn(t *testing.T) {
	for _, v := range anonymousVisitors[1:] {
		t.Run(v.name, func(t *testing.T) {
			srv := startApp(t, app.Config{})
			b := newBrowser(t, srv, "")
			base, _ := url.Parse(srv.URL)
			name, value, _ := strings.Cut(v.cookie, "=")
			b.client.Jar.SetCookies(base, []*http.Cookie{{Name: name, Value: value, Path: "/", Secure: true}})
			if page := b.login("ann"); !loggedInAs(page, "ann") {
				t.Fatalf("login with %s: not logged in:\n%s", v.name, page)
			}
		})
	}
}

func TestRequestSentBeforeLoginSetsNoCookie(t *testing.T) {
	srv := startApp(t, app.Config{})
	b := newBrowser(t, srv, "")
	b.get("/").ok(t, "GET /")
	b.post("/cart/add", url.Values{"product": {"tea"}}).ok(t, "add tea")
	before := b.sessionCookie()
	b.login("ann")

	// A page request from another tab, sent with the cookie from before
	// the login, arrives after it: the cookie names no session now.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	req.Header.Set("Cookie", "__Host-session="+before)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(resp.Cookies()) != 0 {
		t.Fatalf("status %d, Set-Cookie %q; want 200 and no cookie to replace the login's", resp.StatusCode, resp.Header.Values("Set-Cookie"))
	}
	if !loggedInAs(b.get("/").ok(t, "reload"), "ann") {
		t.Fatal("logged out by a request sent before the login")
	}
}
