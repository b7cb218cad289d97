package app

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/typedsession/sessions"
)

// devices lists the sessions of the logged-in user, newest first. Others
// get the start page with its login form and a note that is not kept in
// the session, so that the GET stores nothing.
func (s *server) devices(w http.ResponseWriter, r *http.Request) {
	h := s.mw.Session(r)
	v, err := h.Get()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !v.loggedIn() {
		s.showHome(w, r, notice{Kind: "warn", Text: "Log in to see your devices."})
		return
	}
	page, _, err := s.pageFor(r, "Your devices")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	entries, err := h.Sessions()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cur, err := h.Current()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page.Main = devicesView{
		Rows:     s.timing.deviceRows(entries, cur.ID(), time.Now()),
		Idle:     words(s.timing.idle),
		Touch:    words(s.timing.touch),
		Lifetime: words(s.timing.lifetime),
	}
	s.render(w, r, s.pages.devices, http.StatusOK, page)
}

// logoutDevice ends one of the user's other sessions, named by the ID
// the devices page put in the form. The Manager deletes it only if the
// user owns it, so a forged ID ends nobody else's session.
func (s *server) logoutDevice(w http.ResponseWriter, r *http.Request) {
	h := s.mw.Session(r)
	cur, err := h.Current()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := sessions.ParseID(r.PostFormValue("id"))
	switch {
	case err != nil:
		s.notify(w, r, "warn", "That is not a session of yours.", "/devices")
		return
	case id == cur.ID():
		s.logout(w, r) // this device: also expire the cookie
		return
	}
	err = h.ClearOwned(id)
	switch {
	case errors.Is(err, sessions.ErrNotFound):
		s.notify(w, r, "warn", "That session had already ended.", "/devices")
	case errors.Is(err, sessions.ErrUnsupported): // stores that see tokens, such as redis-sessions
		s.notify(w, r, "warn", "This store cannot end one other session; log out everywhere else instead.", "/devices")
	case err != nil:
		s.fail(w, r, err)
	default:
		s.notify(w, r, "ok", "Logged out that device.", "/devices")
	}
}

// logoutOthers ends every session of the user but this one.
func (s *server) logoutOthers(w http.ResponseWriter, r *http.Request) {
	n, err := s.mw.Session(r).ClearOthers()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.notify(w, r, "ok", "Logged out "+countWord(n)+".", "/devices")
}

// countWord spells a number of other sessions.
func countWord(n int) string {
	if n == 1 {
		return "1 other session"
	}
	return strconv.Itoa(n) + " other sessions"
}
