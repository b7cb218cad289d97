package workload

import (
	"net/http"

	"github.com/typedsession/sessions"
)

// The three cycles through the framework-agnostic API: what a handler
// written against the Manager directly does. A request that does not find
// its session answers 500, which fails the benchmark.

// ReadHandler loads the session, reads its counter and touches it (which
// writes nothing while the session is fresher than the touch interval).
func ReadHandler[V any](m *sessions.Manager[V], visits func(V) int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		found, err := m.OfHeader(r.Context(), r.Header.Values("Cookie")...)
		s, ok := found.Get()
		if err != nil || !ok || visits(s.Value()) < 0 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		if s, err = m.Touch(r.Context(), s); err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		writeHeaders(w, m, s)
	})
}

// WriteHandler loads the session, increments its counter and stores it.
func WriteHandler[V any](m *sessions.Manager[V], bump func(V) V) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		found, err := m.OfHeader(r.Context(), r.Header.Values("Cookie")...)
		s, ok := found.Get()
		if err != nil || !ok {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		s, err = m.Update(r.Context(), s, func(v V) (V, error) { return bump(v), nil })
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		writeHeaders(w, m, s)
	})
}

// NewHandler finds no session and stores a new one holding value.
func NewHandler[V any](m *sessions.Manager[V], value V) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := m.OfHeaderOrCreate(r.Context(), value, r.Header.Values("Cookie")...)
		if err == nil {
			s, err = m.Set(r.Context(), s, value)
		}
		if err != nil || s.Token() == "" {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		writeHeaders(w, m, s)
	})
}

func writeHeaders[V any](w http.ResponseWriter, m *sessions.Manager[V], s sessions.Session[V]) {
	var buf [3]sessions.Header
	sessions.WriteHeaders(w.Header(), m.AppendCookieHeaders(buf[:0], s))
}
