// Package teststores gives a test somewhere of its own to keep sessions
// on the real servers internal/testenv finds: a fresh Redis key prefix or
// a fresh PostgreSQL schema, emptied or dropped when the test ends, so
// that concurrent and repeated runs never see each other's sessions.
package teststores

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/typedsession/sessions/internal/testenv"
)

// cleanupTimeout bounds the deletion of a test's Redis keys.
const cleanupTimeout = 10 * time.Second

// Store says where a test keeps its sessions. The zero Store means in
// process memory; otherwise exactly one of RedisURL and PostgresURL is set.
type Store struct {
	// RedisURL is $REDIS_URL, and RedisPrefix the key prefix that is the
	// test's alone.
	RedisURL, RedisPrefix string
	// PostgresURL is $DATABASE_URL, and PostgresSchema the name of the
	// schema that is the test's alone.
	PostgresURL, PostgresSchema string
}

// Table returns the name of table in the store's schema, or "" when the
// store has none, so that a caller's default applies.
func (s Store) Table(table string) string {
	if s.PostgresSchema == "" {
		return ""
	}
	return s.PostgresSchema + "." + table
}

// Each runs test in the subtests "memory", "redis" and "postgres", with
// the zero Store, Redis(t, label) and Postgres(t, label). By the testenv
// rule, the server subtests skip, or fail, when their server is not
// configured.
func Each(t *testing.T, label string, test func(t *testing.T, s Store)) {
	t.Run("memory", func(t *testing.T) { test(t, Store{}) })
	t.Run("redis", func(t *testing.T) { test(t, Redis(t, label)) })
	t.Run("postgres", func(t *testing.T) { test(t, Postgres(t, label)) })
}

// Redis returns a Store on $REDIS_URL under the fresh key prefix
// "label:<random>:", and deletes the keys under that prefix when t ends.
func Redis(t testing.TB, label string) Store {
	t.Helper()
	u := testenv.RedisURL(t)
	opt, err := redis.ParseURL(u)
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	client := redis.NewClient(opt)
	prefix := label + ":" + rand.Text()[:12] + ":"
	t.Cleanup(func() {
		defer client.Close()
		// t's own context is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		iter := client.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("cleaning up Redis keys: %v", err)
		}
	})
	return Store{RedisURL: u, RedisPrefix: prefix}
}

// Postgres returns a Store on $DATABASE_URL in the fresh schema
// "label_<random>", and drops that schema with everything in it when t
// ends.
func Postgres(t testing.TB, label string) Store {
	t.Helper()
	u := testenv.DatabaseURL(t)
	pool, err := pgxpool.New(context.Background(), u)
	if err != nil {
		t.Fatalf("DATABASE_URL: %v", err)
	}
	t.Cleanup(pool.Close)
	schema := label + "_" + strings.ToLower(rand.Text()[:12])
	// DDL takes no parameters, so the name is quoted as an identifier.
	quoted := pgx.Identifier{schema}.Sanitize()
	if _, err := pool.Exec(context.Background(), "CREATE SCHEMA "+quoted); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA "+quoted+" CASCADE"); err != nil {
			t.Errorf("dropping schema: %v", err)
		}
	})
	return Store{PostgresURL: u, PostgresSchema: schema}
}
