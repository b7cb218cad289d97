package sessions_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
	"github.com/typedsession/sessions/internal/testclock"
)

// cart is the value the Manager tests store: it holds a map and a slice,
// so a test can see whether values alias.
type cart struct {
	User  string
	Items []string
	Qty   map[string]int
}

// spy wraps a backend, counting calls and injecting errors.
type spy struct {
	sessions.Backend[cart]
	reads, writes atomic.Int64
	fail          atomic.Pointer[error] // when set, every call returns it
}

func (s *spy) injected() error {
	if p := s.fail.Load(); p != nil {
		return *p
	}
	return nil
}

func (s *spy) failWith(err error) { s.fail.Store(&err) }

func (s *spy) Create(ctx context.Context, id sessions.ID, rec sessions.Record[cart], now time.Time) error {
	s.writes.Add(1)
	if err := s.injected(); err != nil {
		return err
	}
	return s.Backend.Create(ctx, id, rec, now)
}

func (s *spy) Load(ctx context.Context, id sessions.ID, now time.Time) (sessions.Record[cart], error) {
	s.reads.Add(1)
	if err := s.injected(); err != nil {
		return sessions.Record[cart]{}, err
	}
	return s.Backend.Load(ctx, id, now)
}

func (s *spy) Replace(ctx context.Context, id sessions.ID, v uint64, rec sessions.Record[cart], now time.Time) error {
	s.writes.Add(1)
	if err := s.injected(); err != nil {
		return err
	}
	return s.Backend.Replace(ctx, id, v, rec, now)
}

func (s *spy) Delete(ctx context.Context, id sessions.ID, v uint64) error {
	s.writes.Add(1)
	if err := s.injected(); err != nil {
		return err
	}
	return s.Backend.Delete(ctx, id, v)
}

// fixture is a Manager over a spied memory store with a fake clock.
type fixture struct {
	t      *testing.T
	m      *sessions.Manager[cart]
	store  *memory.Store[cart]
	spy    *spy
	clock  *testclock.Clock
	events chan sessions.Event
}

