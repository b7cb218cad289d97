package sessions_test

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
)

// TestSessionsAreSnapshots changes, in place, a value given to the
// Manager or got from it, and then runs a no-op Update: neither the
// session nor what the Update stores may show the change.
func TestSessionsAreSnapshots(t *testing.T) {
	noop := func(c cart) (cart, error) { return c, nil }
	tests := []struct {
		name string
		// act stores a session holding Items {"tea"} and returns it,
		// having kept a value to change afterwards.
		act func(f *fixture) (sessions.Session[cart], cart)
	}{
		{"the value given to Generate", func(f *fixture) (sessions.Session[cart], cart) {
			v := cart{Items: []string{"tea"}, Qty: map[string]int{"tea": 1}}
			return f.generate(v), v
		}},
		{"the value given to Set", func(f *fixture) (sessions.Session[cart], cart) {
			v := cart{Items: []string{"tea"}, Qty: map[string]int{"tea": 1}}
			s, err := f.m.Set(context.Background(), f.generate(cart{}), v)
			if err != nil {
				f.t.Fatal(err)
			}
			return s, v
		}},
		{"the default given to OfHeaderOrCreate", func(f *fixture) (sessions.Session[cart], cart) {
			def := cart{Items: []string{"tea"}, Qty: map[string]int{"tea": 1}}
			s, err := f.m.OfHeaderOrCreate(context.Background(), def)
			if err != nil {
				f.t.Fatal(err)
			}
			s, err = f.m.Update(context.Background(), s, noop)
			if err != nil {
				f.t.Fatal(err)
			}
			return s, def
		}},
		{"the value Value returned", func(f *fixture) (sessions.Session[cart], cart) {
			s := f.generate(cart{Items: []string{"tea"}, Qty: map[string]int{"tea": 1}})
			return s, s.Value()
		}},
		{"the value of a loaded session", func(f *fixture) (sessions.Session[cart], cart) {
			s, err := f.m.OfKey(context.Background(), f.generate(cart{Items: []string{"tea"}, Qty: map[string]int{"tea": 1}}).Token())
			if err != nil {
				f.t.Fatal(err)
			}
			return s, s.Value()
		}},
		{"an owner listing's value", func(f *fixture) (sessions.Session[cart], cart) {
			s := f.generate(cart{Items: []string{"tea"}, Qty: map[string]int{"tea": 1}}, sessions.WithOwner("ann"))
			entries, err := f.m.Sessions(context.Background(), "ann")
			if err != nil || len(entries) != 1 {
				f.t.Fatalf("Sessions = %v, %v", entries, err)
			}
			return s, entries[0].Record.Value
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixtureWithCapabilities(t)
			s, held := tt.act(f)
			held.Items[0] = "scribbled"
			held.Qty["scribbled"] = 1
			if got := s.Value(); !slices.Equal(got.Items, []string{"tea"}) || len(got.Qty) != 1 {
				t.Errorf("the session reads %+v after the caller changed %s", got, tt.name)
			}
			next, err := f.m.Update(context.Background(), s, noop)
			if err != nil {
				t.Fatal(err)
			}
			stored, err := f.m.OfKey(context.Background(), next.Token())
			if err != nil {
				t.Fatal(err)
			}
			if got := stored.Value(); !slices.Equal(got.Items, []string{"tea"}) || len(got.Qty) != 1 {
				t.Errorf("a no-op Update stored %+v after the caller changed %s", got, tt.name)
			}
		})
	}
}

// TestValueIsNotCopiedForPlainValues pins that a V without references
// costs no copy: reading its value allocates nothing.
func TestValueIsNotCopiedForPlainValues(t *testing.T) {
	type plain struct {
		Visits int
		User   [16]byte
	}
	store, err := memory.New[plain]()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	m, err := sessions.New[plain](store)
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Generate(context.Background(), plain{Visits: 1})
	if err != nil {
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(100, func() { _ = s.Value() }); allocs != 0 {
		t.Errorf("Value allocated %v times for a V without references, want 0", allocs)
	}
}

// copyingStore is the memory store with a copy of its own, counting its
// calls.
type copyingStore struct {
	*memory.Store[cart]
	copies int
}

func (s *copyingStore) CopyValue(c cart) (cart, error) {
	s.copies++
	c.Items = slices.Clone(c.Items)
	c.Qty = maps.Clone(c.Qty)
	return c, nil
}

// TestTheManagerCopiesWithTheStoresCopy checks that a store that is a
// ValueCopier makes the Manager's copies of a V that has no Clone method.
func TestTheManagerCopiesWithTheStoresCopy(t *testing.T) {
	mem, err := memory.New[cart]()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mem.Close() })
	store := &copyingStore{Store: mem}
	m, err := sessions.New[cart](store)
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Generate(context.Background(), cart{Items: []string{"tea"}})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Value()
	if store.copies != 2 {
		t.Errorf("the store copied %d values for Generate and Value, want 2", store.copies)
	}
}
