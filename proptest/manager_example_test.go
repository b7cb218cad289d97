package proptest_test

import (
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/proptest"
)

// newMyTokenStore stands for the constructor of the token store under
// test; here it returns this package's test store that carries records in
// its tokens. A store with a clock of its own would take now too.
func newMyTokenStore(now func() time.Time) sessions.TokenStore[proptest.Value] {
	_ = now
	return newCarrierStore()
}

// A token-store author checks the Manager's lifecycle rules over the
// store with one test function. newManager runs for the probe, every
// subtest and every state-machine sequence, and builds the Manager on the
// kit's clock with the default timeouts; what the store cannot do is
// skipped by name, with the reason. A server-side store is passed to
// sessions.New instead.
func ExampleTestManager() {
	// In mystore_test.go, this is func TestMyStoreManager(t *testing.T).
	testMyStoreManager := func(t *testing.T) {
		proptest.TestManager(t, func(t *testing.T, now func() time.Time) *sessions.Manager[proptest.Value] {
			m, err := sessions.NewWithStore(newMyTokenStore(now), sessions.WithClock(now))
			if err != nil {
				t.Fatal(err)
			}
			return m
		})
	}
	_ = testMyStoreManager
}
