package goredis_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/goredis"
	"github.com/typedsession/sessions/proptest"
)

func TestStoreMeetsTheBackendContract(t *testing.T) {
	cases := []struct {
		name   string
		server func(testing.TB) server
		opts   []goredis.Option
	}{
		// The kit's records are up to three days old, so with the default
		// lifetime many writes take the path that extends the owner index.
		{"miniredis", newMini, nil},
		{"miniredis with a lifetime covering every write", newMini, []goredis.Option{goredis.WithLifetime(sessions.MaxLifetime)}},
		{"miniredis through a cluster client", newMiniCluster, nil},
		{"real", newReal, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := tc.server(t)
			proptest.TestBackend(t, func(t *testing.T) sessions.Backend[proptest.Value] {
				return withTTLCheck(t, srv.client, newStore[proptest.Value](t, srv.client, tc.opts...))
			})
		})
	}
}

// newMiniCluster starts a miniredis and returns a Cluster client for it
// (miniredis answers as a one-node cluster owning every slot). The client
// fails t if the store ever sends a command naming more than one key, as
// a real Cluster would refuse those whose keys live in different slots.
func newMiniCluster(t testing.TB) server {
	t.Helper()
	m := miniredis.RunT(t)
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{m.Addr()}, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	c.AddHook(singleKeyHook{t})
	return server{name: "miniredis-cluster", client: c, mini: m}
}

// singleKeyHook fails the test for any command that names several keys.
type singleKeyHook struct{ t testing.TB }

func (h singleKeyHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h singleKeyHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.check(cmd)
		return next(ctx, cmd)
	}
}

func (h singleKeyHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			h.check(c)
		}
		return next(ctx, cmds)
	}
}

// check fails the test if cmd names more than one key. Commands the
// store does not send are refused outright, so a new one gets a look.
func (h singleKeyHook) check(cmd redis.Cmder) {
	args := cmd.Args()
	name := strings.ToLower(cmd.Name())
	switch name {
	case "eval", "evalsha":
		if fmt.Sprint(args[2]) != "1" {
			h.t.Errorf("%s with %v keys", name, args[2])
		}
	case "del", "unlink", "exists":
		if len(args) != 2 {
			h.t.Errorf("%s of %d keys", name, len(args)-1)
		}
	case "get", "set", "zrange", "zrangebyscore", "zrevrangebyscore", "zrem", "ping", "scan", "pttl", "cluster", "command", "hello", "client":
	default:
		h.t.Errorf("unexpected command %s", name)
	}
}

// ttlChecked wraps a store and, after every call that may write, checks
// that every key under the store's prefix has a TTL.
type ttlChecked struct {
	*goredis.Store[proptest.Value]
	t      testing.TB
	client redis.UniversalClient
}

// withTTLCheck wraps s in a ttlChecked.
func withTTLCheck(t testing.TB, c redis.UniversalClient, s *goredis.Store[proptest.Value]) *ttlChecked {
	return &ttlChecked{Store: s, t: t, client: c}
}

// checkTTLs reports every key under the prefix that has no TTL.
func (c *ttlChecked) checkTTLs(after string) {
	c.t.Helper()
	ctx := context.Background()
	keys, err := scanPrefix(ctx, c.client, c.Prefix())
	if err != nil {
		c.t.Errorf("SCAN after %s: %v", after, err)
		return
	}
	for _, k := range keys {
		d, err := c.client.PTTL(ctx, k).Result()
		if err != nil {
			c.t.Errorf("PTTL %q after %s: %v", k, after, err)
		} else if d == -1 {
			c.t.Errorf("after %s, key %q has no TTL", after, k)
		}
	}
}

func (c *ttlChecked) Create(ctx context.Context, id sessions.ID, rec sessions.Record[proptest.Value], now time.Time) error {
	defer c.checkTTLs("Create")
	return c.Store.Create(ctx, id, rec, now)
}

func (c *ttlChecked) Replace(ctx context.Context, id sessions.ID, ifVersion uint64, rec sessions.Record[proptest.Value], now time.Time) error {
	defer c.checkTTLs("Replace")
	return c.Store.Replace(ctx, id, ifVersion, rec, now)
}

func (c *ttlChecked) Delete(ctx context.Context, id sessions.ID, ifVersion uint64) error {
	defer c.checkTTLs("Delete")
	return c.Store.Delete(ctx, id, ifVersion)
}

func (c *ttlChecked) Touch(ctx context.Context, id sessions.ID, expiresAt, now time.Time) error {
	defer c.checkTTLs("Touch")
	return c.Store.Touch(ctx, id, expiresAt, now)
}

func (c *ttlChecked) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]sessions.Entry[proptest.Value], error) {
	defer c.checkTTLs("ListOwner")
	return c.Store.ListOwner(ctx, owner, now, limit)
}

func (c *ttlChecked) DeleteOwner(ctx context.Context, owner string, except sessions.ID, now time.Time) (int, error) {
	defer c.checkTTLs("DeleteOwner")
	return c.Store.DeleteOwner(ctx, owner, except, now)
}

func TestManagerKeepsTheLifecycleRulesOnRedis(t *testing.T) {
	servers(t, func(t *testing.T, srv func(testing.TB) server) {
		c := srv(t).client
		proptest.TestManager(t, func(t *testing.T, now func() time.Time) *sessions.Manager[proptest.Value] {
			m, err := sessions.New[proptest.Value](newStore[proptest.Value](t, c), sessions.WithClock(now))
			if err != nil {
				t.Fatalf("sessions.New: %v", err)
			}
			return m
		})
	})
}
