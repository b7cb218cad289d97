package httpsession_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/typedsession/sessions/httpsession"
)

// csrfApp serves GET / with a token in the body and POST / behind the
// token check.
func (f *fixture) csrfApp() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		token, err := f.mw.Session(r).CSRFToken()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write([]byte(token))
	})
	mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("done")) })
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
	form := url.Values{httpsession.CSRFField: {formToken}}.Encode()
	r := httptest.NewRequest("POST", "https://example.com/", strings.NewReader(form))
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
