package sessions

import (
	"context"
	"log/slog"
)

// EventKind names what happened.
type EventKind string

// The event kinds.
const (
	EventCreated      EventKind = "created"       // a session was stored under a new token
	EventRenewed      EventKind = "renewed"       // a session moved to a new token
	EventCleared      EventKind = "cleared"       // a session was deleted
	EventConflict     EventKind = "conflict"      // a write lost a race with another write
	EventInvalidToken EventKind = "invalid-token" // a client's token named no live session; see Reason
	EventDecodeFailed EventKind = "decode-failed" // a stored value no longer decodes; read as absent
	EventBackendError EventKind = "backend-error" // the store failed
	EventStoreFull    EventKind = "store-full"    // a bounded store refused a new session
)

// Reason refines EventInvalidToken.
type Reason string

// The reasons a token names no live session.
const (
	ReasonMalformed Reason = "malformed" // not the store's token syntax; no store call was made
	ReasonUnknown   Reason = "unknown"   // well-formed, but no record answers it
	ReasonExpired   Reason = "expired"   // the record is past its idle or absolute deadline
	ReasonAmbiguous Reason = "ambiguous" // several cookies of the session's name, more than one live or too many to look up
	ReasonOversized Reason = "oversized" // longer than any token the store issues
	ReasonTampered  Reason = "tampered"  // failed authentication, or created beyond MaxClockSkew in the future
)

// Event describes one thing worth observing. It never carries a token:
// ID8 holds 8 characters of the storage ID when one is known.
type Event struct {
	Kind   EventKind
	Reason Reason // set for EventInvalidToken
	ID8    string
	Err    error // set for EventBackendError and EventDecodeFailed
}

// Observer receives events. It is called synchronously on the request's
// goroutine, so it must be quick and safe for concurrent use.
type Observer func(ctx context.Context, e Event)

// SlogObserver returns an Observer that logs every event to logger:
// store failures and refused sessions at Warn, invalid tokens and
// conflicts at Info, the rest at Debug.
func SlogObserver(logger *slog.Logger) Observer {
	return func(ctx context.Context, e Event) {
		attrs := []slog.Attr{slog.String("kind", string(e.Kind))}
		if e.Reason != "" {
			attrs = append(attrs, slog.String("reason", string(e.Reason)))
		}
		if e.ID8 != "" {
			attrs = append(attrs, slog.String("id", e.ID8))
		}
		if e.Err != nil {
			attrs = append(attrs, slog.String("err", e.Err.Error()))
		}
		logger.LogAttrs(ctx, levelOf(e.Kind), "sessions: "+string(e.Kind), attrs...)
	}
}

func levelOf(k EventKind) slog.Level {
	switch k {
	case EventBackendError, EventStoreFull, EventDecodeFailed:
		return slog.LevelWarn
	case EventInvalidToken, EventConflict:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}

// observe reports e to the observer, if there is one. With none set it
// costs one nil check.
func (m *Manager[V]) observe(ctx context.Context, kind EventKind, reason Reason, id ID, err error) {
	if m.observer == nil {
		return
	}
	e := Event{Kind: kind, Reason: reason, Err: err}
	if !id.IsZero() {
		e.ID8 = id.Short()
	}
	m.observer(ctx, e)
}
