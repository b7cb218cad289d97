package httpsession

// Flash holds messages for the next request, such as "Saved." after a
// form post that redirects. It is a field type to embed in the session
// value V; it encodes as a JSON array (null when empty). Put and Pop
// return new values and never change the Flash they are called on, so
// they fit Update:
//
//	err := s.Update(func(v Visit) (Visit, error) { v.Flash = v.Flash.Put("Saved."); return v, nil })
//
// and on the next request, writing only when there is something to pop:
//
//	v, err := s.Get()
//	msgs := v.Flash
//	if len(msgs) > 0 {
//		err = s.Update(func(v Visit) (Visit, error) { _, v.Flash = v.Flash.Pop(); return v, nil })
//	}
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
