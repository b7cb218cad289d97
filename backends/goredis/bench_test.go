package goredis_test

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/goredis"
	"github.com/typedsession/sessions/internal/testenv"
	"github.com/typedsession/sessions/internal/workload"
)

// The benchmarks run the shared session workload (internal/workload): its
// 10,000-session population, 32 goroutines against a go-redis pool of 32,
// and its three request cycles (read, write, new), beside floors that run
// the same harness around nothing, a bare GET and a bare SET. Each also
// reports the Redis commands it costs per request.

// runCycle times handler over reqs with the workload's harness and the
// networked stores' parallelism, and reports the commands the server ran
// per request.
func runCycle(b *testing.B, c redis.UniversalClient, reqs []*http.Request, handler http.Handler) {
	b.SetParallelism(workload.Parallelism)
	before := commandCount(b, c)
	workload.Run(b, reqs, handler)
	b.ReportMetric(float64(commandCount(b, c)-before)/float64(b.N), "rediscmds/op")
}

// commandCount returns the commands the server has run, INFO excepted,
// from INFO commandstats.
func commandCount(b *testing.B, c redis.UniversalClient) int64 {
	info, err := c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		b.Fatalf("INFO commandstats: %v", err)
	}
	var total int64
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		line := sc.Text()
		name, stats, ok := strings.Cut(strings.TrimPrefix(line, "cmdstat_"), ":")
		if !ok || !strings.HasPrefix(line, "cmdstat_") || name == "info" {
			continue
		}
		calls, _, _ := strings.Cut(strings.TrimPrefix(stats, "calls="), ",")
		n, _ := strconv.ParseInt(calls, 10, 64)
		total += n
	}
	return total
}

// floorHandler answers 200 when call succeeds and 500 when it fails, so
// the harness counts failed floor calls as it counts failed cycles.
func floorHandler(call func(*http.Request) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !call(r) {
			w.WriteHeader(http.StatusInternalServerError)
		}
	})
}

func BenchmarkRedis(b *testing.B) {
	opt, err := redis.ParseURL(testenv.RedisURL(b))
	if err != nil {
		b.Fatalf("REDIS_URL: %v", err)
	}
	opt.PoolSize = workload.PoolSize
	opt.ContextTimeoutEnabled = true
	client := redis.NewClient(opt)
	b.Cleanup(func() { _ = client.Close() })
	prefix := uniquePrefix(b, client)
	store, err := goredis.New[workload.Value](client, goredis.WithPrefix(prefix))
	if err != nil {
		b.Fatal(err)
	}
	m, err := sessions.New[workload.Value](store, sessions.WithCookie(sessions.Cookie{Name: "session"}))
	if err != nil {
		b.Fatal(err)
	}
	reqs := workload.Requests(m.Cookie().Name, workload.Populate(b, m, workload.MakeValue, workload.PoolSize))
	fresh := []*http.Request{workload.NewRequest()}

	b.Run("cycle=read", func(b *testing.B) {
		runCycle(b, client, reqs, workload.ReadHandler(m, workload.Visits[workload.Value]))
	})
	b.Run("cycle=write", func(b *testing.B) {
		runCycle(b, client, reqs, workload.WriteHandler(m, workload.Bump[workload.Value]))
	})
	b.Run("cycle=new", func(b *testing.B) {
		runCycle(b, client, fresh, workload.NewHandler(m, workload.NewCycleValue()))
	})

	// The floors: the same harness around nothing, and around one bare
	// go-redis call on a 250-byte value under a precomputed key.
	key, value := prefix+"floor", strings.Repeat("v", 250)
	if err := client.Set(context.Background(), key, value, 0).Err(); err != nil {
		b.Fatal(err)
	}
	b.Run("floor=harness-noop", func(b *testing.B) {
		runCycle(b, client, reqs, floorHandler(func(*http.Request) bool { return true }))
	})
	b.Run("floor=goredis-get", func(b *testing.B) {
		runCycle(b, client, reqs, floorHandler(func(r *http.Request) bool {
			got, err := client.Get(r.Context(), key).Bytes()
			return err == nil && len(got) == len(value)
		}))
	})
	b.Run("floor=goredis-set", func(b *testing.B) {
		runCycle(b, client, reqs, floorHandler(func(r *http.Request) bool {
			return client.Set(r.Context(), key, value, 0).Err() == nil
		}))
	})
}
