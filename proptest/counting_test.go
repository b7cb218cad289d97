package proptest_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/proptest"
)

type (
	backend    = sessions.Backend[proptest.Value]
	ownerIndex = sessions.OwnerIndex[proptest.Value]
)

// restrict returns b with only the optional capabilities asked for.
func restrict(b *refBackend, touch, index, sweep bool) backend {
	switch {
	case touch && index && sweep:
		return b
	case touch && index:
		return struct {
			backend
			sessions.Toucher
			ownerIndex
		}{b, b, b}
	case touch && sweep:
		return struct {
			backend
			sessions.Toucher
			sessions.Sweeper
		}{b, b, b}
	case index && sweep:
		return struct {
			backend
			ownerIndex
			sessions.Sweeper
		}{b, b, b}
	case touch:
		return struct {
			backend
			sessions.Toucher
		}{b, b}
	case index:
		return struct {
			backend
			ownerIndex
		}{b, b}
	case sweep:
		return struct {
			backend
			sessions.Sweeper
		}{b, b}
	}
	return struct{ backend }{b}
}

func TestCountingBackendCountsCallsByMethod(t *testing.T) {
	ctx := t.Context()
	c := proptest.NewCountingBackend[proptest.Value](newRefBackend())
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	id := sessions.ID{1}
	rec := sessions.Record[proptest.Value]{CreatedAt: now, ExpiresAt: now.Add(time.Hour), Owner: "o", Version: 1}

	_ = c.Create(ctx, id, rec, now)
	_, _ = c.Load(ctx, id, now)
	_, _ = c.Load(ctx, id, now)
	rec.Version = 2
	_ = c.Replace(ctx, id, 1, rec, now)
	_ = c.Touch(ctx, id, now.Add(2*time.Hour), now)
	_, _ = c.ListOwner(ctx, "o", now, 10)
	_, _ = c.DeleteOwner(ctx, "o", sessions.ID{}, now)
	_, _ = c.DeleteExpired(ctx, now, 10)
	_ = c.Backend().Delete(ctx, id, 0)

	want := proptest.CallCounts{Create: 1, Load: 2, Replace: 1, Delete: 1, Touch: 1, ListOwner: 1, DeleteOwner: 1, DeleteExpired: 1}
	if got := c.Counts(); got != want {
		t.Errorf("Counts() = %+v, want %+v", got, want)
	}
	if got := c.Calls(); got != 9 {
		t.Errorf("Calls() = %d, want 9", got)
	}
	c.Reset()
	if got := c.Calls(); got != 0 {
		t.Errorf("Calls() after Reset = %d, want 0", got)
	}
}

func TestCountingBackendViewHasExactlyTheInnerCapabilities(t *testing.T) {
	for _, caps := range [][3]bool{
		{false, false, false}, {true, false, false}, {false, true, false}, {false, false, true},
		{true, true, false}, {true, false, true}, {false, true, true}, {true, true, true},
	} {
		t.Run(fmt.Sprint(caps), func(t *testing.T) {
			view := proptest.NewCountingBackend(restrict(newRefBackend(), caps[0], caps[1], caps[2])).Backend()
			_, touch := view.(sessions.Toucher)
			_, index := view.(ownerIndex)
			_, sweep := view.(sessions.Sweeper)
			if got := [3]bool{touch, index, sweep}; got != caps {
				t.Errorf("view has Toucher, OwnerIndex, Sweeper = %v, want %v", got, caps)
			}
		})
	}
}

func TestCountingBackendReportsMissingCapabilitiesAsUnsupported(t *testing.T) {
	ctx := t.Context()
	c := proptest.NewCountingBackend(restrict(newRefBackend(), false, false, false))
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	_, listErr := c.ListOwner(ctx, "o", now, 1)
	_, deleteErr := c.DeleteOwner(ctx, "o", sessions.ID{}, now)
	_, sweepErr := c.DeleteExpired(ctx, now, 1)
	for name, err := range map[string]error{
		"Touch":         c.Touch(ctx, sessions.ID{}, now, now),
		"ListOwner":     listErr,
		"DeleteOwner":   deleteErr,
		"DeleteExpired": sweepErr,
	} {
		if !errors.Is(err, sessions.ErrUnsupported) {
			t.Errorf("%s: got %v, want ErrUnsupported", name, err)
		}
	}
	if got := c.Calls(); got != 4 {
		t.Errorf("Calls() = %d, want 4: unsupported calls count too", got)
	}
}
