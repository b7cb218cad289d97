package httpsession

import (
	"context"
	"net/http"

	"github.com/typedsession/sessions"
)

// Middleware connects a [sessions.Manager] to net/http handlers. Build it
// with [New], put it in front of handlers with [Middleware.Wrap] and reach
// a request's session with [Middleware.Session]. It is safe for
// concurrent use.
type Middleware[V any] struct {
	m      *sessions.Manager[V]
	cfg    config
	secure bool // the cookie carries Secure, so plain HTTP loses it
	// crossOrigin guards the unsafe requests CSRF lets through without a
	// token (visitors without a session), whether or not the application
	// also installed http.CrossOriginProtection.
	crossOrigin *http.CrossOriginProtection
}

// contextKey is the request context key of one Middleware: distinct
// middlewares never see each other's handles, even for the same V.
type contextKey[V any] struct{ mw *Middleware[V] }

// New returns a middleware over m.
func New[V any](m *sessions.Manager[V], opts ...Option) *Middleware[V] {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	mw := &Middleware[V]{m: m, cfg: cfg, crossOrigin: http.NewCrossOriginProtection()}
	if m != nil {
		mw.secure = !m.Cookie().Insecure
	}
	return mw
}

// Manager returns the Manager the middleware was built over, for
// operations no Handle offers (an administrator's view of any owner's
// sessions, say).
func (mw *Middleware[V]) Manager() *sessions.Manager[V] { return mw.m }

// Wrap returns a handler that serves next with the session available
// through [Middleware.Session], committing it as the package
// documentation describes. next receives a wrapped ResponseWriter and a
// request whose context carries the handle.
func (mw *Middleware[V]) Wrap(next http.Handler) http.Handler {
	if next == nil {
		next = http.NotFoundHandler()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := mw.newHandle(w, r)
		r = r.WithContext(context.WithValue(r.Context(), contextKey[V]{mw}, h))
		h.req = r
		returned := false
		defer func() {
			// A panic or runtime.Goexit: commit only a clear, and let the
			// panic go on as it was.
			if !returned {
				h.w.abort()
			}
		}()
		next.ServeHTTP(&h.w, r)
		returned = true
		h.w.start(false)
	})
}

// Session returns the request's session handle, or nil if the request did
// not pass through this middleware's Wrap; every method of a nil Handle
// returns [ErrNotWrapped].
func (mw *Middleware[V]) Session(r *http.Request) *Handle[V] {
	if r == nil {
		return nil
	}
	h, _ := r.Context().Value(contextKey[V]{mw}).(*Handle[V])
	return h
}

func (mw *Middleware[V]) newHandle(w http.ResponseWriter, r *http.Request) *Handle[V] {
	h := &Handle[V]{mw: mw, ctx: r.Context(), cookies: r.Header.Values("Cookie")}
	h.w.h, h.w.rw = h, w
	// Headers set before the middleware ran survive an error handler's
	// response; a copy is needed only when there are some.
	if hdr := w.Header(); len(hdr) > 0 {
		h.outer = hdr.Clone()
	}
	return h
}
