package httpsession_test

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/httpsession"
)

// csrfApp serves GET / with a token in the body and POST / behind the
// token check.
func (f *fixture) csrfApp() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		token, err := f.mw.Session(r).CSRFToken()
		if err != nil && !errors.Is(err, httpsession.ErrNoSession) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write([]byte(token)) // "" for ErrNoSession: forms go without a token
	})
	mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("done")) })
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		must(f.t, f.mw.Session(r).Renew(sessions.WithOwner("ann")))
		w.Write([]byte("welcome"))
	})
	return f.mw.Wrap(f.mw.CSRF(mux))
}

// token fetches a page's token and the session cookie it belongs to.
func (f *fixture) token(cookie string) (token, sessionCookie string) {
	f.t.Helper()
	resp := serve(f.csrfApp(), request("GET", cookie))
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("GET status %d", resp.StatusCode)
	}
	if c, ok := f.sessionCookie(resp); ok {
		cookie = c
	}
	return body(f.t, resp), cookie
}

func post(cookie, headerToken, formToken string) *http.Request {
	return postTo("/", cookie, headerToken, formToken)
}

func postTo(path, cookie, headerToken, formToken string) *http.Request {
	form := url.Values{httpsession.CSRFField: {formToken}}.Encode()
	r := httptest.NewRequest("POST", "https://example.com"+path, strings.NewReader(form))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != "" {
		r.Header.Set("Cookie", cookie)
	}
	if headerToken != "" {
		r.Header.Set(httpsession.CSRFHeader, headerToken)
	}
	return r
}

func TestCSRFTokenFromTheSessionIsAccepted(t *testing.T) {
	f := newFixture(t)
	token, cookie := f.token(f.seed(visit{}))
	for _, r := range []*http.Request{post(cookie, token, ""), post(cookie, "", token)} {
		if resp := serve(f.csrfApp(), r); resp.StatusCode != http.StatusOK {
			t.Errorf("status %d for a valid token (header %q)", resp.StatusCode, r.Header.Get(httpsession.CSRFHeader))
		}
	}
}

func TestCSRFTokensDifferButAllMatch(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{})
	t1, _ := f.token(cookie)
	t2, _ := f.token(cookie)
	if t1 == t2 {
		t.Error("two tokens are equal: not masked")
	}
	for _, tok := range []string{t1, t2} {
		if resp := serve(f.csrfApp(), post(cookie, tok, "")); resp.StatusCode != http.StatusOK {
			t.Errorf("status %d", resp.StatusCode)
		}
	}
}

func TestCSRFRejectsBadTokens(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{})
	good, _ := f.token(cookie)
	otherToken, _ := f.token(f.seed(visit{}))
	forged := base64.RawURLEncoding.EncodeToString(make([]byte, 64))
	// Flip the last character's low bits: same bytes, another spelling.
	respelled := good[:len(good)-1] + string(good[len(good)-1]+1)
	tests := []struct {
		name, cookie, token string
	}{
		{"missing", cookie, ""},
		{"from another session", cookie, otherToken},
		{"forged", cookie, forged},
		{"truncated", cookie, good[:len(good)-1]},
		{"respelled", cookie, respelled},
		{"not base64", cookie, strings.Repeat("*", len(good))},
		{"no session", "", good},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got error
			f.mw = httpsession.New(f.m, httpsession.WithCSRFFailureHandler(func(w http.ResponseWriter, r *http.Request, err error) {
				got = err
				w.WriteHeader(http.StatusForbidden)
			}))
			resp := serve(f.csrfApp(), post(tt.cookie, tt.token, ""))
			if resp.StatusCode != http.StatusForbidden || !errors.Is(got, httpsession.ErrCSRF) {
				t.Errorf("status %d, error %v; want 403 and ErrCSRF", resp.StatusCode, got)
			}
		})
	}
}

func TestCSRFDefaultFailureIs403(t *testing.T) {
	f := newFixture(t)
	resp := serve(f.csrfApp(), post(f.seed(visit{}), "", ""))
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("status %d, want 403", resp.StatusCode)
	}
}

func TestCSRFLetsSafeMethodsPass(t *testing.T) {
	f := newFixture(t)
	reached := 0
	h := f.mw.Wrap(f.mw.CSRF(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached++ })))
	for _, m := range []string{"GET", "HEAD", "OPTIONS", "TRACE"} {
		serve(h, request(m, ""))
	}
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE", "PROPFIND"} {
		if resp := serve(h, request(m, f.seed(visit{}))); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s without a token: status %d, want 403", m, resp.StatusCode)
		}
	}
	if reached != 4 {
		t.Errorf("handler reached %d times, want the 4 safe requests", reached)
	}
}

