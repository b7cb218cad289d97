package sessions_test

import (
	"context"
	cryptorand "crypto/rand"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/typedsession/sessions"
)

// These tests pin the security rules: each fails if its rule breaks.

func TestTokensComeFromCryptoRand(t *testing.T) {
	f := newFixture(t)
	if f.m.Random() != cryptorand.Reader {
		t.Fatal("the Manager's token source is not crypto/rand.Reader")
	}
}

// idSpy records the IDs a backend is asked about.
type idSpy struct {
	*spy
	mu  sync.Mutex
	ids []sessions.ID
}

func (s *idSpy) record(id sessions.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids = append(s.ids, id)
}

func (s *idSpy) Create(ctx context.Context, id sessions.ID, rec sessions.Record[cart], now time.Time) error {
	s.record(id)
	return s.spy.Create(ctx, id, rec, now)
}

func (s *idSpy) Load(ctx context.Context, id sessions.ID, now time.Time) (sessions.Record[cart], error) {
	s.record(id)
	return s.spy.Load(ctx, id, now)
}

func TestBackendsSeeOnlyTheHashOfTheToken(t *testing.T) {
	f := newFixture(t)
	b := &idSpy{spy: f.spy}
	m, err := sessions.New[cart](b, sessions.WithClock(f.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Generate(ctx, cart{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.OfKey(ctx, s.Token()); err != nil {
		t.Fatal(err)
	}
	want := sessions.StorageID(s.Token())
	if len(b.ids) != 2 || b.ids[0] != want || b.ids[1] != want || s.ID() != want {
		t.Fatalf("backend saw IDs %x, want twice the storage ID %x", b.ids, want)
	}
	if strings.Contains(string(want[:]), s.Token()) || want.String() == s.Token() {
		t.Fatal("the storage ID carries the token")
	}
}

func TestNoEventOrErrorCarriesTheToken(t *testing.T) {
	f := newFixture(t)
	var events []sessions.Event
	var mu sync.Mutex
	m, err := sessions.New[cart](f.spy, sessions.WithClock(f.clock.Now),
		sessions.WithObserver(func(_ context.Context, e sessions.Event) {
			mu.Lock()
			events = append(events, e)
			mu.Unlock()
		}))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := m.Generate(ctx, cart{})
	token := s.Token()
	var errs []error
	keep := func(_ sessions.Session[cart], err error) { errs = append(errs, err) }
	keep(m.OfKey(ctx, token))
	stale, _ := m.OfKey(ctx, token)
	s, _ = m.Set(ctx, s, cart{User: "x"})
	keep(m.Set(ctx, stale, cart{})) // conflict
	keep(m.Renew(ctx, s))           // renewed: token is now dead
	keep(m.OfKey(ctx, token))       // unknown
	keep(m.OfKey(ctx, token[:42]))  // malformed
	keep(m.OfKey(ctx, token+token)) // oversized
	f.spy.failWith(errors.New("connection reset"))
	keep(m.OfKey(ctx, token))     // backend error
	keep(m.Generate(ctx, cart{})) // backend error on create
	f.spy.failWith(sessions.ErrDecode)
	keep(m.OfKey(ctx, token)) // decode failed
	if len(events) < 8 {
		t.Fatalf("only %d events observed", len(events))
	}
	for _, e := range events {
		text := e.ID8 + string(e.Kind) + string(e.Reason)
		if e.Err != nil {
			text += e.Err.Error()
		}
		if strings.Contains(text, token[:12]) {
			t.Errorf("event %+v carries the token", e)
		}
		if len(e.ID8) != 0 && len(e.ID8) != 8 {
			t.Errorf("event ID8 %q is not 8 characters", e.ID8)
		}
	}
	for _, err := range errs {
		if err != nil && strings.Contains(err.Error(), token[:12]) {
			t.Errorf("error %q carries the token", err)
		}
	}
}

func TestMoreThanEightCandidatesAreAmbiguousWithoutAStoreCall(t *testing.T) {
	f := newFixture(t)
	var header strings.Builder
	for range 9 {
		s := f.generate(cart{})
		header.WriteString("__Host-session=" + s.Token() + "; ")
	}
	f.spy.reads.Store(0)
	got, err := f.m.OfHeader(ctx, header.String())
	if err != nil || got.IsPresent() {
		t.Fatalf("OfHeader with 9 candidates = %v, %v; want None", got, err)
	}
	if n := f.spy.reads.Load(); n != 0 {
		t.Fatalf("9 candidates caused %d store reads", n)
	}
	if !f.sawEvent(sessions.EventInvalidToken, sessions.ReasonAmbiguous) {
		t.Fatal("no ambiguous event")
	}
}

func TestBackoffStaysBoundedForAnyAttempt(t *testing.T) {
	for attempt := range 200 {
		if d := sessions.BackoffDelay(attempt); d <= 0 || d > 100*time.Millisecond {
			t.Fatalf("backoff after attempt %d = %v, want within (0, 100ms]", attempt, d)
		}
	}
}
