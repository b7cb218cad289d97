package sealed_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
	"github.com/typedsession/sessions/backends/sealed"
)

func TestRevocationClearEndsEveryCopyOfTheCookie(t *testing.T) {
	f := newFixture(t, fixtureConfig{revocation: true})
	s := f.generate(newCart("ann"))
	copied := s.Token()
	set, err := f.m.Set(f.ctx, s, newCart("bob"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.Clear(f.ctx, set); err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{copied, set.Token()} {
		if got := f.absent(token); !slices.Equal(got, []sessions.Reason{sessions.ReasonUnknown}) {
			t.Errorf("reasons %v, want [unknown]", got)
		}
	}
}

func TestRevocationRenewEndsTheOldCookie(t *testing.T) {
	f := newFixture(t, fixtureConfig{revocation: true})
	s := f.generate(newCart("ann"))
	next, err := f.m.Renew(f.ctx, s, sessions.WithOwner("ann"))
	if err != nil {
		t.Fatal(err)
	}
	f.absent(s.Token())
	f.mustOpen(next.Token())
}

func TestRevocationOnlyOneOfTwoRenewsOfASessionSucceeds(t *testing.T) {
	f := newFixture(t, fixtureConfig{revocation: true})
	s := f.generate(newCart("ann"))
	a, b := f.mustOpen(s.Token()), f.mustOpen(s.Token())
	if _, err := f.m.Renew(f.ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, err := f.m.Renew(f.ctx, b); !errors.Is(err, sessions.ErrNotFound) {
		t.Errorf("second Renew = %#v, %v; want ErrNotFound", got, err)
	}
}

func TestRevocationSetAfterClearIsNotFound(t *testing.T) {
	f := newFixture(t, fixtureConfig{revocation: true})
	s := f.generate(newCart("ann"))
	other := f.mustOpen(s.Token()) // a request in flight
	if _, err := f.m.Clear(f.ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.Set(f.ctx, other, newCart("bob")); !errors.Is(err, sessions.ErrNotFound) {
		t.Errorf("Set after Clear: %v, want ErrNotFound", err)
	}
}

func TestRevocationClearOwnerEndsTheOwnersOtherSessions(t *testing.T) {
	f := newFixture(t, fixtureConfig{revocation: true})
	keep := f.generate(newCart("ann"), sessions.WithOwner("ann"))
	other := f.generate(newCart("ann"), sessions.WithOwner("ann"))
	stranger := f.generate(newCart("bob"), sessions.WithOwner("bob"))
	anonymous := f.generate(newCart("eve"))
	if _, err := f.m.ClearOwner(f.ctx, "ann", keep.ID()); err != nil {
		t.Fatal(err)
	}
	f.absent(other.Token())
	f.mustOpen(keep.Token())
	f.mustOpen(stranger.Token())
	f.mustOpen(anonymous.Token())

	// Sessions created afterwards, in the same instant, live; so does the
	// kept one after a write and a renewal.
	later := f.generate(newCart("ann"), sessions.WithOwner("ann"))
	f.mustOpen(later.Token())
	written, err := f.m.Set(f.ctx, keep, newCart("ann2"))
	if err != nil {
		t.Fatal(err)
	}
	renewed, err := f.m.Renew(f.ctx, written)
	if err != nil {
		t.Fatal(err)
	}
	f.mustOpen(renewed.Token())

	// A second clear keeping none ends them all.
	if _, err := f.m.ClearOwner(f.ctx, "ann", sessions.ID{}); err != nil {
		t.Fatal(err)
	}
	f.absent(later.Token())
	f.absent(renewed.Token())
}

func TestRevocationClearOwnerThenRenewKeepsTheRenewedSession(t *testing.T) {
	// A password change: end every session, then give the current user a
	// fresh one. Renew keeps CreatedAt, so revocation cannot be by age.
	f := newFixture(t, fixtureConfig{revocation: true})
	s := f.generate(newCart("ann"), sessions.WithOwner("ann"))
	if _, err := f.m.ClearOwner(f.ctx, "ann", s.ID()); err != nil {
		t.Fatal(err)
	}
	next, err := f.m.Renew(f.ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	f.mustOpen(next.Token())
	f.absent(s.Token())
}

func TestRevocationOwnerGenerationOutlivesItsRecord(t *testing.T) {
	// The owner's record expires a lifetime after a clear. A session
	// issued just before that must still end at the next clear.
	f := newFixture(t, fixtureConfig{revocation: true, mgrOpts: []sessions.Option{sessions.WithIdleTimeout(0)}})
	if _, err := f.m.ClearOwner(f.ctx, "ann", sessions.ID{}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(testLifetime - time.Minute)
	s := f.generate(newCart("ann"), sessions.WithOwner("ann"))
	f.clock.Advance(2 * time.Minute) // the owner's record has expired
	f.mustOpen(s.Token())
	if _, err := f.m.ClearOwner(f.ctx, "ann", sessions.ID{}); err != nil {
		t.Fatal(err)
	}
	f.absent(s.Token())
}

func TestRevocationReadCosts(t *testing.T) {
	f := newFixture(t, fixtureConfig{revocation: true})
	plain := f.generate(newCart("ann"))
	owned := f.generate(newCart("ann"), sessions.WithOwner("ann"))
	f.rev.counts()
	for _, tc := range []struct {
		name                   string
		op                     func() error
		loads, creates, writes int
	}{
		{"OfKeyUnowned", func() error { _, err := f.m.OfKey(f.ctx, plain.Token()); return err }, 1, 0, 0},
		{"OfKeyOwned", func() error { _, err := f.m.OfKey(f.ctx, owned.Token()); return err }, 2, 0, 0},
		{"SetUnowned", func() error { _, err := f.m.Set(f.ctx, plain, newCart("bob")); return err }, 1, 0, 0},
		{"SetOwned", func() error { _, err := f.m.Set(f.ctx, owned, newCart("bob")); return err }, 2, 0, 0},
		{"GenerateUnowned", func() error { _, err := f.m.Generate(f.ctx, newCart("x")); return err }, 0, 0, 0},
		{"GenerateOwned", func() error { _, err := f.m.Generate(f.ctx, newCart("x"), sessions.WithOwner("x")); return err }, 1, 0, 0},
		{"Clear", func() error { _, err := f.m.Clear(f.ctx, plain); return err }, 0, 1, 0},
		{"ClearOwnerFirst", func() error { _, err := f.m.ClearOwner(f.ctx, "zed", sessions.ID{}); return err }, 1, 1, 0},
		{"ClearOwnerAgain", func() error { _, err := f.m.ClearOwner(f.ctx, "zed", sessions.ID{}); return err }, 1, 0, 1},
	} {
		if err := tc.op(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if l, c, w := f.rev.counts(); l != tc.loads || c != tc.creates || w != tc.writes {
			t.Errorf("%s: %d loads, %d creates, %d replaces; want %d, %d, %d", tc.name, l, c, w, tc.loads, tc.creates, tc.writes)
		}
	}
}

func TestRevocationRecordsAgeOut(t *testing.T) {
	clk := newClock()
	mem, err := memory.New[sealed.Revocation](memory.WithSweepInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	store, err := sealed.New[cart](newRing(t), sealed.WithRevocation(mem, testLifetime), sealed.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	m, err := sessions.NewWithStore[cart](store, sessions.WithClock(clk.Now), sessions.WithLifetime(testLifetime))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	s, err := m.Generate(ctx, newCart("ann"), sessions.WithOwner("ann"))
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	if _, err := m.Clear(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := m.ClearOwner(ctx, "ann", sessions.ID{}); err != nil {
		t.Fatal(err)
	}
	if mem.Len() != 2 {
		t.Fatalf("%d revocation records, want 2", mem.Len())
	}
	// The session's record lasts until CreatedAt plus the lifetime, the
	// owner's until the clear plus the lifetime.
	for _, step := range []struct {
		at   time.Duration
		want int
	}{{testLifetime - time.Millisecond, 2}, {testLifetime + time.Millisecond, 1}, {testLifetime + time.Hour + time.Millisecond, 0}} {
		if _, err := mem.DeleteExpired(ctx, t0.Add(step.at), 100); err != nil {
			t.Fatal(err)
		}
		if mem.Len() != step.want {
			t.Errorf("at +%v: %d records, want %d", step.at, mem.Len(), step.want)
		}
	}
}

func TestRevocationStoreFailuresAreBackendErrors(t *testing.T) {
	f := newFixture(t, fixtureConfig{revocation: true})
	s := f.generate(newCart("ann"))
	boom := errors.New("boom")
	store, err := sealed.New[cart](newRing(t), sealed.WithRevocation(failingBackend{boom}, testLifetime))
	if err != nil {
		t.Fatal(err)
	}
	m, err := sessions.NewWithStore[cart](store, sessions.WithClock(f.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.OfKey(f.ctx, s.Token()); !errors.Is(err, sessions.ErrBackend) || !errors.Is(err, boom) {
		t.Errorf("OfKey: %v, want ErrBackend wrapping the cause", err)
	}
	if _, err := m.Clear(f.ctx, s); !errors.Is(err, boom) {
		t.Errorf("Clear: %v, want the cause", err)
	}
}

// failingBackend fails every call.
type failingBackend struct{ err error }

func (b failingBackend) Create(context.Context, sessions.ID, sessions.Record[sealed.Revocation], time.Time) error {
	return b.err
}

func (b failingBackend) Load(context.Context, sessions.ID, time.Time) (sessions.Record[sealed.Revocation], error) {
	return sessions.Record[sealed.Revocation]{}, b.err
}

func (b failingBackend) Replace(context.Context, sessions.ID, uint64, sessions.Record[sealed.Revocation], time.Time) error {
	return b.err
}

func (b failingBackend) Delete(context.Context, sessions.ID, uint64) error { return b.err }

func TestRevocationAnUndecodableOwnerRecordFailsClosedUntilClearOwnerRewritesIt(t *testing.T) {
	var bad *undecodableBackend
	f := newFixture(t, fixtureConfig{revocation: true, wrapRevocation: func(b sessions.Backend[sealed.Revocation]) sessions.Backend[sealed.Revocation] {
		bad = &undecodableBackend{Backend: b}
		return bad
	}})
	m := f.m

	kept := f.generate(newCart("ann"), sessions.WithOwner("ann"))
	if _, err := m.ClearOwner(f.ctx, "ann", kept.ID()); err != nil {
		t.Fatal(err)
	}
	later := f.generate(newCart("ann"), sessions.WithOwner("ann"))
	anonymous := f.generate(newCart("ann"))
	bob := f.generate(newCart("bob"), sessions.WithOwner("bob"))
	f.clock.Advance(time.Minute)
	bad.spoil() // the owner's record, the only one there is

	// Reads refuse the owner's sessions, as absent.
	f.absent(kept.Token())
	f.absent(later.Token())
	f.mustOpen(anonymous.Token())
	f.mustOpen(bob.Token())
	// Creating one of the owner's sessions is a store failure, not a
	// missing session.
	if _, err := m.Generate(f.ctx, newCart("ann"), sessions.WithOwner("ann")); !errors.Is(err, sessions.ErrBackend) || errors.Is(err, sessions.ErrNotFound) {
		t.Errorf("Generate of an owned session: %v, want ErrBackend", err)
	}
	if _, err := m.Renew(f.ctx, anonymous, sessions.WithOwner("ann")); !errors.Is(err, sessions.ErrBackend) || errors.Is(err, sessions.ErrNotFound) {
		t.Errorf("Renew logging in: %v, want ErrBackend", err)
	}
	f.generate(newCart("bob"), sessions.WithOwner("bob"))

	// ClearOwner repairs it: the owner gets sessions again, and every
	// session issued before the repair stays revoked.
	if _, err := m.ClearOwner(f.ctx, "ann", sessions.ID{}); err != nil {
		t.Fatalf("ClearOwner over the undecodable record: %v", err)
	}
	fresh := f.generate(newCart("ann"), sessions.WithOwner("ann"))
	f.mustOpen(fresh.Token())
	if _, err := m.Renew(f.ctx, anonymous, sessions.WithOwner("ann")); err != nil {
		t.Errorf("Renew logging in after the repair: %v", err)
	}
	f.absent(kept.Token())
	f.absent(later.Token())
}

// undecodableBackend makes records it is told to spoil read as
// sessions.ErrDecode, as a store's bytes do when they no longer decode,
// until they are deleted.
type undecodableBackend struct {
	sessions.Backend[sealed.Revocation]
	mu      sync.Mutex
	created []sessions.ID
	spoilt  map[sessions.ID]bool
}

// spoil makes every record created so far undecodable.
func (u *undecodableBackend) spoil() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.spoilt = map[sessions.ID]bool{}
	for _, id := range u.created {
		u.spoilt[id] = true
	}
}

func (u *undecodableBackend) isSpoilt(id sessions.ID) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.spoilt[id]
}

func (u *undecodableBackend) Create(ctx context.Context, id sessions.ID, rec sessions.Record[sealed.Revocation], now time.Time) error {
	u.mu.Lock()
	u.created = append(u.created, id)
	u.mu.Unlock()
	return u.Backend.Create(ctx, id, rec, now)
}

func (u *undecodableBackend) Load(ctx context.Context, id sessions.ID, now time.Time) (sessions.Record[sealed.Revocation], error) {
	if u.isSpoilt(id) {
		return sessions.Record[sealed.Revocation]{}, fmt.Errorf("%w: test bytes", sessions.ErrDecode)
	}
	return u.Backend.Load(ctx, id, now)
}

func (u *undecodableBackend) Replace(ctx context.Context, id sessions.ID, ifVersion uint64, rec sessions.Record[sealed.Revocation], now time.Time) error {
	if u.isSpoilt(id) {
		return fmt.Errorf("%w: test bytes", sessions.ErrDecode)
	}
	return u.Backend.Replace(ctx, id, ifVersion, rec, now)
}

func (u *undecodableBackend) Delete(ctx context.Context, id sessions.ID, ifVersion uint64) error {
	u.mu.Lock()
	delete(u.spoilt, id)
	u.mu.Unlock()
	return u.Backend.Delete(ctx, id, ifVersion)
}
