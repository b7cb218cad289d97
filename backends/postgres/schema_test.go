package postgres_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/postgres"
)

func TestSchemaQuotesTheTableName(t *testing.T) {
	tests := []struct {
		table      string
		wantTable  string
		wantOwnIdx string
	}{
		{"", `"sessions"`, `"sessions_owner_idx"`},
		{"sessions", `"sessions"`, `"sessions_owner_idx"`},
		{"app.sessions", `"app"."sessions"`, `"sessions_owner_idx"`},
		{"App.Sessions", `"App"."Sessions"`, `"Sessions_owner_idx"`},
		{`we"ird`, `"we""ird"`, `"we""ird_owner_idx"`},
		{`o'brien; DROP TABLE x`, `"o'brien; DROP TABLE x"`, `"o'brien; DROP TABLE x_owner_idx"`},
		{strings.Repeat("t", postgres.MaxTableNameLen), `"` + strings.Repeat("t", postgres.MaxTableNameLen) + `"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.table, func(t *testing.T) {
			sql, err := postgres.Schema(tt.table)
			if err != nil {
				t.Fatalf("Schema(%q): %v", tt.table, err)
			}
			if !strings.Contains(sql, "CREATE TABLE IF NOT EXISTS "+tt.wantTable+" (") {
				t.Errorf("Schema(%q) does not create %s:\n%s", tt.table, tt.wantTable, sql)
			}
			if tt.wantOwnIdx != "" && !strings.Contains(sql, "CREATE INDEX IF NOT EXISTS "+tt.wantOwnIdx+" ON "+tt.wantTable) {
				t.Errorf("Schema(%q) does not create index %s:\n%s", tt.table, tt.wantOwnIdx, sql)
			}
		})
	}
}

func TestSchemaRefusesBadTableNames(t *testing.T) {
	tests := []struct{ name, table string }{
		{"three parts", "a.b.c"},
		{"empty schema", ".sessions"},
		{"empty table", "app."},
		{"a lone dot", "."},
		{"NUL", "ses\x00sions"},
		{"invalid UTF-8", "ses\xffsions"},
		{"a table name too long for its index names", strings.Repeat("t", postgres.MaxTableNameLen+1)},
		{"a schema name over 63 bytes", strings.Repeat("s", 64) + ".sessions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if sql, err := postgres.Schema(tt.table); err == nil {
				t.Errorf("Schema(%q) = %q, want an error", tt.table, sql)
			}
		})
	}
}

// offlinePool returns a pool that is never dialled: pgxpool connects
// lazily, so building a store on it checks that New does no I/O.
func offlinePool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestNewRefusesInvalidOptions(t *testing.T) {
	tests := []struct {
		name string
		opts []postgres.Option
	}{
		{"a bad table name", []postgres.Option{postgres.WithTable("a.b.c")}},
		{"a nil codec", []postgres.Option{postgres.WithCodec[cart](nil)}},
		{"a codec for another type", []postgres.Option{postgres.WithCodec(sessions.JSON[int]())}},
		{"a negative sweep interval", []postgres.Option{postgres.WithSweepInterval(-1)}},
		{"a zero sweep batch", []postgres.Option{postgres.WithSweepBatch(0)}},
		{"a negative skew margin", []postgres.Option{postgres.WithSkewMargin(-1)}},
		{"a nil clock", []postgres.Option{postgres.WithClock(nil)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s, err := postgres.New[cart](offlinePool(t), tt.opts...); err == nil {
				_ = s.Close()
				t.Error("New succeeded, want an error")
			}
		})
	}
	t.Run("a nil pool", func(t *testing.T) {
		if _, err := postgres.New[cart](nil); err == nil {
			t.Error("New(nil) succeeded, want an error")
		}
	})
}

func TestNewNeedsNoServerAndCloseIsIdempotentAndConcurrent(t *testing.T) {
	s, err := postgres.New[cart](offlinePool(t), postgres.WithSweepInterval(time.Hour), nil)
	if err != nil {
		t.Fatalf("New on an unreachable server: %v", err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { _ = s.Close() })
	}
	wg.Wait()
	if err := s.Close(); err != nil {
		t.Errorf("Close again: %v", err)
	}
}

func TestMigrateIsIdempotentAndSafeConcurrently(t *testing.T) {
	pool := newPool(t)
	schema := newSchema(t, pool)
	for _, table := range []string{schema + ".sessions", schema + `.o'brien "x"`} {
		s, err := postgres.New[cart](pool, postgres.WithTable(table), postgres.WithSweepInterval(0))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() { errs[i] = s.Migrate(t.Context()) })
		}
		wg.Wait()
		if err := errors.Join(append(errs, s.Migrate(t.Context()))...); err != nil {
			t.Fatalf("Migrate %s: %v", table, err)
		}
		var indexes int
		err = pool.QueryRow(t.Context(),
			"SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND tablename = $2",
			schema, strings.TrimPrefix(table, schema+".")).Scan(&indexes)
		if err != nil {
			t.Fatal(err)
		}
		if indexes != 3 { // the primary key, owner and expiry
			t.Errorf("table %s has %d indexes, want 3", table, indexes)
		}
	}
}

func TestMigrateFailsWithoutTheSchema(t *testing.T) {
	pool := newPool(t)
	s, err := postgres.New[cart](pool, postgres.WithTable(randomName("no_such_schema_")+".sessions"), postgres.WithSweepInterval(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err == nil {
		t.Error("Migrate into a missing schema succeeded")
	}
}

// The pgbench scripts' setup must create exactly the table the store
// would, so the scripts measure the library's table.
func TestPgbenchSetupUsesTheStoresSchema(t *testing.T) {
	setup, err := os.ReadFile(filepath.Join("testdata", "pgbench", "setup.sql"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := postgres.Schema(pgbenchTable)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(setup), want) {
		t.Errorf("testdata/pgbench/setup.sql does not contain the output of Schema(%q):\n%s", pgbenchTable, want)
	}
	for _, script := range []string{"select.sql", "update.sql", "insert.sql"} {
		b, err := os.ReadFile(filepath.Join("testdata", "pgbench", script))
		if err != nil {
			t.Fatal(err)
		}
		if ident := (pgx.Identifier{"sessions_pgbench", "sessions"}).Sanitize(); !strings.Contains(string(b), ident) {
			t.Errorf("%s does not use the table %s", script, ident)
		}
	}
}

// pgbenchTable is the table the pgbench scripts use.
const pgbenchTable = "sessions_pgbench.sessions"