func TestCSRFTokenForAVisitorWithoutSessionStoresOne(t *testing.T) {
	f := newFixture(t)
	token, cookie := f.token("")
	if cookie == "" {
		t.Fatal("no session cookie came with the token")
	}
	if _, ok := f.stored(cookie); !ok {
		t.Fatal("the session is not stored")
	}
	if resp := serve(f.csrfApp(), post(cookie, token, "")); resp.StatusCode != http.StatusOK {
		t.Errorf("login-form post: status %d, want 200", resp.StatusCode)
	}
}

func TestCSRFTokenOfAVisitorKeepsTheirPendingValue(t *testing.T) {
	f := newFixture(t)
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		must(t, s.Set(visit{Count: 5}))
		_, err := s.CSRFToken()
		must(t, err)
		must(t, s.Update(increment))
	}, "GET", "")
	cookie, _ := f.sessionCookie(resp)
	if v, _ := f.stored(cookie); v.Count != 6 {
		t.Errorf("store holds Count %d, want 6", v.Count)
	}
}

func TestCSRFTokenWhileRenewIsPending(t *testing.T) {
	f := newFixture(t)
	f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		must(t, s.Renew())
		if _, err := s.CSRFToken(); !errors.Is(err, httpsession.ErrRenewPending) {
			t.Errorf("CSRFToken = %v, want ErrRenewPending", err)
		}
		w.WriteHeader(http.StatusOK)
		// After the commit the renewed session's secret is known.
		_, err := s.CSRFToken()
		must(t, err)
	}, "POST", f.seed(visit{}))
}

func TestCSRFTokensDieWithRenew(t *testing.T) {
	f := newFixture(t)
	token, cookie := f.token(f.seed(visit{}))
	resp := f.do(func(w http.ResponseWriter, r *http.Request) { must(t, f.mw.Session(r).Renew()) }, "POST", cookie)
	renewed, _ := f.sessionCookie(resp)
	if resp := serve(f.csrfApp(), post(renewed, token, "")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a token from before Renew: status %d, want 403", resp.StatusCode)
	}
}

func TestCSRFOutsideWrapFailsClosed(t *testing.T) {
	f := newFixture(t)
	reached := false
	h := f.mw.CSRF(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = true }))
	resp := serve(h, request("POST", f.seed(visit{})))
	if reached || resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("reached %v, status %d; want the error handler's 500", reached, resp.StatusCode)
	}
}

func TestCrossOriginProtectionRejectsBeforeTheSessionLoads(t *testing.T) {
	f := newFixture(t)
	cookie := f.seed(visit{})
	h := http.NewCrossOriginProtection().Handler(f.csrfApp())
	f.store.loads.Store(0)
	r := post(cookie, "", "")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp := serve(h, r); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site post: status %d, want 403", resp.StatusCode)
	}
	if n := f.store.loads.Load(); n != 0 {
		t.Errorf("%d store loads for a cross-site request, want 0", n)
	}
}

func TestCSRFStoredSessionKeepsItsCookieOnAFailedResponse(t *testing.T) {
	f := newFixture(t)
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		_, err := f.mw.Session(r).CSRFToken()
		must(t, err)
		w.WriteHeader(http.StatusInternalServerError)
	}, "GET", "")
	cookie, ok := f.sessionCookie(resp)
	if !ok || cookie == "" {
		t.Fatal("no cookie for the session the token belongs to")
	}
	if _, ok := f.stored(cookie); !ok {
		t.Error("the cookie names no session")
	}
}

// A visitor without a session, under WithSessionlessCSRF or with a dead
// cookie.

// deadCookies returns Cookie headers whose session cookie names no live
// session, by how it died.
func (f *fixture) deadCookies() map[string]string {
	f.t.Helper()
	renewed := f.seed(visit{})
	if _, err := f.m.Renew(context.Background(), f.load(renewed)); err != nil {
		f.t.Fatal(err)
	}
	expired := f.seed(visit{})
	f.clock.Advance(sessions.DefaultIdleTimeout + time.Second)
	return map[string]string{
		"renewed by another request": renewed,
		"expired":                    expired,
		"malformed":                  "__Host-session=nonsense",
		"among other cookies":        "a=1; " + renewed + "; b=2",
	}
}

