package sessions

import "io"

// SetRandom replaces the Manager's source of tokens, so tests can see how
// a failing source is handled. There is deliberately no public option.
func (m *Manager[V]) SetRandom(r io.Reader) { m.random = r }

// Random returns the Manager's source of tokens.
func (m *Manager[V]) Random() io.Reader { return m.random }

// StorageID is the storage ID the default token scheme derives.
var StorageID = storageID

// BackoffDelay is the wait after a conflicting attempt.
var BackoffDelay = backoffDelay
