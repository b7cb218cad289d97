package proptest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/typedsession/sessions"
)

// emitted sorts the headers a Manager emitted by name.
type emitted struct {
	setCookie, cacheControl, vary []string
}

func sortHeaders(hs []sessions.Header) (emitted, error) {
	var e emitted
	for _, h := range hs {
		switch textproto.CanonicalMIMEHeaderKey(h.Name) {
		case "Set-Cookie":
			e.setCookie = append(e.setCookie, h.Value)
		case "Cache-Control":
			e.cacheControl = append(e.cacheControl, h.Value)
		case "Vary":
			e.vary = append(e.vary, h.Value)
		default:
			return e, fmt.Errorf("unexpected header %q", h.Name)
		}
	}
	if len(e.vary) != 1 || e.vary[0] != "Cookie" {
		return e, fmt.Errorf("Vary headers %q, want exactly one \"Cookie\"", e.vary)
	}
	return e, nil
}

// checkHeaders returns an error unless the headers m emits for s at now
// follow the rules: Set-Cookie, with Cache-Control: no-store, exactly when
// s is Modified; Vary: Cookie always; and a Set-Cookie that parses with
// net/http and carries m's cookie attributes.
func checkHeaders(m *sessions.Manager[Value], s sessions.Session[Value], now time.Time) error {
	e, err := sortHeaders(m.ToCookieHeaders(s))
	if err != nil {
		return err
	}
	if !s.Modified() {
		if len(e.setCookie)+len(e.cacheControl) > 0 {
			return fmt.Errorf("%d Set-Cookie and %d Cache-Control headers for an unmodified session, want none", len(e.setCookie), len(e.cacheControl))
		}
		return nil
	}
	if len(e.setCookie) != 1 {
		return fmt.Errorf("%d Set-Cookie headers for a modified session, want 1", len(e.setCookie))
	}
	if len(e.cacheControl) != 1 || e.cacheControl[0] != "no-store" {
		return fmt.Errorf("Cache-Control headers %q with a Set-Cookie, want exactly one \"no-store\"", e.cacheControl)
	}
	want := cookieWant{deletion: s.Cleared(), token: s.Token(), persistent: s.Persistent(), expiresAt: s.ExpiresAt()}
	return checkSetCookie(m.Cookie(), e.setCookie[0], want, now)
}

// checkClearHeaders returns an error unless m.ClearHeaders expires the
// session cookie, with Cache-Control: no-store and Vary: Cookie.
func checkClearHeaders(m *sessions.Manager[Value], now time.Time) error {
	e, err := sortHeaders(m.ClearHeaders())
	switch {
	case err != nil:
		return fmt.Errorf("ClearHeaders: %w", err)
	case len(e.setCookie) != 1:
		return fmt.Errorf("ClearHeaders: %d Set-Cookie headers, want 1", len(e.setCookie))
	case len(e.cacheControl) != 1 || e.cacheControl[0] != "no-store":
		return fmt.Errorf("ClearHeaders: Cache-Control headers %q, want exactly one \"no-store\"", e.cacheControl)
	}
	return checkSetCookie(m.Cookie(), e.setCookie[0], cookieWant{deletion: true}, now)
}

// cookieWant is what a Set-Cookie header must say beyond the configured
// attributes.
type cookieWant struct {
	deletion   bool
	token      string
	persistent bool
	expiresAt  time.Time
}

// checkSetCookie returns an error unless line parses with net/http and
// sets (or, for a deletion, expires) the cookie cfg describes. Messages
// show the header with its value redacted: it is a session token.
func checkSetCookie(cfg sessions.Cookie, line string, want cookieWant, now time.Time) error {
	c, err := http.ParseSetCookie(line)
	if err != nil {
		return fmt.Errorf("Set-Cookie %q does not parse with net/http: %v", redact(line, want.token), err)
	}
	if err := checkAttributes(cfg, c); err != nil {
		return fmt.Errorf("Set-Cookie %q: %w", redact(line, c.Value), err)
	}
	if err := checkLifetime(c, want, now); err != nil {
		return fmt.Errorf("Set-Cookie %q: %w", redact(line, c.Value), err)
	}
	return nil
}

