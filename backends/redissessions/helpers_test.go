package redissessions_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions/backends/redissessions"
	"github.com/typedsession/sessions/internal/testenv"
)

// t0 is the tests' first "now".
var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// bg is the context of calls that need no deadline.
var bg = context.Background()

// realClient returns a client for REDIS_URL, by the testenv rule.
func realClient(t testing.TB) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(testenv.RedisURL(t))
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	opt.ContextTimeoutEnabled = true
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// namespace returns a namespace no other test uses, and deletes its keys
// when t ends.
func namespace(t testing.TB, c redis.UniversalClient) string {
	t.Helper()
	ns := "rstest" + strings.ToLower(rand.Text()[:10])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, ns+":*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	return ns
}

// login is the flat value most tests store.
type login struct {
	User  string  `json:"user,omitempty"`
	Admin bool    `json:"admin,omitempty"`
	Hits  int     `json:"hits,omitempty"`
	Theme *string `json:"theme"` // nil deletes the key
}

// newStore returns a store for app "testapp" in a fresh namespace.
func newStore[V any](t testing.TB, c redis.UniversalClient, opts ...redissessions.Option) (*redissessions.Store[V], string) {
	t.Helper()
	ns := namespace(t, c)
	opts = append([]redissessions.Option{redissessions.WithNamespace(ns), redissessions.WithDefaultIP("127.0.0.1")}, opts...)
	s, err := redissessions.New[V](c, "testapp", opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s, ns
}

// hashOf returns a session hash as Redis holds it.
func hashOf(t testing.TB, c redis.UniversalClient, ns, token string) map[string]string {
	t.Helper()
	h, err := c.HGetAll(bg, ns+":testapp:"+token).Result()
	if err != nil {
		t.Fatalf("HGETALL: %v", err)
	}
	return h
}

// mustJSON returns v as JSON.
func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
