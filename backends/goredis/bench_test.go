package goredis_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/goredis"
	"github.com/typedsession/sessions/internal/testenv"
)

// The benchmarks follow the shared session workload: a 10,000-session
// population, a Cookie header with three unrelated cookies before the
// session's, 32 goroutines against a go-redis pool of 32, and three
// request cycles (read, write, new), beside floors that run the same
// harness around nothing, a bare GET and a bare SET.

// CartItem and SessionValue are the workload's session value.
type CartItem struct {
	SKU string
	Qty int
}

type SessionValue struct {
	UserID string
	Roles  []string
	Cart   []CartItem
	CSRF   string
	Visits int
}

// Clone returns a deep copy of v.
func (v SessionValue) Clone() SessionValue {
	v.Roles = slices.Clone(v.Roles)
	v.Cart = slices.Clone(v.Cart)
	return v
}

// makeValue returns the value of population member i.
func makeValue(i int) SessionValue {
	sum := sha256.Sum256([]byte(fmt.Sprintf("csrf-%d", i)))
	return SessionValue{
		UserID: fmt.Sprintf("usr_%08d", i),
		Roles:  []string{"customer", "beta-tester"},
		Cart:   []CartItem{{"SKU-100001", 1}, {"SKU-200002", 2}, {"SKU-300003", 3}},
		CSRF:   base64.RawURLEncoding.EncodeToString(sum[:]),
	}
}

const (
	populationSize   = 10_000
	benchParallelism = 16 // × GOMAXPROCS 2 = 32 goroutines
	benchPoolSize    = 32
	unrelatedCookies = "_ga=GA1.2.3; theme=dark; lang=en"
)

// benchApp is the application the cycles run through.
type benchApp struct {
	m        *sessions.Manager[SessionValue]
	newValue SessionValue
}

func (a *benchApp) read(w http.ResponseWriter, r *http.Request) bool {
	found, err := a.m.OfHeader(r.Context(), r.Header.Values("Cookie")...)
	s, ok := found.Get()
	if err != nil || !ok || s.Value().UserID == "" {
		return false
	}
	sessions.WriteHeaders(w.Header(), a.m.ToCookieHeaders(s))
	w.WriteHeader(http.StatusOK)
	return true
}

func (a *benchApp) write(w http.ResponseWriter, r *http.Request) bool {
	found, err := a.m.OfHeader(r.Context(), r.Header.Values("Cookie")...)
	s, ok := found.Get()
	if err != nil || !ok {
		return false
	}
	s, err = a.m.Update(r.Context(), s, func(v SessionValue) (SessionValue, error) {
		v.Visits++
		return v, nil
	})
	if err != nil {
		return false
	}
	sessions.WriteHeaders(w.Header(), a.m.ToCookieHeaders(s))
	w.WriteHeader(http.StatusOK)
	return true
}

// create runs the "new" cycle, storing v.
func (a *benchApp) create(w http.ResponseWriter, r *http.Request, v SessionValue) bool {
	s, err := a.m.OfHeaderOrCreate(r.Context(), SessionValue{}, r.Header.Values("Cookie")...)
	if err != nil {
		return false
	}
	if s, err = a.m.Set(r.Context(), s, v); err != nil {
		return false
	}
	sessions.WriteHeaders(w.Header(), a.m.ToCookieHeaders(s))
	w.WriteHeader(http.StatusOK)
	return true
}

func (a *benchApp) newCycle(w http.ResponseWriter, r *http.Request) bool {
	return a.create(w, r, a.newValue)
}

// newRequest returns the workload's request, with cookie as its Cookie
// header.
func newRequest(cookie string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://app.example/account", nil)
	r.Header.Set("User-Agent", "benchpeers/1")
	r.RemoteAddr = "127.0.0.1:40000"
	r.Header.Set("Cookie", cookie)
	return r
}