func newFixture(t *testing.T, opts ...sessions.Option) *fixture {
	t.Helper()
	store, err := memory.New[cart]()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	f := &fixture{t: t, store: store, spy: &spy{Backend: store}, clock: testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)), events: make(chan sessions.Event, 1000)}
	opts = append([]sessions.Option{
		sessions.WithClock(f.clock.Now),
		sessions.WithObserver(func(_ context.Context, e sessions.Event) { f.events <- e }),
	}, opts...)
	f.m, err = sessions.New[cart](f.spy, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// newFixtureWithCapabilities is newFixture over the memory store itself,
// so the Manager sees its Toucher and OwnerIndex.
func newFixtureWithCapabilities(t *testing.T, opts ...sessions.Option) *fixture {
	t.Helper()
	f := newFixture(t)
	m, err := sessions.New[cart](f.store, append([]sessions.Option{sessions.WithClock(f.clock.Now)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	f.m = m
	return f
}

func (f *fixture) generate(v cart, opts ...sessions.SessionOption) sessions.Session[cart] {
	f.t.Helper()
	s, err := f.m.Generate(context.Background(), v, opts...)
	if err != nil {
		f.t.Fatalf("Generate: %v", err)
	}
	return s
}

// sawEvent reports whether an event of kind (and reason, if not empty)
// was observed, draining what was seen so far.
func (f *fixture) sawEvent(kind sessions.EventKind, reason sessions.Reason) bool {
	for {
		select {
		case e := <-f.events:
			if e.Kind == kind && (reason == "" || e.Reason == reason) {
				return true
			}
		default:
			return false
		}
	}
}

func cookieHeader(token string) string { return "_ga=GA1.2.3; theme=dark; __Host-session=" + token }

var ctx = context.Background()

func TestGenerateStoresAModifiedSessionUnderAValidToken(t *testing.T) {
	f := newFixture(t)
	s := f.generate(cart{User: "ann"})
	if !s.Modified() || s.IsNew() || s.Cleared() {
		t.Fatalf("flags: modified=%v new=%v cleared=%v, want modified only", s.Modified(), s.IsNew(), s.Cleared())
	}
	if !sessions.ValidToken(s.Token()) {
		t.Fatalf("token %q is not a valid token", s.Token())
	}
	if s.Version() != 1 || !s.CreatedAt().Equal(f.clock.Now()) {
		t.Fatalf("version %d created %v", s.Version(), s.CreatedAt())
	}
	if want := f.clock.Now().Add(sessions.DefaultIdleTimeout); !s.ExpiresAt().Equal(want) {
		t.Fatalf("expires %v, want %v", s.ExpiresAt(), want)
	}
	got, err := f.m.OfKey(ctx, s.Token())
	if err != nil || got.Value().User != "ann" || got.Modified() {
		t.Fatalf("OfKey = %v (modified %v), %v", got.Value(), got.Modified(), err)
	}
	if !f.sawEvent(sessions.EventCreated, "") {
		t.Fatal("no created event")
	}
}

func TestGenerateWithAFailingRandomSourceReturnsAnErrorAndStoresNothing(t *testing.T) {
	f := newFixture(t)
	f.m.SetRandom(iotestErrReader{})
	s, err := f.m.Generate(ctx, cart{})
	if err == nil || s.Token() != "" {
		t.Fatalf("Generate = %v, %v; want an error and no session", s, err)
	}
	if f.store.Len() != 0 {
		t.Fatalf("store holds %d records after a failed Generate", f.store.Len())
	}
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errors.New("entropy exhausted") }

func TestOfKeyAnswersNotFoundForEveryKindOfDeadToken(t *testing.T) {
	f := newFixture(t)
	live := f.generate(cart{})
	cleared := f.generate(cart{})
	if _, err := f.m.Clear(ctx, cleared); err != nil {
		t.Fatal(err)
	}
	unknown := strings.Repeat("A", sessions.TokenLen)
	for name, token := range map[string]string{
		"empty":         "",
		"too short":     live.Token()[1:],
		"bad alphabet":  live.Token()[:42] + "+",
		"unknown":       unknown,
		"cleared":       cleared.Token(),
		"with trailing": live.Token() + " ",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := f.m.OfKey(ctx, token); !errors.Is(err, sessions.ErrNotFound) {
				t.Fatalf("OfKey = %v, want ErrNotFound", err)
			}
		})
	}
	f.clock.Advance(sessions.DefaultIdleTimeout)
	if _, err := f.m.OfKey(ctx, live.Token()); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("OfKey of an expired session = %v, want ErrNotFound", err)
	}
}

func TestMalformedTokensReachNoStore(t *testing.T) {
	f := newFixture(t)
	for _, token := range []string{"", "x", strings.Repeat("A", 42) + "B", strings.Repeat("é", 22), strings.Repeat("A", 1<<20)} {
		f.m.OfKey(ctx, token)
		f.m.OfHeader(ctx, "__Host-session="+token)
	}
	if n := f.spy.reads.Load() + f.spy.writes.Load(); n != 0 {
		t.Fatalf("malformed tokens caused %d store calls", n)
	}
	if !f.sawEvent(sessions.EventInvalidToken, sessions.ReasonMalformed) {
		t.Fatal("no malformed-token event")
	}
}

func TestLoadsNeverWrite(t *testing.T) {
	f := newFixture(t)
	s := f.generate(cart{})
	f.spy.writes.Store(0)
	for range 3 {
		f.clock.Advance(10 * time.Minute)
		f.m.OfKey(ctx, s.Token())
		f.m.OfHeader(ctx, cookieHeader(s.Token()))
		f.m.OfHeaderOrCreate(ctx, cart{}, cookieHeader(s.Token()))
	}
	if n := f.spy.writes.Load(); n != 0 {
		t.Fatalf("loads made %d writes", n)
	}
}

func TestOfHeaderWithoutASessionCookieIsNoneWithoutAStoreCall(t *testing.T) {
	f := newFixture(t)
	for _, headers := range [][]string{nil, {""}, {"_ga=GA1.2.3; theme=dark"}, {"session=x", "__host-session=y"}} {
		got, err := f.m.OfHeader(ctx, headers...)
		if err != nil || got.IsPresent() {
			t.Fatalf("OfHeader(%q) = %v, %v; want None", headers, got, err)
		}
	}
	if n := f.spy.reads.Load(); n != 0 {
		t.Fatalf("%d store reads without a session cookie", n)
	}
}

func TestOfHeaderFindsTheOneLiveCandidate(t *testing.T) {
	f := newFixture(t)
	stale := f.generate(cart{User: "stale"})
	f.m.Clear(ctx, stale)
	live := f.generate(cart{User: "live"})
	got, err := f.m.OfHeader(ctx, cookieHeader(stale.Token()), "__Host-session="+live.Token())
	s, ok := got.Get()
	if err != nil || !ok || s.Value().User != "live" {
		t.Fatalf("OfHeader = %v, %v; want the live session", got, err)
	}
}

func TestOfHeaderWithTwoLiveSessionsIsNone(t *testing.T) {
	f := newFixture(t)
	a, b := f.generate(cart{}), f.generate(cart{})
	got, err := f.m.OfHeader(ctx, "__Host-session="+a.Token()+"; __Host-session="+b.Token())
	if err != nil || got.IsPresent() {
		t.Fatalf("OfHeader = %v, %v; want None", got, err)
	}
	if !f.sawEvent(sessions.EventInvalidToken, sessions.ReasonAmbiguous) {
		t.Fatal("no ambiguous event")
	}
}

func TestOfHeaderReturnsStoreFailuresInsteadOfPickingASurvivor(t *testing.T) {
	f := newFixture(t)
	s := f.generate(cart{})
	f.spy.failWith(errors.New("connection refused"))
	_, err := f.m.OfHeader(ctx, cookieHeader(s.Token()))
	if !errors.Is(err, sessions.ErrBackend) {
		t.Fatalf("OfHeader = %v, want ErrBackend", err)
	}
	if _, err := f.m.OfHeaderOrCreate(ctx, cart{}, cookieHeader(s.Token())); !errors.Is(err, sessions.ErrBackend) {
		t.Fatalf("OfHeaderOrCreate = %v, want ErrBackend, never a fresh session", err)
	}
}

func TestStoreErrorsAreWrappedSoBothSentinelAndCauseMatch(t *testing.T) {
	f := newFixture(t)
	s := f.generate(cart{})
	f.spy.failWith(context.DeadlineExceeded)
	_, err := f.m.OfKey(ctx, s.Token())
	if !errors.Is(err, sessions.ErrBackend) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("OfKey = %v, want ErrBackend wrapping context.DeadlineExceeded", err)
	}
	if !f.sawEvent(sessions.EventBackendError, "") {
		t.Fatal("no backend-error event")
	}
	if strings.Contains(err.Error(), s.Token()) {
		t.Fatal("error text contains the token")
	}
}

