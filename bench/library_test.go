package bench

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/goredis"
	"github.com/typedsession/sessions/backends/memory"
	"github.com/typedsession/sessions/backends/postgres"
	"github.com/typedsession/sessions/backends/sealed"
	"github.com/typedsession/sessions/httpsession"
	"github.com/typedsession/sessions/internal/workload"
)

// workloadValue is the workload's value, with a Clone method (Value) or
// without one (PlainValue, which the memory store copies with its codec).
type workloadValue interface {
	workload.Value | workload.PlainValue
}

// api is how a handler reaches the library.
type api int

const (
	agnostic   api = iota // the Manager, called by the handler
	middleware            // httpsession around the handler
)

// sealedSecret is the benchmarks' master secret: fixed and well mixed,
// as the key ring requires. It protects nothing.
var sealedSecret = sha256.Sum256([]byte("sessions bench master secret"))

// library returns a subject for this library: V on the store kind, with
// codec (nil: the store's default), through the given API.
func library[V workloadValue](name string, kind storeKind, makeValue func(int) V, codec sessions.Codec[V], via api) subject {
	return subject{name: name, kind: kind, library: true, build: func(tb testing.TB, d deps) *app {
		tb.Helper()
		m, atRest, closer := newManager(tb, name, kind, codec, d)
		a := libraryApp(m, makeValue, via)
		a.atRest, a.close = atRest, closer
		return a
	}}
}

// managerOptions are the options of every library subject's Manager: the
// workload's cookie name and, for the probe, a clock. Everything else is
// the library's default: an idle timeout of 30 minutes, a touch interval
// of 3 minutes, a lifetime of 24 hours.
func managerOptions(d deps) []sessions.Option {
	opts := []sessions.Option{sessions.WithCookie(sessions.Cookie{Name: cookieName})}
	if d.clock != nil {
		opts = append(opts, sessions.WithClock(d.clock))
	}
	return opts
}

// atRestFunc describes the size of a session's value where it is kept.
type atRestFunc = func(ctx context.Context, cookie string) (string, error)

// newManager builds a Manager over a store of the given kind, with the
// function describing its values at rest and the store's closer.
func newManager[V workloadValue](tb testing.TB, name string, kind storeKind, codec sessions.Codec[V], d deps) (*sessions.Manager[V], atRestFunc, func()) {
	tb.Helper()
	var (
		b      sessions.Backend[V]
		atRest atRestFunc
		closer func()
		err    error
	)
	switch kind {
	case inMemory:
		b, atRest, closer, err = memoryBackend(codec)
	case inRedis:
		b, atRest, err = redisBackend(tb, name, codec, d)
	case inPostgres:
		b, atRest, closer, err = postgresBackend(tb, name, codec, d)
	case inCookie:
		return sealedManager(tb, codec, d)
	}
	if err != nil {
		tb.Fatal(err)
	}
	m, err := sessions.New(counted(b, d.counts), managerOptions(d)...)
	if err != nil {
		tb.Fatal(err)
	}
	if atRest != nil {
		inner := atRest
		atRest = func(ctx context.Context, cookie string) (string, error) {
			s, err := m.OfKey(ctx, cookie)
			if err != nil {
				return "", err
			}
			return inner(ctx, s.ID().String())
		}
	}
	return m, atRest, closer
}

func memoryBackend[V workloadValue](codec sessions.Codec[V]) (sessions.Backend[V], atRestFunc, func(), error) {
	var opts []memory.Option
	if codec != nil {
		opts = append(opts, memory.WithCodec(codec))
	}
	st, err := memory.New[V](opts...)
	if err != nil {
		return nil, nil, nil, err
	}
	_, clones := any(*new(V)).(interface{ Clone() workload.Value })
	atRest := func(context.Context, string) (string, error) {
		if clones && codec == nil {
			return "a Go value (copied with Clone)", nil
		}
		c := codec
		if c == nil {
			c = sessions.JSON[V]()
		}
		data, err := c.Marshal(V(workload.MakeValue(0)))
		return strconv.Itoa(len(data)) + " (codec bytes)", err
	}
	return st, atRest, func() { _ = st.Close() }, nil
}

