package app

import (
	"bytes"
	"errors"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/httpsession"
)

// server holds what the handlers share.
type server struct {
	mw     *httpsession.Middleware[visit]
	log    *slog.Logger
	pages  pages
	timing timing
	store  string          // the store's name, for the footer
	cookie sessions.Cookie // the cookie's effective configuration, for the footer
}

// pageFor starts the view of a page shown to the request's session: it
// takes the flash messages out of the session (they are shown once) and
// makes the CSRF token the page's forms carry. It stores nothing for a
// visitor without a session: their forms go without a token (see the
// package documentation), and so does a request whose cookie names a
// session that is gone, such as one sent while another tab logged in,
// whose new session's cookie a new one must not replace.
func (s *server) pageFor(r *http.Request, title string) (view, visit, error) {
	h := s.mw.Session(r)
	v, err := h.Get()
	if err != nil {
		return view{}, v, err
	}
	if len(v.Flash) > 0 {
		if err := h.Update(popFlash); err != nil {
			return view{}, v, err
		}
	}
	token, err := h.CSRFToken()
	if err != nil && !errors.Is(err, httpsession.ErrNoSession) {
		return view{}, v, err
	}
	return view{
		Title:  title,
		User:   v.User,
		CSRF:   token,
		Flash:  v.Flash,
		Store:  s.store,
		Cookie: s.cookie.Name,
		Secure: !s.cookie.Insecure,
	}, v, nil
}

// render executes t into a buffer first, so that a template error becomes
// a clean error page rather than half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, t *template.Template, status int, data view) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.ErrorContext(r.Context(), "webapp: rendering", "page", data.Title, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// problem answers with an error page. It writes through w, which may be
// the middleware's writer or, from the middleware's handlers, the
// underlying one; either way it loads no session.
func (s *server) problem(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	s.render(w, r, s.pages.problem, status, view{
		Title:  heading,
		Store:  s.store,
		Cookie: s.cookie.Name,
		Secure: !s.cookie.Insecure,
		Main:   problemView{Status: status, Heading: heading, Message: message},
	})
}

// fail answers a request whose session could not be read or changed.
// Its status is 5xx, which makes the middleware commit nothing the
// handler buffered.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, heading, message := describe(err)
	s.log.WarnContext(r.Context(), "webapp: session", "path", r.URL.Path, "err", err)
	s.problem(w, r, max(status, http.StatusInternalServerError), heading, message)
}

// commitFailed answers a request whose session could not be committed.
func (s *server) commitFailed(w http.ResponseWriter, r *http.Request, err error) {
	status, heading, message := describe(err)
	s.log.WarnContext(r.Context(), "webapp: commit", "path", r.URL.Path, "err", err)
	s.problem(w, r, status, heading, message)
}

// describe chooses the error page for a session failure. It shows
// nothing of err itself.
func describe(err error) (status int, heading, message string) {
	switch {
	case errors.Is(err, sessions.ErrBackend):
		return http.StatusServiceUnavailable, "Sessions are unavailable",
			"The session store did not answer. Try again in a moment."
	case errors.Is(err, sessions.ErrConflict), errors.Is(err, sessions.ErrNotFound):
		return http.StatusConflict, "Your session changed meanwhile",
			"Another tab or device changed or ended this session while the request ran. Go back, reload and try again."
	}
	return http.StatusInternalServerError, "Something went wrong", "The request could not be completed."
}

// csrfFailed answers a POST without a valid CSRF token.
func (s *server) csrfFailed(w http.ResponseWriter, r *http.Request, _ error) {
	s.problem(w, r, http.StatusForbidden, "This form was refused",
		"It did not come from a page of this site, or it was shown before you logged in or out. Go back, reload the page and try again.")
}

// insecureRequest warns that a browser is about to drop the session
// cookie: it came over plain HTTP to a host that is not a loopback
// address or localhost.
func (s *server) insecureRequest(r *http.Request) {
	s.log.WarnContext(r.Context(), "webapp: the browser will drop the Secure session cookie: plain HTTP to a host that is not loopback; use -tls, or 127.0.0.1",
		"host", r.Host)
}

// redirect ends a POST with a redirect to a page (Post/Redirect/Get), so
// a reload does not post again and the next page renders tokens for the
// session as committed.
func redirect(w http.ResponseWriter, r *http.Request, path string) {
	http.Redirect(w, r, path, http.StatusSeeOther)
}
