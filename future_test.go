package sessions_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/typedsession/sessions"
)

// collectWithin collects f, failing the test instead of hanging when f
// does not settle.
func collectWithin[T any](t *testing.T, f *sessions.Future[T]) (T, error) {
	t.Helper()
	type outcome struct {
		v   T
		err error
	}
	c := make(chan outcome, 1)
	go func() {
		v, err := f.Collect()
		c <- outcome{v, err}
	}()
	select {
	case o := <-c:
		return o.v, o.err
	case <-time.After(5 * time.Second):
		t.Fatal("Collect did not return within 5s")
		panic("unreachable")
	}
}

func TestFutureCallbackThatPanicsSettlesWithAnError(t *testing.T) {
	type session = sessions.Session[cart]
	boom := func(session) (session, error) { panic("boom in Then") }
	tests := []struct {
		name  string
		chain func(f *sessions.Future[session]) *sessions.Future[session]
	}{
		{"Then", func(f *sessions.Future[session]) *sessions.Future[session] { return f.Then(boom) }},
		{"Finally", func(f *sessions.Future[session]) *sessions.Future[session] {
			return f.Finally(func(s session, _ error) (session, error) { return boom(s) })
		}},
		{"Catch", func(f *sessions.Future[session]) *sessions.Future[session] {
			return f.Then(func(session) (session, error) { return session{}, errors.New("failed") }).
				Catch(func(error) (session, error) { panic("boom in Catch") })
		}},
	}
	for _, tc := range tests {
		for _, settled := range []bool{false, true} {
			t.Run(tc.name, func(t *testing.T) {
				f := newFixture(t)
				s := f.generate(cart{User: "ann"})
				parent := f.m.Async().OfKey(ctx, s.Token())
				if settled {
					collectWithin(t, parent)
				}
				_, err := collectWithin(t, tc.chain(parent))
				if err == nil || !strings.Contains(err.Error(), "boom") {
					t.Fatalf("chained future = %v, want the panic as an error", err)
				}
				if got, err := collectWithin(t, parent); err != nil || got.Value().User != "ann" {
					t.Fatalf("parent = %v, %v: a continuation's panic reached it", got, err)
				}
			})
		}
	}
}

func TestFutureThenTwiceSettlesBoth(t *testing.T) {
	f := newFixture(t)
	s := f.generate(cart{User: "ann"})
	parent := f.m.Async().OfKey(ctx, s.Token())
	same := func(s sessions.Session[cart]) (sessions.Session[cart], error) { return s, nil }
	first, second := parent.Then(same), parent.Then(same)
	for _, c := range []*sessions.Future[sessions.Session[cart]]{first, second} {
		if got, err := collectWithin(t, c); err != nil || got.Value().User != "ann" {
			t.Fatalf("continuation = %v, %v", got, err)
		}
	}
}

func TestFutureThenSkipsItsCallbackAfterAnErrorAndCatchRecovers(t *testing.T) {
	f := newFixture(t)
	called := false
	failed := f.m.Async().OfKey(ctx, "not a token").Then(func(s sessions.Session[cart]) (sessions.Session[cart], error) {
		called = true
		return s, nil
	})
	if _, err := collectWithin(t, failed); !errors.Is(err, sessions.ErrNotFound) || called {
		t.Fatalf("Then after a failure = %v, callback called %v; want ErrNotFound and no call", err, called)
	}
	recovered := failed.Catch(func(error) (sessions.Session[cart], error) { return sessions.Session[cart]{}, nil })
	if r := recovered.Result(); r.IsError() {
		t.Fatalf("Catch = %v, want success", r.Error())
	}
	if e := failed.Either(); !e.IsLeft() {
		t.Fatal("Either of a failed future is not Left")
	}
}
