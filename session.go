package sessions

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// Session is an immutable snapshot of one session: its token, ID, record
// and what the last operation did to it. Operations on a [Manager] return
// a new Session; none changes one in place, so always reassign:
//
//	s, err = m.Set(ctx, s, v)
//
// Formatting a Session with any fmt verb, or logging it with log/slog,
// shows 8 characters of its ID and its flags, never its token or value.
// The zero Session is a session that was never loaded; writes refuse it.
type Session[V any] struct {
	// state holds what must never be printed behind a pointer: fmt shows
	// a nested pointer as an address, so even paths that bypass Format
	// (%p, a Session inside another struct's unexported field) cannot
	// reveal the token or value.
	state    *sessionState[V]
	isNew    bool
	modified bool
	cleared  bool
}

// sessionState is the part of a Session that is read, never changed:
// operations build a new one.
type sessionState[V any] struct {
	token   string
	id      ID
	rec     Record[V]    // rec.Value is the session's own: no caller can reach it
	secrets secretSource // derives the per-session secret on demand
	// copy makes the private copies Value hands out; nil when V holds no
	// references, so that assignment already is one.
	copy func(V) (V, error)
}

// record returns the session's record, the zero Record for a zero Session.
func (s Session[V]) record() Record[V] {
	if s.state == nil {
		return Record[V]{}
	}
	return s.state.rec
}

// Token returns the token the client holds, or "" for a session that is
// not stored yet (IsNew) or was cleared.
func (s Session[V]) Token() string {
	if s.state == nil {
		return ""
	}
	return s.state.token
}

// ID returns the storage ID, or the zero ID for an unsaved session.
func (s Session[V]) ID() ID {
	if s.state == nil {
		return ID{}
	}
	return s.state.id
}

// Value returns a copy of the session's value: changing it in place
// changes neither this session nor anything a store keeps or a later
// write stores. Store a changed value with [Manager.Set] or
// [Manager.Update].
//
// The copy is made as [Manager.CopyValue] makes it, so a V without
// pointers, slices, maps or interfaces is never copied beyond assignment.
// A V copied through JSON holding something JSON cannot carry (a custom
// codec decoded a NaN, say) cannot be copied: Value then returns the zero
// V rather than the session's own value.
func (s Session[V]) Value() V {
	if s.state == nil || s.state.copy == nil {
		return s.record().Value
	}
	v, err := s.state.copy(s.state.rec.Value)
	if err != nil {
		var zero V
		return zero
	}
	return v
}

// CreatedAt returns when the session was first stored.
func (s Session[V]) CreatedAt() time.Time { return s.record().CreatedAt }

// ExpiresAt returns when the session stops being live unless written or
// touched before then.
func (s Session[V]) ExpiresAt() time.Time { return s.record().ExpiresAt }

// Owner returns the session's owner, "" for none.
func (s Session[V]) Owner() string { return s.record().Owner }

// Version returns the stored version the session was read or written at.
func (s Session[V]) Version() uint64 { return s.record().Version }

// Persistent reports whether the cookie outlives the browser session.
func (s Session[V]) Persistent() bool { return s.record().Persistent }

// IsNew reports whether the session is not stored yet: it came from
// OfHeaderOrCreate and has not been written.
func (s Session[V]) IsNew() bool { return s.isNew }

// Modified reports whether the operation that returned the session wrote
// something the client must hear about: a Set-Cookie header is due.
func (s Session[V]) Modified() bool { return s.modified }

// Cleared reports whether the session was cleared; its cookie headers
// expire the client's cookie.
func (s Session[V]) Cleared() bool { return s.cleared }

// Secret returns a key for purpose derived from the session's secret, for
// example the root of its CSRF tokens. It stays the same while the session
// keeps its ID and changes when the session is renewed. ok is false for a
// session without a token (unsaved or cleared). Distinct purposes give
// independent keys.
func (s Session[V]) Secret(purpose string) (key [32]byte, ok bool) {
	if s.Token() == "" || s.state.secrets == nil {
		return key, false
	}
	root := s.state.secrets.Secret(s.state.token, s.state.id)
	mac := hmac.New(sha256.New, root[:])
	mac.Write([]byte(purpose))
	mac.Sum(key[:0])
	return key, true
}

// secretSource is the part of a TokenStore a Session needs: deriving the
// secret lazily keeps the hash off requests that never ask for it.
type secretSource interface {
	Secret(token string, id ID) [32]byte
}

// usable reports ErrNotFound for a session no write may start from: a
// cleared one, or a zero Session that was never loaded.
func (s Session[V]) usable() error {
	if s.cleared || (!s.isNew && s.Token() == "") {
		return ErrNotFound
	}
	return nil
}

// String returns a redacted description: the first 8 characters of the
// ID and the flags, never the token or value.
func (s Session[V]) String() string {
	return "Session{" + s.describe() + "}"
}

// GoString implements [fmt.GoStringer] with the same redaction as String.
func (s Session[V]) GoString() string {
	return "sessions.Session{" + s.describe() + "}"
}

// Format implements [fmt.Formatter] so that every verb, not only %v and
// %s, prints the redacted form instead of the struct's fields.
func (s Session[V]) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		f.Write([]byte(s.GoString()))
		return
	}
	f.Write([]byte(s.String()))
}

// LogValue implements [slog.LogValuer] with the same redaction as String.
func (s Session[V]) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", s.idPrefix()),
		slog.Bool("new", s.isNew),
		slog.Bool("modified", s.modified),
		slog.Bool("cleared", s.cleared),
		slog.Time("expires", s.ExpiresAt()),
	)
}

func (s Session[V]) idPrefix() string {
	if id := s.ID(); !id.IsZero() {
		return id.Short()
	}
	return "none"
}

func (s Session[V]) describe() string {
	return "id=" + s.idPrefix() +
		" new=" + strconv.FormatBool(s.isNew) +
		" modified=" + strconv.FormatBool(s.modified) +
		" cleared=" + strconv.FormatBool(s.cleared) +
		" expires=" + s.ExpiresAt().UTC().Format(time.RFC3339)
}
