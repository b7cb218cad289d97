package httpsession_test

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
	"github.com/typedsession/sessions/httpsession"
)

// Visit is the session value of the examples.
type Visit struct {
	User  string                    `json:"user,omitempty"`
	Count int                       `json:"count"`
	Flash httpsession.Flash[string] `json:"flash,omitempty"`
}

func Example() {
	store, _ := memory.New[Visit]()
	defer store.Close()
	m, _ := sessions.New[Visit](store)
	mw := httpsession.New(m)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		s := mw.Session(r)
		if err := s.Update(func(v Visit) (Visit, error) { v.Count++; return v, nil }); err != nil {
			http.Error(w, "session unavailable", http.StatusServiceUnavailable)
			return
		}
		v, _ := s.Get() // the pending value, Count already incremented
		// The first write commits the session: Set-Cookie goes out with it.
		fmt.Fprintf(w, "visit %d", v.Count)
	})
	handler := http.NewCrossOriginProtection().Handler(mw.Wrap(mw.CSRF(mux)))

	// Two requests from one browser.
	cookie := ""
	for range 2 {
		r := httptest.NewRequest("GET", "https://example.com/", nil)
		r.Header.Set("Cookie", cookie)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		if c := w.Result().Cookies(); len(c) == 1 {
			cookie = c[0].Name + "=" + c[0].Value
		}
		fmt.Println(w.Body.String())
	}
	// Output:
	// visit 1
	// visit 2
}

func ExampleHandle_CSRFToken() {
	store, _ := memory.New[Visit]()
	defer store.Close()
	m, _ := sessions.New[Visit](store)
	mw := httpsession.New(m)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		// A visitor without a session gets one here, so the login form
		// is protected too.
		token, err := mw.Session(r).CSRFToken()
		if err != nil {
			http.Error(w, "session unavailable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, `<input type="hidden" name="%s" value="%s">`, httpsession.CSRFField, token)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := mw.Session(r)
		_ = s.Renew(sessions.WithOwner("ann")) // a new token at login
		_ = s.Set(Visit{User: "ann"})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	handler := mw.Wrap(mw.CSRF(mux))

	w := httptest.NewRecorder()
	handler.ServeHTTP(w, httptest.NewRequest("GET", "https://example.com/login", nil))
	cookie := w.Result().Cookies()[0]
	token := strings.Split(w.Body.String(), `value="`)[1][:86]

	for _, tok := range []string{"forged", token} {
		r := httptest.NewRequest("POST", "https://example.com/login", nil)
		r.AddCookie(cookie)
		r.Header.Set(httpsession.CSRFHeader, tok)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		fmt.Println(w.Code)
	}
	// Output:
	// 403
	// 303
}

// With WithSessionlessCSRF a login page costs no store write: its form
// goes without a token, and Go's cross-origin protection, in front, is
// what refuses forged logins. Once the visitor has a session, every post
// needs its token.
func ExampleWithSessionlessCSRF() {
	store, _ := memory.New[Visit]()
	defer store.Close()
	m, _ := sessions.New[Visit](store)
	mw := httpsession.New(m, httpsession.WithSessionlessCSRF())

	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		token, err := mw.Session(r).CSRFToken()
		if err != nil && !errors.Is(err, httpsession.ErrNoSession) {
			http.Error(w, "session unavailable", http.StatusServiceUnavailable)
			return
		}
		// token is "" for a visitor without a session.
		fmt.Fprintf(w, `<input type="hidden" name="%s" value="%s">`, httpsession.CSRFField, token)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := mw.Session(r)
		_ = s.Renew(sessions.WithOwner("ann"))
		_ = s.Set(Visit{User: "ann"})
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	handler := http.NewCrossOriginProtection().Handler(mw.Wrap(mw.CSRF(mux)))
	send := func(method, path string, header http.Header) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "https://example.com"+path, nil)
		maps.Copy(r.Header, header)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		return w
	}

	for range 3 {
		send("GET", "/login", nil)
	}
	fmt.Println("sessions after three page views:", store.Len())

	w := send("POST", "/login", http.Header{"Sec-Fetch-Site": {"cross-site"}})
	fmt.Println("login from another site:", w.Code)

	w = send("POST", "/login", http.Header{"Sec-Fetch-Site": {"same-origin"}})
	cookie := w.Result().Cookies()[0]
	fmt.Println("login:", w.Code, "sessions:", store.Len())

	w = send("POST", "/login", http.Header{"Cookie": {cookie.Name + "=" + cookie.Value}})
	fmt.Println("post without a token once there is a session:", w.Code)
	// Output:
	// sessions after three page views: 0
	// login from another site: 403
	// login: 303 sessions: 1
	// post without a token once there is a session: 403
}

func ExampleFlash() {
	store, _ := memory.New[Visit]()
	defer store.Close()
	m, _ := sessions.New[Visit](store)
	mw := httpsession.New(m)

	// flash picks the Flash field out of the session value.
	flash := func(v *Visit) *httpsession.Flash[string] { return &v.Flash }

	mux := http.NewServeMux()
	mux.HandleFunc("POST /save", func(w http.ResponseWriter, r *http.Request) {
		_ = httpsession.PutFlash(mw.Session(r), flash, "Saved.")
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		msgs, _ := httpsession.PopFlash(mw.Session(r), flash) // writes only if there were any
		fmt.Fprintf(w, "messages: %q", msgs)
	})
	handler := mw.Wrap(mux)

	w := httptest.NewRecorder()
	handler.ServeHTTP(w, httptest.NewRequest("POST", "https://example.com/save", nil))
	cookie := w.Result().Cookies()[0]
	for range 2 {
		r := httptest.NewRequest("GET", "https://example.com/", nil)
		r.AddCookie(cookie)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		fmt.Println(w.Body.String())
	}
	// Output:
	// messages: ["Saved."]
	// messages: []
}
