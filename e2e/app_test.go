package e2e

import (
	"html/template"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/typedsession/sessions/examples/webapp/app"
)

// TestAppInBrowser runs the app's whole story in Chromium over HTTPS, with
// the secure default cookie, on every available store: have a forged
// login refused, log in, count across reloads, see flash messages once,
// have forged forms refused, and log out other devices from a second,
// separate browser context.
func TestAppInBrowser(t *testing.T) {
	cert, err := app.NewCertificate(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	browser := startChromium(t, cert.SPKIHash)
	t.Logf("browser: %s", browser.version)
	eachStore(t, func(t *testing.T, cfg app.Config) {
		base := serveApp(t, cfg, &cert)
		laptop := browser.newTab(t, base)

		forgedLoginIsRefused(t, browser.newTab(t, base), &cert)
		loginCountAndFlash(t, laptop)
		forgedFormsAreRefused(t, laptop, &cert)

		phone := browser.newTab(t, base)
		phone.login("ann")
		devicesAndLogoutEverywhereElse(t, browser, laptop, phone)
	})
}

func loginCountAndFlash(t *testing.T, laptop *tab) {
	laptop.open("/")
	if !laptop.has("#login-form") || len(laptop.flashes()) != 0 {
		t.Fatal("first visit: want the login form and no flash")
	}
	laptop.open("/devices")
	if _, ok := laptop.cookie("__Host-session"); ok {
		t.Fatal("looking at pages set a session cookie: a visitor gets a session with their first action")
	}
	laptop.login("ann")
	if got := laptop.flashes(); !slices.Equal(got, []string{"Welcome, ann. This browser now holds a new session token."}) {
		t.Fatalf("after login: flashes %q, want the welcome once", got)
	}
	if c, ok := laptop.cookie("__Host-session"); !ok || !c.Secure || !c.HTTPOnly || c.Path != "/" {
		t.Fatalf("session cookie %+v, want a Secure HttpOnly __Host- cookie", c)
	}
	laptop.reload()
	if got := laptop.flashes(); len(got) != 0 {
		t.Fatalf("after reloading: flashes %q, want none", got)
	}
	laptop.pressOK("#count")
	laptop.pressOK("#count")
	for _, step := range []func(){laptop.reload, func() { laptop.open("/") }} {
		step()
		if got := laptop.text("#counter"); got != "2" {
			t.Fatalf("counter after two counts and a reload: %q, want 2", got)
		}
	}
	laptop.pressOK("#add-tea")
	if got := laptop.flashes(); !slices.Equal(got, []string{"Added Green tea to your cart."}) || laptop.text("#qty-tea") != "1" {
		t.Fatalf("after adding tea: flashes %q, quantity %q", got, laptop.text("#qty-tea"))
	}
	laptop.reload()
	if got := laptop.flashes(); len(got) != 0 || laptop.text("#qty-tea") != "1" {
		t.Fatalf("after reloading: flashes %q, quantity %q; want no flash and the tea kept", got, laptop.text("#qty-tea"))
	}
}

// attackPage is a page of another origin on the same site (another port
// of 127.0.0.1), whose form posts to the app with a valid token: the
// SameSite=Lax cookie goes along, so only the app's cross-origin check
// stands in the way.
var attackPage = template.Must(template.New("attack").Parse(
	`<!doctype html><form method="post" action="{{.Action}}"><input type="hidden" name="csrf_token" value="{{.Token}}"><button id="attack">Win a prize</button></form>`))

// loginAttackPage is a page of another origin on the same site whose
// form logs the visitor in to the attacker's account (login CSRF).
var loginAttackPage = template.Must(template.New("login-attack").Parse(
	`<!doctype html><form method="post" action="{{.}}"><input type="hidden" name="user" value="mallory"><input type="hidden" name="password" value="demo"><button id="attack">Win a prize</button></form>`))

// forgedLoginIsRefused checks the login form of a visitor without a
// session: it carries no CSRF token (there is no session to derive one
// from, and none is stored for looking at a page), so the app's
// cross-origin check is what refuses a login posted from another origin.
func forgedLoginIsRefused(t *testing.T, visitor *tab, cert *app.Certificate) {
	visitor.open("/")
	if !visitor.has("#login-form") || visitor.has("#login-form input[name=csrf_token]") {
		t.Fatal("a visitor without a session: want the login form, without a token")
	}
	attacker := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = loginAttackPage.Execute(w, visitor.base+"/login")
	}), cert)
	visitor.do("visiting the attacker", chromedp.Navigate(attacker))
	if status := visitor.press("#attack"); status != http.StatusForbidden {
		t.Fatalf("a login posted from another origin: status %d, want 403", status)
	}
	if _, ok := visitor.cookie("__Host-session"); ok {
		t.Fatal("a login posted from another origin set a session cookie")
	}
	visitor.open("/")
	if !visitor.has("#login-form") || visitor.has("#counter") {
		t.Fatal("a login posted from another origin logged the visitor in")
	}
}

