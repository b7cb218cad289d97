package proptest_test

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/proptest"
)

// refBackend is a plain, correct implementation of the whole backend
// contract: a map under a mutex, copying values in and out.
type refBackend struct {
	mu   sync.Mutex
	recs map[sessions.ID]sessions.Record[proptest.Value]
}

func newRefBackend() *refBackend {
	return &refBackend{recs: make(map[sessions.ID]sessions.Record[proptest.Value])}
}

func cloneRecord(r sessions.Record[proptest.Value]) sessions.Record[proptest.Value] {
	r.Value.Tags = slices.Clone(r.Value.Tags)
	r.Value.Attrs = maps.Clone(r.Value.Attrs)
	return r
}

// put stores rec under id unconditionally.
func (b *refBackend) put(id sessions.ID, rec sessions.Record[proptest.Value]) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.recs[id] = cloneRecord(rec)
}

func (b *refBackend) Create(_ context.Context, id sessions.ID, rec sessions.Record[proptest.Value], now time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if cur, ok := b.recs[id]; ok && cur.Live(now) {
		return sessions.ErrConflict
	}
	b.recs[id] = cloneRecord(rec)
	return nil
}

func (b *refBackend) Load(_ context.Context, id sessions.ID, now time.Time) (sessions.Record[proptest.Value], error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cur, ok := b.recs[id]
	if !ok || !cur.Live(now) {
		return sessions.Record[proptest.Value]{}, sessions.ErrNotFound
	}
	return cloneRecord(cur), nil
}

func (b *refBackend) Replace(_ context.Context, id sessions.ID, ifVersion uint64, rec sessions.Record[proptest.Value], now time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	cur, ok := b.recs[id]
	switch {
	case !ok || !cur.Live(now):
		return sessions.ErrNotFound
	case cur.Version != ifVersion:
		return sessions.ErrConflict
	}
	b.recs[id] = cloneRecord(rec)
	return nil
}

func (b *refBackend) Delete(_ context.Context, id sessions.ID, ifVersion uint64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ifVersion > 0 {
		cur, ok := b.recs[id]
		switch {
		case !ok:
			return sessions.ErrNotFound
		case cur.Version != ifVersion:
			return sessions.ErrConflict
		}
	}
	delete(b.recs, id)
	return nil
}

func (b *refBackend) Touch(_ context.Context, id sessions.ID, expiresAt, now time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	cur, ok := b.recs[id]
	if !ok || !cur.Live(now) {
		return sessions.ErrNotFound
	}
	cur.ExpiresAt = expiresAt
	b.recs[id] = cur
	return nil
}

func (b *refBackend) ListOwner(_ context.Context, owner string, now time.Time, limit int) ([]sessions.Entry[proptest.Value], error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var es []sessions.Entry[proptest.Value]
	for id, rec := range b.recs {
		if rec.Owner == owner && rec.Live(now) {
			es = append(es, sessions.Entry[proptest.Value]{ID: id, Record: cloneRecord(rec)})
		}
	}
	slices.SortFunc(es, func(x, y sessions.Entry[proptest.Value]) int {
		return cmp.Or(y.Record.CreatedAt.Compare(x.Record.CreatedAt), slices.Compare(x.ID[:], y.ID[:]))
	})
	if len(es) > limit {
		es = es[:limit]
	}
	return es, nil
}

func (b *refBackend) DeleteOwner(_ context.Context, owner string, except sessions.ID, _ time.Time) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for id, rec := range b.recs {
		if rec.Owner == owner && id != except {
			delete(b.recs, id)
			n++
		}
	}
	return n, nil
}

func (b *refBackend) DeleteExpired(_ context.Context, now time.Time, limit int) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for id, rec := range b.recs {
		if n == limit {
			break
		}
		if !rec.Live(now) {
			delete(b.recs, id)
			n++
		}
	}
	return n, nil
}

func TestBackendAcceptsACorrectBackend(t *testing.T) {
	proptest.TestBackend(t, func(t *testing.T) sessions.Backend[proptest.Value] {
		return newRefBackend()
	})
}

func TestBackendAcceptsACorrectBackendThroughTheCountingView(t *testing.T) {
	proptest.TestBackend(t, func(t *testing.T) sessions.Backend[proptest.Value] {
		return proptest.NewCountingBackend[proptest.Value](newRefBackend()).Backend()
	})
}
