package proptest_test

import (
	"crypto/rand"
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/proptest"
)

// newMyStore stands for the constructor of the store under test; here it
// returns the reference backend of this package's tests.
func newMyStore(keyPrefix string) sessions.Backend[proptest.Value] {
	_ = keyPrefix
	return newRefBackend()
}

// A store author checks a backend with one test function. newBackend runs
// for every subtest and every state-machine sequence, so each call gets a
// fresh key prefix (or schema), which it may drop with t.Cleanup.
func ExampleTestBackend() {
	// In mystore_test.go, this is func TestMyStore(t *testing.T).
	testMyStore := func(t *testing.T) {
		proptest.TestBackend(t, func(t *testing.T) sessions.Backend[proptest.Value] {
			return newMyStore("sessions-test:" + rand.Text() + ":")
		})
	}
	_ = testMyStore
}
