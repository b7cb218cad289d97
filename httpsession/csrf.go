package httpsession

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
)

// The names a CSRF token travels under.
const (
	// CSRFField is the form field [Middleware.CSRF] reads a token from.
	CSRFField = "csrf_token"
	// CSRFHeader is the request header [Middleware.CSRF] reads a token
	// from first, for scripts.
	CSRFHeader = "X-CSRF-Token"
)

const (
	// csrfPurpose selects the session's CSRF key among its secrets.
	csrfPurpose = "csrf"
	// csrfKeyLen is the length of the session's CSRF key and of a mask.
	csrfKeyLen = 32
	// csrfTokenLen is the length of a token: a mask and the masked key,
	// base64url without padding.
	csrfTokenLen = (2*csrfKeyLen*8 + 5) / 6
)

// csrfEncoding is the one spelling of a token: Strict refuses stray bits
// in the last character, so a token cannot be respelled.
var csrfEncoding = base64.RawURLEncoding.Strict()

// CSRFToken returns a fresh token for the session, to put in a form's
// [CSRFField] field or a script's [CSRFHeader] header. Every call gives a
// different token (the session's key under a fresh one-time pad); all of
// them stay valid while the session keeps its token.
//
// A visitor without a session has no key: the session is then stored at
// once, holding the pending value, and its cookie goes out at commit.
// It is not, and CSRFToken returns [ErrNoSession], when the handler has
// buffered no write and either the middleware was built with
// [WithSessionlessCSRF] or the request carried a session cookie that
// names no live session. The latter is what a request sent just before
// a concurrent Renew carries: a session stored for it would send a cookie
// that replaces the renewed one. On ErrNoSession render the forms without
// a token; [Middleware.CSRF] lets them through.
//
// CSRFToken returns [ErrRenewPending] while a Renew or Clear is buffered
// (render tokens after the commit or after a redirect), and
// [ErrHeadersWritten] if the session would have to be stored once the
// headers are gone.
func (h *Handle[V]) CSRFToken() (string, error) {
	key, err := h.csrfKey(true)
	if err != nil {
		return "", err
	}
	var buf [2 * csrfKeyLen]byte
	rand.Read(buf[:csrfKeyLen]) // never fails: crypto/rand aborts the process instead
	for i := range csrfKeyLen {
		buf[csrfKeyLen+i] = buf[i] ^ key[i]
	}
	return csrfEncoding.EncodeToString(buf[:]), nil
}

// VerifyCSRF reports whether token is a valid token of the session,
// returning an error wrapping [ErrCSRF] if it is not: missing, malformed,
// made for another session, or presented by a visitor without a session.
// A failure to load the session is returned as it is.
func (h *Handle[V]) VerifyCSRF(token string) error {
	if h == nil {
		return ErrNotWrapped
	}
	if token == "" {
		return fmt.Errorf("%w: no token", ErrCSRF)
	}
	var raw [csrfTokenLen]byte
	var buf [2 * csrfKeyLen]byte
	if len(token) != csrfTokenLen {
		return fmt.Errorf("%w: malformed token", ErrCSRF)
	}
	if n, err := csrfEncoding.Decode(buf[:], raw[:copy(raw[:], token)]); err != nil || n != len(buf) {
		return fmt.Errorf("%w: malformed token", ErrCSRF)
	}
	key, err := h.csrfKey(false)
	if err != nil {
		return err
	}
	var got [csrfKeyLen]byte
	for i := range csrfKeyLen {
		got[i] = buf[i] ^ buf[csrfKeyLen+i]
	}
	if subtle.ConstantTimeCompare(got[:], key[:]) != 1 {
		return fmt.Errorf("%w: token does not match the session", ErrCSRF)
	}
	return nil
}