func redisBackend[V workloadValue](tb testing.TB, name string, codec sessions.Codec[V], d deps) (sessions.Backend[V], atRestFunc, error) {
	client := d.redis(tb)
	prefix := "bench:" + name + ":"
	opts := []goredis.Option{goredis.WithPrefix(prefix)}
	if codec != nil {
		opts = append(opts, goredis.WithCodec(codec))
	}
	st, err := goredis.New[V](client, opts...)
	atRest := func(ctx context.Context, id string) (string, error) {
		n, err := client.StrLen(ctx, prefix+id).Result()
		return strconv.FormatInt(n, 10) + " (record: header + codec bytes)", err
	}
	return st, atRest, err
}

func postgresBackend[V workloadValue](tb testing.TB, name string, codec sessions.Codec[V], d deps) (sessions.Backend[V], atRestFunc, func(), error) {
	pool := d.postgres(tb)
	table := pgSchema + "." + strings.ReplaceAll(name, "-", "_")
	opts := []postgres.Option{postgres.WithTable(table)}
	if codec != nil {
		opts = append(opts, postgres.WithCodec(codec))
	}
	st, err := postgres.New[V](pool, opts...)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := st.Migrate(context.Background()); err != nil {
		_ = st.Close()
		return nil, nil, nil, err
	}
	atRest := func(ctx context.Context, id string) (string, error) {
		parsed, err := sessions.ParseID(id)
		if err != nil {
			return "", err
		}
		var n int
		err = pool.QueryRow(ctx, `SELECT octet_length(value) FROM `+table+` WHERE id = $1`, parsed[:]).Scan(&n)
		return strconv.Itoa(n) + " (value column: codec bytes)", err
	}
	return st, atRest, func() { _ = st.Close() }, nil
}

func sealedManager[V workloadValue](tb testing.TB, codec sessions.Codec[V], d deps) (*sessions.Manager[V], atRestFunc, func()) {
	ring, err := sealed.NewKeyRing(sealedSecret[:])
	if err != nil {
		tb.Fatal(err)
	}
	opts := []sealed.Option{sealed.WithCookieName(cookieName)}
	if codec != nil {
		opts = append(opts, sealed.WithCodec(codec))
	}
	if d.clock != nil {
		opts = append(opts, sealed.WithClock(d.clock))
	}
	st, err := sealed.New[V](ring, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	m, err := sessions.NewWithStore(st, managerOptions(d)...)
	if err != nil {
		tb.Fatal(err)
	}
	atRest := func(_ context.Context, cookie string) (string, error) {
		return fmt.Sprintf("%d (the cookie)", len(cookie)), nil
	}
	return m, atRest, nil
}

// libraryApp runs the workload's cycles on m through the given API.
func libraryApp[V workloadValue](m *sessions.Manager[V], makeValue func(int) V, via api) *app {
	newValue := makeValue(workload.PopulationSize + 1)
	a := &app{
		populate: func(tb testing.TB, workers int) []string {
			return workload.Populate(tb, m, makeValue, workers)
		},
		mint: func(ctx context.Context, i int) (string, error) {
			s, err := m.Generate(ctx, makeValue(i))
			return s.Token(), err
		},
		visits: func(ctx context.Context, cookie string) (int, error) {
			s, err := m.OfKey(ctx, cookie)
			return workload.Visits(s.Value()), err
		},
	}
	switch via {
	case agnostic:
		a.read = workload.ReadHandler(m, workload.Visits[V])
		a.write = workload.WriteHandler(m, workload.Bump[V])
		a.create = workload.NewHandler(m, newValue)
	case middleware:
		a.read, a.write, a.create = middlewareHandlers(m, newValue)
	}
	return a
}

// middlewareHandlers are the three cycles through httpsession: the
// handler asks its Handle for the value and buffers changes, and the
// middleware commits them (and touches the session) when it returns.
func middlewareHandlers[V workloadValue](m *sessions.Manager[V], newValue V) (read, write, create http.Handler) {
	mw := httpsession.New(m)
	// found reads the session, reporting a request that did not find one.
	found := func(w http.ResponseWriter, r *http.Request) (*httpsession.Handle[V], bool) {
		h := mw.Session(r)
		v, err := h.Get()
		if err != nil || workload.Value(v).UserID == "" || workload.Visits(v) < 0 {
			w.WriteHeader(http.StatusInternalServerError)
			return nil, false
		}
		return h, true
	}
	read = mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		found(w, r)
	}))
	write = mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, ok := found(w, r)
		if !ok {
			return
		}
		if err := h.Update(func(v V) (V, error) { return workload.Bump(v), nil }); err != nil {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	create = mw.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := mw.Session(r).Set(newValue); err != nil {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	return read, write, create
}
