package workload

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/typedsession/sessions"
)

// PopulationSize is the number of live sessions the read and write
// cycles spread over.
const PopulationSize = 10_000

// Unrelated is the Cookie header a request without a session carries;
// a request with one carries these first and the session cookie last.
const Unrelated = "_ga=GA1.2.3; theme=dark; lang=en"

// Populate creates PopulationSize sessions through m, with workers
// goroutines, holding makeValue(i), and returns their tokens in order.
func Populate[V any](tb testing.TB, m *sessions.Manager[V], makeValue func(int) V, workers int) []string {
	tb.Helper()
	tokens := make([]string, PopulationSize)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < PopulationSize && failed.Load() == nil; i = int(next.Add(1) - 1) {
				s, err := m.Generate(context.Background(), makeValue(i))
				if err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
				tokens[i] = s.Token()
			}
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		tb.Fatalf("populating: %v", *err)
	}
	return tokens
}

// Requests returns one prepared request per token, each carrying the
// unrelated cookies and then the session cookie named name.
func Requests(name string, tokens []string) []*http.Request {
	reqs := make([]*http.Request, len(tokens))
	for i, t := range tokens {
		reqs[i] = newRequest(Unrelated + "; " + name + "=" + t)
	}
	return reqs
}

// NewRequest returns the request of the "new" cycle: no session cookie.
func NewRequest() *http.Request { return newRequest(Unrelated) }

func newRequest(cookie string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://app.example/account", nil)
	r.Header.Set("User-Agent", "benchpeers/1")
	r.Header.Set("Cookie", cookie)
	r.RemoteAddr = "127.0.0.1:40000"
	return r
}

// The networked stores' benchmarks run Parallelism goroutines per
// GOMAXPROCS (b.SetParallelism before [Run]: 32 goroutines on two cores)
// against a connection pool of PoolSize, so no request waits for a
// connection.
const (
	Parallelism = 16
	PoolSize    = 32
)

// IndexedHandler serves a copy of prepared request i. The floors use i to
// pick the population member whose record they read or write directly;
// the cycles find their session from the cookie instead.
type IndexedHandler func(w http.ResponseWriter, r *http.Request, i int)

// Run times handler over the prepared requests under b.RunParallel, the
// way the specification does: each goroutine starts at its own offset and
// walks the requests round-robin, and every request is a shallow copy of
// a prepared one served to a fresh recorder. A response other than 200
// fails the benchmark.
func Run(b *testing.B, reqs []*http.Request, handler http.Handler) {
	b.Helper()
	RunIndexed(b, reqs, func(w http.ResponseWriter, r *http.Request, _ int) { handler.ServeHTTP(w, r) })
}

// RunIndexed is [Run] for a handler that is told which prepared request
// it serves.
func RunIndexed(b *testing.B, reqs []*http.Request, handler IndexedHandler) {
	b.Helper()
	var started atomic.Int64
	var bad atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		k := int(started.Add(1))
		i := (k * 7919) % len(reqs)
		for pb.Next() {
			r := new(http.Request)
			*r = *reqs[i]
			w := httptest.NewRecorder()
			handler(w, r, i)
			if w.Code != http.StatusOK {
				bad.Add(1)
			}
			if i++; i == len(reqs) {
				i = 0
			}
		}
	})
	b.StopTimer()
	if n := bad.Load(); n > 0 {
		b.Fatalf("%d requests failed", n)
	}
}

// ReportOpsPerSec reports the throughput of the timed part of the
// benchmark b has just run, as an "ops/s" metric.
func ReportOpsPerSec(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "ops/s")
	}
}
