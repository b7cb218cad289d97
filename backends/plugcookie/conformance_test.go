package plugcookie_test

import (
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/plugcookie"
	"github.com/typedsession/sessions/proptest"
)

// The Manager kit runs over the Plug cookie store as over any other;
// what a cookie store cannot do (see concurrent writes, forget copies of
// a cleared cookie, list an owner's sessions) the kit finds by probing and
// skips by name, with the reason.

func TestManagerOverSignedPlugCookiesKeepsTheLifecycleRules(t *testing.T) {
	proptest.TestManager(t, kitManager(signedOptions()))
}

func TestManagerOverEncryptedPlugCookiesKeepsTheLifecycleRules(t *testing.T) {
	proptest.TestManager(t, kitManager(encryptedOptions()))
}

func TestManagerOverJSONPlugCookiesKeepsTheLifecycleRules(t *testing.T) {
	o := signedOptions()
	o.Serializer = plugcookie.JSON()
	proptest.TestManager(t, kitManager(o))
}

func kitManager(o plugcookie.Options) func(t *testing.T, now func() time.Time) *sessions.Manager[proptest.Value] {
	return func(t *testing.T, now func() time.Time) *sessions.Manager[proptest.Value] {
		store, err := plugcookie.New[proptest.Value](cookieName, o, plugcookie.WithoutExtra())
		if err != nil {
			t.Fatalf("plugcookie.New: %v", err)
		}
		m, err := sessions.NewWithStore[proptest.Value](store, sessions.WithClock(now), sessions.WithCookie(sessions.Cookie{Name: cookieName}))
		if err != nil {
			t.Fatalf("NewWithStore: %v", err)
		}
		return m
	}
}
