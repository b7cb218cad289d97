package sealed_test

import (
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
	"github.com/typedsession/sessions/backends/sealed"
	"github.com/typedsession/sessions/proptest"
)

// The Manager kit runs over the sealed store as over any other; what a
// client-side store cannot do (detect conflicts, forget copies of a
// cleared cookie without revocation, list an owner's sessions) the kit
// finds by probing and skips by name, with the reason.

func TestManagerOverTheSealedStoreKeepsTheLifecycleRules(t *testing.T) {
	proptest.TestManager(t, func(t *testing.T, now func() time.Time) *sessions.Manager[proptest.Value] {
		store, err := sealed.New[proptest.Value](newRing(t), sealed.WithClock(now))
		if err != nil {
			t.Fatalf("sealed.New: %v", err)
		}
		return newKitManager(t, store, now)
	})
}

func TestManagerOverTheSealedStoreWithRevocationKeepsTheLifecycleRules(t *testing.T) {
	proptest.TestManager(t, func(t *testing.T, now func() time.Time) *sessions.Manager[proptest.Value] {
		revoked, err := memory.New[sealed.Revocation](memory.WithClock(now))
		if err != nil {
			t.Fatalf("memory.New: %v", err)
		}
		t.Cleanup(func() { revoked.Close() })
		store, err := sealed.New[proptest.Value](newRing(t),
			sealed.WithClock(now), sealed.WithRevocation(revoked, sessions.DefaultLifetime))
		if err != nil {
			t.Fatalf("sealed.New: %v", err)
		}
		return newKitManager(t, store, now)
	})
}

func newKitManager(t *testing.T, store *sealed.Store[proptest.Value], now func() time.Time) *sessions.Manager[proptest.Value] {
	t.Helper()
	m, err := sessions.NewWithStore[proptest.Value](store, sessions.WithClock(now))
	if err != nil {
		t.Fatalf("NewWithStore: %v", err)
	}
	return m
}
