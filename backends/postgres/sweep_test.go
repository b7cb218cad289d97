package postgres_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/postgres"
)

// sweepNow is the janitor's clock in the sweeper tests.
var sweepNow = t0.Add(24 * time.Hour)

// fill inserts n rows with IDs from first on, all expiring at expires,
// straight into table, and returns nothing: it is set-up, not a test of
// Create.
func fill(t *testing.T, pool *pgxpool.Pool, table string, first, n int, expires time.Time) {
	t.Helper()
	value, err := sessions.JSON[cart]().Marshal(cart{User: "ann", Items: []string{"tea"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = pool.Exec(t.Context(), `INSERT INTO `+table+` (id, value, owner, created_at, expires_at, version, persistent)
SELECT sha256(int8send(i)), $3, 'owner-' || (i % 7), $4, $5, 1, false FROM generate_series($1::int8, $2::int8) AS i`,
		first, first+n-1, value, t0, expires)
	if err != nil {
		t.Fatal(err)
	}
}

// rowVersions returns the physical version (xmin, ctid) of every row of
// table, by ID; an UPDATE, even one that changes nothing, changes it.
func rowVersions(t *testing.T, pool *pgxpool.Pool, table string) map[string]string {
	t.Helper()
	rows, err := pool.Query(t.Context(), `SELECT encode(id, 'hex'), xmin::text || ctid::text FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for rows.Next() {
		var id, v string
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		out[id] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sweepLog collects the janitor's reports.
type sweepLog struct {
	mu      sync.Mutex
	removed []int
	errs    []error
}

func (l *sweepLog) report(removed int, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.removed = append(l.removed, removed)
	l.errs = append(l.errs, err)
}

func (l *sweepLog) snapshot() ([]int, []error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.removed), slices.Clone(l.errs)
}

func TestTheJanitorSweepsThousandsOfExpiredRowsInBatchesAndTouchesNoOtherRow(t *testing.T) {
	const expired, withinMargin, live, batch = 5000, 100, 500, 400
	tr := &tracer{}
	pool := newPool(t, withTracer(tr))
	// The table is made and filled through a store without a janitor.
	_, table := newStoreIn[cart](t, pool)
	fill(t, pool, table, 1, expired, sweepNow.Add(-time.Hour))
	fill(t, pool, table, expired+1, withinMargin, sweepNow.Add(-30*time.Second))
	fill(t, pool, table, expired+withinMargin+1, live, sweepNow.Add(time.Hour))
	before := rowVersions(t, pool, table)

	log := &sweepLog{}
	tr.record(true)
	sweeper, err := postgres.New[cart](pool,
		postgres.WithTable(strings.ReplaceAll(table, `"`, "")),
		postgres.WithSweepInterval(10*time.Millisecond),
		postgres.WithSweepBatch(batch),
		postgres.WithSkewMargin(time.Minute),
		postgres.WithClock(func() time.Time { return sweepNow }),
		postgres.WithSweepReport(log.report))
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if removed, _ := log.snapshot(); len(removed) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("fewer than two sweeps in 30s")
		}
	}
	if err := sweeper.Close(); err != nil {
		t.Fatal(err)
	}
	tr.record(false)

	removed, errs := log.snapshot()
	cancelled := 0
	for i, err := range errs {
		switch {
		case i == len(errs)-1 && isCancellation(err):
			cancelled = 1 // Close interrupted the last sweep
		case err != nil:
			t.Errorf("sweep %d: %v", i, err)
		}
	}
	if removed[0] != expired || slices.Max(removed[1:]) != 0 {
		t.Errorf("sweeps removed %v, want %d and then nothing", removed, expired)
	}
	deletes := 0
	for _, q := range tr.recorded() {
		if strings.HasPrefix(q.SQL, "DELETE") {
			deletes++
			if q.Args[1] != int64(batch) {
				t.Errorf("a sweep statement's limit is %v, want %d", q.Args[1], batch)
			}
		}
	}
	// The first sweep runs in batches, each later one runs one statement,
	// and an interrupted one may have sent its statement or not.
	if want := expired/batch + 1 + len(removed) - 1 - cancelled; deletes < want || deletes > want+cancelled {
		t.Errorf("%d sweep statements, want %d (the first sweep in batches of %d, then one per sweep)", deletes, want, batch)
	}
	after := rowVersions(t, pool, table)
	if len(after) != withinMargin+live {
		t.Errorf("%d rows left, want %d", len(after), withinMargin+live)
	}
	for id, v := range after {
		if before[id] != v {
			t.Errorf("row %s was rewritten (%s, was %s)", id[:8], v, before[id])
		}
	}
}

func TestDeleteExpiredRemovesExactlyItsLimitFromABacklog(t *testing.T) {
	pool := newPool(t)
	store, table := newStoreIn[cart](t, pool)
	fill(t, pool, table, 1, 3000, sweepNow.Add(-time.Hour))
	fill(t, pool, table, 3001, 10, sweepNow.Add(time.Hour))
	ctx := t.Context()
	for _, want := range []int{1000, 1000, 1000, 0} {
		n, err := store.DeleteExpired(ctx, sweepNow, 1000)
		if err != nil || n != want {
			t.Fatalf("DeleteExpired = %d, %v; want %d", n, err, want)
		}
	}
	if n, err := store.DeleteExpired(ctx, sweepNow.Add(2*time.Hour), 0); n != 0 || err != nil {
		t.Errorf("DeleteExpired(limit 0) = %d, %v; want 0", n, err)
	}
	var left int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&left); err != nil || left != 10 {
		t.Errorf("%d rows left (%v), want the 10 live ones", left, err)
	}
}

func TestCloseStopsTheJanitorMidSweep(t *testing.T) {
	pool := newPool(t)
	_, table := newStoreIn[cart](t, pool)
	fill(t, pool, table, 1, 2000, sweepNow.Add(-time.Hour))
	log := &sweepLog{}
	s, err := postgres.New[cart](pool,
		postgres.WithTable(strings.ReplaceAll(table, `"`, "")),
		postgres.WithSweepInterval(time.Millisecond),
		postgres.WithSweepBatch(1),
		postgres.WithClock(func() time.Time { return sweepNow }),
		postgres.WithSweepReport(log.report))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // a sweep of 2000 one-row batches is under way
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { _ = s.Close() })
	}
	wg.Wait()
	removed, errs := log.snapshot()
	if len(removed) != 1 || removed[0] == 0 || removed[0] >= 2000 || !isCancellation(errs[0]) {
		t.Fatalf("sweeps before Close: removed %v, errors %v; want one sweep cut short by the cancellation", removed, errs)
	}
	var left int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&left); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	var later int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&later); err != nil {
		t.Fatal(err)
	}
	if later != left {
		t.Errorf("rows went from %d to %d after Close", left, later)
	}
}

// isCancellation reports whether err comes from a cancelled context.
func isCancellation(err error) bool {
	return errors.Is(err, context.Canceled)
}
