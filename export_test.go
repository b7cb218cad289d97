package sessions

import "io"

// SetRandom replaces the Manager's source of tokens, so tests can see how
// a failing source is handled. There is deliberately no public option.
func (m *Manager[V]) SetRandom(r io.Reader) { m.random = r }
