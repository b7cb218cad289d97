package httpsession

import "github.com/typedsession/sessions"

// The owner operations act on sessions other than the current one and run
// at once, whatever has been written; their errors come back here.
// The owner is the current session's as stored (see [Handle.Current]): an
// owner set by a buffered Renew counts only after the commit.

// Sessions lists the live sessions of the current session's owner, newest
// first, for a "your devices" page. A session without an owner has none.
// It returns [sessions.ErrUnsupported] if the store has no owner index.
func (h *Handle[V]) Sessions() ([]sessions.Entry[V], error) {
	s, err := h.Current()
	if err != nil {
		return nil, err
	}
	return h.mw.m.Sessions(h.ctx, s.Owner())
}

// ClearOthers deletes every session of the current session's owner except
// the current one ("log out everywhere else") and reports how many it
// deleted. A session without an owner has nothing to clear.
func (h *Handle[V]) ClearOthers() (int, error) {
	s, err := h.Current()
	if err != nil || s.Owner() == "" {
		return 0, err
	}
	return h.mw.m.ClearOwner(h.ctx, s.Owner(), s.ID())
}

// ClearOwned deletes the session id if the current session's owner owns
// it ("log out this device"), else returns [sessions.ErrNotFound]; id may
// come from a form. To end the current session use Clear, which also
// expires the cookie.
func (h *Handle[V]) ClearOwned(id sessions.ID) error {
	s, err := h.Current()
	if err != nil {
		return err
	}
	return h.mw.m.ClearOwned(h.ctx, s.Owner(), id)
}
