package postgres_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/internal/workload"
)

// The benchmarks run the three request cycles of the shared session
// workload (internal/workload: read, write, new) through a Manager over
// this store, beside floors measured in the same run: the same harness
// around a handler that does nothing, and around bare pgx statements of
// the shapes the cycles need. 32 goroutines (SetParallelism(16) on two
// cores) share a pool of 32 connections, over a population of 10,000
// live sessions.
//
//	DATABASE_URL=... go test ./backends/postgres -run '^$' -bench Cycles -count 5
//
// testdata/pgbench measures PostgreSQL alone on the same table.

// runCycle runs h under the workload's harness with the networked
// stores' parallelism, and reports throughput and the share of responses
// that set a cookie.
func runCycle(b *testing.B, reqs []*http.Request, h workload.IndexedHandler) {
	var setCookies atomic.Int64
	b.SetParallelism(workload.Parallelism)
	workload.RunIndexed(b, reqs, func(w http.ResponseWriter, r *http.Request, i int) {
		h(w, r, i)
		if w.Header()["Set-Cookie"] != nil {
			setCookies.Add(1)
		}
	})
	workload.ReportOpsPerSec(b)
	b.ReportMetric(float64(setCookies.Load())/float64(b.N), "setcookie/op")
}

// cycle adapts one of the workload's cycles, which find their session
// from the cookie and so need no index.
func cycle(h http.Handler) workload.IndexedHandler {
	return func(w http.ResponseWriter, r *http.Request, _ int) { h.ServeHTTP(w, r) }
}

func BenchmarkCycles(b *testing.B) {
	pool := newPool(b, func(c *pgxpool.Config) { c.MaxConns = workload.PoolSize })
	store, table := newStoreIn[workload.Value](b, pool)
	m, err := sessions.New(store)
	if err != nil {
		b.Fatal(err)
	}
	reqs := workload.Requests(m.Cookie().Name, workload.Populate(b, m, workload.MakeValue, workload.PoolSize))
	ids := populationIDs(b, pool, table)
	fresh := []*http.Request{workload.NewRequest()}
	newValue := workload.NewCycleValue()

	b.Run("read", func(b *testing.B) {
		runCycle(b, reqs, cycle(workload.ReadHandler(m, workload.Visits[workload.Value])))
	})
	b.Run("write", func(b *testing.B) {
		runCycle(b, reqs, cycle(workload.WriteHandler(m, workload.Bump[workload.Value])))
	})
	b.Run("new", func(b *testing.B) {
		runCycle(b, fresh, cycle(workload.NewHandler(m, newValue)))
	})

	b.Run("Floor/harness-noop", func(b *testing.B) {
		runCycle(b, reqs, func(http.ResponseWriter, *http.Request, int) {})
	})
	fl := newFloor(b, pool, table, newValue)
	b.Run("Floor/pgx-select", func(b *testing.B) { runCycle(b, reqs, fl.handle(ids, fl.sel)) })
	b.Run("Floor/pgx-update", func(b *testing.B) { runCycle(b, reqs, fl.handle(ids, fl.update)) })
	b.Run("Floor/pgx-select-update", func(b *testing.B) {
		runCycle(b, reqs, fl.handle(ids, fl.sel, fl.update))
	})
	b.Run("Floor/pgx-insert", func(b *testing.B) { runCycle(b, fresh, fl.handle(ids, fl.insert)) })
}

// populationIDs returns the IDs of the rows in table, which holds the
// population alone, for the floors to read and write directly.
func populationIDs(b *testing.B, pool *pgxpool.Pool, table string) [][]byte {
	b.Helper()
	rows, err := pool.Query(context.Background(), `SELECT id FROM `+table)
	if err != nil {
		b.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		b.Fatal(err)
	}
	if len(ids) != workload.PopulationSize {
		b.Fatalf("%d rows, want the population of %d", len(ids), workload.PopulationSize)
	}
	return ids
}

// floor runs bare pgx statements of the shapes the store's cycles use,
// the same as testdata/pgbench's scripts: a select of one live row, an
// update of its value, expiry and version, and an insert of a new row.
type floor struct {
	pool                      *pgxpool.Pool
	selectSQL, updateSQL, ins string
	value                     []byte
}

func newFloor(b *testing.B, pool *pgxpool.Pool, table string, v workload.Value) *floor {
	value, err := sessions.JSON[workload.Value]().Marshal(v)
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

// step is one bare statement for the population member with ID id.
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

// handle returns a handler running steps on the population member of the
// request the harness picked.
func (f *floor) handle(ids [][]byte, steps ...step) workload.IndexedHandler {
	return func(w http.ResponseWriter, r *http.Request, i int) {
		now := time.Now().Truncate(time.Microsecond)
		for _, st := range steps {
			if err := st(r, ids[i], now); err != nil {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
		}
	}
}
