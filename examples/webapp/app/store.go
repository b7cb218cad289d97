package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/goredis"
	"github.com/typedsession/sessions/backends/memory"
	"github.com/typedsession/sessions/backends/postgres"
)

// Where the app keeps its sessions in shared servers, unless configured.
const (
	DefaultRedisPrefix   = "webapp:"
	DefaultPostgresTable = "webapp_sessions"
)

// store is the backend Config selects, with its name for the page footer
// and the function that releases it.
type store struct {
	backend sessions.Backend[visit]
	tokens  sessions.TokenStore[visit] // instead of backend, for stores that see tokens
	name    string
	close   func() error
	wrap    func(http.Handler) http.Handler // nil, or what the store needs of requests
}

// openStore connects to the store cfg selects. Errors never repeat a URL,
// which may hold a password.
func openStore(ctx context.Context, cfg Config) (store, error) {
	switch {
	case cfg.RedisSessionsApp != "" && cfg.PostgresURL != "",
		cfg.RedisURL != "" && cfg.PostgresURL != "":
		return store{}, errors.New("app: choose Redis or PostgreSQL, not both")
	case cfg.RedisSessionsApp != "":
		return openRedisSessions(ctx, cfg.RedisURL, cfg.RedisSessionsApp)
	case cfg.RedisURL != "":
		return openRedis(ctx, cfg.RedisURL, cfg.RedisPrefix)
	case cfg.PostgresURL != "":
		return openPostgres(ctx, cfg.PostgresURL, cfg.PostgresTable)
	}
	m, err := memory.New[visit]()
	if err != nil {
		return store{}, err
	}
	return store{backend: m, name: "memory", close: m.Close}, nil
}

func openRedis(ctx context.Context, url, prefix string) (store, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return store{}, errors.New("app: the Redis URL does not parse")
	}
	// Without this, go-redis ignores request deadlines on the socket.
	opt.ContextTimeoutEnabled = true
	client := redis.NewClient(opt)
	if prefix == "" {
		prefix = DefaultRedisPrefix
	}
	s, err := goredis.New[visit](client, goredis.WithPrefix(prefix), goredis.WithLifetime(lifetime))
	if err == nil {
		err = s.Ping(ctx)
	}
	if err != nil {
		return store{}, errors.Join(fmt.Errorf("app: Redis: %w", err), client.Close())
	}
	return store{backend: s, name: "Redis", close: client.Close}, nil
}

func openPostgres(ctx context.Context, url, table string) (store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return store{}, errors.New("app: the PostgreSQL URL does not parse")
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return store{}, fmt.Errorf("app: PostgreSQL: %w", err)
	}
	if table == "" {
		table = DefaultPostgresTable
	}
	s, err := postgres.New[visit](pool, postgres.WithTable(table))
	if err == nil {
		err = s.Migrate(ctx)
	}
	if err != nil {
		if s != nil {
			_ = s.Close()
		}
		pool.Close()
		return store{}, fmt.Errorf("app: PostgreSQL: %w", err)
	}
	release := func() error {
		err := s.Close()
		pool.Close()
		return err
	}
	return store{backend: s, name: "PostgreSQL", close: release}, nil
}