func TestUndecodableRecordsReadAsAbsent(t *testing.T) {
	f := newFixture(t)
	s := f.generate(cart{})
	f.spy.failWith(sessions.ErrDecode)
	if _, err := f.m.OfKey(ctx, s.Token()); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("OfKey = %v, want ErrNotFound", err)
	}
	if !f.sawEvent(sessions.EventDecodeFailed, "") {
		t.Fatal("no decode-failed event")
	}
}

func TestOfHeaderOrCreateIsLazy(t *testing.T) {
	f := newFixture(t)
	forged := strings.Repeat("A", sessions.TokenLen)
	for _, h := range []string{"", cookieHeader(forged), cookieHeader("not-a-token")} {
		s, err := f.m.OfHeaderOrCreate(ctx, cart{User: "guest"}, h)
		if err != nil {
			t.Fatal(err)
		}
		if !s.IsNew() || s.Modified() || s.Token() != "" || s.Value().User != "guest" {
			t.Fatalf("unsaved session: new=%v modified=%v token=%q value=%v", s.IsNew(), s.Modified(), s.Token(), s.Value())
		}
		if hs := f.m.ToCookieHeaders(s); len(hs) != 1 || hs[0].Name != "Vary" {
			t.Fatalf("headers of an unsaved session = %v, want Vary only", hs)
		}
	}
	if f.spy.writes.Load() != 0 || f.store.Len() != 0 {
		t.Fatal("an unsaved session wrote to the store")
	}
	s, _ := f.m.OfHeaderOrCreate(ctx, cart{}, cookieHeader(forged))
	s, err := f.m.Set(ctx, s, cart{User: "ann"})
	if err != nil || s.IsNew() || !s.Modified() || s.Token() == forged || !sessions.ValidToken(s.Token()) {
		t.Fatalf("first Set: new=%v modified=%v err=%v; want a fresh token", s.IsNew(), s.Modified(), err)
	}
}

func TestSetSlidesTheIdleDeadlineAndBumpsTheVersion(t *testing.T) {
	f := newFixture(t)
	s := f.generate(cart{})
	f.clock.Advance(10 * time.Minute)
	s, err := f.m.Set(ctx, s, cart{User: "bob"})
	if err != nil || s.Version() != 2 || !s.Modified() {
		t.Fatalf("Set = version %d modified %v, %v", s.Version(), s.Modified(), err)
	}
	if want := f.clock.Now().Add(sessions.DefaultIdleTimeout); !s.ExpiresAt().Equal(want) {
		t.Fatalf("expires %v, want %v", s.ExpiresAt(), want)
	}
	got, _ := f.m.OfKey(ctx, s.Token())
	if got.Value().User != "bob" {
		t.Fatalf("stored value %v", got.Value())
	}
}

