package httpsession_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
	"github.com/typedsession/sessions/httpsession"
	"github.com/typedsession/sessions/internal/testclock"
)

// visit is the session value of the tests: a slice, a map and a flash,
// so aliasing and JSON round trips show.
type visit struct {
	User  string                    `json:"user,omitempty"`
	Count int                       `json:"count"`
	Notes []string                  `json:"notes,omitempty"`
	Tags  map[string]int            `json:"tags,omitempty"`
	Flash httpsession.Flash[string] `json:"flash,omitempty"`
}

func increment(v visit) (visit, error) {
	v.Count++
	return v, nil
}

// errStore is the failure failingStore injects.
var errStore = errors.New("store is down")

// failingStore is the memory store with a switch that makes every call
// fail, and counters of writes, so tests can see what reached the store.
type failingStore struct {
	*memory.Store[visit]
	down   atomic.Bool
	loads  atomic.Int64
	writes atomic.Int64
}

func (f *failingStore) fail() error {
	if f.down.Load() {
		return errStore
	}
	return nil
}

func (f *failingStore) Create(ctx context.Context, id sessions.ID, rec sessions.Record[visit], now time.Time) error {
	f.writes.Add(1)
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.Create(ctx, id, rec, now)
}

func (f *failingStore) Load(ctx context.Context, id sessions.ID, now time.Time) (sessions.Record[visit], error) {
	f.loads.Add(1)
	if err := f.fail(); err != nil {
		return sessions.Record[visit]{}, err
	}
	return f.Store.Load(ctx, id, now)
}

func (f *failingStore) Replace(ctx context.Context, id sessions.ID, v uint64, rec sessions.Record[visit], now time.Time) error {
	f.writes.Add(1)
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.Replace(ctx, id, v, rec, now)
}

func (f *failingStore) Delete(ctx context.Context, id sessions.ID, v uint64) error {
	f.writes.Add(1)
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.Delete(ctx, id, v)
}

func (f *failingStore) Touch(ctx context.Context, id sessions.ID, expiresAt, now time.Time) error {
	f.writes.Add(1)
	if err := f.fail(); err != nil {
		return err
	}
	return f.Store.Touch(ctx, id, expiresAt, now)
}

// fixture is a Manager over a failingStore with a fake clock, and its
// middleware.
type fixture struct {
	t     *testing.T
	store *failingStore
	clock *testclock.Clock
	m     *sessions.Manager[visit]
	mw    *httpsession.Middleware[visit]
}

func newFixture(t *testing.T, opts ...httpsession.Option) *fixture {
	return newFixtureWith(t, sessions.Cookie{}, opts...)
}

func newFixtureWith(t *testing.T, cookie sessions.Cookie, opts ...httpsession.Option) *fixture {
	t.Helper()
	mem, err := memory.New[visit]()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mem.Close() })
	f := &fixture{
		t:     t,
		store: &failingStore{Store: mem},
		clock: testclock.New(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)),
	}
	f.m, err = sessions.New[visit](f.store, sessions.WithClock(f.clock.Now), sessions.WithCookie(cookie))
	if err != nil {
		t.Fatal(err)
	}
	f.mw = httpsession.New(f.m, opts...)
	return f
}

// seed stores a session holding v and returns its Cookie header.
func (f *fixture) seed(v visit, opts ...sessions.SessionOption) string {
	f.t.Helper()
	s, err := f.m.Generate(context.Background(), v, opts...)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.m.Cookie().Name + "=" + s.Token()
}

// stored returns the value the store holds for a Cookie header, and
// whether there is one.
func (f *fixture) stored(cookie string) (visit, bool) {
	f.t.Helper()
	s, err := f.m.OfHeader(context.Background(), cookie)
	if err != nil {
		f.t.Fatal(err)
	}
	got, ok := s.Get()
	return got.Value(), ok
}

// do serves one request through the middleware around h, with the given
// Cookie header ("" for none).
func (f *fixture) do(h http.HandlerFunc, method, cookie string) *http.Response {
	f.t.Helper()
	return serve(f.mw.Wrap(h), request(method, cookie))
}

func request(method, cookie string) *http.Request {
	r := httptest.NewRequest(method, "https://example.com/", nil)
	if cookie != "" {
		r.Header.Set("Cookie", cookie)
	}
	return r
}

func serve(h http.Handler, r *http.Request) *http.Response {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec.Result()
}

// sessionCookie returns the response's Set-Cookie of the fixture's
// cookie, as a Cookie header, and whether there is one; a deletion is
// reported as "".
func (f *fixture) sessionCookie(resp *http.Response) (string, bool) {
	f.t.Helper()
	var found []*http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == f.m.Cookie().Name {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		return "", false
	case 1:
	default:
		f.t.Fatalf("%d Set-Cookie headers for %s, want at most 1", len(found), f.m.Cookie().Name)
	}
	if found[0].Value == "" {
		return "", true
	}
	return found[0].Name + "=" + found[0].Value, true
}

// body reads the response body.
func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// must fails the test on err, from inside a handler.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Error(err)
	}
}
