package sessions

import (
	"context"
	"fmt"

	"github.com/samber/mo"
)

// Async is a view of a Manager whose operations return futures, for
// fanning out store calls. Each method runs the Manager's operation of the
// same name on its own goroutine; the [Future] settles exactly once, with
// the operation's result or error, and a panic in the operation (or in an
// Update function) settles it with an error instead of crashing the
// program. Cancel I/O through ctx. Nothing in the library uses this view
// itself.
type Async[V any] struct{ m *Manager[V] }

// Async returns the Manager's future-returning view.
func (m *Manager[V]) Async() Async[V] { return Async[V]{m} }

// Generate is Manager.Generate as a future.
func (a Async[V]) Generate(ctx context.Context, v V, opts ...SessionOption) *Future[Session[V]] {
	return future(func() (Session[V], error) { return a.m.Generate(ctx, v, opts...) })
}

// OfKey is Manager.OfKey as a future.
func (a Async[V]) OfKey(ctx context.Context, token string) *Future[Session[V]] {
	return future(func() (Session[V], error) { return a.m.OfKey(ctx, token) })
}

// OfHeader is Manager.OfHeader as a future.
func (a Async[V]) OfHeader(ctx context.Context, cookieHeaders ...string) *Future[mo.Option[Session[V]]] {
	return future(func() (mo.Option[Session[V]], error) { return a.m.OfHeader(ctx, cookieHeaders...) })
}

// OfHeaderOrCreate is Manager.OfHeaderOrCreate as a future.
func (a Async[V]) OfHeaderOrCreate(ctx context.Context, def V, cookieHeaders ...string) *Future[Session[V]] {
	return future(func() (Session[V], error) { return a.m.OfHeaderOrCreate(ctx, def, cookieHeaders...) })
}

// Set is Manager.Set as a future.
func (a Async[V]) Set(ctx context.Context, s Session[V], v V) *Future[Session[V]] {
	return future(func() (Session[V], error) { return a.m.Set(ctx, s, v) })
}

// Update is Manager.Update as a future.
func (a Async[V]) Update(ctx context.Context, s Session[V], fn func(V) (V, error)) *Future[Session[V]] {
	return future(func() (Session[V], error) { return a.m.Update(ctx, s, fn) })
}

// Touch is Manager.Touch as a future.
func (a Async[V]) Touch(ctx context.Context, s Session[V]) *Future[Session[V]] {
	return future(func() (Session[V], error) { return a.m.Touch(ctx, s) })
}

// Renew is Manager.Renew as a future.
func (a Async[V]) Renew(ctx context.Context, s Session[V], opts ...SessionOption) *Future[Session[V]] {
	return future(func() (Session[V], error) { return a.m.Renew(ctx, s, opts...) })
}

// Clear is Manager.Clear as a future.
func (a Async[V]) Clear(ctx context.Context, s Session[V]) *Future[Session[V]] {
	return future(func() (Session[V], error) { return a.m.Clear(ctx, s) })
}

// Sessions is Manager.Sessions as a future.
func (a Async[V]) Sessions(ctx context.Context, owner string) *Future[[]Entry[V]] {
	return future(func() ([]Entry[V], error) { return a.m.Sessions(ctx, owner) })
}

// ClearOwner is Manager.ClearOwner as a future.
func (a Async[V]) ClearOwner(ctx context.Context, owner string, keep ID) *Future[int] {
	return future(func() (int, error) { return a.m.ClearOwner(ctx, owner, keep) })
}

// ClearOwned is Manager.ClearOwned as a future; it resolves to struct{}.
func (a Async[V]) ClearOwned(ctx context.Context, owner string, id ID) *Future[struct{}] {
	return future(func() (struct{}, error) { return struct{}{}, a.m.ClearOwned(ctx, owner, id) })
}

// future runs fn on its own goroutine and settles the future once with
// its outcome; a panic settles it with an error.
func future[T any](fn func() (T, error)) *Future[T] {
	return &Future[T]{f: mo.NewFuture(func(resolve func(T), reject func(error)) {
		v, err := recovered(fn)
		if err != nil {
			reject(err)
			return
		}
		resolve(v)
	})}
}

// recovered calls fn, turning a panic into an error.
func recovered[T any](fn func() (T, error)) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			var zero T
			v, err = zero, fmt.Errorf("sessions: panic in async operation: %v", r)
		}
	}()
	return fn()
}
