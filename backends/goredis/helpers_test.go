package goredis_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/goredis"
	"github.com/typedsession/sessions/internal/testenv"
)

// t0 is the tests' "now"; every instant is spelled relative to it.
var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// server is a Redis the tests talk to: miniredis or a real server.
type server struct {
	name   string
	client redis.UniversalClient
	mini   *miniredis.Miniredis // nil for a real server
}

// newMini starts a miniredis for t and returns a client for it.
func newMini(t testing.TB) server {
	t.Helper()
	m := miniredis.RunT(t)
	return server{name: "miniredis", client: clientFor(t, m.Addr()), mini: m}
}

// newReal returns a client for the server at REDIS_URL, skipping or
// failing t by the testenv rule when it is unset.
func newReal(t testing.TB) server {
	t.Helper()
	opt, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	opt.ContextTimeoutEnabled = true
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("REDIS_URL does not answer: %v", err)
	}
	return server{name: "real", client: c}
}

// clientFor returns a client for addr that honours context deadlines,
// closed when t ends.
func clientFor(t testing.TB, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// servers returns miniredis and, by the testenv rule, the real server.
// The real server comes last, so a skip does not hide miniredis results.
func servers(t *testing.T, run func(t *testing.T, srv func(testing.TB) server)) {
	t.Run("miniredis", func(t *testing.T) { run(t, newMini) })
	t.Run("real", func(t *testing.T) { run(t, newReal) })
}

// uniquePrefix returns a key prefix no other test uses, and deletes every
// key under it when t ends.
func uniquePrefix(t testing.TB, c redis.UniversalClient) string {
	t.Helper()
	prefix := "goredis-test:" + rand.Text()[:16] + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		keys, err := scanPrefix(ctx, c, prefix)
		if err == nil && len(keys) > 0 {
			// One key per DEL, as a Cluster needs.
			_, err = c.Pipelined(ctx, func(p redis.Pipeliner) error {
				for _, k := range keys {
					p.Del(ctx, k)
				}
				return nil
			})
		}
		if err != nil {
			t.Logf("cleaning up %s: %v", prefix, err)
		}
	})
	return prefix
}

// scanPrefix returns every key under prefix, with SCAN.
func scanPrefix(ctx context.Context, c redis.UniversalClient, prefix string) ([]string, error) {
	var keys []string
	iter := c.Scan(ctx, 0, globEscape(prefix)+"*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	return keys, iter.Err()
}

// globEscape escapes the characters SCAN MATCH treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\^-`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// newStore returns a store over c under a fresh prefix.
func newStore[V any](t testing.TB, c redis.UniversalClient, opts ...goredis.Option) *goredis.Store[V] {
	t.Helper()
	opts = append([]goredis.Option{goredis.WithPrefix(uniquePrefix(t, c))}, opts...)
	s, err := goredis.New[V](c, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// idN returns a distinct ID for n.
func idN(n byte) sessions.ID {
	var id sessions.ID
	id[0], id[31] = 0xa5, n
	return id
}

// cart is the value most tests store.
type cart struct {
	Items []string       `json:"items"`
	Qty   map[string]int `json:"qty"`
}

// rec returns a version-1 record created at t0 that expires ttl after it.
func rec(items []string, ttl time.Duration, owner string) sessions.Record[cart] {
	return sessions.Record[cart]{Value: cart{Items: items}, CreatedAt: t0, ExpiresAt: t0.Add(ttl), Owner: owner, Version: 1}
}
