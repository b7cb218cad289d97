package main

import (
	"fmt"
	"net/http"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/plugcookie"
	"github.com/typedsession/sessions/httpsession"
)

// Session is the Go view of the Phoenix session. phx.gen.auth stores the
// raw session token under "user_token"; simpler apps put the user's ID
// under "user_id". Phoenix shows and clears "phoenix_flash" on its next
// page. Every other key (the CSRF token, live_socket_id, ...) stays in
// Extra and is written back untouched.
type Session struct {
	UserID    int64             `plug:"user_id,omitempty"`
	UserToken []byte            `plug:"user_token,omitempty"`
	Flash     map[string]string `plug:"phoenix_flash,omitempty"`
	Extra     plugcookie.Extra
}

// config is what the app needs from the Phoenix endpoint.
type config struct {
	Cookie   string             // the endpoint's :key
	Options  plugcookie.Options // its secret_key_base and salts
	Insecure bool               // no Secure attribute (Phoenix over plain HTTP)
	// Lookup finds the user a phx.gen.auth session token belongs to.
	Lookup func(r *http.Request, token []byte) (userID int64, ok bool, err error)
}

// newApp returns the handler: GET /go/whoami.
func newApp(cfg config) (http.Handler, error) {
	store, err := plugcookie.New[Session](cfg.Cookie, cfg.Options)
	if err != nil {
		return nil, err
	}
	m, err := sessions.NewWithStore[Session](store,
		sessions.WithCookie(sessions.Cookie{Name: cfg.Cookie, Insecure: cfg.Insecure}))
	if err != nil {
		return nil, err
	}
	mw := httpsession.New(m)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /go/whoami", func(w http.ResponseWriter, r *http.Request) {
		whoami(w, r, mw.Session(r), cfg.Lookup)
	})
	return mw.Wrap(mux), nil
}

// whoami shows the logged-in user and leaves a flash for Phoenix.
func whoami(w http.ResponseWriter, r *http.Request, s *httpsession.Handle[Session], lookup func(*http.Request, []byte) (int64, bool, error)) {
	v, err := s.Get()
	if err != nil {
		http.Error(w, "session unavailable", http.StatusServiceUnavailable)
		return
	}
	userID, ok := v.UserID, v.UserID != 0
	if !ok && v.UserToken != nil {
		if userID, ok, err = lookup(r, v.UserToken); err != nil {
			http.Error(w, "user lookup failed", http.StatusServiceUnavailable)
			return
		}
	}
	if !ok {
		http.Error(w, "not logged in", http.StatusUnauthorized)
		return
	}
	err = s.Update(func(v Session) (Session, error) {
		if v.Flash == nil {
			v.Flash = map[string]string{}
		}
		v.Flash["info"] = "You visited the Go service."
		return v, nil
	})
	if err != nil {
		http.Error(w, "session unavailable", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintf(w, "logged in as user %d\n", userID)
}
