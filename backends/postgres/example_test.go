package postgres_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/postgres"
)

// A Manager over PostgreSQL. The example needs a server, so it is
// compiled but not run.
func Example() {
	type visit struct {
		User  string `json:"user"`
		Count int    `json:"count"`
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	store, err := postgres.New[visit](pool, postgres.WithTable("app.sessions"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	m, err := sessions.New[visit](store)
	if err != nil {
		log.Fatal(err)
	}
	s, err := m.Generate(ctx, visit{User: "ann"}, sessions.WithOwner("user-42"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Value().User)
}

// The SQL for deployments that run their own migrations.
func ExampleSchema() {
	sql, err := postgres.Schema("app.sessions")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(sql)
	// Output:
	// CREATE TABLE IF NOT EXISTS "app"."sessions" (
	// 	id         bytea       NOT NULL PRIMARY KEY CHECK (octet_length(id) = 32),
	// 	value      bytea       NOT NULL,
	// 	owner      text        NOT NULL DEFAULT '',
	// 	created_at timestamptz NOT NULL,
	// 	expires_at timestamptz NOT NULL,
	// 	version    bigint      NOT NULL CHECK (version > 0),
	// 	persistent boolean     NOT NULL DEFAULT false
	// );
	// CREATE INDEX IF NOT EXISTS "sessions_owner_idx" ON "app"."sessions" (owner, created_at DESC, id) WHERE owner <> '';
	// CREATE INDEX IF NOT EXISTS "sessions_expires_at_idx" ON "app"."sessions" (expires_at);
}
