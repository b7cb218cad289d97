package httpsession_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
	"github.com/typedsession/sessions/httpsession"
)

// benchWriter is a reusable ResponseWriter, so the benchmarks measure the
// middleware rather than a recorder.
type benchWriter struct{ header http.Header }

func (b *benchWriter) Header() http.Header         { return b.header }
func (b *benchWriter) WriteHeader(int)             {}
func (b *benchWriter) Write(p []byte) (int, error) { return len(p), nil }

// WriteString is what net/http's writer offers too.
func (b *benchWriter) WriteString(s string) (int, error) { return len(s), nil }

// account is the benchmarks' session value. It holds no slices or maps, so
// the memory store copies it by assignment and the numbers are the
// middleware's and the Manager's, not a JSON round trip's.
type account struct {
	User  string
	Count int
}

// benchCycle serves b.N requests carrying three unrelated cookies and the
// session cookie through the middleware around h.
func benchCycle(b *testing.B, h func(mw *httpsession.Middleware[account]) http.HandlerFunc) {
	store, err := memory.New[account]()
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	m, err := sessions.New[account](store)
	if err != nil {
		b.Fatal(err)
	}
	s, err := m.Generate(context.Background(), account{User: "ann"})
	if err != nil {
		b.Fatal(err)
	}
	mw := httpsession.New(m)
	handler := mw.Wrap(h(mw))
	r := httptest.NewRequest("GET", "https://example.com/", nil)
	r.Header.Set("Cookie", "theme=dark; _ga=GA1.2.3.4; lang=en; "+m.Cookie().Name+"="+s.Token())
	w := &benchWriter{header: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.header)
		handler.ServeHTTP(w, r)
	}
}

func BenchmarkMiddlewareReadCycle(b *testing.B) {
	benchCycle(b, func(mw *httpsession.Middleware[account]) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			v, err := mw.Session(r).Get()
			if err != nil || v.User != "ann" {
				b.Errorf("Get = %+v, %v", v, err)
			}
			io.WriteString(w, "ok")
		}
	})
}

func BenchmarkMiddlewareWriteCycle(b *testing.B) {
	benchCycle(b, func(mw *httpsession.Middleware[account]) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			err := mw.Session(r).Update(func(a account) (account, error) { a.Count++; return a, nil })
			if err != nil {
				b.Error(err)
			}
			io.WriteString(w, "ok")
		}
	})
}