func TestSetAfterAConcurrentChangeConflicts(t *testing.T) {
	f := newFixture(t)
	s := f.generate(cart{})
	other, _ := f.m.OfKey(ctx, s.Token())
	if _, err := f.m.Set(ctx, other, cart{User: "first"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.Set(ctx, s, cart{User: "second"}); !errors.Is(err, sessions.ErrConflict) {
		t.Fatalf("Set = %v, want ErrConflict", err)
	}
	got, _ := f.m.OfKey(ctx, s.Token())
	if got.Value().User != "first" {
		t.Fatalf("a conflicting Set overwrote the value: %v", got.Value())
	}
}

func TestSetAfterClearIsNotFoundAndRecreatesNothing(t *testing.T) {
	f := newFixture(t)
	s := f.generate(cart{})
	if _, err := f.m.Clear(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.Set(ctx, s, cart{}); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Set = %v, want ErrNotFound", err)
	}
	if _, err := f.m.OfKey(ctx, s.Token()); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatal("Set recreated a cleared session")
	}
}

func TestValuesDoNotAliasTheStore(t *testing.T) {
	f := newFixture(t)
	v := cart{Items: []string{"a"}, Qty: map[string]int{"a": 1}}
	s := f.generate(v)
	v.Items[0], v.Qty["a"] = "changed", 99
	loaded, _ := f.m.OfKey(ctx, s.Token())
	loaded.Value().Items[0], loaded.Value().Qty["a"] = "changed", 99
	again, _ := f.m.OfKey(ctx, s.Token())
	if again.Value().Items[0] != "a" || again.Value().Qty["a"] != 1 {
		t.Fatalf("stored value changed through an alias: %v", again.Value())
	}
}

func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	f := newFixture(t, sessions.WithUpdateAttempts(1000))
	s := f.generate(cart{Qty: map[string]int{}})
	const goroutines, updates = 8, 25
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range updates {
				mine, err := f.m.OfKey(ctx, s.Token())
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := f.m.Update(ctx, mine, func(c cart) (cart, error) {
					c.Qty["n"]++
					return c, nil
				}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	got, _ := f.m.OfKey(ctx, s.Token())
	if n := got.Value().Qty["n"]; n != goroutines*updates {
		t.Fatalf("count = %d, want %d", n, goroutines*updates)
	}
}

func TestUpdateFunctionErrorAbortsWithoutWriting(t *testing.T) {
	f := newFixture(t)
	s := f.generate(cart{})
	f.spy.writes.Store(0)
	boom := errors.New("out of stock")
	if _, err := f.m.Update(ctx, s, func(c cart) (cart, error) { return c, boom }); !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want the function's error", err)
	}
	if f.spy.writes.Load() != 0 {
		t.Fatal("Update wrote after its function failed")
	}
}

func TestUpdateGivesUpAfterItsAttempts(t *testing.T) {
	f := newFixture(t, sessions.WithUpdateAttempts(3))
	s := f.generate(cart{})
	calls := 0
	_, err := f.m.Update(ctx, s, func(c cart) (cart, error) {
		calls++
		// Another writer gets in first every time.
		cur, _ := f.m.OfKey(ctx, s.Token())
		f.m.Set(ctx, cur, cart{User: "other"})
		return c, nil
	})
	if !errors.Is(err, sessions.ErrConflict) || calls != 3 {
		t.Fatalf("Update = %v after %d calls, want ErrConflict after 3", err, calls)
	}
}

func TestUpdateStopsRetryingWhenTheContextEnds(t *testing.T) {
	f := newFixture(t, sessions.WithUpdateAttempts(1_000_000))
	s := f.generate(cart{})
	cctx, cancel := context.WithCancel(ctx)
	_, err := f.m.Update(cctx, s, func(c cart) (cart, error) {
		cur, _ := f.m.OfKey(ctx, s.Token())
		f.m.Set(ctx, cur, cart{User: "other"})
		cancel()
		return c, nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Update = %v, want context.Canceled", err)
	}
}

func TestTouchWritesOnlyWhenDue(t *testing.T) {
	for _, capable := range []bool{true, false} {
		name := map[bool]string{true: "with Toucher", false: "through Replace"}[capable]
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			if capable {
				f = newFixtureWithCapabilities(t)
			}
			s := f.generate(cart{})
			f.clock.Advance(sessions.DefaultIdleTimeout / 10) // exactly the interval: not due yet
			same, err := f.m.Touch(ctx, s)
			if err != nil || !same.ExpiresAt().Equal(s.ExpiresAt()) {
				t.Fatalf("early Touch moved the expiry: %v, %v", same.ExpiresAt(), err)
			}
			loaded, _ := f.m.OfKey(ctx, s.Token())
			if touched, _ := f.m.Touch(ctx, loaded); touched.Modified() {
				t.Fatal("a Touch that did not write reports Modified")
			}
			f.clock.Advance(time.Second)
			touched, err := f.m.Touch(ctx, loaded)
			if err != nil || !touched.Modified() {
				t.Fatalf("due Touch = modified %v, %v", touched.Modified(), err)
			}
			if want := f.clock.Now().Add(sessions.DefaultIdleTimeout); !touched.ExpiresAt().Equal(want) {
				t.Fatalf("touched expiry %v, want %v", touched.ExpiresAt(), want)
			}
			reloaded, _ := f.m.OfKey(ctx, s.Token())
			if !reloaded.ExpiresAt().Equal(touched.ExpiresAt()) {
				t.Fatalf("stored expiry %v, want %v", reloaded.ExpiresAt(), touched.ExpiresAt())
			}
			if capable && reloaded.Version() != s.Version() {
				t.Fatalf("Touch changed the version from %d to %d", s.Version(), reloaded.Version())
			}
		})
	}
}

