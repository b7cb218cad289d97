package memory_test

import (
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
	"github.com/typedsession/sessions/proptest"
)

func TestStoreHonoursTheBackendContract(t *testing.T) {
	proptest.TestBackend(t, func(t *testing.T) sessions.Backend[proptest.Value] {
		return newStore[proptest.Value](t)
	})
}

// The janitor sweeps by the same clock as the Manager, so a sweep can
// only remove what the kit already considers expired.
func TestManagerOverTheStoreKeepsTheLifecycleRules(t *testing.T) {
	proptest.TestManager(t, func(t *testing.T, now func() time.Time) *sessions.Manager[proptest.Value] {
		m, err := sessions.New[proptest.Value](newStore[proptest.Value](t, memory.WithClock(now)), sessions.WithClock(now))
		if err != nil {
			t.Fatalf("sessions.New: %v", err)
		}
		return m
	})
}
