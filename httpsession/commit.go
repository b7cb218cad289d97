package httpsession

import (
	"errors"
	"fmt"
	"maps"
	"net/http"

	"github.com/typedsession/sessions"
)

// commit seals the handle and applies the buffered changes: all of them
// for a response that succeeds, only a clear for one that failed. It
// returns the headers to send. A handle whose session was never loaded
// commits nothing and sends nothing.
func (h *Handle[V]) commit(failed bool) ([]sessions.Header, error) {
	h.mu.Lock()
	h.sealed = true
	used := h.loaded && h.loadErr == nil
	cur, view, p := h.cur, h.view, h.p
	if !h.ownView && p.renew && cur.IsNew() {
		// A renew of an unsaved session stores the value it holds.
		view = cur.Value()
	}
	h.p = pending[V]{}
	h.mu.Unlock()
	if !used {
		return nil, nil
	}
	// The store calls run unlocked, so Update functions replayed here
	// cannot deadlock on the handle.
	var s sessions.Session[V]
	var err error
	if failed {
		s, err = h.rollback(cur, p)
	} else {
		s, err = h.apply(cur, view, p)
	}
	if err != nil {
		return nil, fmt.Errorf("httpsession: committing the session: %w", err)
	}
	var zero V
	h.mu.Lock()
	h.cur, h.view, h.ownView = s, zero, false
	h.mu.Unlock()
	return h.mw.m.AppendCookieHeaders(h.hdrs[:0], s), nil
}

// rollback is the commit of a failed response: a buffered clear is
// applied, because deleting is always safe; nothing else is.
func (h *Handle[V]) rollback(s sessions.Session[V], p pending[V]) (sessions.Session[V], error) {
	if !p.clear {
		return s, nil
	}
	return h.mw.m.Clear(h.ctx, s)
}

// apply commits p over the loaded session s; view is the pending value.
func (h *Handle[V]) apply(s sessions.Session[V], view V, p pending[V]) (sessions.Session[V], error) {
	m, ctx := h.mw.m, h.ctx
	var err error
	if p.clear {
		if s, err = m.Clear(ctx, s); err != nil || (!p.write && !p.renew) {
			return s, err
		}
		// Changes after a Clear start a new session.
		s = h.unsaved(view)
	}
	if s.IsNew() {
		return h.store(s, view, p)
	}
	if p.write {
		if s, err = h.write(s, view, p); err != nil {
			return s, err
		}
	}
	if p.renew {
		return m.Renew(ctx, s, p.renewOpts...)
	}
	if p.write || s.Modified() {
		return s, nil
	}
	return h.touch(s)
}

// store commits changes to a session that is not stored yet: at most one
// write, and none when nothing was changed, so visitors who only read
// create nothing.
func (h *Handle[V]) store(s sessions.Session[V], view V, p pending[V]) (sessions.Session[V], error) {
	switch {
	case p.renew:
		// Renew stores an unsaved session with its options applied; one
		// holding the pending value makes that the only write.
		return h.mw.m.Renew(h.ctx, h.unsaved(view), p.renewOpts...)
	case p.write:
		return h.mw.m.Set(h.ctx, s, view)
	}
	return s, nil
}

// unsaved returns a session holding v that is not stored yet. Without
// cookie headers OfHeaderOrCreate makes no store call and cannot fail.
func (h *Handle[V]) unsaved(v V) sessions.Session[V] {
	s, _ := h.mw.m.OfHeaderOrCreate(h.ctx, v)
	return s
}

// write stores the pending value over the loaded session. A Set fails on
// a conflict; Updates are replayed on what the other request stored.
func (h *Handle[V]) write(s sessions.Session[V], view V, p pending[V]) (sessions.Session[V], error) {
	m, ctx := h.mw.m, h.ctx
	// The Updates already ran on the loaded value: if nobody wrote since,
	// their result is what to store, and they need not run again.
	next, err := m.Set(ctx, s, view)
	if p.replace || !errors.Is(err, sessions.ErrConflict) {
		return next, err
	}
	if s, err = m.OfKey(ctx, s.Token()); err != nil {
		return s, err
	}
	// Manager.Update hands the replay a private copy of the stored value
	// on every attempt, so Updates that change their argument in place
	// and then fail leave nothing behind here either.
	return m.Update(ctx, s, replay(p.replay))
}

// replay composes the buffered Update functions in order.
func replay[V any](fns []func(V) (V, error)) func(V) (V, error) {
	return func(v V) (V, error) {
		var err error
		for _, fn := range fns {
			if v, err = fn(v); err != nil {
				return v, err
			}
		}
		return v, nil
	}
}

// touch slides the idle deadline of a session the handler only read. A
// session that vanished since it was loaded has nothing to slide and
// nothing to tell the client.
func (h *Handle[V]) touch(s sessions.Session[V]) (sessions.Session[V], error) {
	next, err := h.mw.m.Touch(h.ctx, s)
	if errors.Is(err, sessions.ErrNotFound) {
		return s, nil
	}
	return next, err
}

// respond commits for a response about to start and reports whether the
// handler's response may go on. On failure the error handler answers
// instead, with the handler's headers discarded.
func (h *Handle[V]) respond(rw http.ResponseWriter, failed bool) bool {
	hs, err := h.commit(failed)
	if err != nil {
		hdr := rw.Header()
		clear(hdr)
		maps.Copy(hdr, h.outer)
		h.mw.cfg.errorHandler(rw, h.req, err)
		return false
	}
	sessions.WriteHeaders(rw.Header(), hs)
	h.warnIfInsecure(hs)
	return true
}
