package postgres_test

import (
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/postgres"
	"github.com/typedsession/sessions/proptest"
)

// Every store of the kits' gets a schema of its own, dropped when its
// subtest (or state-machine run) ends.

func TestStoreHonoursTheBackendContract(t *testing.T) {
	pool := newPool(t)
	proptest.TestBackend(t, func(t *testing.T) sessions.Backend[proptest.Value] {
		return newStore[proptest.Value](t, pool)
	})
}

func TestManagerKeepsTheLifecycleRulesOverTheStore(t *testing.T) {
	pool := newPool(t)
	proptest.TestManager(t, func(t *testing.T, now func() time.Time) *sessions.Manager[proptest.Value] {
		store := newStore[proptest.Value](t, pool, postgres.WithClock(now))
		m, err := sessions.New(store, sessions.WithClock(now))
		if err != nil {
			t.Fatalf("sessions.New: %v", err)
		}
		return m
	})
}