// checkAttributes checks the attributes every session cookie carries.
func checkAttributes(cfg sessions.Cookie, c *http.Cookie) error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if c.Name != cfg.Name {
		add("name %q, want %q", c.Name, cfg.Name)
	}
	if c.Quoted {
		add("quoted value")
	}
	if c.Path != cfg.Path {
		add("Path %q, want %q", c.Path, cfg.Path)
	}
	if c.Domain != cfg.Domain {
		add("Domain %q, want %q", c.Domain, cfg.Domain)
	}
	if !c.HttpOnly {
		add("no HttpOnly")
	}
	if c.Secure == cfg.Insecure {
		add("Secure %t with Cookie.Insecure %t", c.Secure, cfg.Insecure)
	}
	if c.SameSite == 0 || c.SameSite != cfg.SameSite {
		add("SameSite %v, want %v, always present", c.SameSite, cfg.SameSite)
	}
	if c.Partitioned != cfg.Partitioned {
		add("Partitioned %t, want %t", c.Partitioned, cfg.Partitioned)
	}
	if len(c.Unparsed) > 0 {
		add("attributes net/http does not know: %q", c.Unparsed)
	}
	if problems != nil {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// checkLifetime checks the value and lifetime of a cookie: a deletion has
// an empty value, Max-Age=0 (MaxAge < 0 in net/http terms) and an Expires
// in the past; a session's cookie carries its token and, if persistent, a
// positive Max-Age and an Expires agreeing with it and with the session's
// deadline to the second, or neither if not.
func checkLifetime(c *http.Cookie, want cookieWant, now time.Time) error {
	if want.deletion {
		if c.Value != "" || c.MaxAge >= 0 || c.Expires.IsZero() || !c.Expires.Before(now) {
			return fmt.Errorf("a deletion needs an empty value, Max-Age=0 and an Expires in the past; got a %d-byte value, MaxAge %d, Expires %v",
				len(c.Value), c.MaxAge, c.Expires)
		}
		return nil
	}
	if want.token == "" || c.Value != want.token {
		return errors.New("the value is not the session's token")
	}
	if !want.persistent {
		if c.MaxAge != 0 || !c.Expires.IsZero() {
			return fmt.Errorf("a browser-session cookie with MaxAge %d and Expires %v", c.MaxAge, c.Expires)
		}
		return nil
	}
	byMaxAge := now.Add(time.Duration(c.MaxAge) * time.Second)
	switch {
	case c.MaxAge <= 0 || c.Expires.IsZero():
		return fmt.Errorf("a persistent cookie with MaxAge %d and Expires %v", c.MaxAge, c.Expires)
	case absDiff(c.Expires, byMaxAge) > time.Second:
		return fmt.Errorf("Expires %v disagrees with Max-Age %d at now %v", c.Expires, c.MaxAge, now)
	case absDiff(c.Expires, want.expiresAt) > time.Second:
		return fmt.Errorf("Expires %v, but the session expires at %v", c.Expires, want.expiresAt)
	}
	return nil
}

func absDiff(a, b time.Time) time.Duration {
	if d := a.Sub(b); d >= 0 {
		return d
	}
	return b.Sub(a)
}

// redact replaces the token in a Set-Cookie line, so that failure
// messages never show one.
func redact(line, token string) string {
	if token == "" {
		return line
	}
	return strings.ReplaceAll(line, token, "<token>")
}

// jarRoundTrip serves a counter kept in the session over TLS and has a
// client with a cookie jar ask three times: the counter reaches 3 only if
// the jar stored each Set-Cookie and sent the cookie back. Go's jar
// enforces neither the Secure flag on loopback nor the __Host- prefix
// rules, so this checks that the headers are syntax a real client stores
// and returns; what browsers do with them is for a browser test.
func jarRoundTrip(f *managerFixture) {
	cfg := f.m.Cookie()
	if cfg.Domain != "" {
		f.t.Skip("the cookie has a Domain, which a test server on a loopback address cannot match")
	}
	// The jar judges Expires by the real clock, so the kit's clock starts
	// at it here, or persistent cookies would look expired or eternal.
	f.clock.Set(time.Now().UTC().Truncate(time.Millisecond))
	var mu sync.Mutex
	var problems []string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := f.m.OfHeaderOrCreate(r.Context(), Value{}, r.Header.Values("Cookie")...)
		if err == nil {
			s, err = f.m.Update(r.Context(), s, func(v Value) (Value, error) { v.Counter++; return v, nil })
		}
		if err == nil {
			err = checkHeaders(f.m, s, f.clock.Now())
		}
		if err != nil {
			mu.Lock()
			problems = append(problems, err.Error())
			mu.Unlock()
			http.Error(w, "session failure", http.StatusInternalServerError)
			return
		}
		sessions.WriteHeaders(w.Header(), f.m.ToCookieHeaders(s))
		io.WriteString(w, strconv.Itoa(s.Value().Counter))
	}))
	defer srv.Close()
	jar, err := cookiejar.New(nil)
	if err != nil {
		f.t.Fatal(err)
	}
	client := &http.Client{Jar: jar, Transport: srv.Client().Transport}
	for want := 1; want <= 3; want++ {
		got, err := getBody(client, srv.URL+cfg.Path)
		mu.Lock()
		seen := strings.Join(problems, "; ")
		mu.Unlock()
		if seen != "" {
			f.t.Fatalf("request %d: %s", want, seen)
		}
		if err != nil {
			f.t.Fatalf("request %d: %v", want, err)
		}
		if got != strconv.Itoa(want) {
			f.t.Fatalf("request %d: counter %q, want %d: the jar did not send the session cookie back", want, got, want)
		}
	}
}

// getBody returns the body of a successful GET of url.
func getBody(client *http.Client, url string) (string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %s", resp.Status)
	}
	return string(body), nil
}
