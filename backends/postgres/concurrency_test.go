package postgres_test

import (
	"sync"
	"testing"

	"github.com/typedsession/sessions"
)

func TestConcurrentUpdatesOfOneSessionAllLand(t *testing.T) {
	const goroutines, updates = 8, 25
	pool := newPool(t)
	store := newStore[cart](t, pool)
	// Every goroutine contends with all the others on every update, so
	// allow enough attempts for the unluckiest of them.
	m := newManager(t, store, nil, sessions.WithUpdateAttempts(goroutines*updates))
	ctx := t.Context()
	s, err := m.Generate(ctx, cart{User: "ann"})
	if err != nil {
		t.Fatal(err)
	}

	errs := make([]error, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			mine := s
			for range updates {
				next, err := m.Update(ctx, mine, func(v cart) (cart, error) {
					v.Count++
					return v, nil
				})
				if err != nil {
					errs[g] = err
					return
				}
				mine = next
			}
		})
	}
	wg.Wait()
	for g, err := range errs {
		if err != nil {
			t.Errorf("goroutine %d: Update: %v", g, err)
		}
	}
	got, err := m.OfKey(ctx, s.Token())
	if err != nil {
		t.Fatal(err)
	}
	if got.Value().Count != goroutines*updates {
		t.Errorf("count = %d, want %d", got.Value().Count, goroutines*updates)
	}
	if got.Version() != goroutines*updates+1 {
		t.Errorf("version = %d, want %d (one per update after the create)", got.Version(), goroutines*updates+1)
	}
}
