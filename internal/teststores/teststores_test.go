package teststores_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/typedsession/sessions/internal/testenv"
	"github.com/typedsession/sessions/internal/teststores"
)

func TestTableQualifiesOnlyInASchema(t *testing.T) {
	tests := []struct {
		name  string
		store teststores.Store
		want  string
	}{
		{"memory", teststores.Store{}, ""},
		{"redis", teststores.Store{RedisURL: "redis://x", RedisPrefix: "p:"}, ""},
		{"postgres", teststores.Store{PostgresURL: "postgres://x", PostgresSchema: "s_1"}, "s_1.sessions"},
	}
	for _, tt := range tests {
		if got := tt.store.Table("sessions"); got != tt.want {
			t.Errorf("%s: Table = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestEachRunsMemoryThenEachServer(t *testing.T) {
	var ran []string
	teststores.Each(t, "teststores_each", func(t *testing.T, s teststores.Store) {
		kind := "memory"
		switch {
		case s.RedisURL != "" && strings.HasPrefix(s.RedisPrefix, "teststores_each:"):
			kind = "redis"
		case s.PostgresURL != "" && strings.HasPrefix(s.PostgresSchema, "teststores_each_"):
			kind = "postgres"
		case s != teststores.Store{}:
			t.Fatalf("store %+v is neither memory nor labelled", s)
		}
		if !strings.HasSuffix(t.Name(), "/"+kind) {
			t.Errorf("subtest %s got a %s store", t.Name(), kind)
		}
		ran = append(ran, kind)
	})
	// Skipped server subtests never reach test.
	if !testenv.RequireServers() {
		return
	}
	if want := []string{"memory", "redis", "postgres"}; !slices.Equal(ran, want) {
		t.Fatalf("ran %v, want %v", ran, want)
	}
}

func TestRedisDeletesTheTestsKeysWhenItEnds(t *testing.T) {
	client := redis.NewClient(mustParse(t, testenv.RedisURL(t)))
	t.Cleanup(func() { client.Close() })
	ctx := context.Background()
	var prefix string
	t.Run("user", func(t *testing.T) {
		s := teststores.Redis(t, "teststores")
		prefix = s.RedisPrefix
		for _, k := range []string{"a", "b", "c"} {
			if err := client.Set(ctx, prefix+k, "v", 0).Err(); err != nil {
				t.Fatal(err)
			}
		}
	})
	keys, err := client.Keys(ctx, prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if prefix == "" || len(keys) != 0 {
		t.Fatalf("after the test, keys %v remain under prefix %q", keys, prefix)
	}
}

func TestPostgresDropsTheSchemaWhenItEnds(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testenv.DatabaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	var schema string
	t.Run("user", func(t *testing.T) {
		s := teststores.Postgres(t, "teststores")
		schema = s.PostgresSchema
		if !schemaExists(t, conn, schema) {
			t.Fatalf("schema %q does not exist during the test", schema)
		}
		if _, err := conn.Exec(ctx, "CREATE TABLE "+s.Table("t")+" (x int)"); err != nil {
			t.Fatal(err)
		}
	})
	if schema == "" || schemaExists(t, conn, schema) {
		t.Fatalf("after the test, schema %q remains", schema)
	}
}

func mustParse(t *testing.T, u string) *redis.Options {
	t.Helper()
	opt, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	return opt
}

func schemaExists(t *testing.T, conn *pgx.Conn, schema string) bool {
	t.Helper()
	var n int
	err := conn.QueryRow(context.Background(),
		"SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1", schema).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}
