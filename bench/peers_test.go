package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/alexedwards/scs/goredisstore"
	"github.com/alexedwards/scs/pgxstore"
	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
	gorilla "github.com/gorilla/sessions"

	"github.com/typedsession/sessions/internal/workload"
)

// valueKey is the one key the map-based peers keep the value under.
const valueKey = "sess"

// errNoCookie reports a "new" request that set no session cookie.
var errNoCookie = errors.New("the response set no session cookie")

// scsSubject returns scs v2 on a store kind, through its LoadAndSave
// middleware, with token hashing (HashTokenInStore) and an idle timeout
// as given.
//
// The memory and PostgreSQL stores are built without their cleanup
// goroutines. Those scan the store once a minute or five, which costs
// nothing per request, but cannot be stopped race-free in scs v2.9.0
// (the goroutine itself creates the channel StopCleanup sends on), and a
// store that is never stopped is never freed.
func scsSubject(name string, kind storeKind, hash bool, idle time.Duration) subject {
	return subject{name: name, kind: kind, build: func(tb testing.TB, d deps) *app {
		tb.Helper()
		var store scs.Store
		switch kind {
		case inMemory:
			store = memstore.NewWithCleanupInterval(0)
		case inRedis:
			store = goredisstore.New(d.redis(tb))
		case inPostgres:
			store = pgxstore.NewWithCleanupInterval(d.postgres(tb), 0)
		default:
			tb.Fatalf("scs has no %v store here", kind)
		}
		sm := scs.New()
		sm.Store = countedSCSStore(store, d.counts)
		sm.HashTokenInStore = hash
		sm.IdleTimeout = idle
		a := scsApp(sm)
		if d.counts != nil {
			a.atRest = func(context.Context, string) (string, error) {
				return strconv.FormatInt(d.counts.lastBytes.Load(), 10) + " (gob bytes)", nil
			}
		}
		return a
	}}
}

// scsApp runs the workload's cycles through sm.LoadAndSave, the way the
// scs README does.
func scsApp(sm *scs.SessionManager) *app {
	get := func(r *http.Request) (workload.Value, bool) {
		v, ok := sm.Get(r.Context(), valueKey).(workload.Value)
		return v, ok
	}
	put := func(v workload.Value) http.Handler {
		return sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sm.Put(r.Context(), valueKey, v)
		}))
	}
	a := &app{
		read: sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if v, ok := get(r); !ok || v.Visits < 0 {
				w.WriteHeader(http.StatusInternalServerError)
			}
		})),
		write: sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v, ok := get(r)
			if !ok {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			v.Visits++
			sm.Put(r.Context(), valueKey, v)
		})),
		create: put(workload.NewCycleValue()),
		visits: func(ctx context.Context, cookie string) (int, error) {
			ctx, err := sm.Load(ctx, cookie)
			if err != nil {
				return 0, err
			}
			v, ok := sm.Get(ctx, valueKey).(workload.Value)
			if !ok {
				return 0, errors.New("scs: no session value")
			}
			return v.Visits, nil
		},
	}
	a.mint = func(ctx context.Context, i int) (string, error) {
		return mintThrough(ctx, put(workload.MakeValue(i)))
	}
	a.populate = func(tb testing.TB, workers int) []string { return populateWith(tb, workers, a.mint) }
	return a
}

// mintThrough sends the "new" cycle's request through h and returns the
// session cookie it set: peers create their population through their own
// request path.
func mintThrough(ctx context.Context, h http.Handler) (string, error) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, workload.NewRequest().WithContext(ctx))
	if w.Code != http.StatusOK {
		return "", fmt.Errorf("status %d", w.Code)
	}
	if c, ok := sessionCookie(w); ok {
		return c, nil
	}
	return "", errNoCookie
}

// Keys of the gorilla cookie store: HMAC-SHA256 and AES-256, as its
// README's "authentication and encryption" example has it. They protect
// nothing.
var (
	gorillaHashKey  = bytes.Repeat([]byte("h"), 32)
	gorillaBlockKey = bytes.Repeat([]byte("b"), 32)
)

// gorillaSubject returns gorilla/sessions' CookieStore. There is no
// middleware: handlers call store.Get and, to write, session.Save, as its
// README does.
func gorillaSubject(name string) subject {
	return subject{name: name, kind: inCookie, build: func(tb testing.TB, _ deps) *app {
		return gorillaApp(gorilla.NewCookieStore(gorillaHashKey, gorillaBlockKey))
	}}
}

func gorillaApp(store gorilla.Store) *app {
	get := func(r *http.Request) (*gorilla.Session, workload.Value, bool) {
		s, err := store.Get(r, cookieName)
		if err != nil {
			return s, workload.Value{}, false
		}
		v, ok := s.Values[valueKey].(workload.Value)
		return s, v, ok
	}
	put := func(v workload.Value) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, err := store.Get(r, cookieName)
			if err == nil {
				s.Values[valueKey] = v
				err = s.Save(r, w)
			}
			if err != nil {
				w.WriteHeader(http.StatusInternalServerError)
			}
		})
	}
	a := &app{
		read: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, v, ok := get(r); !ok || v.Visits < 0 {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}),
		write: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, v, ok := get(r)
			if !ok {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			v.Visits++
			s.Values[valueKey] = v
			if err := s.Save(r, w); err != nil {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}),
		create: put(workload.NewCycleValue()),
		visits: func(_ context.Context, cookie string) (int, error) {
			_, v, ok := get(requestWith(cookie))
			if !ok {
				return 0, errors.New("gorilla: no session value")
			}
			return v.Visits, nil
		},
		atRest: func(_ context.Context, cookie string) (string, error) {
			return fmt.Sprintf("%d (the cookie)", len(cookie)), nil
		},
	}
	a.mint = func(ctx context.Context, i int) (string, error) {
		return mintThrough(ctx, put(workload.MakeValue(i)))
	}
	a.populate = func(tb testing.TB, workers int) []string { return populateWith(tb, workers, a.mint) }
	return a
}