// csrfKey returns the session's CSRF key. Without a stored session it
// stores one if create is set, and fails with ErrCSRF otherwise.
func (h *Handle[V]) csrfKey(create bool) ([csrfKeyLen]byte, error) {
	var key [csrfKeyLen]byte
	if h == nil {
		return key, ErrNotWrapped
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.loadLocked(); err != nil {
		return key, err
	}
	if create && (h.p.clear || h.p.renew) {
		return key, ErrRenewPending
	}
	if key, ok := h.cur.Secret(csrfPurpose); ok {
		return key, nil
	}
	switch {
	case !create:
		return key, fmt.Errorf("%w: no session", ErrCSRF)
	case !h.p.write && h.cur.IsNew() && h.leftToCrossOrigin():
		// With a write buffered, the commit stores the session and sends
		// its cookie anyway; storing it now only makes the token valid.
		return key, ErrNoSession
	case h.sealed:
		return key, ErrHeadersWritten
	}
	v, err := h.valueLocked()
	if err != nil {
		return key, err
	}
	s, err := h.mw.m.Set(h.ctx, h.cur, v)
	if err != nil {
		return key, err
	}
	// The pending value is stored now; what is left to commit is the
	// cookie.
	var zero V
	h.cur, h.view, h.ownView = s, zero, false
	h.p.write, h.p.replace, h.p.replay = false, false, nil
	key, _ = s.Secret(csrfPurpose)
	return key, nil
}

// leftToCrossOrigin reports whether a visitor without a session is left
// to cross-origin protection rather than given a session for a token:
// when the middleware says so, or when the request carried a session
// cookie, which, the loaded session being unsaved, names no live
// session. Call it with the handle locked, for an unsaved session as
// loaded (not one the commit cleared).
func (h *Handle[V]) leftToCrossOrigin() bool {
	return h.mw.cfg.sessionless || sentCookie(h.cookies, h.mw.m.Cookie().Name)
}

// sentCookie reports whether the Cookie header values carry a cookie
// called name with a non-empty value, whatever the value. Like the
// Manager's scanner it compares names byte for byte.
func sentCookie(lines []string, name string) bool {
	for _, line := range lines {
		for part := range strings.SplitSeq(line, ";") {
			k, v, _ := strings.Cut(textproto.TrimString(part), "=")
			if k == name && v != "" {
				return true
			}
		}
	}
	return false
}

// checkCSRF is VerifyCSRF with the one exemption Middleware.CSRF makes:
// a request without a token from a visitor without a session, who is left
// to cross-origin protection, which the middleware applies itself so the
// exemption never depends on the application having installed it.
func (mw *Middleware[V]) checkCSRF(r *http.Request, token string) error {
	h := mw.Session(r)
	if token == "" {
		exempt, err := h.exempt()
		if err != nil {
			return err
		}
		if exempt {
			if err := mw.crossOrigin.Check(r); err != nil {
				return fmt.Errorf("%w: no session and %w", ErrCSRF, err)
			}
			return nil
		}
	}
	return h.VerifyCSRF(token)
}

// exempt reports whether the request's visitor has no session and is
// left to cross-origin protection.
func (h *Handle[V]) exempt() (bool, error) {
	if h == nil {
		return false, ErrNotWrapped
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.loadLocked(); err != nil {
		return false, err
	}
	return h.cur.IsNew() && h.leftToCrossOrigin(), nil
}

// CSRF returns a handler that serves next only if a request with an
// unsafe method carries a valid token in the [CSRFHeader] header or, if
// that is absent, the [CSRFField] form field; others are answered by the
// CSRF failure handler (default 403). GET, HEAD, OPTIONS and TRACE pass
// unchecked. A request without a token from a visitor without a session
// passes too when CSRFToken would have returned [ErrNoSession] for it
// (under [WithSessionlessCSRF], or when its session cookie names no live
// session) and it is not a cross-origin browser request, as
// [http.CrossOriginProtection] judges it. It must run inside [Middleware.Wrap]; outside it every
// unsafe request fails with the error handler. Reading the form field
// parses the body with [http.Request.ParseMultipartForm]'s limits; cap
// request bodies with [http.MaxBytesHandler].
func (mw *Middleware[V]) CSRF(next http.Handler) http.Handler {
	if next == nil {
		next = http.NotFoundHandler()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
			next.ServeHTTP(w, r)
			return
		}
		token := r.Header.Get(CSRFHeader)
		if token == "" {
			token = r.PostFormValue(CSRFField)
		}
		err := mw.checkCSRF(r, token)
		switch {
		case err == nil:
			next.ServeHTTP(w, r)
		case errors.Is(err, ErrCSRF):
			mw.cfg.csrfFailure(w, r, err)
		default:
			mw.cfg.errorHandler(w, r, err)
		}
	})
}
