package bench

import (
	"bufio"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/redis/go-redis/v9"

	"github.com/typedsession/sessions"
)

// storeCounts counts the calls a subject makes to its store. Writes are
// always counted; reads only when trackReads is set, so that the timed
// read cycles do not contend on a shared counter they do not report.
type storeCounts struct {
	trackReads bool
	reads      atomic.Int64
	writes     atomic.Int64
	lastBytes  atomic.Int64 // size of the last value an scs store committed
}

func (n *storeCounts) read() {
	if n.trackReads {
		n.reads.Add(1)
	}
}

// countedBackend counts the calls the Manager makes to a Backend.
type countedBackend[V any] struct {
	b sessions.Backend[V]
	n *storeCounts
}

func (c countedBackend[V]) Create(ctx context.Context, id sessions.ID, rec sessions.Record[V], now time.Time) error {
	c.n.writes.Add(1)
	return c.b.Create(ctx, id, rec, now)
}

func (c countedBackend[V]) Load(ctx context.Context, id sessions.ID, now time.Time) (sessions.Record[V], error) {
	c.n.read()
	return c.b.Load(ctx, id, now)
}

func (c countedBackend[V]) Replace(ctx context.Context, id sessions.ID, ifVersion uint64, rec sessions.Record[V], now time.Time) error {
	c.n.writes.Add(1)
	return c.b.Replace(ctx, id, ifVersion, rec, now)
}

func (c countedBackend[V]) Delete(ctx context.Context, id sessions.ID, ifVersion uint64) error {
	c.n.writes.Add(1)
	return c.b.Delete(ctx, id, ifVersion)
}

// countedToucher is a countedBackend over a store that can touch, so the
// Manager still finds the Toucher capability.
type countedToucher[V any] struct {
	countedBackend[V]
	t sessions.Toucher
}

func (c countedToucher[V]) Touch(ctx context.Context, id sessions.ID, expiresAt, now time.Time) error {
	c.n.writes.Add(1)
	return c.t.Touch(ctx, id, expiresAt, now)
}

// counted wraps b so that n counts its calls; a nil n leaves b alone.
func counted[V any](b sessions.Backend[V], n *storeCounts) sessions.Backend[V] {
	if n == nil {
		return b
	}
	cb := countedBackend[V]{b, n}
	if t, ok := b.(sessions.Toucher); ok {
		return countedToucher[V]{cb, t}
	}
	return cb
}

// countedSCS counts the calls scs makes to its store. It offers the
// context-taking methods too, passing them on to the store's own when it
// has them, so scs calls the store the way it would unwrapped.
type countedSCS struct {
	s scs.Store
	n *storeCounts
}

var _ scs.CtxStore = countedSCS{}

func (c countedSCS) Find(token string) ([]byte, bool, error) {
	c.n.read()
	return c.s.Find(token)
}

func (c countedSCS) Commit(token string, b []byte, expiry time.Time) error {
	c.n.writes.Add(1)
	c.n.lastBytes.Store(int64(len(b)))
	return c.s.Commit(token, b, expiry)
}

func (c countedSCS) Delete(token string) error {
	c.n.writes.Add(1)
	return c.s.Delete(token)
}

func (c countedSCS) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	if cs, ok := c.s.(scs.CtxStore); ok {
		c.n.read()
		return cs.FindCtx(ctx, token)
	}
	return c.Find(token)
}

func (c countedSCS) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if cs, ok := c.s.(scs.CtxStore); ok {
		c.n.writes.Add(1)
		c.n.lastBytes.Store(int64(len(b)))
		return cs.CommitCtx(ctx, token, b, expiry)
	}
	return c.Commit(token, b, expiry)
}

func (c countedSCS) DeleteCtx(ctx context.Context, token string) error {
	if cs, ok := c.s.(scs.CtxStore); ok {
		c.n.writes.Add(1)
		return cs.DeleteCtx(ctx, token)
	}
	return c.Delete(token)
}

// countedSCSStore wraps s so that n counts its calls; a nil n leaves s
// alone.
func countedSCSStore(s scs.Store, n *storeCounts) scs.Store {
	if n == nil {
		return s
	}
	return countedSCS{s, n}
}

// commandLog is a go-redis hook that counts the commands a client sends,
// by name, for the behaviour probe.
type commandLog struct {
	mu sync.Mutex
	n  map[string]int
}

func (l *commandLog) DialHook(next redis.DialHook) redis.DialHook { return next }

func (l *commandLog) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		l.add(cmd)
		return next(ctx, cmd)
	}
}

func (l *commandLog) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		l.add(cmds...)
		return next(ctx, cmds)
	}
}

func (l *commandLog) add(cmds ...redis.Cmder) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n == nil {
		l.n = make(map[string]int)
	}
	for _, c := range cmds {
		l.n[strings.ToUpper(c.Name())]++
	}
}

// take returns the commands counted since the last take, as
// "EVALSHA×1, GET×1", and starts counting afresh.
func (l *commandLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	names := make([]string, 0, len(l.n))
	for name := range l.n {
		names = append(names, name)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = fmt.Sprintf("%s×%d", name, l.n[name])
	}
	clear(l.n)
	return strings.Join(parts, ", ")
}

var _ redis.Hook = (*commandLog)(nil)

// serverCommands returns how many commands the Redis server has run,
// INFO excepted, from INFO commandstats: the specification's
// rediscmds/op is its growth over a timed loop divided by b.N. It counts
// every client of the server, so the run must have the server to itself.
func serverCommands(tb testing.TB, c *redis.Client) int64 {
	tb.Helper()
	info, err := c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		tb.Fatalf("INFO commandstats: %v", err)
	}
	total, err := sumCommandStats(info)
	if err != nil {
		tb.Fatal(err)
	}
	return total
}

// sumCommandStats adds up the calls= fields of an INFO commandstats
// reply, leaving out INFO itself.
func sumCommandStats(info string) (int64, error) {
	var total int64
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "cmdstat_")
		if !ok {
			continue
		}
		name, stats, ok := strings.Cut(rest, ":")
		if !ok || name == "info" {
			continue
		}
		calls, _, _ := strings.Cut(strings.TrimPrefix(stats, "calls="), ",")
		n, err := strconv.ParseInt(calls, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("INFO commandstats line %q: %w", sc.Text(), err)
		}
		total += n
	}
	return total, sc.Err()
}
