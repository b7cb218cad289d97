package postgres_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/postgres"
	"github.com/typedsession/sessions/proptest"
)

// Every store of the kits' gets a schema of its own, dropped when its
// subtest (or state-machine run) ends.

// TestStoreHonoursTheBackendContractInEveryQueryExecMode runs the kit
// once per pgx query execution mode: prepared statements (the default),
// the modes that prepare nothing on the server (for poolers such as
// PgBouncer in transaction mode) and the text-only simple protocol.
func TestStoreHonoursTheBackendContractInEveryQueryExecMode(t *testing.T) {
	for _, mode := range []pgx.QueryExecMode{
		pgx.QueryExecModeCacheStatement,
		pgx.QueryExecModeCacheDescribe,
		pgx.QueryExecModeDescribeExec,
		pgx.QueryExecModeExec,
		pgx.QueryExecModeSimpleProtocol,
	} {
		t.Run(mode.String(), func(t *testing.T) {
			pool := newPool(t, func(c *pgxpool.Config) { c.ConnConfig.DefaultQueryExecMode = mode })
			proptest.TestBackend(t, func(t *testing.T) sessions.Backend[proptest.Value] {
				return newStore[proptest.Value](t, pool)
			})
		})
	}
}

func TestManagerKeepsTheLifecycleRulesOverTheStore(t *testing.T) {
	pool := newPool(t)
	proptest.TestManager(t, func(t *testing.T, now func() time.Time) *sessions.Manager[proptest.Value] {
		store := newStore[proptest.Value](t, pool, postgres.WithClock(now))
		m, err := sessions.New(store, sessions.WithClock(now))
		if err != nil {
			t.Fatalf("sessions.New: %v", err)
		}
		return m
	})
}
