package httpsession

import "errors"

// Flash holds messages for the next request, such as "Saved." after a
// form post that redirects. It is a field type to embed in the session
// value V; it encodes as a JSON array (null when empty). Put and Pop
// return new values and never change the Flash they are called on, so
// they fit Update. Through the middleware, [PutFlash] and [PopFlash] take
// a function that picks the field out of V, written once:
//
//	func flash(v *Visit) *httpsession.Flash[string] { return &v.Flash }
//
// and then each is one line; after a form post:
//
//	err := httpsession.PutFlash(s, flash, "Saved.")
//
// and on the next request:
//
//	msgs, err := httpsession.PopFlash(s, flash)
//
// A popped message is gone once the change is committed; if the response
// fails (status >= 500), it is shown again next time.
type Flash[T any] []T

// Put returns f with msg appended. f itself is unchanged, even when it has
// spare capacity.
func (f Flash[T]) Put(msg T) Flash[T] {
	return append(f[:len(f):len(f)], msg)
}

// Pop returns f's messages, oldest first, and an empty Flash to store in
// its place.
func (f Flash[T]) Pop() ([]T, Flash[T]) {
	return []T(f), nil
}

// errNilField is returned by PutFlash and PopFlash when given no field.
var errNilField = errors.New("httpsession: nil Flash field function")

// PutFlash buffers adding msg to the Flash that field picks out of the
// session's value, as an Update of h.
func PutFlash[V, T any](h *Handle[V], field func(*V) *Flash[T], msg T) error {
	if field == nil {
		return errNilField
	}
	return h.Update(func(v V) (V, error) {
		f := field(&v)
		*f = f.Put(msg)
		return v, nil
	})
}

// PopFlash returns the messages of the Flash that field picks out of the
// session's value, oldest first, and buffers emptying it, so they are
// shown once. With no messages it buffers nothing, so a page without a
// flash writes nothing. A visitor without a session has no messages.
//
// If another request changed the session in the meantime, the commit
// empties the Flash as stored then, which may hold a message that request
// added and this one never returned: pop where the messages are shown.
func PopFlash[V, T any](h *Handle[V], field func(*V) *Flash[T]) ([]T, error) {
	if field == nil {
		return nil, errNilField
	}
	v, err := h.Get()
	if err != nil {
		return nil, err
	}
	msgs, _ := field(&v).Pop()
	if len(msgs) == 0 {
		return nil, nil
	}
	err = h.Update(func(v V) (V, error) {
		_, *field(&v) = field(&v).Pop()
		return v, nil
	})
	if err != nil {
		return nil, err
	}
	return msgs, nil
}
