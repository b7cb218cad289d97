package sealed_test

import (
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/sealed"
	"github.com/typedsession/sessions/internal/workload"
)

// maxWorkloadCookie is the size target of the benchmark workload's cookie
// value: 60% of the 752 bytes gorilla/sessions' cookie store needs for it.
const maxWorkloadCookie = 451

func newWorkloadManager(tb testing.TB) *sessions.Manager[workload.Value] {
	tb.Helper()
	store, err := sealed.New[workload.Value](newRing(tb), sealed.WithCookieName("session"))
	if err != nil {
		tb.Fatal(err)
	}
	m, err := sessions.NewWithStore[workload.Value](store, sessions.WithCookie(sessions.Cookie{Name: "session", Insecure: true}))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestWorkloadCookieSize(t *testing.T) {
	m := newWorkloadManager(t)
	for _, i := range []int{0, 42, 9999, 10001} {
		s, err := m.Generate(t.Context(), workload.MakeValue(i))
		if err != nil {
			t.Fatal(err)
		}
		if n := len(s.Token()); n > maxWorkloadCookie {
			t.Errorf("member %d: cookie value of %d bytes, target %d", i, n, maxWorkloadCookie)
		} else if i == 42 {
			t.Logf("workload cookie value: %d bytes (target %d)", n, maxWorkloadCookie)
		}
	}
}
