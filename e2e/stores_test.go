package e2e

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/typedsession/sessions/examples/webapp/app"
	"github.com/typedsession/sessions/internal/testenv"
)

// eachStore runs test on the memory store and, by the testenv rule, on
// Redis and PostgreSQL, each under a name no other run uses.
func eachStore(t *testing.T, test func(t *testing.T, cfg app.Config)) {
	t.Run("memory", func(t *testing.T) { test(t, app.Config{}) })
	t.Run("redis", func(t *testing.T) { test(t, redisConfig(t)) })
	t.Run("postgres", func(t *testing.T) { test(t, postgresConfig(t)) })
}

// redisConfig keeps sessions under a fresh key prefix in $REDIS_URL and
// deletes its keys when t ends.
func redisConfig(t *testing.T) app.Config {
	u := testenv.RedisURL(t)
	opt, err := redis.ParseURL(u)
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	client := redis.NewClient(opt)
	prefix := "webapp-e2e:" + rand.Text()[:12] + ":"
	t.Cleanup(func() {
		defer client.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := client.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("cleaning up Redis keys: %v", err)
		}
	})
	return app.Config{RedisURL: u, RedisPrefix: prefix}
}

// postgresConfig keeps sessions in a table of a fresh schema in
// $DATABASE_URL and drops the schema when t ends.
func postgresConfig(t *testing.T) app.Config {
	u := testenv.DatabaseURL(t)
	pool, err := pgxpool.New(context.Background(), u)
	if err != nil {
		t.Fatalf("DATABASE_URL: %v", err)
	}
	t.Cleanup(pool.Close)
	schema := "webapp_e2e_" + strings.ToLower(rand.Text()[:12])
	quoted := pgx.Identifier{schema}.Sanitize()
	if _, err := pool.Exec(context.Background(), "CREATE SCHEMA "+quoted); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA "+quoted+" CASCADE"); err != nil {
			t.Errorf("dropping schema: %v", err)
		}
	})
	return app.Config{PostgresURL: u, PostgresTable: schema + ".sessions"}
}

// serveApp serves the app on 127.0.0.1 for the rest of t, over TLS with
// cert if it is not nil, else over plain HTTP, and returns its origin.
func serveApp(t *testing.T, cfg app.Config, cert *app.Certificate) string {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	h, closeStore, err := app.New(cfg)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	t.Cleanup(func() {
		if err := closeStore(); err != nil {
			t.Errorf("closing the store: %v", err)
		}
	})
	return serve(t, h, cert)
}

// serve serves h on 127.0.0.1 for the rest of t and returns its origin.
func serve(t *testing.T, h http.Handler, cert *app.Certificate) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	if cert != nil {
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert.TLS}}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv.URL
}
