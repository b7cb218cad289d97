package bench

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/typedsession/sessions/internal/testenv"
)

// The corners of the servers the benchmarks use, so that they never touch
// another test's data: one Redis database of REDIS_URL's server (whatever
// database the URL names) and one PostgreSQL schema.
const (
	redisDB  = 15
	pgSchema = "sessions_bench"
)

// Pool sizes and parallelism of the networked rows: 32 goroutines
// (SetParallelism(16) on GOMAXPROCS 2) over 32 connections, matching
// -c 32 of redis-benchmark and pgbench.
const (
	poolSize           = 32
	networkParallelism = 16
)

// scsTableDDL is the table the scs pgxstore README documents. pgxstore
// names it "sessions", unqualified, so its pool's search_path points at
// pgSchema.
const scsTableDDL = `CREATE TABLE IF NOT EXISTS ` + pgSchema + `.sessions (
	token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_expiry_idx ON ` + pgSchema + `.sessions (expiry);`

// redisOptions parses a Redis URL and points it at redisDB.
func redisOptions(url string) (*redis.Options, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	opt.DB = redisDB
	return opt, nil
}

// newRedisClient returns a client of redisDB with a pool of size
// connections, skipping tb when REDIS_URL is unset.
func newRedisClient(tb testing.TB, size int, hooks ...redis.Hook) *redis.Client {
	tb.Helper()
	opt, err := redisOptions(testenv.RedisURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	opt.PoolSize = size
	opt.ContextTimeoutEnabled = true
	c := redis.NewClient(opt)
	for _, h := range hooks {
		c.AddHook(h)
	}
	return c
}

// newPGPool returns a pool of at most size connections whose search_path
// is pgSchema, skipping tb when DATABASE_URL is unset.
func newPGPool(tb testing.TB, size int32) *pgxpool.Pool {
	tb.Helper()
	cfg, err := pgxpool.ParseConfig(testenv.DatabaseURL(tb))
	if err != nil {
		tb.Fatalf("DATABASE_URL: %v", err)
	}
	cfg.MaxConns = size
	cfg.ConnConfig.RuntimeParams["search_path"] = pgSchema
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if err := pool.Ping(context.Background()); err != nil {
		pool.Close()
		tb.Fatalf("PostgreSQL: %v", err)
	}
	return pool
}

// servers holds the connections the benchmarks of one process share,
// opened on first use and closed by TestMain.
type servers struct {
	mu  sync.Mutex
	rdb *redis.Client
	pg  *pgxpool.Pool
}

func (s *servers) redis(tb testing.TB) *redis.Client {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rdb == nil {
		s.rdb = newRedisClient(tb, poolSize)
	}
	return s.rdb
}

func (s *servers) postgres(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pg == nil {
		s.pg = newPGPool(tb, poolSize)
	}
	return s.pg
}

func (s *servers) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rdb != nil {
		_ = s.rdb.Close()
	}
	if s.pg != nil {
		s.pg.Close()
	}
}

// resetServers empties the benchmarks' corners of the configured servers,
// as the specification's TestMain does: FLUSHDB of redisDB, and every
// table of pgSchema truncated and vacuumed (the schema and the scs table
// are created first if missing). Unset URLs are left to the tests, which
// skip or fail.
func resetServers(ctx context.Context) error {
	if url := os.Getenv(testenv.RedisURLEnv); url != "" {
		opt, err := redisOptions(url)
		if err != nil {
			return err
		}
		c := redis.NewClient(opt)
		defer c.Close()
		if err := c.FlushDB(ctx).Err(); err != nil {
			return fmt.Errorf("FLUSHDB of Redis database %d: %w", redisDB, err)
		}
	}
	if url := os.Getenv(testenv.DatabaseURLEnv); url != "" {
		if err := resetSchema(ctx, url); err != nil {
			return fmt.Errorf("resetting PostgreSQL schema %s: %w", pgSchema, err)
		}
	}
	return nil
}

func resetSchema(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgSchema+";\n"+scsTableDDL); err != nil {
		return err
	}
	rows, err := conn.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = $1`, pgSchema)
	if err != nil {
		return err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, t := range tables {
		ident := pgx.Identifier{pgSchema, t}.Sanitize()
		// One statement per Exec: VACUUM cannot run inside the implicit
		// transaction of a multi-statement string.
		for _, stmt := range []string{"TRUNCATE " + ident, "VACUUM ANALYZE " + ident} {
			if _, err := conn.Exec(ctx, stmt); err != nil {
				return err
			}
		}
	}
	return nil
}
