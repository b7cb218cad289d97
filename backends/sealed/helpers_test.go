package sealed_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
	"github.com/typedsession/sessions/backends/sealed"
	"github.com/typedsession/sessions/internal/testclock"
)

// t0 is the tests' first "now".
var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// secret returns a fixed, well-mixed master secret; n tells secrets apart.
func secret(n int) []byte {
	s := sha256.Sum256(fmt.Appendf(nil, "test master secret %d", n))
	return s[:]
}

func newRing(t testing.TB, secrets ...[]byte) *sealed.KeyRing {
	t.Helper()
	if len(secrets) == 0 {
		secrets = [][]byte{secret(1)}
	}
	ring, err := sealed.NewKeyRing(secrets[0], secrets[1:]...)
	if err != nil {
		t.Fatalf("NewKeyRing: %v", err)
	}
	return ring
}

// cart is the value most tests store: a slice and a map show aliasing.
type cart struct {
	User  string
	Items []string
	Qty   map[string]int
}

func newCart(user string) cart {
	return cart{User: user, Items: []string{"tea"}, Qty: map[string]int{"tea": 1}}
}

// newClock returns a settable clock for the Manager and the store,
// reading t0.
func newClock() *testclock.Clock { return testclock.New(t0) }

// events records what a Manager observes.
type events struct {
	mu   sync.Mutex
	list []sessions.Event
}

func (e *events) observe(_ context.Context, ev sessions.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.list = append(e.list, ev)
}

// take returns the events since the last take and forgets them.
func (e *events) take() []sessions.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.list
	e.list = nil
	return out
}

// reasons returns the reasons of the invalid-token events among evs.
func reasons(evs []sessions.Event) []sessions.Reason {
	var out []sessions.Reason
	for _, ev := range evs {
		if ev.Kind == sessions.EventInvalidToken {
			out = append(out, ev.Reason)
		}
	}
	return out
}

// fixture is a Manager over a sealed store with a fake clock and an event
// recorder, and optionally revocation in a counted memory store.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	clock  *testclock.Clock
	events *events
	store  *sealed.Store[cart]
	m      *sessions.Manager[cart]
	rev    *countingBackend // nil without revocation
}

// fixtureConfig varies fixtures.
type fixtureConfig struct {
	revocation bool
	// wrapRevocation, if set, wraps the revocation store the sealed
	// store sees.
	wrapRevocation func(sessions.Backend[sealed.Revocation]) sessions.Backend[sealed.Revocation]
	ring           *sealed.KeyRing
	storeOpts      []sealed.Option
	mgrOpts        []sessions.Option
}

const testLifetime = 24 * time.Hour

func newFixture(t *testing.T, cfg fixtureConfig) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: t.Context(), clock: newClock(), events: &events{}}
	if cfg.ring == nil {
		cfg.ring = newRing(t)
	}
	opts := append([]sealed.Option{sealed.WithClock(f.clock.Now)}, cfg.storeOpts...)
	if cfg.revocation {
		mem, err := memory.New[sealed.Revocation](memory.WithSweepInterval(0))
		if err != nil {
			t.Fatalf("memory.New: %v", err)
		}
		t.Cleanup(func() { _ = mem.Close() })
		f.rev = &countingBackend{Backend: mem}
		var rev sessions.Backend[sealed.Revocation] = f.rev
		if cfg.wrapRevocation != nil {
			rev = cfg.wrapRevocation(rev)
		}
		opts = append(opts, sealed.WithRevocation(rev, testLifetime))
	}
	store, err := sealed.New[cart](cfg.ring, opts...)
	if err != nil {
		t.Fatalf("sealed.New: %v", err)
	}
	f.store = store
	mopts := append([]sessions.Option{
		sessions.WithClock(f.clock.Now),
		sessions.WithObserver(f.events.observe),
		sessions.WithLifetime(testLifetime),
	}, cfg.mgrOpts...)
	m, err := sessions.NewWithStore[cart](store, mopts...)
	if err != nil {
		t.Fatalf("NewWithStore: %v", err)
	}
	f.m = m
	return f
}

// generate creates a session holding v, failing the test on error.
func (f *fixture) generate(v cart, opts ...sessions.SessionOption) sessions.Session[cart] {
	f.t.Helper()
	s, err := f.m.Generate(f.ctx, v, opts...)
	if err != nil {
		f.t.Fatalf("Generate: %v", err)
	}
	return s
}

// mustOpen loads token, failing the test unless it names a live session.
func (f *fixture) mustOpen(token string) sessions.Session[cart] {
	f.t.Helper()
	s, err := f.m.OfKey(f.ctx, token)
	if err != nil {
		f.t.Fatalf("OfKey: %v", err)
	}
	return s
}

// absent checks that token names no session through the Manager and
// returns the reasons of the invalid-token events the lookup fired.
func (f *fixture) absent(token string) []sessions.Reason {
	f.t.Helper()
	f.events.take()
	if s, err := f.m.OfKey(f.ctx, token); err == nil {
		f.t.Fatalf("OfKey found %v, want absent", s)
	} else if err != sessions.ErrNotFound {
		f.t.Fatalf("OfKey: %v, want exactly sessions.ErrNotFound", err)
	}
	return reasons(f.events.take())
}

// countingBackend counts the revocation store's calls.
type countingBackend struct {
	sessions.Backend[sealed.Revocation]
	mu                     sync.Mutex
	loads, creates, writes int
}

func (c *countingBackend) Load(ctx context.Context, id sessions.ID, now time.Time) (sessions.Record[sealed.Revocation], error) {
	c.mu.Lock()
	c.loads++
	c.mu.Unlock()
	return c.Backend.Load(ctx, id, now)
}

func (c *countingBackend) Create(ctx context.Context, id sessions.ID, rec sessions.Record[sealed.Revocation], now time.Time) error {
	c.mu.Lock()
	c.creates++
	c.mu.Unlock()
	return c.Backend.Create(ctx, id, rec, now)
}

func (c *countingBackend) Replace(ctx context.Context, id sessions.ID, v uint64, rec sessions.Record[sealed.Revocation], now time.Time) error {
	c.mu.Lock()
	c.writes++
	c.mu.Unlock()
	return c.Backend.Replace(ctx, id, v, rec, now)
}

// counts returns and resets the call counts.
func (c *countingBackend) counts() (loads, creates, writes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	loads, creates, writes = c.loads, c.creates, c.writes
	c.loads, c.creates, c.writes = 0, 0, 0
	return loads, creates, writes
}

// decode returns the raw bytes of a token.
func decode(t testing.TB, token string) []byte {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatalf("decoding a token: %v", err)
	}
	return raw
}

func encode(raw []byte) string { return base64.RawURLEncoding.EncodeToString(raw) }

// equalCart compares carts field by field.
func equalCart(a, b cart) bool {
	if a.User != b.User || !slices.Equal(a.Items, b.Items) || len(a.Qty) != len(b.Qty) {
		return false
	}
	for k, v := range a.Qty {
		if w, ok := b.Qty[k]; !ok || w != v {
			return false
		}
	}
	return true
}
