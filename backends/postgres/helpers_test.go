package postgres_test

import (
	"context"
	"crypto/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/postgres"
	"github.com/typedsession/sessions/internal/testenv"
)

// t0 is the tests' "now"; every instant is spelled relative to it.
var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// randomName returns a lowercase identifier that no other test run uses.
func randomName(prefix string) string {
	return prefix + strings.ToLower(rand.Text()[:12])
}

// newPool returns a pool on $DATABASE_URL, closed when t ends. configure,
// if given, adjusts the pool's configuration first. It skips t, or fails
// it in CI, when DATABASE_URL is unset.
func newPool(t testing.TB, configure ...func(*pgxpool.Config)) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(testenv.DatabaseURL(t))
	if err != nil {
		t.Fatalf("parsing DATABASE_URL: %v", err)
	}
	for _, c := range configure {
		c(cfg)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatalf("pgxpool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// withAppName sets the application_name of the pool's connections, so a
// test can find them in pg_stat_activity.
func withAppName(name string) func(*pgxpool.Config) {
	return func(c *pgxpool.Config) { c.ConnConfig.RuntimeParams["application_name"] = name }
}

// withTracer sets the pool's query tracer.
func withTracer(tr pgx.QueryTracer) func(*pgxpool.Config) {
	return func(c *pgxpool.Config) { c.ConnConfig.Tracer = tr }
}

// newSchema creates a schema with a random name through pool and drops it,
// with everything in it, when t ends.
func newSchema(t testing.TB, pool *pgxpool.Pool) string {
	t.Helper()
	name := randomName("sessions_test_")
	if _, err := pool.Exec(context.Background(), "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		// t's context is already cancelled when cleanups run.
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", name, err)
		}
	})
	return name
}

// newStore returns a migrated store of its own, in a fresh schema,
// closed when t ends. Unless opts say otherwise, its janitor is off.
func newStore[V any](t testing.TB, pool *pgxpool.Pool, opts ...postgres.Option) *postgres.Store[V] {
	t.Helper()
	s, _ := newStoreIn[V](t, pool, opts...)
	return s
}

// newStoreIn is newStore that also returns the store's quoted table name.
func newStoreIn[V any](t testing.TB, pool *pgxpool.Pool, opts ...postgres.Option) (*postgres.Store[V], string) {
	t.Helper()
	schema := newSchema(t, pool)
	opts = append([]postgres.Option{postgres.WithSweepInterval(0), postgres.WithTable(schema + ".sessions")}, opts...)
	s, err := postgres.New[V](pool, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s, pgx.Identifier{schema, "sessions"}.Sanitize()
}

// events records the kinds of events a Manager reports.
type events struct {
	mu    sync.Mutex
	kinds []sessions.EventKind
}

func (e *events) observe(_ context.Context, ev sessions.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.kinds = append(e.kinds, ev.Kind)
}

func (e *events) count(kind sessions.EventKind) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, k := range e.kinds {
		if k == kind {
			n++
		}
	}
	return n
}

// newManager returns a Manager over store whose clock stands still at
// t0, reporting events to ev (which may be nil).
func newManager[V any](t testing.TB, store sessions.Backend[V], ev *events, opts ...sessions.Option) *sessions.Manager[V] {
	t.Helper()
	opts = append([]sessions.Option{sessions.WithClock(func() time.Time { return t0 })}, opts...)
	if ev != nil {
		opts = append(opts, sessions.WithObserver(ev.observe))
	}
	m, err := sessions.New(store, opts...)
	if err != nil {
		t.Fatalf("sessions.New: %v", err)
	}
	return m
}

// cart is the tests' session value: it holds a slice, so aliasing shows.
type cart struct {
	User  string   `json:"user"`
	Items []string `json:"items"`
	Count int      `json:"count"`
}

// idArg returns id as a query argument.
func idArg(id sessions.ID) []byte { return id[:] }
