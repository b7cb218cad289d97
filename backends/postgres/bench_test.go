package postgres_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/typedsession/sessions"
)

// The benchmarks run the three request cycles of the shared session
// workload (read, write, new) through a Manager over this store, beside
// floors measured in the same run: the same harness around a handler that
// does nothing, and around bare pgx statements of the shapes the cycles
// need. 32 goroutines (SetParallelism(16) on two cores) share a pool of
// 32 connections, over a population of 10,000 live sessions.
//
//	DATABASE_URL=... go test ./backends/postgres -run '^$' -bench Cycles -count 5
//
// testdata/pgbench measures PostgreSQL alone on the same table.

// Workload parameters.
const (
	benchPopulation  = 10_000
	benchParallelism = 16 // × GOMAXPROCS 2 = 32 goroutines
	benchPoolSize    = 32
	benchCreators    = 32 // workers building the population
	benchCookies     = "_ga=GA1.2.3; theme=dark; lang=en"
)

// benchItem and benchValue are the workload's session value.
type benchItem struct {
	SKU string
	Qty int
}

type benchValue struct {
	UserID string
	Roles  []string
	Cart   []benchItem
	CSRF   string
	Visits int
}

// makeBenchValue returns the value of population member i.
func makeBenchValue(i int) benchValue {
	csrf := sha256.Sum256(fmt.Appendf(nil, "csrf-%d", i))
	return benchValue{
		UserID: fmt.Sprintf("usr_%08d", i),
		Roles:  []string{"customer", "beta-tester"},
		Cart:   []benchItem{{"SKU-100001", 1}, {"SKU-200002", 2}, {"SKU-300003", 3}},
		CSRF:   base64.RawURLEncoding.EncodeToString(csrf[:]),
	}
}

// member is one session of the population: the request that carries its
// cookie, and its storage ID for the floors.
type member struct {
	req *http.Request
	id  sessions.ID
}

// benchRequest returns the workload's request with the given Cookie header.
func benchRequest(cookie string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://app.example/account", nil)
	r.Header.Set("User-Agent", "benchpeers/1")
	r.Header.Set("Cookie", cookie)
	r.RemoteAddr = "127.0.0.1:40000"
	return r
}

// handler is one request cycle; i is the population member the harness
// picked, which only the floors use (the library finds its session from
// the cookie).
type handler func(w http.ResponseWriter, r *http.Request, i int)

// newHandler is the "new" cycle: an unsaved session from a request
// without one, stored by the first write.
func newHandler(m *sessions.Manager[benchValue], v benchValue) handler {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		ctx := r.Context()
		s, err := m.OfHeaderOrCreate(ctx, v, r.Header.Values("Cookie")...)
		if err == nil {
			s, err = m.Set(ctx, s, v)
		}
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		sessions.WriteHeaders(w.Header(), m.ToCookieHeaders(s))
		w.WriteHeader(http.StatusOK)
	}
}

// populate creates the population through the "new" cycle.
func populate(b *testing.B, m *sessions.Manager[benchValue]) []member {
	b.Helper()
	pop := make([]member, benchPopulation)
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range benchCreators {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < benchPopulation && !failed.Load(); i = int(next.Add(1)) - 1 {
				w := httptest.NewRecorder()
				newHandler(m, makeBenchValue(i))(w, benchRequest(benchCookies), i)
				cookies := w.Result().Cookies()
				if w.Code != http.StatusOK || len(cookies) != 1 {
					failed.Store(true)
					return
				}
				s, err := m.OfKey(b.Context(), cookies[0].Value)
				if err != nil {
					failed.Store(true)
					return
				}
				pop[i] = member{benchRequest(benchCookies + "; " + cookies[0].Name + "=" + cookies[0].Value), s.ID()}
			}
		})
	}
	wg.Wait()
	if failed.Load() {
		b.Fatal("building the population failed")
	}
	return pop
}

// runCycle runs h under the workload's harness: a shallow copy of the
// member's prepared request and a fresh recorder per iteration, each
// goroutine walking the population from its own offset.
func runCycle(b *testing.B, pop []member, reqFor func(member) *http.Request, h handler) {
	var started, setCookies, failures atomic.Int64
	b.SetParallelism(benchParallelism)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		i := int(started.Add(1)*7919) % len(pop)
		for pb.Next() {
			r := new(http.Request)
			*r = *reqFor(pop[i])
			w := httptest.NewRecorder()
			h(w, r, i)
			if w.Code != http.StatusOK {
				failures.Add(1)
			}
			if w.Header()["Set-Cookie"] != nil {
				setCookies.Add(1)
			}
			if i++; i == len(pop) {
				i = 0
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(setCookies.Load())/float64(b.N), "setcookie/op")
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed or missed their session", n, b.N)
	}
}