func TestTheAbsoluteDeadlineIsNeverExtended(t *testing.T) {
	f := newFixtureWithCapabilities(t, sessions.WithIdleTimeout(time.Hour), sessions.WithLifetime(2*time.Hour))
	s := f.generate(cart{})
	limit := s.CreatedAt().Add(2 * time.Hour)
	for range 10 {
		f.clock.Advance(20 * time.Minute)
		cur, err := f.m.OfKey(ctx, s.Token())
		if err != nil {
			if !f.clock.Now().Before(limit) {
				break
			}
			t.Fatalf("session died early at %v: %v", f.clock.Now(), err)
		}
		if cur.ExpiresAt().After(limit) {
			t.Fatalf("expiry %v past the absolute deadline %v", cur.ExpiresAt(), limit)
		}
		cur, _ = f.m.Touch(ctx, cur)
		cur, _ = f.m.Set(ctx, cur, cart{User: "busy"})
		s, _ = f.m.Renew(ctx, cur)
		if s.ExpiresAt().After(limit) {
			t.Fatalf("renewed expiry %v past the absolute deadline %v", s.ExpiresAt(), limit)
		}
	}
	if _, err := f.m.OfKey(ctx, s.Token()); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("session alive at %v, after its absolute deadline %v", f.clock.Now(), limit)
	}
}

func TestAShorterLifetimeAppliesToStoredSessions(t *testing.T) {
	f := newFixtureWithCapabilities(t, sessions.WithIdleTimeout(0))
	s := f.generate(cart{})
	f.clock.Advance(2 * time.Hour)
	strict, err := sessions.New[cart](f.store, sessions.WithClock(f.clock.Now), sessions.WithLifetime(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := strict.OfKey(ctx, s.Token()); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("OfKey with a 1h lifetime on a 2h-old session = %v, want ErrNotFound", err)
	}
}

func TestRenewKillsTheOldTokenAndKeepsCreatedAtAndTheStoredValue(t *testing.T) {
	f := newFixtureWithCapabilities(t)
	s := f.generate(cart{User: "guest"})
	stale := s
	if _, err := f.m.Set(ctx, s, cart{User: "stored"}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	renewed, err := f.m.Renew(ctx, stale, sessions.WithOwner("u1"), sessions.WithPersistent(true))
	if err != nil {
		t.Fatal(err)
	}
	if renewed.Token() == s.Token() || !renewed.Modified() || renewed.Owner() != "u1" || !renewed.Persistent() {
		t.Fatalf("renewed: same token=%v modified=%v owner=%q persistent=%v", renewed.Token() == s.Token(), renewed.Modified(), renewed.Owner(), renewed.Persistent())
	}
	if !renewed.CreatedAt().Equal(s.CreatedAt()) || renewed.Value().User != "stored" {
		t.Fatalf("renewed created %v value %v; want %v and the stored value", renewed.CreatedAt(), renewed.Value(), s.CreatedAt())
	}
	if _, err := f.m.OfKey(ctx, s.Token()); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("old token after Renew: %v, want ErrNotFound", err)
	}
	if _, err := f.m.OfKey(ctx, renewed.Token()); err != nil {
		t.Fatalf("new token after Renew: %v", err)
	}
}

func TestConcurrentRenewsOfOneSessionLeaveOneLiveToken(t *testing.T) {
	f := newFixtureWithCapabilities(t)
	s := f.generate(cart{})
	const n = 8
	var wg sync.WaitGroup
	results := make(chan sessions.Session[cart], n)
	for range n {
		wg.Go(func() {
			if r, err := f.m.Renew(ctx, s); err == nil {
				results <- r
			}
		})
	}
	wg.Wait()
	close(results)
	live := 0
	for r := range results {
		if _, err := f.m.OfKey(ctx, r.Token()); err == nil {
			live++
		}
	}
	if live != 1 || f.store.Len() != 1 {
		t.Fatalf("%d live tokens and %d records after concurrent Renews, want 1 and 1", live, f.store.Len())
	}
}

func TestRenewOfAnUnsavedSessionStoresIt(t *testing.T) {
	f := newFixture(t)
	s, _ := f.m.OfHeaderOrCreate(ctx, cart{User: "guest"})
	s, err := f.m.Renew(ctx, s, sessions.WithOwner("u1"))
	if err != nil || s.IsNew() || s.Owner() != "u1" || s.Version() != 1 {
		t.Fatalf("Renew = new %v owner %q version %d, %v", s.IsNew(), s.Owner(), s.Version(), err)
	}
	if _, err := f.m.OfKey(ctx, s.Token()); err != nil {
		t.Fatal(err)
	}
}

func TestClearIsIdempotentAndExpiresTheCookie(t *testing.T) {
	f := newFixture(t)
	s := f.generate(cart{})
	cleared, err := f.m.Clear(ctx, s)
	if err != nil || !cleared.Cleared() || !cleared.Modified() || cleared.Token() != "" {
		t.Fatalf("Clear = cleared %v modified %v, %v", cleared.Cleared(), cleared.Modified(), err)
	}
	if _, err := f.m.Clear(ctx, s); err != nil {
		t.Fatalf("second Clear = %v", err)
	}
	// A concurrent write does not make Clear conflict.
	t2 := f.generate(cart{})
	other, _ := f.m.OfKey(ctx, t2.Token())
	f.m.Set(ctx, other, cart{User: "x"})
	if _, err := f.m.Clear(ctx, t2); err != nil {
		t.Fatalf("Clear after a concurrent write = %v", err)
	}
	c := setCookie(t, f.m.ToCookieHeaders(cleared))
	if c == nil || c.Value != "" || c.MaxAge >= 0 {
		t.Fatalf("deletion cookie = %+v", c)
	}
}

func TestHeadersCarrySetCookieExactlyWhenModified(t *testing.T) {
	f := newFixture(t)
	s := f.generate(cart{})
	loaded, _ := f.m.OfKey(ctx, s.Token())
	for _, tc := range []struct {
		name string
		s    sessions.Session[cart]
		want bool
	}{{"generated", s, true}, {"loaded", loaded, false}} {
		hs := f.m.ToCookieHeaders(tc.s)
		if got := setCookie(t, hs) != nil; got != tc.want {
			t.Errorf("%s: Set-Cookie present = %v, want %v", tc.name, got, tc.want)
		}
		if !hasHeader(hs, "Vary", "Cookie") {
			t.Errorf("%s: no Vary: Cookie in %v", tc.name, hs)
		}
		if got := hasHeader(hs, "Cache-Control", "no-store"); got != tc.want {
			t.Errorf("%s: Cache-Control: no-store present = %v, want %v", tc.name, got, tc.want)
		}
	}
	c := setCookie(t, f.m.ToCookieHeaders(s))
	if c.Value != s.Token() || c.Name != "__Host-session" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Fatalf("Set-Cookie = %+v", c)
	}
}

