package proptest

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/typedsession/sessions"
)

// CallCounts holds how many calls of each method a [CountingBackend]
// received.
type CallCounts struct {
	Create, Load, Replace, Delete int
	Touch                         int
	ListOwner, DeleteOwner        int
	DeleteExpired                 int
}

// Total returns the number of calls of all methods.
func (c CallCounts) Total() int {
	return c.Create + c.Load + c.Replace + c.Delete + c.Touch + c.ListOwner + c.DeleteOwner + c.DeleteExpired
}

// CountingBackend wraps a backend and counts the calls it forwards, so a
// test can assert that an operation reached the store, or did not (for
// example, that a malformed token costs no store call). It is safe for
// concurrent use.
//
// CountingBackend itself implements [sessions.Backend] and every optional
// capability: a capability the inner backend lacks answers with an error
// wrapping [sessions.ErrUnsupported]. Since a Manager discovers
// capabilities by type assertion, give it [CountingBackend.Backend]
// instead, which has exactly the inner backend's capabilities.
//
// Every call is counted, including those answered with ErrUnsupported.
type CountingBackend[V any] struct {
	inner   sessions.Backend[V]
	toucher sessions.Toucher
	index   sessions.OwnerIndex[V]
	sweeper sessions.Sweeper

	create, load, replace, delete        atomic.Int64
	touch, listOwner, deleteOwner, sweep atomic.Int64
}

// NewCountingBackend returns a CountingBackend forwarding to inner.
func NewCountingBackend[V any](inner sessions.Backend[V]) *CountingBackend[V] {
	c := &CountingBackend[V]{inner: inner}
	c.toucher, _ = inner.(sessions.Toucher)
	c.index, _ = inner.(sessions.OwnerIndex[V])
	c.sweeper, _ = inner.(sessions.Sweeper)
	return c
}

// Calls returns the number of calls received so far, all methods together.
func (c *CountingBackend[V]) Calls() int { return c.Counts().Total() }

// Counts returns the number of calls received so far, by method.
func (c *CountingBackend[V]) Counts() CallCounts {
	return CallCounts{
		Create:        int(c.create.Load()),
		Load:          int(c.load.Load()),
		Replace:       int(c.replace.Load()),
		Delete:        int(c.delete.Load()),
		Touch:         int(c.touch.Load()),
		ListOwner:     int(c.listOwner.Load()),
		DeleteOwner:   int(c.deleteOwner.Load()),
		DeleteExpired: int(c.sweep.Load()),
	}
}

// Reset sets every count to zero.
func (c *CountingBackend[V]) Reset() {
	for _, n := range []*atomic.Int64{&c.create, &c.load, &c.replace, &c.delete, &c.touch, &c.listOwner, &c.deleteOwner, &c.sweep} {
		n.Store(0)
	}
}

// Backend returns a backend that forwards to c and implements exactly the
// optional capabilities the inner backend implements, so a Manager built
// on it discovers what it would discover on the inner backend.
func (c *CountingBackend[V]) Backend() sessions.Backend[V] {
	b := basicView[V]{c}
	t, o, s := touchView[V]{c}, ownerView[V]{c}, sweepView[V]{c}
	switch {
	case c.toucher != nil && c.index != nil && c.sweeper != nil:
		return struct {
			basicView[V]
			touchView[V]
			ownerView[V]
			sweepView[V]
		}{b, t, o, s}
	case c.toucher != nil && c.index != nil:
		return struct {
			basicView[V]
			touchView[V]
			ownerView[V]
		}{b, t, o}
	case c.toucher != nil && c.sweeper != nil:
		return struct {
			basicView[V]
			touchView[V]
			sweepView[V]
		}{b, t, s}
	case c.index != nil && c.sweeper != nil:
		return struct {
			basicView[V]
			ownerView[V]
			sweepView[V]
		}{b, o, s}
	case c.toucher != nil:
		return struct {
			basicView[V]
			touchView[V]
		}{b, t}
	case c.index != nil:
		return struct {
			basicView[V]
			ownerView[V]
		}{b, o}
	case c.sweeper != nil:
		return struct {
			basicView[V]
			sweepView[V]
		}{b, s}
	}
	return b
}

// Create implements [sessions.Backend].
func (c *CountingBackend[V]) Create(ctx context.Context, id sessions.ID, rec sessions.Record[V], now time.Time) error {
	c.create.Add(1)
	return c.inner.Create(ctx, id, rec, now)
}

