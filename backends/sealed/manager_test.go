package sealed_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/typedsession/sessions"
)

// Behaviours that hold with and without revocation.
var commonBehaviours = []struct {
	name string
	run  func(t *testing.T, f *fixture)
}{
	{"GenerateThenOfKeyReturnsTheRecord", func(t *testing.T, f *fixture) {
		s := f.generate(newCart("ann"), sessions.WithOwner("ann"), sessions.WithPersistent(true))
		got := f.mustOpen(s.Token())
		if got.ID() != s.ID() || !equalCart(got.Value(), newCart("ann")) || got.Owner() != "ann" ||
			!got.Persistent() || got.Version() != 1 || !got.CreatedAt().Equal(t0) ||
			!got.ExpiresAt().Equal(t0.Add(sessions.DefaultIdleTimeout)) || got.Modified() {
			t.Errorf("OfKey = %#v %+v, want the generated session", got, got.Value())
		}
	}},
	{"SetSealsANewTokenUnderTheSameID", func(t *testing.T, f *fixture) {
		s := f.generate(newCart("ann"))
		f.clock.Advance(time.Minute)
		next, err := f.m.Set(f.ctx, s, newCart("bob"))
		if err != nil {
			t.Fatalf("Set: %v", err)
		}
		if next.Token() == s.Token() || next.ID() != s.ID() || next.Version() != 2 || !next.Modified() {
			t.Fatalf("Set returned %#v, want a new token, the same ID, version 2", next)
		}
		got := f.mustOpen(next.Token())
		if got.Value().User != "bob" || got.Version() != 2 || !got.ExpiresAt().Equal(t0.Add(time.Minute+sessions.DefaultIdleTimeout)) {
			t.Errorf("reopened %+v v%d expires %v", got.Value(), got.Version(), got.ExpiresAt())
		}
	}},
	{"ValuesNeverAlias", func(t *testing.T, f *fixture) {
		v := newCart("ann")
		s := f.generate(v)
		v.Items[0], v.Qty["tea"] = "coffee", 9
		got := f.mustOpen(s.Token())
		got.Value().Items[0] = "cake"
		if again := f.mustOpen(s.Token()); !equalCart(again.Value(), newCart("ann")) {
			t.Errorf("value changed through an alias: %+v", again.Value())
		}
	}},
	{"IdleTimeoutEndsTheSessionAsExpired", func(t *testing.T, f *fixture) {
		s := f.generate(newCart("ann"))
		f.clock.Advance(sessions.DefaultIdleTimeout)
		if got := f.absent(s.Token()); !slices.Equal(got, []sessions.Reason{sessions.ReasonExpired}) {
			t.Errorf("reasons %v, want [expired]", got)
		}
	}},
	{"AbsoluteCapIsRecomputedFromTheCurrentLifetime", func(t *testing.T, f *fixture) {
		s := f.generate(newCart("ann"))
		f.clock.Advance(2 * time.Minute)
		short, err := sessions.NewWithStore[cart](f.store, sessions.WithClock(f.clock.Now),
			sessions.WithLifetime(time.Minute), sessions.WithIdleTimeout(0), sessions.WithObserver(f.events.observe))
		if err != nil {
			t.Fatal(err)
		}
		f.events.take()
		if _, err := short.OfKey(f.ctx, s.Token()); !errors.Is(err, sessions.ErrNotFound) {
			t.Fatalf("OfKey past the new lifetime: %v, want ErrNotFound", err)
		}
		if got := reasons(f.events.take()); !slices.Equal(got, []sessions.Reason{sessions.ReasonExpired}) {
			t.Errorf("reasons %v, want [expired]", got)
		}
	}},
	{"TouchReSealsWithALaterDeadline", func(t *testing.T, f *fixture) {
		s := f.generate(newCart("ann"))
		f.clock.Advance(10 * time.Minute)
		s = f.mustOpen(s.Token())
		next, err := f.m.Touch(f.ctx, s)
		if err != nil || !next.Modified() || next.Token() == s.Token() {
			t.Fatalf("Touch = %#v, %v; want a new token", next, err)
		}
		f.clock.Advance(25 * time.Minute) // past the first deadline
		if got := f.mustOpen(next.Token()); !got.ExpiresAt().Equal(t0.Add(40 * time.Minute)) {
			t.Errorf("ExpiresAt %v, want %v", got.ExpiresAt(), t0.Add(40*time.Minute))
		}
	}},
	{"RenewMovesToANewIDKeepingValueAndCreatedAt", func(t *testing.T, f *fixture) {
		s := f.generate(newCart("ann"))
		f.clock.Advance(time.Minute)
		next, err := f.m.Renew(f.ctx, s, sessions.WithOwner("ann"))
		if err != nil {
			t.Fatalf("Renew: %v", err)
		}
		got := f.mustOpen(next.Token())
		if got.ID() == s.ID() || got.Owner() != "ann" || !got.CreatedAt().Equal(t0) || !equalCart(got.Value(), newCart("ann")) {
			t.Errorf("renewed session %#v %+v owner %q", got, got.Value(), got.Owner())
		}
	}},
	{"OfHeaderFindsTheSessionAmongOtherCookies", func(t *testing.T, f *fixture) {
		s := f.generate(newCart("ann"))
		got, err := f.m.OfHeader(f.ctx, "_ga=GA1.2.3; theme=dark; lang=en; __Host-session="+s.Token())
		if err != nil || got.IsAbsent() || got.MustGet().ID() != s.ID() {
			t.Fatalf("OfHeader = %v, %v", got, err)
		}
	}},
	{"SecretSurvivesWritesAndChangesOnRenew", func(t *testing.T, f *fixture) {
		s := f.generate(newCart("ann"))
		first, ok := s.Secret("csrf")
		if !ok {
			t.Fatal("no secret")
		}
		set, err := f.m.Set(f.ctx, s, newCart("bob"))
		if err != nil {
			t.Fatal(err)
		}
		if k, _ := set.Secret("csrf"); k != first {
			t.Error("secret changed on Set")
		}
		renewed, err := f.m.Renew(f.ctx, set)
		if err != nil {
			t.Fatal(err)
		}
		if k, _ := renewed.Secret("csrf"); k == first {
			t.Error("secret survived Renew")
		}
		if k, _ := f.generate(newCart("ann")).Secret("csrf"); k == first {
			t.Error("two sessions share a secret")
		}
	}},
	{"OversizedValueGivesErrCookieTooLargeAndKeepsThePreviousCookie", func(t *testing.T, f *fixture) {
		big := newCart(strings.Repeat("x", 4000))
		if _, err := f.m.Generate(f.ctx, big); !errors.Is(err, sessions.ErrCookieTooLarge) {
			t.Errorf("Generate: %v, want ErrCookieTooLarge", err)
		}
		s := f.generate(newCart("ann"))
		if got, err := f.m.Set(f.ctx, s, big); !errors.Is(err, sessions.ErrCookieTooLarge) || len(f.m.ToCookieHeaders(got)) > 1 {
			t.Errorf("Set: %v with headers %v, want ErrCookieTooLarge and no Set-Cookie", err, f.m.ToCookieHeaders(got))
		}
		if got := f.mustOpen(s.Token()); got.Value().User != "ann" {
			t.Errorf("previous cookie holds %+v", got.Value())
		}
	}},
	{"ATokenThatFitsTheStoreButNotTheSetCookieHeaderIsRefused", func(t *testing.T, f *fixture) {
		// Grow the value until the store still seals it but the Manager
		// refuses the header the token would need.
		for n := 2800; n < 3100; n++ {
			v := newCart(strings.Repeat("x", n))
			if _, _, err := f.store.Create(f.ctx, sessions.Record[cart]{Value: v, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}, t0); err != nil {
				break
			}
			if _, err := f.m.Generate(f.ctx, v); errors.Is(err, sessions.ErrCookieTooLarge) {
				return
			} else if err != nil {
				t.Fatalf("Generate: %v", err)
			}
		}
		t.Fatal("the store refused every value the Manager would have")
	}},
	{"ListingAnOwnersSessionsIsUnsupported", func(t *testing.T, f *fixture) {
		f.generate(newCart("ann"), sessions.WithOwner("ann"))
		if _, err := f.m.Sessions(f.ctx, "ann"); !errors.Is(err, sessions.ErrUnsupported) {
			t.Errorf("Sessions: %v, want ErrUnsupported", err)
		}
	}},
	{"ClearExpiresTheCookie", func(t *testing.T, f *fixture) {
		s := f.generate(newCart("ann"))
		cleared, err := f.m.Clear(f.ctx, s)
		if err != nil || !cleared.Cleared() {
			t.Fatalf("Clear = %#v, %v", cleared, err)
		}
		hs := f.m.ToCookieHeaders(cleared)
		if len(hs) == 0 || !strings.Contains(hs[0].Value, "Max-Age=0") {
			t.Errorf("headers %v, want a deletion", hs)
		}
	}},
	{"UpdateAppliesTheFunction", func(t *testing.T, f *fixture) {
		s := f.generate(newCart("ann"))
		next, err := f.m.Update(f.ctx, s, func(c cart) (cart, error) {
			c.Qty["tea"]++
			return c, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.mustOpen(next.Token()); got.Value().Qty["tea"] != 2 {
			t.Errorf("Qty %v", got.Value().Qty)
		}
	}},
}

func TestManagerBehaviours(t *testing.T) {
	for _, mode := range []struct {
		name string
		cfg  fixtureConfig
	}{
		{"WithoutRevocation", fixtureConfig{}},
		{"WithRevocation", fixtureConfig{revocation: true}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			for _, bh := range commonBehaviours {
				t.Run(bh.name, func(t *testing.T) { bh.run(t, newFixture(t, mode.cfg)) })
			}
		})
	}
}

// The documented limits of a store without revocation: each test fails if
// the store starts doing more than it says, so the docs stay true.
func TestWithoutRevocationACopiedCookieOutlivesClear(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	s := f.generate(newCart("ann"))
	if _, err := f.m.Clear(f.ctx, s); err != nil {
		t.Fatal(err)
	}
	f.mustOpen(s.Token())
	f.clock.Advance(sessions.DefaultIdleTimeout)
	f.absent(s.Token())
}

func TestWithoutRevocationTheOldCookieOutlivesRenew(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	s := f.generate(newCart("ann"))
	if _, err := f.m.Renew(f.ctx, s); err != nil {
		t.Fatal(err)
	}
	f.mustOpen(s.Token())
}

func TestWithoutRevocationClearOwnerIsUnsupported(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	if _, err := f.m.ClearOwner(f.ctx, "ann", sessions.ID{}); !errors.Is(err, sessions.ErrUnsupported) {
		t.Errorf("ClearOwner: %v, want ErrUnsupported", err)
	}
}

func TestReadsNeverReSeal(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	s := f.generate(newCart("ann"))
	got, err := f.m.OfHeader(f.ctx, "__Host-session="+s.Token())
	if err != nil || got.MustGet().Token() != s.Token() || got.MustGet().Modified() || len(f.m.ToCookieHeaders(got.MustGet())) != 1 {
		t.Errorf("OfHeader = %v, %v; want the same token, not modified, only Vary", got, err)
	}
}

func TestReplaceRefusesAStaleVersion(t *testing.T) {
	f := newFixture(t, fixtureConfig{})
	s := f.generate(newCart("ann"))
	next, err := f.store.Replace(f.ctx, s.Token(), 1, sessions.Record[cart]{
		Value: newCart("bob"), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
	}, t0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.store.Replace(f.ctx, next, 1, sessions.Record[cart]{Value: newCart("eve"), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}, t0)
	if !errors.Is(err, sessions.ErrConflict) {
		t.Errorf("Replace with the version before: %v, want ErrConflict", err)
	}
	if err := f.store.Delete(f.ctx, next, 1); !errors.Is(err, sessions.ErrConflict) {
		t.Errorf("Delete with the version before: %v, want ErrConflict", err)
	}
	if err := f.store.Delete(f.ctx, "garbage", 1); !errors.Is(err, sessions.ErrNotFound) {
		t.Errorf("conditional Delete of garbage: %v, want ErrNotFound", err)
	}
	if err := f.store.Delete(f.ctx, "garbage", 0); err != nil {
		t.Errorf("unconditional Delete of garbage: %v, want nil", err)
	}
}

func TestParallelRequestsOnOneSession(t *testing.T) {
	for _, cfg := range []fixtureConfig{{}, {revocation: true}} {
		f := newFixture(t, cfg)
		s := f.generate(newCart("ann"), sessions.WithOwner("ann"))
		done := make(chan error)
		for range 8 {
			go func() {
				for range 50 {
					got, err := f.m.OfKey(f.ctx, s.Token())
					if err == nil {
						_, err = f.m.Set(f.ctx, got, newCart("bob"))
					}
					if err != nil {
						done <- err
						return
					}
				}
				done <- nil
			}()
		}
		for range 8 {
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
	}
}
