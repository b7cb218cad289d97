package goredis_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/internal/testclock"
)

// newManager returns a Manager over a fresh store in c, on a fake clock.
func newManager(t testing.TB, c redis.UniversalClient, opts ...sessions.Option) (*sessions.Manager[cart], *testclock.Clock) {
	t.Helper()
	clk := testclock.New(t0)
	opts = append([]sessions.Option{sessions.WithClock(clk.Now)}, opts...)
	m, err := sessions.New[cart](newStore[cart](t, c), opts...)
	mustNil(t, "sessions.New", err)
	return m, clk
}

func TestTheManagerRunsTheWholeLifecycleOnRedis(t *testing.T) {
	servers(t, func(t *testing.T, srv func(testing.TB) server) {
		m, clk := newManager(t, srv(t).client)
		s, err := m.Generate(bg, cart{Items: []string{"tea"}}, sessions.WithOwner("alice"))
		mustNil(t, "Generate", err)

		s, err = m.Update(bg, s, func(c cart) (cart, error) {
			c.Items = append(c.Items, "milk")
			return c, nil
		})
		mustNil(t, "Update", err)
		if got, err := m.OfKey(bg, s.Token()); err != nil || len(got.Value().Items) != 2 || got.Version() != 2 {
			t.Fatalf("OfKey after Update: %+v, %v", got.Value(), err)
		}

		clk.Advance(10 * time.Minute)
		touched, err := m.Touch(bg, s)
		mustNil(t, "Touch", err)
		if !touched.Modified() || touched.Version() != 2 {
			t.Fatalf("Touch: modified %t, version %d; want a write that keeps version 2", touched.Modified(), touched.Version())
		}
		if got, _ := m.OfKey(bg, s.Token()); !got.ExpiresAt().Equal(clk.Now().Add(sessions.DefaultIdleTimeout)) {
			t.Fatalf("after Touch, ExpiresAt %v, want %v", got.ExpiresAt(), clk.Now().Add(sessions.DefaultIdleTimeout))
		}

		renewed, err := m.Renew(bg, s)
		mustNil(t, "Renew", err)
		if _, err := m.OfKey(bg, s.Token()); !errors.Is(err, sessions.ErrNotFound) {
			t.Fatalf("old token after Renew: %v, want ErrNotFound", err)
		}
		other, err := m.Generate(bg, cart{}, sessions.WithOwner("alice"))
		mustNil(t, "Generate", err)

		list, err := m.Sessions(bg, "alice")
		mustNil(t, "Sessions", err)
		if len(list) != 2 || list[0].ID != other.ID() || list[1].ID != renewed.ID() {
			t.Fatalf("Sessions: %d entries, want the newer session first, then the renewed one", len(list))
		}
		n, err := m.ClearOwner(bg, "alice", renewed.ID())
		mustNil(t, "ClearOwner", err)
		if n != 1 {
			t.Fatalf("ClearOwner deleted %d, want 1", n)
		}
		if err := m.ClearOwned(bg, "bob", renewed.ID()); !errors.Is(err, sessions.ErrNotFound) {
			t.Fatalf("ClearOwned by another owner: %v, want ErrNotFound", err)
		}
		mustNil(t, "ClearOwned", m.ClearOwned(bg, "alice", renewed.ID()))
		if list, _ := m.Sessions(bg, "alice"); len(list) != 0 {
			t.Fatalf("Sessions after clearing: %d entries", len(list))
		}

		s, err = m.Generate(bg, cart{})
		mustNil(t, "Generate", err)
		clk.Advance(sessions.DefaultIdleTimeout)
		if _, err := m.OfKey(bg, s.Token()); !errors.Is(err, sessions.ErrNotFound) {
			t.Fatalf("OfKey after the idle timeout: %v, want ErrNotFound", err)
		}
	})
}

func TestConcurrentUpdatesOfOneSessionLoseNothing(t *testing.T) {
	servers(t, func(t *testing.T, srv func(testing.TB) server) {
		const goroutines, updates = 8, 25
		m, _ := newManager(t, srv(t).client, sessions.WithUpdateAttempts(1000))
		s, err := m.Generate(bg, cart{Qty: map[string]int{}})
		mustNil(t, "Generate", err)
		ctx, cancel := context.WithTimeout(bg, 2*time.Minute)
		defer cancel()
		var wg sync.WaitGroup
		errs := make(chan error, goroutines*updates)
		for g := range goroutines {
			wg.Go(func() {
				mine := s
				for range updates {
					// fn leaves its argument alone: on the first attempt it
					// is the value every goroutine started from.
					next, err := m.Update(ctx, mine, func(c cart) (cart, error) {
						return cart{
							Qty:   map[string]int{"n": c.Qty["n"] + 1},
							Items: append(slices.Clip(c.Items), fmt.Sprint(g)),
						}, nil
					})
					if err != nil {
						errs <- err
						return
					}
					mine = next
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("Update: %v", err)
		}
		got, err := m.OfKey(bg, s.Token())
		mustNil(t, "OfKey", err)
		if got.Value().Qty["n"] != goroutines*updates || len(got.Value().Items) != goroutines*updates {
			t.Fatalf("count %d with %d items, want %d", got.Value().Qty["n"], len(got.Value().Items), goroutines*updates)
		}
		if got.Version() != goroutines*updates+1 {
			t.Fatalf("version %d, want %d", got.Version(), goroutines*updates+1)
		}
	})
}
