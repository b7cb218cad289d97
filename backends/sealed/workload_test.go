package sealed_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/sealed"
)

// The benchmark workload's session value (bench/WORKLOAD.md), without
// struct tags, as applications write it.
type CartItem struct {
	SKU string
	Qty int
}

type SessionValue struct {
	UserID string
	Roles  []string
	Cart   []CartItem
	CSRF   string
	Visits int
}

// makeValue returns the workload's value of population member i.
func makeValue(i int) SessionValue {
	sum := sha256.Sum256(fmt.Appendf(nil, "csrf-%d", i))
	return SessionValue{
		UserID: fmt.Sprintf("usr_%08d", i),
		Roles:  []string{"customer", "beta-tester"},
		Cart:   []CartItem{{"SKU-100001", 1}, {"SKU-200002", 2}, {"SKU-300003", 3}},
		CSRF:   base64.RawURLEncoding.EncodeToString(sum[:]),
	}
}

// maxWorkloadCookie is the size target of the workload's cookie value:
// 60% of the 752 bytes gorilla/sessions' cookie store needs for it.
const maxWorkloadCookie = 451

func newWorkloadManager(tb testing.TB) *sessions.Manager[SessionValue] {
	tb.Helper()
	store, err := sealed.New[SessionValue](newRing(tb), sealed.WithCookieName("session"))
	if err != nil {
		tb.Fatal(err)
	}
	m, err := sessions.NewWithStore[SessionValue](store, sessions.WithCookie(sessions.Cookie{Name: "session", Insecure: true}))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestWorkloadCookieSize(t *testing.T) {
	m := newWorkloadManager(t)
	for _, i := range []int{0, 42, 9999, 10001} {
		s, err := m.Generate(t.Context(), makeValue(i))
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

// BenchmarkCycles runs the workload's three request cycles through the
// framework-agnostic API: read the session from the Cookie header, and for
// writes store it and produce the response headers. In-process, with the
// default parallelism.
func BenchmarkCycles(b *testing.B) {
	m := newWorkloadManager(b)
	const population = 10_000
	headers := make([]string, population)
	for i := range headers {
		s, err := m.Generate(b.Context(), makeValue(i))
		if err != nil {
			b.Fatal(err)
		}
		headers[i] = "_ga=GA1.2.3; theme=dark; lang=en; session=" + s.Token()
	}
	newValue := makeValue(10001)
	const otherCookies = "_ga=GA1.2.3; theme=dark; lang=en"

	// run times cycle with the workload's round robin: each goroutine
	// starts at its own offset and walks the population.
	run := func(b *testing.B, cycle func(ctx context.Context, header string) error) {
		var started atomic.Int64
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			next := int(started.Add(1)*7919) % population
			for pb.Next() {
				if err := cycle(b.Context(), headers[next]); err != nil {
					b.Error(err)
					return
				}
				next = (next + 1) % population
			}
		})
	}
	b.Run("read", func(b *testing.B) {
		run(b, func(ctx context.Context, header string) error {
			found, err := m.OfHeader(ctx, header)
			s, ok := found.Get()
			if err != nil || !ok || s.Value().Visits != 0 {
				return errMissed
			}
			_ = m.ToCookieHeaders(s)
			return nil
		})
	})
	b.Run("write", func(b *testing.B) {
		run(b, func(ctx context.Context, header string) error {
			found, err := m.OfHeader(ctx, header)
			s, ok := found.Get()
			if err != nil || !ok {
				return errMissed
			}
			v := s.Value()
			v.Visits++
			if s, err = m.Set(ctx, s, v); err != nil {
				return err
			}
			_ = m.ToCookieHeaders(s)
			return nil
		})
	})
	b.Run("new", func(b *testing.B) {
		run(b, func(ctx context.Context, _ string) error {
			s, err := m.OfHeaderOrCreate(ctx, SessionValue{}, otherCookies)
			if err != nil {
				return err
			}
			if s, err = m.Set(ctx, s, newValue); err != nil {
				return err
			}
			_ = m.ToCookieHeaders(s)
			return nil
		})
	})
}

var errMissed = errors.New("a request did not find its session")
