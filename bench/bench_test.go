package bench

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/typedsession/sessions/internal/workload"
)

// subjects are the rows of the three cycles. A store that is not ready
// yet is left out by deleting its lines; a new one is one line.
func subjects() []subject {
	jsonV := func(name string, kind storeKind, via api) subject {
		return library(name, kind, workload.MakeValue, nil, via)
	}
	gobV := func(name string, kind storeKind) subject {
		return library(name, kind, workload.MakePlainValue, GobCodec[workload.PlainValue]{}, agnostic)
	}
	return []subject{
		// This library through the framework-agnostic API. On memory the
		// value is copied with its Clone method, or (PlainValue) through
		// the codec; the networked and sealed stores always encode, with
		// JSON by default and gob for the like-for-like rows.
		jsonV("sessions-memory-clone", inMemory, agnostic),
		library("sessions-memory-json", inMemory, workload.MakePlainValue, nil, agnostic),
		gobV("sessions-memory-gob", inMemory),
		jsonV("sessions-redis-json", inRedis, agnostic),
		gobV("sessions-redis-gob", inRedis),
		jsonV("sessions-postgres-json", inPostgres, agnostic),
		gobV("sessions-postgres-gob", inPostgres),
		jsonV("sessions-sealed-json", inCookie, agnostic),

		// This library through httpsession.
		jsonV("httpsession-memory-clone", inMemory, middleware),
		jsonV("httpsession-redis-json", inRedis, middleware),
		jsonV("httpsession-postgres-json", inPostgres, middleware),
		jsonV("httpsession-sealed-json", inCookie, middleware),

		// The peers.
		scsSubject("scs-memstore", inMemory, false, 0),
		scsSubject("scs-memstore+hash", inMemory, true, 0),
		scsSubject("scs-goredisstore", inRedis, false, 0),
		scsSubject("scs-pgxstore", inPostgres, false, 0),
		gorillaSubject("gorilla-cookiestore"),
	}
}

// idleTimeout is the idle timeout of the idle rows: this library's
// default, given to scs too.
const idleTimeout = 30 * time.Minute

// idleSubjects are the rows of the read cycle with an idle timeout on.
// This library's subjects have it by default and touch the store only
// when a session is older than the touch interval; scs marks every
// loaded session modified when it has one.
func idleSubjects() []subject {
	return []subject{
		library("sessions-memory-clone", inMemory, workload.MakeValue, nil, agnostic),
		scsSubject("scs-memstore+hash", inMemory, true, idleTimeout),
		library("sessions-redis-json", inRedis, workload.MakeValue, nil, agnostic),
		scsSubject("scs-goredisstore", inRedis, false, idleTimeout),
	}
}

// BenchmarkCycle runs the three cycles for every subject:
// BenchmarkCycle/<subject>/<cycle>. A subject's cycles run one after
// another, right after its population is built, so no session is older
// than the library's touch interval when it is read.
func BenchmarkCycle(b *testing.B) {
	for _, s := range subjects() {
		b.Run(s.name, func(b *testing.B) {
			b.Run("read", func(b *testing.B) {
				f := shared.get(b, s.name, s, nil)
				measure(b, s, f.reqs, f.app.read, nil)
			})
			b.Run("write", func(b *testing.B) {
				f := shared.get(b, s.name, s, nil)
				measure(b, s, f.reqs, f.app.write, nil)
			})
			b.Run("new", func(b *testing.B) {
				f := newCycleFixture(b, s)
				measure(b, s, []*http.Request{workload.NewRequest()}, f.app.create, nil)
			})
		})
	}
}

// newCycleFixture returns the fixture the "new" cycle runs on: a fresh
// one per timed run for in-process stores, the shared one for networked
// stores, whose growth their throughput bounds.
func newCycleFixture(b *testing.B, s subject) *fixture {
	if s.kind.networked() {
		return shared.get(b, s.name, s, nil)
	}
	return freshFixture(b, s)
}

// BenchmarkIdle runs the read cycle with an idle timeout on, counting
// store writes: BenchmarkIdle/<subject>/read. Each subject has its own
// store and population, built when it is first measured, so every
// session is fresher than the touch interval.
func BenchmarkIdle(b *testing.B) {
	for _, s := range idleSubjects() {
		b.Run(s.name+"/read", func(b *testing.B) {
			f := shared.get(b, "idle/"+s.name, s, new(storeCounts))
			measure(b, s, f.reqs, f.app.read, &f.counts.writes)
		})
	}
}

// measure times h over reqs with the workload's harness, at the
// subject's parallelism, and reports the specification's metrics: ops/s,
// setcookie/op, rediscmds/op for Redis subjects and, when writes is not
// nil, storewrites/op.
func measure(b *testing.B, s subject, reqs []*http.Request, h http.Handler, writes *atomic.Int64) {
	b.Helper()
	var client *redis.Client
	if s.kind.networked() {
		b.SetParallelism(networkParallelism)
	}
	if s.kind == inRedis {
		client = shared.servers.redis(b)
	}
	timed(b, reqs, h, client, writes)
}

// timed runs workload.Run and reports the metrics. Counting Set-Cookie
// costs every row, floors included, one header lookup per request and an
// atomic add per cookie sent.
func timed(b *testing.B, reqs []*http.Request, h http.Handler, client *redis.Client, writes *atomic.Int64) {
	b.Helper()
	var setCookies atomic.Int64
	counting := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		if _, ok := w.Header()["Set-Cookie"]; ok {
			setCookies.Add(1)
		}
	})
	var cmdsBefore, writesBefore int64
	if client != nil {
		cmdsBefore = serverCommands(b, client)
	}
	if writes != nil {
		writesBefore = writes.Load()
	}
	workload.Run(b, reqs, counting)
	n := float64(b.N)
	b.ReportMetric(n/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(setCookies.Load())/n, "setcookie/op")
	if client != nil {
		b.ReportMetric(float64(serverCommands(b, client)-cmdsBefore)/n, "rediscmds/op")
	}
	if writes != nil {
		b.ReportMetric(float64(writes.Load()-writesBefore)/n, "storewrites/op")
	}
}