func BenchmarkCycles(b *testing.B) {
	pool := newPool(b, func(c *pgxpool.Config) { c.MaxConns = benchPoolSize })
	store, table := newStoreIn[benchValue](b, pool)
	m, err := sessions.New(store)
	if err != nil {
		b.Fatal(err)
	}
	pop := populate(b, m)
	newValue := makeBenchValue(benchPopulation + 1)
	ownRequest := func(mb member) *http.Request { return mb.req }
	bare := benchRequest(benchCookies)
	bareRequest := func(member) *http.Request { return bare }

	b.Run("read", func(b *testing.B) {
		runCycle(b, pop, ownRequest, func(w http.ResponseWriter, r *http.Request, _ int) {
			found, err := m.OfHeader(r.Context(), r.Header.Values("Cookie")...)
			s, ok := found.Get()
			if err != nil || !ok || s.Value().UserID == "" {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			sessions.WriteHeaders(w.Header(), m.ToCookieHeaders(s))
			w.WriteHeader(http.StatusOK)
		})
	})
	b.Run("write", func(b *testing.B) {
		runCycle(b, pop, ownRequest, func(w http.ResponseWriter, r *http.Request, _ int) {
			ctx := r.Context()
			found, err := m.OfHeader(ctx, r.Header.Values("Cookie")...)
			s, ok := found.Get()
			if err == nil && ok {
				s, err = m.Update(ctx, s, func(v benchValue) (benchValue, error) {
					v.Visits++
					return v, nil
				})
			}
			if err != nil || !ok {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			sessions.WriteHeaders(w.Header(), m.ToCookieHeaders(s))
			w.WriteHeader(http.StatusOK)
		})
	})
	b.Run("new", func(b *testing.B) {
		runCycle(b, pop, bareRequest, newHandler(m, newValue))
	})

	b.Run("Floor/harness-noop", func(b *testing.B) {
		runCycle(b, pop, ownRequest, func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.WriteHeader(http.StatusOK)
		})
	})
	fl := newFloor(b, pool, table, newValue)
	b.Run("Floor/pgx-select", func(b *testing.B) { runCycle(b, pop, ownRequest, fl.handle(pop, fl.sel)) })
	b.Run("Floor/pgx-update", func(b *testing.B) { runCycle(b, pop, ownRequest, fl.handle(pop, fl.update)) })
	b.Run("Floor/pgx-select-update", func(b *testing.B) {
		runCycle(b, pop, ownRequest, fl.handle(pop, fl.sel, fl.update))
	})
	b.Run("Floor/pgx-insert", func(b *testing.B) { runCycle(b, pop, bareRequest, fl.handle(pop, fl.insert)) })
}

// floor runs bare pgx statements of the shapes the store's cycles use,
// the same as testdata/pgbench's scripts: a select of one live row, an
// update of its value, expiry and version, and an insert of a new row.
type floor struct {
	pool                      *pgxpool.Pool
	selectSQL, updateSQL, ins string
	value                     []byte
}

func newFloor(b *testing.B, pool *pgxpool.Pool, table string, v benchValue) *floor {
	value, err := sessions.JSON[benchValue]().Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return &floor{
		pool:  pool,
		value: value,
		selectSQL: `SELECT value, owner, created_at, expires_at, version, persistent FROM ` + table +
			` WHERE id = $1 AND expires_at > $2`,
		updateSQL: `UPDATE ` + table + ` SET value = $2, expires_at = $3, version = version + 1
WHERE id = $1 AND expires_at > $4`,
		ins: `INSERT INTO ` + table + ` AS s (id, value, owner, created_at, expires_at, version, persistent)
VALUES ($1, $2, '', $3, $4, 1, false)
ON CONFLICT (id) DO UPDATE SET
	value = EXCLUDED.value, owner = EXCLUDED.owner, created_at = EXCLUDED.created_at,
	expires_at = EXCLUDED.expires_at, version = 1, persistent = EXCLUDED.persistent
WHERE s.expires_at <= $5`,
	}
}

// step is one bare statement for population member id.
type step func(r *http.Request, id []byte, now time.Time) error

func (f *floor) sel(r *http.Request, id []byte, now time.Time) error {
	var (
		value            []byte
		owner            string
		created, expires time.Time
		version          int64
		persistent       bool
	)
	return f.pool.QueryRow(r.Context(), f.selectSQL, id, now).
		Scan(&value, &owner, &created, &expires, &version, &persistent)
}

func (f *floor) update(r *http.Request, id []byte, now time.Time) error {
	tag, err := f.pool.Exec(r.Context(), f.updateSQL, id, f.value, now.Add(30*time.Minute), now)
	if err == nil && tag.RowsAffected() != 1 {
		err = fmt.Errorf("updated %d rows", tag.RowsAffected())
	}
	return err
}

func (f *floor) insert(r *http.Request, _ []byte, now time.Time) error {
	id := make([]byte, 32)
	_, _ = rand.Read(id) // crypto/rand.Read never fails
	_, err := f.pool.Exec(r.Context(), f.ins, id, f.value, now, now.Add(30*time.Minute), now)
	return err
}

// handle returns a handler running steps for the member the harness
// picked.
func (f *floor) handle(pop []member, steps ...step) handler {
	return func(w http.ResponseWriter, r *http.Request, i int) {
		now := time.Now().Truncate(time.Microsecond)
		id := pop[i].id
		for _, st := range steps {
			if err := st(r, id[:], now); err != nil {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
		}
		w.WriteHeader(http.StatusOK)
	}
}
