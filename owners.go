package sessions

import (
	"context"
	"errors"
	"fmt"
)

// Sessions returns the live sessions of owner, newest first, at most
// MaxListed: enough for a "your devices" page. It returns ErrUnsupported
// if the store has no owner index.
func (m *Manager[V]) Sessions(ctx context.Context, owner string) ([]Entry[V], error) {
	if m.owners == nil {
		return nil, fmt.Errorf("sessions: listing sessions: %w", ErrUnsupported)
	}
	if owner == "" {
		return nil, nil
	}
	now := m.clock()
	entries, err := m.owners.ListOwner(ctx, owner, now, MaxListed)
	if err != nil {
		return nil, m.storeError(ctx, "list owner", ID{}, err)
	}
	live := entries[:0]
	for _, e := range entries {
		if e.Record = m.capped(e.Record); e.Record.Live(now) {
			live = append(live, e)
		}
	}
	return live, nil
}

// ClearOwner deletes every session of owner except keep (the zero ID
// keeps none): "log out everywhere else". It reports how many sessions it
// deleted. Sessions created while it runs may survive it.
func (m *Manager[V]) ClearOwner(ctx context.Context, owner string, keep ID) (int, error) {
	if m.owners == nil {
		return 0, fmt.Errorf("sessions: clearing sessions: %w", ErrUnsupported)
	}
	if owner == "" {
		return 0, errors.New("sessions: clearing sessions: empty owner")
	}
	n, err := m.owners.DeleteOwner(ctx, owner, keep, m.clock())
	if err != nil {
		return n, m.storeError(ctx, "delete owner", ID{}, err)
	}
	return n, nil
}

// ClearOwned deletes the session id if owner owns it, and returns
// ErrNotFound otherwise: "log out this device", safe to call with an ID
// from a form. It needs a server-side store (New); other stores return
// ErrUnsupported.
func (m *Manager[V]) ClearOwned(ctx context.Context, owner string, id ID) error {
	if m.backend == nil {
		return fmt.Errorf("sessions: clearing a session by ID: %w", ErrUnsupported)
	}
	if owner == "" || id.IsZero() {
		return ErrNotFound
	}
	for attempt := 0; ; attempt++ {
		now := m.clock()
		rec, err := m.backend.Load(ctx, id, now)
		if err != nil {
			return m.storeError(ctx, "load", id, err)
		}
		if rec.Owner != owner || !m.capped(rec).Live(now) {
			return ErrNotFound
		}
		err = m.backend.Delete(ctx, id, rec.Version)
		if err == nil {
			m.observe(ctx, EventCleared, "", id, nil)
			return nil
		}
		if err = m.storeError(ctx, "delete", id, err); !errors.Is(err, ErrConflict) {
			return err
		}
		if err := m.backoff(ctx, attempt); err != nil {
			return err
		}
	}
}
