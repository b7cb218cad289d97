package httpsession

import (
	"context"
	"net/http"
	"sync"

	"github.com/typedsession/sessions"
)

// Handle is one request's view of its session. Reads load the session
// lazily and show the pending state; changes are buffered until commit
// (see the package documentation). Get one with [Middleware.Session].
type Handle[V any] struct {
	mw      *Middleware[V]
	ctx     context.Context // the request's own context, for store calls
	req     *http.Request   // the request as the handler sees it
	cookies []string        // the request's Cookie header values
	w       writer[V]
	outer   http.Header        // headers set before the middleware ran, if any
	hdrs    [3]sessions.Header // room for the commit's headers

	mu      sync.Mutex
	loaded  bool
	loadErr error
	sealed  bool                // commit has begun: changes are refused
	cur     sessions.Session[V] // as loaded, or as the commit left it
	// view is the value with the buffered changes applied, the handle's
	// own, when ownView is set; otherwise that value is cur's.
	view    V
	ownView bool
	p       pending[V]
}

// pending holds the buffered changes in commit order: clear, write,
// renew.
type pending[V any] struct {
	clear     bool
	write     bool
	replace   bool                 // the write is a Set: a conflict fails it
	replay    []func(V) (V, error) // the Updates to replay on a conflict
	renew     bool
	renewOpts []sessions.SessionOption
}

// Get returns a copy of the session's value with the buffered changes
// applied: the zero V for a visitor without a session. Changing it in
// place changes nothing the handle reads or commits; store a change with
// Set or Update.
func (h *Handle[V]) Get() (V, error) {
	var zero V
	if h == nil {
		return zero, ErrNotWrapped
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.loadLocked(); err != nil {
		return zero, err
	}
	return h.valueLocked()
}

// valueLocked returns a private copy of the pending value.
func (h *Handle[V]) valueLocked() (V, error) {
	if h.ownView {
		return h.mw.m.CopyValue(h.view)
	}
	return h.cur.Value(), nil
}

// Current returns the session as the store held it when it was loaded,
// or as the commit left it: buffered changes are not in it. Its ID,
// Owner, IsNew and ExpiresAt describe the stored session.
func (h *Handle[V]) Current() (sessions.Session[V], error) {
	if h == nil {
		return sessions.Session[V]{}, ErrNotWrapped
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.loadLocked(); err != nil {
		return sessions.Session[V]{}, err
	}
	return h.cur, nil
}

// Set buffers a copy of v as the session's new value, so changing v
// afterwards changes nothing the handle reads or commits. At commit it is
// written only if nobody changed the session since it was loaded;
// otherwise the error handler answers. For a visitor without a session it
// stores one. The copy is made with [sessions.Manager.CopyValue], whose
// error Set returns.
func (h *Handle[V]) Set(v V) error {
	if err := h.lockForChange(); err != nil {
		return err
	}
	defer h.mu.Unlock()
	v, err := h.mw.m.CopyValue(v)
	if err != nil {
		return err
	}
	h.view, h.ownView = v, true
	h.p.write, h.p.replace, h.p.replay = true, true, nil
	return nil
}

// Update applies fn to a private copy of the pending value now, so reads
// see the result, and buffers the change. If another request changed the
// session since it was loaded, fn runs again at commit on a private copy
// of the stored value, so it must be free of side effects and must not
// use the handle. fn may change its argument in place: if it then
// returns an error, Update returns it and buffers nothing, and the
// pending value is as it was. What fn returns becomes the handle's own
// pending value, so fn must not keep its argument or result after it
// returns. The copy is made with the Manager's
// [sessions.Manager.CopyValue], whose error Update returns.
func (h *Handle[V]) Update(fn func(V) (V, error)) error {
	if fn == nil {
		return nil
	}
	if err := h.lockForChange(); err != nil {
		return err
	}
	defer h.mu.Unlock()
	// fn gets a copy, so a change it makes in place before failing
	// reaches neither the loaded session nor an earlier fn's result.
	arg, err := h.valueLocked()
	if err != nil {
		return err
	}
	v, err := fn(arg)
	if err != nil {
		return err
	}
	h.view, h.ownView, h.p.write = v, true, true
	if !h.p.replace {
		h.p.replay = append(h.p.replay, fn)
	}
	return nil
}

// Renew buffers moving the session to a new token, with the options
// applied; call it on every change of privilege, such as logging in. The
// old token is dead once the commit is done. For a visitor without a
// session it stores one.
func (h *Handle[V]) Renew(opts ...sessions.SessionOption) error {
	if err := h.lockForChange(); err != nil {
		return err
	}
	defer h.mu.Unlock()
	h.p.renew = true
	h.p.renewOpts = append(h.p.renewOpts, opts...)
	return nil
}

// Clear buffers deleting the session and expiring its cookie. Changes
// buffered before it are dropped; changes buffered after it start a new
// session, so a logout can still leave a flash message. Get returns the
// zero V afterwards.
func (h *Handle[V]) Clear() error {
	if err := h.lockForChange(); err != nil {
		return err
	}
	defer h.mu.Unlock()
	var zero V
	h.view, h.ownView = zero, true
	h.p = pending[V]{clear: true}
	return nil
}

// Touch loads the session, so that the commit keeps it alive: with an
// idle timeout every loaded session is touched at commit, at most once
// per touch interval. Reading the session has the same effect.
func (h *Handle[V]) Touch() error {
	if err := h.lockForChange(); err != nil {
		return err
	}
	h.mu.Unlock()
	return nil
}

// lockForChange locks the handle and loads the session, or returns why a
// change cannot be buffered (and leaves the handle unlocked).
func (h *Handle[V]) lockForChange() error {
	if h == nil {
		return ErrNotWrapped
	}
	h.mu.Lock()
	if h.sealed {
		h.mu.Unlock()
		return ErrHeadersWritten
	}
	if err := h.loadLocked(); err != nil {
		h.mu.Unlock()
		return err
	}
	return nil
}

// loadLocked reads the session on first use. A failure is remembered, so
// one request sees one outcome.
func (h *Handle[V]) loadLocked() error {
	if h.loaded {
		return h.loadErr
	}
	h.loaded = true
	if h.mw.m == nil {
		h.loadErr = errNoManager
		return h.loadErr
	}
	var zero V
	s, err := h.mw.m.OfHeaderOrCreate(h.ctx, zero, h.cookies...)
	if err != nil {
		h.loadErr = err
		return err
	}
	h.cur = s
	return nil
}