// load returns the live session a Cookie header names.
func (f *fixture) load(cookie string) sessions.Session[visit] {
	f.t.Helper()
	s, err := f.m.OfHeader(context.Background(), cookie)
	if err != nil {
		f.t.Fatal(err)
	}
	got, ok := s.Get()
	if !ok {
		f.t.Fatalf("no live session for %q", cookie)
	}
	return got
}

func TestCSRFTokenStoresNoSessionForADeadCookie(t *testing.T) {
	f := newFixture(t)
	for name, cookie := range f.deadCookies() {
		t.Run(name, func(t *testing.T) {
			f.store.writes.Store(0)
			resp := f.do(func(w http.ResponseWriter, r *http.Request) {
				if token, err := f.mw.Session(r).CSRFToken(); !errors.Is(err, httpsession.ErrNoSession) || token != "" {
					t.Errorf("CSRFToken = %q, %v; want ErrNoSession", token, err)
				}
			}, "GET", cookie)
			if _, ok := f.sessionCookie(resp); ok {
				t.Error("Set-Cookie for a dead cookie: it would replace the cookie a concurrent Renew set")
			}
			if n := f.store.writes.Load(); n != 0 {
				t.Errorf("%d store writes, want none", n)
			}
		})
	}
}

func TestCSRFTokenForADeadCookieStoresTheSessionTheHandlerWrites(t *testing.T) {
	f := newFixture(t)
	for name, cookie := range f.deadCookies() {
		t.Run(name, func(t *testing.T) {
			var token string
			resp := f.do(func(w http.ResponseWriter, r *http.Request) {
				s := f.mw.Session(r)
				must(t, s.Update(increment))
				var err error
				token, err = s.CSRFToken()
				must(t, err)
			}, "GET", cookie)
			fresh, _ := f.sessionCookie(resp)
			if fresh == "" {
				t.Fatal("no cookie for the session the handler wrote")
			}
			if resp := serve(f.csrfApp(), post(fresh, token, "")); resp.StatusCode != http.StatusOK {
				t.Errorf("posting the token: status %d, want 200", resp.StatusCode)
			}
		})
	}
}

