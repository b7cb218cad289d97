package app

import (
	"crypto/subtle"
	"net/http"

	"github.com/typedsession/sessions"
)

// demoPassword is the one password the demo accepts, for any user name.
const demoPassword = "demo"

// maxUserLen bounds a user name, which becomes the session's owner.
const maxUserLen = 32

// home shows the counter (once logged in), the shop and the cart.
func (s *server) home(w http.ResponseWriter, r *http.Request) { s.showHome(w, r) }

// showHome renders the start page with notes shown after the flash
// messages. Unlike flash messages the notes are not kept in the session,
// so a GET can show one to a visitor without a session and store nothing.
func (s *server) showHome(w http.ResponseWriter, r *http.Request, notes ...notice) {
	page, v, err := s.pageFor(r, "Home")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Flash = append(page.Flash, notes...)
	lines, total := cartLines(v.Cart)
	page.Main = homeView{Count: v.Count, Device: v.Device, Products: catalogue(), Cart: lines, Total: total}
	s.render(w, r, s.pages.home, http.StatusOK, page)
}

// login checks the demo password, then renews the session with the user
// as its owner: a token planted before login is useless after it, and
// the session shows up on the user's devices page. The cart and counter
// of an anonymous visitor survive; another user's do not.
func (s *server) login(w http.ResponseWriter, r *http.Request) {
	h := s.mw.Session(r)
	user, password := r.PostFormValue("user"), r.PostFormValue("password")
	if !validUser(user) || subtle.ConstantTimeCompare([]byte(password), []byte(demoPassword)) != 1 {
		s.notify(w, r, "warn", "Wrong user name or password.", "/")
		return
	}
	device := deviceLabel(r.UserAgent())
	err := h.Update(func(v visit) (visit, error) {
		if v.User != "" && v.User != user {
			v = visit{} // another user's counter and cart are not this one's
		}
		v.User, v.Device = user, device
		v.Flash = v.Flash.Put(notice{Kind: "ok", Text: "Welcome, " + user + ". This browser now holds a new session token."})
		return v, nil
	})
	if err == nil {
		err = h.Renew(sessions.WithOwner(user))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/")
}

// validUser accepts 1 to maxUserLen letters, digits, dots, dashes and
// underscores: names that need no escaping anywhere.
func validUser(u string) bool {
	if u == "" || len(u) > maxUserLen {
		return false
	}
	for _, c := range []byte(u) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// logout deletes the session and expires the cookie. The flash message
// buffered after the Clear starts a fresh, anonymous session.
func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	h := s.mw.Session(r)
	err := h.Clear()
	if err == nil {
		err = h.Update(withNotice("ok", "You are logged out."))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/")
}

// count adds one to the session's counter. The update function is pure,
// so the middleware can replay it if another request changed the session
// meanwhile.
func (s *server) count(w http.ResponseWriter, r *http.Request) {
	h := s.mw.Session(r)
	v, err := h.Get()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !v.loggedIn() {
		s.notify(w, r, "warn", "Log in to count.", "/")
		return
	}
	if err := h.Update(func(v visit) (visit, error) { v.Count++; return v, nil }); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/")
}

// notify leaves a flash message and redirects to path. It writes the
// session, storing one for a visitor without, so it answers posts only:
// a GET must not store a session for a visitor who has none.
func (s *server) notify(w http.ResponseWriter, r *http.Request, kind, text, path string) {
	if err := s.mw.Session(r).Update(withNotice(kind, text)); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, path)
}