func TestOwnerOperations(t *testing.T) {
	f := newFixtureWithCapabilities(t)
	first := f.generate(cart{User: "phone"}, sessions.WithOwner("u1"))
	f.clock.Advance(time.Second)
	second := f.generate(cart{User: "laptop"}, sessions.WithOwner("u1"))
	other := f.generate(cart{}, sessions.WithOwner("u2"))

	list, err := f.m.Sessions(ctx, "u1")
	if err != nil || len(list) != 2 || list[0].ID != second.ID() || list[1].ID != first.ID() {
		t.Fatalf("Sessions = %v, %v; want laptop then phone", list, err)
	}
	if err := f.m.ClearOwned(ctx, "u1", other.ID()); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("ClearOwned of another owner's session = %v, want ErrNotFound", err)
	}
	if err := f.m.ClearOwned(ctx, "u1", first.ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.OfKey(ctx, first.Token()); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatal("ClearOwned left the session live")
	}
	third := f.generate(cart{}, sessions.WithOwner("u1"))
	if n, err := f.m.ClearOwner(ctx, "u1", third.ID()); err != nil || n != 1 {
		t.Fatalf("ClearOwner = %d, %v; want 1", n, err)
	}
	if _, err := f.m.OfKey(ctx, third.Token()); err != nil {
		t.Fatal("ClearOwner deleted the kept session")
	}
	if _, err := f.m.OfKey(ctx, other.Token()); err != nil {
		t.Fatal("ClearOwner deleted another owner's session")
	}
}

func TestOwnerOperationsWithoutAnIndexAreUnsupported(t *testing.T) {
	f := newFixture(t) // the spy hides the memory store's capabilities
	if _, err := f.m.Sessions(ctx, "u1"); !errors.Is(err, sessions.ErrUnsupported) {
		t.Fatalf("Sessions = %v, want ErrUnsupported", err)
	}
	if _, err := f.m.ClearOwner(ctx, "u1", sessions.ID{}); !errors.Is(err, sessions.ErrUnsupported) {
		t.Fatalf("ClearOwner = %v, want ErrUnsupported", err)
	}
}

func TestConstructorRefusesContradictoryConfiguration(t *testing.T) {
	store, _ := memory.New[cart]()
	defer store.Close()
	for name, opts := range map[string][]sessions.Option{
		"negative idle":                 {sessions.WithIdleTimeout(-time.Second)},
		"zero lifetime":                 {sessions.WithLifetime(0)},
		"lifetime over 400 days":        {sessions.WithLifetime(401 * 24 * time.Hour)},
		"touch interval not below idle": {sessions.WithIdleTimeout(time.Minute), sessions.WithTouchInterval(time.Minute)},
		"nil clock":                     {sessions.WithClock(nil)},
		"no attempts":                   {sessions.WithUpdateAttempts(0)},
		"host prefix with domain":       {sessions.WithCookie(sessions.Cookie{Domain: "example.com"})},
		"insecure default name":         {sessions.WithCookie(sessions.Cookie{Insecure: true})},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := sessions.New[cart](store, opts...); err == nil {
				t.Fatal("New accepted a contradictory configuration")
			}
		})
	}
	if _, err := sessions.New[cart](nil); err == nil {
		t.Fatal("New accepted a nil backend")
	}
}

func TestOwnerLongerThanTheLimitIsRefused(t *testing.T) {
	f := newFixture(t)
	if _, err := f.m.Generate(ctx, cart{}, sessions.WithOwner(strings.Repeat("u", sessions.MaxOwnerLen+1))); err == nil {
		t.Fatal("Generate accepted an over-long owner")
	}
}