// populate creates the population through the "new" cycle with 32
// workers and returns one request per member.
func populate(b *testing.B, app *benchApp) []*http.Request {
	b.Helper()
	reqs := make([]*http.Request, populationSize)
	base := newRequest(unrelatedCookies)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Bool
	for range benchPoolSize {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < populationSize; i = int(next.Add(1) - 1) {
				w := httptest.NewRecorder()
				r := new(http.Request)
				*r = *base
				if !app.create(w, r, makeValue(i)) {
					failed.Store(true)
					return
				}
				reqs[i] = newRequest(unrelatedCookies + "; " + sessionCookie(w.Result().Cookies()))
			}
		})
	}
	wg.Wait()
	if failed.Load() {
		b.Fatal("creating the population failed")
	}
	return reqs
}

// sessionCookie returns the session cookie among cs as name=value.
func sessionCookie(cs []*http.Cookie) string {
	for _, c := range cs {
		if c.Name == "session" {
			return c.Name + "=" + c.Value
		}
	}
	return ""
}

// runCycle times handler over the population with the workload's
// harness: 32 goroutines, each starting at its own offset and walking the
// population round-robin, a shallow request copy and a fresh recorder per
// request.
func runCycle(b *testing.B, c redis.UniversalClient, reqs []*http.Request, handler func(http.ResponseWriter, *http.Request) bool) {
	b.ReportAllocs()
	b.SetParallelism(benchParallelism)
	var started atomic.Int64
	var misses atomic.Int64
	before := commandCount(b, c)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(started.Add(1)*7919) % len(reqs)
		for pb.Next() {
			r := new(http.Request)
			*r = *reqs[i]
			w := httptest.NewRecorder()
			if !handler(w, r) || w.Code != http.StatusOK {
				misses.Add(1)
			}
			if i++; i == len(reqs) {
				i = 0
			}
		}
	})
	b.StopTimer()
	if n := misses.Load(); n > 0 {
		b.Fatalf("%d requests missed their session or failed", n)
	}
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

func BenchmarkRedis(b *testing.B) {
	opt, err := redis.ParseURL(testenv.RedisURL(b))
	if err != nil {
		b.Fatalf("REDIS_URL: %v", err)
	}
	opt.PoolSize = benchPoolSize
	opt.ContextTimeoutEnabled = true
	client := redis.NewClient(opt)
	b.Cleanup(func() { _ = client.Close() })
	prefix := uniquePrefix(b, client)
	store, err := goredis.New[SessionValue](client, goredis.WithPrefix(prefix))
	if err != nil {
		b.Fatal(err)
	}
	m, err := sessions.New[SessionValue](store, sessions.WithCookie(sessions.Cookie{Name: "session"}))
	if err != nil {
		b.Fatal(err)
	}
	app := &benchApp{m: m, newValue: makeValue(populationSize + 1)}
	reqs := populate(b, app)
	fresh := []*http.Request{newRequest(unrelatedCookies)}

	b.Run("cycle=read", func(b *testing.B) { runCycle(b, client, reqs, app.read) })
	b.Run("cycle=write", func(b *testing.B) { runCycle(b, client, reqs, app.write) })
	b.Run("cycle=new", func(b *testing.B) { runCycle(b, client, fresh, app.newCycle) })

	// The floors: the same harness around nothing, and around one bare
	// go-redis call on a 250-byte value under a precomputed key.
	key, value := prefix+"floor", strings.Repeat("v", 250)
	if err := client.Set(context.Background(), key, value, 0).Err(); err != nil {
		b.Fatal(err)
	}
	b.Run("floor=harness-noop", func(b *testing.B) {
		runCycle(b, client, reqs, func(w http.ResponseWriter, _ *http.Request) bool {
			w.WriteHeader(http.StatusOK)
			return true
		})
	})
	b.Run("floor=goredis-get", func(b *testing.B) {
		runCycle(b, client, reqs, func(w http.ResponseWriter, r *http.Request) bool {
			got, err := client.Get(r.Context(), key).Bytes()
			w.WriteHeader(http.StatusOK)
			return err == nil && len(got) == len(value)
		})
	})
	b.Run("floor=goredis-set", func(b *testing.B) {
		runCycle(b, client, reqs, func(w http.ResponseWriter, r *http.Request) bool {
			err := client.Set(r.Context(), key, value, 0).Err()
			w.WriteHeader(http.StatusOK)
			return err == nil
		})
	})
}
