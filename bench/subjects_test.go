package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/typedsession/sessions/internal/workload"
)

// cookieName is the session cookie's name for every subject, as the
// specification's Cookie header has it.
const cookieName = "session"

// storeKind says where a subject keeps its sessions, which decides its
// parallelism and population workers.
type storeKind int

const (
	inMemory   storeKind = iota // in this process
	inCookie                    // in the cookie itself
	inRedis                     // networked
	inPostgres                  // networked
)

func (k storeKind) networked() bool { return k == inRedis || k == inPostgres }

// workers returns how many goroutines build a population: 2 for
// in-process stores, one per connection for networked ones.
func (k storeKind) workers() int {
	if k.networked() {
		return poolSize
	}
	return 2
}

// subject is one library on one store, measured on the workload.
type subject struct {
	name    string
	kind    storeKind
	library bool // this library (either API), whose read-only requests must write nothing
	build   func(tb testing.TB, d deps) *app
}

// deps is what a subject is built on.
type deps struct {
	redis    func(testing.TB) *redis.Client
	postgres func(testing.TB) *pgxpool.Pool
	counts   *storeCounts     // nil: store calls are not counted
	clock    func() time.Time // nil: the library's default clock
}

// app is a subject built: the three cycles' handlers and what the
// population and the behaviour probe need.
type app struct {
	read, write, create http.Handler

	// populate creates workload.PopulationSize sessions, holding
	// workload.MakeValue(i), with workers goroutines, and returns their
	// session cookie values in order.
	populate func(tb testing.TB, workers int) []string
	// mint creates one session holding workload.MakeValue(i) and returns
	// its cookie value.
	mint func(ctx context.Context, i int) (string, error)
	// visits reads the Visits counter of the session a cookie value names.
	visits func(ctx context.Context, cookie string) (int, error)
	// atRest describes how large the value is where the store keeps it.
	atRest func(ctx context.Context, cookie string) (string, error)
	// close releases the store; nil if there is nothing to release.
	close func()
}

// fixture is an app with its population's prepared requests.
type fixture struct {
	app    *app
	reqs   []*http.Request
	counts *storeCounts // what the store was built to count, nil for nothing
}

// newFixture builds s on d with its full population.
func newFixture(tb testing.TB, s subject, d deps) *fixture {
	tb.Helper()
	a := s.build(tb, d)
	tokens := a.populate(tb, s.kind.workers())
	return &fixture{app: a, reqs: workload.Requests(cookieName, tokens), counts: d.counts}
}

// freshFixture builds s on the shared servers with its own population,
// released when tb ends: the in-process "new" cycle gets one per timed
// run, so that the sessions earlier runs created do not pile up.
func freshFixture(tb testing.TB, s subject) *fixture {
	tb.Helper()
	f := newFixture(tb, s, shared.deps(nil))
	if f.app.close != nil {
		tb.Cleanup(f.app.close)
	}
	return f
}

// fixtures caches one fixture per subject and process.
type fixtures struct {
	servers servers
	mu      sync.Mutex
	built   map[string]*fixture
}

func newFixtures() *fixtures { return &fixtures{built: make(map[string]*fixture)} }

// deps returns the dependencies on the shared servers.
func (fs *fixtures) deps(counts *storeCounts) deps {
	return deps{redis: fs.servers.redis, postgres: fs.servers.postgres, counts: counts}
}

// get returns the fixture of s under key, building it on first use.
// Building holds the lock: fixtures are built one at a time anyway.
func (fs *fixtures) get(tb testing.TB, key string, s subject, counts *storeCounts) *fixture {
	tb.Helper()
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if f, ok := fs.built[key]; ok {
		return f
	}
	f := newFixture(tb, s, fs.deps(counts))
	fs.built[key] = f
	return f
}

func (fs *fixtures) close() {
	fs.mu.Lock()
	for _, f := range fs.built {
		if f.app.close != nil {
			f.app.close()
		}
	}
	clear(fs.built)
	fs.mu.Unlock()
	fs.servers.close()
}

// populateWith creates the population by calling mint for each member
// with workers goroutines.
func populateWith(tb testing.TB, workers int, mint func(context.Context, int) (string, error)) []string {
	tb.Helper()
	tokens := make([]string, workload.PopulationSize)
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(tokens); i = int(next.Add(1) - 1) {
				t, err := mint(context.Background(), i)
				if err != nil {
					failed.Store(err)
					return
				}
				tokens[i] = t
			}
		})
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		tb.Fatalf("populating: %v", err)
	}
	return tokens
}

// sessionCookie returns the value of the session cookie a response set,
// and whether it set one.
func sessionCookie(w *httptest.ResponseRecorder) (string, bool) {
	for _, c := range w.Result().Cookies() {
		if c.Name == cookieName {
			return c.Value, true
		}
	}
	return "", false
}

// requestWith returns the workload's request carrying cookie as the
// session cookie.
func requestWith(cookie string) *http.Request {
	return workload.Requests(cookieName, []string{cookie})[0]
}