func TestAsyncSettlesWithTheResultOrThePanic(t *testing.T) {
	f := newFixture(t)
	s := f.generate(cart{User: "ann"})
	got, err := f.m.Async().OfKey(ctx, s.Token()).Collect()
	if err != nil || got.Value().User != "ann" {
		t.Fatalf("Async OfKey = %v, %v", got, err)
	}
	_, err = f.m.Async().Update(ctx, s, func(cart) (cart, error) { panic("boom") }).Collect()
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("Async Update with a panicking function = %v, want an error", err)
	}
}

func setCookie(t *testing.T, hs []sessions.Header) *http.Cookie {
	t.Helper()
	for _, h := range hs {
		if h.Name == "Set-Cookie" {
			c, err := http.ParseSetCookie(h.Value)
			if err != nil {
				t.Fatalf("Set-Cookie %q does not parse: %v", h.Value, err)
			}
			return c
		}
	}
	return nil
}

func hasHeader(hs []sessions.Header, name, value string) bool {
	for _, h := range hs {
		if h.Name == name && h.Value == value {
			return true
		}
	}
	return false
}

func TestCookieReportsTheEffectiveConfiguration(t *testing.T) {
	f := newFixture(t)
	c := f.m.Cookie()
	if c.Name != "__Host-session" || c.Path != "/" || c.SameSite != http.SameSiteLaxMode || c.Insecure || c.Domain != "" {
		t.Fatalf("Cookie() = %+v, want the secure defaults filled in", c)
	}
}

func TestOverlongTokensAreReportedAsOversized(t *testing.T) {
	f := newFixture(t)
	f.m.OfKey(ctx, strings.Repeat("A", sessions.TokenLen+1))
	if !f.sawEvent(sessions.EventInvalidToken, sessions.ReasonOversized) {
		t.Fatal("no oversized event for a token longer than any the store issues")
	}
}