func forgedFormsAreRefused(t *testing.T, laptop *tab, cert *app.Certificate) {
	laptop.open("/")
	token := eval[string](laptop, `document.querySelector("#count-form input[name=csrf_token]").value`)
	altered := []byte(token)
	altered[10] ^= 1 // another letter of the base64url alphabet
	laptop.do("altering the form's token",
		chromedp.SetAttributeValue(chromedp.CSS("#count-form input[name=csrf_token]"), "value", string(altered)))
	if status := laptop.press("#count"); status != http.StatusForbidden || !laptop.has(`#problem[data-status="403"]`) {
		t.Fatalf("posting an altered token: status %d, want the 403 page", status)
	}

	laptop.open("/")
	laptop.do("removing the form's token",
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#count-form input[name=csrf_token]").remove()`))
	if status := laptop.press("#count"); status != http.StatusForbidden {
		t.Fatalf("posting without a token: status %d, want 403", status)
	}

	attacker := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = attackPage.Execute(w, map[string]string{"Action": laptop.base + "/count", "Token": token})
	}), cert)
	laptop.do("visiting the attacker", chromedp.Navigate(attacker))
	if status := laptop.press("#attack"); status != http.StatusForbidden {
		t.Fatalf("posting from another origin with a valid token: status %d, want 403", status)
	}

	laptop.open("/")
	if got := laptop.text("#counter"); got != "2" {
		t.Fatalf("counter after forged posts: %q, want 2", got)
	}
	laptop.pressOK("#count")
	if got := laptop.text("#counter"); got != "3" {
		t.Fatalf("counter after a genuine post: %q, want 3", got)
	}
}

func devicesAndLogoutEverywhereElse(t *testing.T, browser *chromium, laptop, phone *tab) {
	phone.open("/devices")
	if n := phone.count("tr.device"); n != 2 || phone.count("tr.device.current") != 1 {
		t.Fatalf("devices page: %d rows, want 2 with one current", n)
	}
	phone.screenshot("devices-" + t.Name()[len("TestAppInBrowser/"):] + ".png")

	phone.pressOK("#logout-others")
	if got := phone.flashes(); !slices.Equal(got, []string{"Logged out 1 other session."}) || phone.count("tr.device") != 1 {
		t.Fatalf("after logging out everywhere else: flashes %q, %d rows", got, phone.count("tr.device"))
	}
	laptop.reload()
	if !laptop.has("#login-form") || laptop.has("#counter") {
		t.Fatal("the laptop is still logged in after its session was logged out from the phone")
	}

	laptop.login("ann")
	phone.open("/devices")
	phone.pressOK("button.logout-device")
	if got := phone.flashes(); !slices.Equal(got, []string{"Logged out that device."}) {
		t.Fatalf("after logging out the laptop: flashes %q", got)
	}
	laptop.reload()
	if !laptop.has("#login-form") {
		t.Fatal("the laptop is still logged in after the phone logged it out")
	}

	phone.pressOK("#logout")
	if got := phone.flashes(); !phone.has("#login-form") || !slices.Equal(got, []string{"You are logged out."}) {
		t.Fatalf("after logging out: flashes %q, want the login form and one flash", got)
	}
	if _, ok := phone.cookie("__Host-session"); !ok {
		t.Fatal("after logging out: want the new anonymous session's cookie (it carries the flash)")
	}
}