func TestCSRFLetsAPostWithoutTokenThroughOnlyFromAVisitorWithoutSession(t *testing.T) {
	f := newFixture(t)
	dead := f.deadCookies()
	oldToken, oldCookie := f.token(f.seed(visit{}))
	if _, err := f.m.Renew(context.Background(), f.load(oldCookie)); err != nil {
		t.Fatal(err)
	}
	live := f.seed(visit{})
	liveToken, _ := f.token(live)
	for _, tt := range []struct {
		name, cookie, token string
		sessionless         bool // the middleware is built WithSessionlessCSRF
		want                int
	}{
		{"no cookie", "", "", false, http.StatusForbidden},
		{"no cookie, sessionless", "", "", true, http.StatusOK},
		{"no cookie, sessionless, forged token", "", liveToken, true, http.StatusForbidden},
		{"live session", live, "", false, http.StatusForbidden},
		{"live session, sessionless", live, "", true, http.StatusForbidden},
		{"live session, valid token, sessionless", live, liveToken, true, http.StatusOK},
		{"renewed cookie", dead["renewed by another request"], "", false, http.StatusOK},
		{"expired cookie", dead["expired"], "", false, http.StatusOK},
		{"malformed cookie", dead["malformed"], "", false, http.StatusOK},
		{"dead cookie among others", dead["among other cookies"], "", false, http.StatusOK},
		{"dead cookie with its old token", oldCookie, oldToken, false, http.StatusForbidden},
		{"dead cookie with its old token, sessionless", oldCookie, oldToken, true, http.StatusForbidden},
		{"another cookie's name", "other=" + strings.Repeat("A", sessions.TokenLen), "", false, http.StatusForbidden},
		{"the name in other case", "__host-session=" + strings.Repeat("A", sessions.TokenLen), "", false, http.StatusForbidden},
		{"an empty session cookie", "__Host-session=", "", false, http.StatusForbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f.mw = httpsession.New(f.m)
			if tt.sessionless {
				f.mw = httpsession.New(f.m, httpsession.WithSessionlessCSRF())
			}
			if resp := serve(f.csrfApp(), post(tt.cookie, tt.token, "")); resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestSessionlessCSRFPageViewsStoreNothing(t *testing.T) {
	f := newFixture(t, httpsession.WithSessionlessCSRF())
	for range 50 {
		resp := serve(f.csrfApp(), request("GET", ""))
		if resp.StatusCode != http.StatusOK || body(t, resp) != "" {
			t.Fatalf("GET: status %d, want 200 and no token", resp.StatusCode)
		}
		if _, ok := f.sessionCookie(resp); ok {
			t.Fatal("a page view of a visitor without a session sent Set-Cookie")
		}
	}
	if n := f.store.Len(); n != 0 {
		t.Fatalf("the store holds %d sessions after page views alone, want 0", n)
	}

	// The login form, posted without a token, still logs the visitor in.
	resp := serve(f.csrfApp(), postTo("/login", "", "", ""))
	cookie, _ := f.sessionCookie(resp)
	if resp.StatusCode != http.StatusOK || cookie == "" {
		t.Fatalf("login: status %d, cookie %q; want 200 and a session", resp.StatusCode, cookie)
	}
	if _, ok := f.stored(cookie); !ok {
		t.Fatal("the login's cookie names no session")
	}
	// From then on, requests need the session's token.
	if resp := serve(f.csrfApp(), post(cookie, "", "")); resp.StatusCode != http.StatusForbidden {
		t.Errorf("post without a token after login: status %d, want 403", resp.StatusCode)
	}
	token, _ := f.token(cookie)
	if resp := serve(f.csrfApp(), post(cookie, token, "")); resp.StatusCode != http.StatusOK {
		t.Errorf("post with the session's token: status %d, want 200", resp.StatusCode)
	}
}

func TestSessionlessCSRFTokenStoresTheSessionTheHandlerWrites(t *testing.T) {
	f := newFixture(t, httpsession.WithSessionlessCSRF())
	var token string
	resp := f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		must(t, s.Update(increment))
		var err error
		token, err = s.CSRFToken()
		must(t, err)
	}, "GET", "")
	cookie, _ := f.sessionCookie(resp)
	if v, _ := f.stored(cookie); v.Count != 1 {
		t.Fatalf("store holds %+v, want the handler's write", v)
	}
	if resp := serve(f.csrfApp(), post(cookie, token, "")); resp.StatusCode != http.StatusOK {
		t.Errorf("posting the token: status %d, want 200", resp.StatusCode)
	}
}

func TestCSRFTokenAfterACommittedClearNeedsTheHeaders(t *testing.T) {
	f := newFixture(t)
	f.do(func(w http.ResponseWriter, r *http.Request) {
		s := f.mw.Session(r)
		must(t, s.Clear())
		w.WriteHeader(http.StatusOK)
		// The browser loses its cookie with this response: forms without
		// a token would be refused, so there is no ErrNoSession to act on.
		if _, err := s.CSRFToken(); !errors.Is(err, httpsession.ErrHeadersWritten) {
			t.Errorf("CSRFToken = %v, want ErrHeadersWritten", err)
		}
	}, "POST", f.seed(visit{}))
}

// The exemption for visitors without a session rests on cross-origin
// protection, so the middleware applies it itself: a cross-site browser
// post is refused even when the application did not install
// http.CrossOriginProtection in front.
func TestCSRFRefusesACrossSitePostFromAVisitorWithoutSession(t *testing.T) {
	f := newFixture(t)
	dead := f.deadCookies()
	for _, tt := range []struct {
		name, cookie string
		sessionless  bool
	}{
		{"no cookie, sessionless", "", true},
		{"dead cookie", dead["expired"], false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f.mw = httpsession.New(f.m)
			if tt.sessionless {
				f.mw = httpsession.New(f.m, httpsession.WithSessionlessCSRF())
			}
			crossSite := post(tt.cookie, "", "")
			crossSite.Header.Set("Sec-Fetch-Site", "cross-site")
			if resp := serve(f.csrfApp(), crossSite); resp.StatusCode != http.StatusForbidden {
				t.Errorf("cross-site post: status %d, want 403", resp.StatusCode)
			}
			sameOrigin := post(tt.cookie, "", "")
			sameOrigin.Header.Set("Sec-Fetch-Site", "same-origin")
			if resp := serve(f.csrfApp(), sameOrigin); resp.StatusCode != http.StatusOK {
				t.Errorf("same-origin post: status %d, want 200", resp.StatusCode)
			}
		})
	}
}