// Load implements [sessions.Backend].
func (c *CountingBackend[V]) Load(ctx context.Context, id sessions.ID, now time.Time) (sessions.Record[V], error) {
	c.load.Add(1)
	return c.inner.Load(ctx, id, now)
}

// Replace implements [sessions.Backend].
func (c *CountingBackend[V]) Replace(ctx context.Context, id sessions.ID, ifVersion uint64, rec sessions.Record[V], now time.Time) error {
	c.replace.Add(1)
	return c.inner.Replace(ctx, id, ifVersion, rec, now)
}

// Delete implements [sessions.Backend].
func (c *CountingBackend[V]) Delete(ctx context.Context, id sessions.ID, ifVersion uint64) error {
	c.delete.Add(1)
	return c.inner.Delete(ctx, id, ifVersion)
}

// Touch implements [sessions.Toucher], or returns an error wrapping
// [sessions.ErrUnsupported] if the inner backend does not.
func (c *CountingBackend[V]) Touch(ctx context.Context, id sessions.ID, expiresAt, now time.Time) error {
	c.touch.Add(1)
	if c.toucher == nil {
		return c.unsupported("Toucher")
	}
	return c.toucher.Touch(ctx, id, expiresAt, now)
}

// ListOwner implements [sessions.OwnerIndex], or returns an error wrapping
// [sessions.ErrUnsupported] if the inner backend does not.
func (c *CountingBackend[V]) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]sessions.Entry[V], error) {
	c.listOwner.Add(1)
	if c.index == nil {
		return nil, c.unsupported("OwnerIndex")
	}
	return c.index.ListOwner(ctx, owner, now, limit)
}

// DeleteOwner implements [sessions.OwnerIndex], or returns an error
// wrapping [sessions.ErrUnsupported] if the inner backend does not.
func (c *CountingBackend[V]) DeleteOwner(ctx context.Context, owner string, except sessions.ID, now time.Time) (int, error) {
	c.deleteOwner.Add(1)
	if c.index == nil {
		return 0, c.unsupported("OwnerIndex")
	}
	return c.index.DeleteOwner(ctx, owner, except, now)
}

// DeleteExpired implements [sessions.Sweeper], or returns an error
// wrapping [sessions.ErrUnsupported] if the inner backend does not.
func (c *CountingBackend[V]) DeleteExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	c.sweep.Add(1)
	if c.sweeper == nil {
		return 0, c.unsupported("Sweeper")
	}
	return c.sweeper.DeleteExpired(ctx, now, limit)
}

func (c *CountingBackend[V]) unsupported(capability string) error {
	return fmt.Errorf("proptest: %T does not implement sessions.%s: %w", c.inner, capability, sessions.ErrUnsupported)
}

// The views behind CountingBackend.Backend: each forwards one group of
// methods to the CountingBackend, and Backend embeds the groups the inner
// backend has.
type (
	basicView[V any] struct{ c *CountingBackend[V] }
	touchView[V any] struct{ c *CountingBackend[V] }
	ownerView[V any] struct{ c *CountingBackend[V] }
	sweepView[V any] struct{ c *CountingBackend[V] }
)

func (v basicView[V]) Create(ctx context.Context, id sessions.ID, rec sessions.Record[V], now time.Time) error {
	return v.c.Create(ctx, id, rec, now)
}

func (v basicView[V]) Load(ctx context.Context, id sessions.ID, now time.Time) (sessions.Record[V], error) {
	return v.c.Load(ctx, id, now)
}

func (v basicView[V]) Replace(ctx context.Context, id sessions.ID, ifVersion uint64, rec sessions.Record[V], now time.Time) error {
	return v.c.Replace(ctx, id, ifVersion, rec, now)
}

func (v basicView[V]) Delete(ctx context.Context, id sessions.ID, ifVersion uint64) error {
	return v.c.Delete(ctx, id, ifVersion)
}

func (v touchView[V]) Touch(ctx context.Context, id sessions.ID, expiresAt, now time.Time) error {
	return v.c.Touch(ctx, id, expiresAt, now)
}

func (v ownerView[V]) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]sessions.Entry[V], error) {
	return v.c.ListOwner(ctx, owner, now, limit)
}

func (v ownerView[V]) DeleteOwner(ctx context.Context, owner string, except sessions.ID, now time.Time) (int, error) {
	return v.c.DeleteOwner(ctx, owner, except, now)
}

func (v sweepView[V]) DeleteExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	return v.c.DeleteExpired(ctx, now, limit)
}
