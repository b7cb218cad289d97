package main

import (
	"crypto/subtle"
	"html/template"
	"log"
	"net/http"

	"github.com/typedsession/sessions"
)

// Visit is the session value: who is logged in and how often they
// counted.
type Visit struct {
	User  string `json:"user,omitempty"`
	Count int    `json:"count"`
}

// demoPassword is the one password the demo accepts, for any user name.
const demoPassword = "demo"

type app struct {
	m *sessions.Manager[Visit]
}

func newApp(m *sessions.Manager[Visit]) http.Handler {
	a := &app{m: m}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("POST /count", a.count)
	mux.HandleFunc("POST /logout", a.logout)
	return http.NewCrossOriginProtection().Handler(mux)
}

// load returns the request's session, or an unsaved one: nothing is
// stored for a visitor until they log in.
func (a *app) load(w http.ResponseWriter, r *http.Request) (sessions.Session[Visit], bool) {
	s, err := a.m.OfHeaderOrCreate(r.Context(), Visit{}, r.Header.Values("Cookie")...)
	if err != nil {
		http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
		return s, false
	}
	return s, true
}

// save writes the session's headers and redirects home.
func (a *app) save(w http.ResponseWriter, r *http.Request, s sessions.Session[Visit]) {
	sessions.WriteHeaders(w.Header(), a.m.ToCookieHeaders(s))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *app) fail(w http.ResponseWriter, err error) {
	log.Printf("webapp: %v", err)
	http.Error(w, "could not save the session", http.StatusInternalServerError)
}

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	s, ok := a.load(w, r)
	if !ok {
		return
	}
	sessions.WriteHeaders(w.Header(), a.m.ToCookieHeaders(s))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := page.Execute(w, s.Value()); err != nil {
		log.Printf("webapp: rendering: %v", err)
	}
}

func (a *app) login(w http.ResponseWriter, r *http.Request) {
	user, password := r.PostFormValue("user"), r.PostFormValue("password")
	if user == "" || len(user) > 64 || subtle.ConstantTimeCompare([]byte(password), []byte(demoPassword)) != 1 {
		http.Error(w, "wrong user name or password", http.StatusUnauthorized)
		return
	}
	s, ok := a.load(w, r)
	if !ok {
		return
	}
	// A new token at every change of privilege: a token planted before
	// login is useless after it.
	s, err := a.m.Renew(r.Context(), s, sessions.WithOwner(user))
	if err == nil {
		s, err = a.m.Set(r.Context(), s, Visit{User: user})
	}
	if err != nil {
		a.fail(w, err)
		return
	}
	a.save(w, r, s)
}

func (a *app) count(w http.ResponseWriter, r *http.Request) {
	s, ok := a.load(w, r)
	if !ok {
		return
	}
	if s.Value().User == "" {
		http.Error(w, "log in first", http.StatusForbidden)
		return
	}
	s, err := a.m.Update(r.Context(), s, func(v Visit) (Visit, error) {
		v.Count++
		return v, nil
	})
	if err != nil {
		a.fail(w, err)
		return
	}
	a.save(w, r, s)
}

func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	s, ok := a.load(w, r)
	if !ok {
		return
	}
	s, err := a.m.Clear(r.Context(), s)
	if err != nil {
		a.fail(w, err)
		return
	}
	a.save(w, r, s)
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sessions demo</title>
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}
form{margin:1rem 0}input,button{font:inherit;padding:.3rem .6rem}</style></head>
<body><h1>sessions demo</h1>
{{if .User}}
<p id="greeting">Logged in as <strong>{{.User}}</strong>.</p>
<p>Counter: <strong id="counter">{{.Count}}</strong></p>
<form method="post" action="/count"><button id="count">Count</button></form>
<form method="post" action="/logout"><button id="logout">Log out</button></form>
{{else}}
<p>Log in with any user name and the password <code>demo</code>.</p>
<form method="post" action="/login">
<input name="user" placeholder="user name" required maxlength="64">
<input name="password" type="password" placeholder="password" required>
<button id="login">Log in</button></form>
{{end}}
</body></html>
`))