func TestUpdateFunctionsGetAPrivateCopy(t *testing.T) {
	f := newFixture(t)
	s := f.generate(cart{Qty: map[string]int{"a": 1}})
	boom := errors.New("refused")
	_, err := f.m.Update(ctx, s, func(c cart) (cart, error) {
		c.Qty["a"] = 99
		return c, boom
	})
	if !errors.Is(err, boom) || s.Value().Qty["a"] != 1 {
		t.Fatalf("after a failed Update that changed its argument in place, s holds %v (err %v)", s.Value().Qty, err)
	}

	def := cart{Qty: map[string]int{}}
	unsaved, _ := f.m.OfHeaderOrCreate(ctx, def)
	if _, err := f.m.Update(ctx, unsaved, func(c cart) (cart, error) {
		c.Qty["visitor-1"]++
		return c, nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(def.Qty) != 0 {
		t.Fatalf("an Update of an unsaved session changed the shared default: %v", def.Qty)
	}
}

func TestConcurrentUpdatesOfOneSessionValueDoNotShareMaps(t *testing.T) {
	f := newFixture(t, sessions.WithUpdateAttempts(100))
	s := f.generate(cart{Qty: map[string]int{}})
	bump := func(c cart) (cart, error) {
		for range 100 {
			c.Qty["n"]++
		}
		return c, nil
	}
	a := f.m.Async()
	first, second := a.Update(ctx, s, bump), a.Update(ctx, s, bump)
	if _, err := first.Collect(); err != nil {
		t.Fatal(err)
	}
	if _, err := second.Collect(); err != nil {
		t.Fatal(err)
	}
	got, _ := f.m.OfKey(ctx, s.Token())
	if n := got.Value().Qty["n"]; n != 200 {
		t.Fatalf("count = %d, want 200", n)
	}
}

// cancellingSpy cancels the request's context when the Manager deletes
// conditionally, as a client giving up mid-Renew would.
type cancellingSpy struct {
	*spy
	cancel context.CancelFunc
}

func (c *cancellingSpy) Delete(ctx context.Context, id sessions.ID, ifVersion uint64) error {
	if ifVersion > 0 {
		c.cancel()
		return context.Canceled
	}
	return c.spy.Delete(ctx, id, ifVersion)
}

func TestACancelledRenewLeavesNoSecondSession(t *testing.T) {
	f := newFixture(t)
	s := f.generate(cart{}, sessions.WithOwner("u1"))
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m, err := sessions.New[cart](&cancellingSpy{spy: f.spy, cancel: cancel}, sessions.WithClock(f.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Renew(rctx, s); !errors.Is(err, context.Canceled) {
		t.Fatalf("Renew = %v, want context.Canceled", err)
	}
	if n := f.store.Len(); n != 1 {
		t.Fatalf("%d records after a cancelled Renew, want the original only", n)
	}
}

// touchSpy counts Touch calls on top of spy, so the Manager sees a
// Toucher.
type touchSpy struct {
	*spy
	touches atomic.Int64
	toucher sessions.Toucher
}

func (s *touchSpy) Touch(ctx context.Context, id sessions.ID, expiresAt, now time.Time) error {
	s.touches.Add(1)
	return s.toucher.Touch(ctx, id, expiresAt, now)
}

func TestTouchWritesAtMostOncePerInterval(t *testing.T) {
	f := newFixture(t)
	b := &touchSpy{spy: f.spy, toucher: f.store}
	m, err := sessions.New[cart](b, sessions.WithClock(f.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := m.Generate(ctx, cart{})
	f.spy.writes.Store(0)
	for range 30 { // a request every 10 seconds for 5 minutes
		f.clock.Advance(10 * time.Second)
		loaded, err := m.OfKey(ctx, s.Token())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Touch(ctx, loaded); err != nil {
			t.Fatal(err)
		}
	}
	// The touch interval is 3 minutes: one touch is due after 3m10s.
	if n, w := b.touches.Load(), f.spy.writes.Load(); n != 1 || w != 0 {
		t.Fatalf("%d touches and %d other writes in 5 minutes, want 1 and 0", n, w)
	}
}

func TestNilOptionsAreIgnored(t *testing.T) {
	f := newFixture(t, nil)
	if _, err := f.m.Generate(ctx, cart{}, nil, sessions.WithOwner("u1"), nil); err != nil {
		t.Fatal(err)
	}
}

// fakeSuffixes is a public suffix list that knows two suffixes.
type fakeSuffixes struct{}

func (fakeSuffixes) PublicSuffix(domain string) string {
	for _, s := range []string{"co.uk", "com", "uk"} {
		if domain == s || strings.HasSuffix(domain, "."+s) {
			return s
		}
	}
	return domain[strings.LastIndexByte(domain, '.')+1:]
}

func (fakeSuffixes) String() string { return "a test list" }

func TestConstructorRefusalNamesTheField(t *testing.T) {
	store, _ := memory.New[cart]()
	defer store.Close()
	for name, tc := range map[string]struct {
		opts  []sessions.Option
		field string
	}{
		"Domain label starting with a hyphen": {[]sessions.Option{sessions.WithCookie(sessions.Cookie{Name: "sid", Domain: "-shop.example"})}, "Domain"},
		"Domain label ending with a hyphen":   {[]sessions.Option{sessions.WithCookie(sessions.Cookie{Name: "sid", Domain: "shop-.example"})}, "Domain"},
		"single-label Domain":                 {[]sessions.Option{sessions.WithCookie(sessions.Cookie{Name: "sid", Domain: "com"})}, "Domain"},
		"public suffix Domain": {[]sessions.Option{
			sessions.WithCookie(sessions.Cookie{Name: "sid", Domain: "Co.UK"}), sessions.WithPublicSuffixList(fakeSuffixes{})}, "Domain"},
		"name over 256 bytes":  {[]sessions.Option{sessions.WithCookie(sessions.Cookie{Name: strings.Repeat("n", 257)})}, "Name"},
		"idle beyond lifetime": {[]sessions.Option{sessions.WithIdleTimeout(2 * time.Hour), sessions.WithLifetime(time.Hour)}, "WithIdleTimeout"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := sessions.New[cart](store, tc.opts...)
			if err == nil {
				t.Fatal("New accepted the configuration")
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("error %q does not name %s", err, tc.field)
			}
		})
	}
}

func TestConstructorAcceptsWhatBrowsersKeep(t *testing.T) {
	store, _ := memory.New[cart]()
	defer store.Close()
	for name, opts := range map[string][]sessions.Option{
		"registrable Domain under a public suffix": {
			sessions.WithCookie(sessions.Cookie{Name: "__Secure-s", Domain: "shop.co.uk"}), sessions.WithPublicSuffixList(fakeSuffixes{})},
		"lifetime shorter than the default idle timeout": {sessions.WithLifetime(10 * time.Minute)},
		"idle timeout equal to the lifetime":             {sessions.WithIdleTimeout(time.Hour), sessions.WithLifetime(time.Hour)},
		"disabled idle timeout":                          {sessions.WithIdleTimeout(0), sessions.WithLifetime(time.Minute)},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := sessions.New[cart](store, opts...); err != nil {
				t.Fatalf("New refused: %v", err)
			}
		})
	}
}

// A short lifetime under the default idle timeout works as a lifetime
// alone: sessions last exactly the lifetime, and Touch writes nothing.
func TestShortLifetimeUnderTheDefaultIdleTimeout(t *testing.T) {
	f := newFixture(t, sessions.WithLifetime(10*time.Minute))
	s := f.generate(cart{User: "ann"})
	if want := f.clock.Now().Add(10 * time.Minute); !s.ExpiresAt().Equal(want) {
		t.Fatalf("ExpiresAt = %v, want %v", s.ExpiresAt(), want)
	}
	f.clock.Advance(9 * time.Minute)
	writes := f.spy.writes.Load()
	if _, err := f.m.Touch(ctx, s); err != nil || f.spy.writes.Load() != writes {
		t.Fatalf("Touch = %v, %d writes; want no write", err, f.spy.writes.Load()-writes)
	}
}
