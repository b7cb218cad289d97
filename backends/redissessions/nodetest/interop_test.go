package nodetest

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/redissessions"
	"github.com/typedsession/sessions/internal/testenv"
)

// profile is the session value both sides share: a flat d.
type profile struct {
	User  string  `json:"user,omitempty"`
	Admin bool    `json:"admin,omitempty"`
	Hits  int     `json:"hits,omitempty"`
	Theme *string `json:"theme"` // nil is written as null: Node deletes the key
}

// world is one run's namespace, seen from Go and from Node.
type world struct {
	t      *testing.T
	ctx    context.Context
	client *redis.Client
	ns     string
	node   *node
}

func newWorld(t *testing.T) *world {
	url := testenv.RedisURL(t)
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	opt.ContextTimeoutEnabled = true
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	ns := "gonode" + strings.ToLower(rand.Text()[:10])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var keys []string
		iter := c.Scan(ctx, 0, ns+":*", 1000).Iterator()
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	return &world{t: t, ctx: t.Context(), client: c, ns: ns, node: startNode(t, url, ns)}
}

// app returns a fresh app name, a store for it on the real clock (or
// clock), and a Manager over the store.
func (w *world) app(clock func() time.Time) (string, *redissessions.Store[profile], *sessions.Manager[profile]) {
	w.t.Helper()
	app := "go" + strings.ToLower(rand.Text()[:10])
	opts := []redissessions.Option{redissessions.WithNamespace(w.ns)}
	mopts := []sessions.Option{}
	if clock != nil {
		opts = append(opts, redissessions.WithClock(clock))
		mopts = append(mopts, sessions.WithClock(clock))
	}
	store, err := redissessions.New[profile](w.client, app, opts...)
	if err != nil {
		w.t.Fatal(err)
	}
	m, err := sessions.NewWithStore[profile](store, mopts...)
	if err != nil {
		w.t.Fatal(err)
	}
	return app, store, m
}

// generate makes a session in Go for owner.
func (w *world) generate(m *sessions.Manager[profile], v profile, owner string) sessions.Session[profile] {
	w.t.Helper()
	s, err := m.Generate(redissessions.WithIP(w.ctx, "203.0.113.9"), v, sessions.WithOwner(owner))
	if err != nil {
		w.t.Fatalf("Generate: %v", err)
	}
	return s
}

// create makes a session in Node and returns its token.
func (w *world) create(app, id string, ttl int, d map[string]any) string {
	w.t.Helper()
	var out struct{ Token string }
	w.node.must("plain", "create", map[string]any{"app": app, "id": id, "ip": "198.51.100.4", "ttl": ttl, "d": d}, &out)
	return out.Token
}

// get is Node's get; nil when Node finds no session.
func (w *world) get(inst, app, token string) *nodeSession {
	w.t.Helper()
	var out *nodeSession
	w.node.must(inst, "get", map[string]any{"app": app, "token": token}, &out)
	return out
}

// gone fails the test unless Go finds no session for token.
func (w *world) gone(m *sessions.Manager[profile], token string) {
	w.t.Helper()
	if _, err := m.OfKey(w.ctx, token); !errors.Is(err, sessions.ErrNotFound) {
		w.t.Fatalf("Go OfKey: %v, want ErrNotFound", err)
	}
}

// noKeysOf fails the test if any key or sorted-set member names token.
func (w *world) noKeysOf(token string) {
	w.t.Helper()
	keys, err := w.client.Keys(w.ctx, w.ns+":*").Result()
	if err != nil {
		w.t.Fatal(err)
	}
	for _, k := range keys {
		if strings.Contains(k, token) {
			w.t.Errorf("key %s is left", k)
		}
		if typ, _ := w.client.Type(w.ctx, k).Result(); typ == "zset" || typ == "set" {
			var members []string
			if typ == "zset" {
				members, _ = w.client.ZRange(w.ctx, k, 0, -1).Result()
			} else {
				members, _ = w.client.SMembers(w.ctx, k).Result()
			}
			for _, m := range members {
				if strings.Contains(m, token) {
					w.t.Errorf("%s still holds %s", k, m)
				}
			}
		}
	}
}

func sameD(got map[string]any, want map[string]any) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

func TestGoSessionsAreReadSetAndKilledByNode(t *testing.T) {
	w := newWorld(t)
	app, store, m := w.app(nil)
	s := w.generate(m, profile{User: "ann", Hits: 3}, "ann")

	got := w.get("plain", app, s.Token())
	if got == nil || got.ID != "ann" || got.IP != "203.0.113.9" || got.R != 1 || got.W != 1 || got.TTL != 1800 ||
		!sameD(got.D, map[string]any{"user": "ann", "hits": 3.0}) {
		t.Fatalf("Node get of a Go session: %+v", got)
	}
	var set nodeSession
	w.node.must("plain", "set", map[string]any{"app": app, "token": s.Token(), "d": map[string]any{"hits": nil, "from": "node"}}, &set)
	if set.W != 2 || !sameD(set.D, map[string]any{"user": "ann", "from": "node"}) {
		t.Fatalf("Node set: %+v", set)
	}
	s, err := m.OfKey(w.ctx, s.Token())
	if err != nil || s.Value().Hits != 0 || s.Value().User != "ann" || s.Version() != 2 {
		t.Fatalf("Go OfKey after Node's set: %+v v%d, %v", s.Value(), s.Version(), err)
	}
	if in, err := store.Info(w.ctx, s.Token()); err != nil || in.Reads != 2 || in.Writes != 2 {
		t.Fatalf("Info after one Node read and one Node write: %+v, %v", in, err)
	}
	dark := "dark"
	if s, err = m.Set(w.ctx, s, profile{User: "ann", Theme: &dark}); err != nil {
		t.Fatal(err)
	}
	if got := w.get("plain", app, s.Token()); got.W != 3 || !sameD(got.D, map[string]any{"user": "ann", "from": "node", "theme": "dark"}) {
		t.Fatalf("Node get after Go's set: %+v", got)
	}
	if s, err = m.Set(w.ctx, s, profile{User: "ann"}); err != nil { // theme: null deletes it
		t.Fatal(err)
	}
	if got := w.get("plain", app, s.Token()); !sameD(got.D, map[string]any{"user": "ann", "from": "node"}) {
		t.Fatalf("Node get after Go wrote theme as null: %+v", got.D)
	}
	var kill struct{ Kill int }
	w.node.must("plain", "kill", map[string]any{"app": app, "token": s.Token()}, &kill)
	if kill.Kill != 1 {
		t.Fatalf("Node kill: %+v", kill)
	}
	w.gone(m, s.Token())
	w.noKeysOf(s.Token())
}

func TestNodeSessionsAreReadSetListedAndClearedByGo(t *testing.T) {
	w := newWorld(t)
	app, store, m := w.app(nil)
	before := time.Now().Truncate(time.Millisecond)
	token := w.create(app, "carol", 600, map[string]any{"user": "carol", "admin": true, "extra": "kept"})
	after := time.Now()

	s, err := m.OfKey(w.ctx, token)
	if err != nil {
		t.Fatalf("Go OfKey of a Node session: %v", err)
	}
	la, _ := w.client.HGet(w.ctx, w.ns+":"+app+":"+token, "la").Int64()
	if s.Owner() != "carol" || s.Value() != (profile{User: "carol", Admin: true}) || s.Version() != 1 ||
		s.CreatedAt().Before(before) || s.CreatedAt().After(after) || !s.ExpiresAt().Equal(time.Unix(la+601, 0)) {
		t.Fatalf("Go OfKey: %+v owner %q v%d created %v expires %v", s.Value(), s.Owner(), s.Version(), s.CreatedAt(), s.ExpiresAt())
	}
	if s, err = m.Set(w.ctx, s, profile{User: "carol", Admin: true, Hits: 1}); err != nil {
		t.Fatal(err)
	}
	got := w.get("plain", app, token)
	if got.W != 2 || got.TTL != 600 || !sameD(got.D, map[string]any{"user": "carol", "admin": true, "hits": 1.0, "extra": "kept"}) {
		t.Fatalf("Node get after Go's set: %+v", got)
	}
	list, err := m.Sessions(w.ctx, "carol")
	if err != nil || len(list) != 1 || list[0].ID != store.ID(token) {
		t.Fatalf("Go Sessions(carol): %v, %v", list, err)
	}
	if _, err := m.Clear(w.ctx, s); err != nil {
		t.Fatal(err)
	}
	if got := w.get("plain", app, token); got != nil {
		t.Fatalf("Node get after Go's Clear: %+v", got)
	}
	var soid struct{ Sessions []nodeSession }
	w.node.must("plain", "soid", map[string]any{"app": app, "id": "carol"}, &soid)
	if len(soid.Sessions) != 0 {
		t.Fatalf("Node soid after Go's Clear: %+v", soid)
	}
	w.noKeysOf(token)
}

func TestSoidAndKillsoidWorkFromEitherSide(t *testing.T) {
	w := newWorld(t)
	app, _, m := w.app(nil)
	a := w.generate(m, profile{User: "dave"}, "dave")
	b := w.generate(m, profile{User: "dave"}, "dave")
	var soid struct{ Sessions []nodeSession }
	w.node.must("plain", "soid", map[string]any{"app": app, "id": "dave"}, &soid)
	if len(soid.Sessions) != 2 || soid.Sessions[0].ID != "dave" {
		t.Fatalf("Node soid of Go sessions: %+v", soid)
	}
	var kill struct{ Kill int }
	w.node.must("plain", "killsoid", map[string]any{"app": app, "id": "dave"}, &kill)
	if kill.Kill != 2 {
		t.Fatalf("Node killsoid: %+v", kill)
	}
	if list, err := m.Sessions(w.ctx, "dave"); err != nil || len(list) != 0 {
		t.Fatalf("Go Sessions after Node's killsoid: %v, %v", list, err)
	}
	w.noKeysOf(a.Token())
	w.noKeysOf(b.Token())

	c := w.create(app, "erin", 600, map[string]any{"user": "erin"})
	d := w.create(app, "erin", 600, nil)
	if list, err := m.Sessions(w.ctx, "erin"); err != nil || len(list) != 2 {
		t.Fatalf("Go Sessions of Node sessions: %v, %v", list, err)
	}
	if n, err := m.ClearOwner(w.ctx, "erin", sessions.ID{}); err != nil || n != 2 {
		t.Fatalf("Go ClearOwner: %d, %v", n, err)
	}
	w.node.must("plain", "soid", map[string]any{"app": app, "id": "erin"}, &soid)
	if len(soid.Sessions) != 0 {
		t.Fatalf("Node soid after Go's ClearOwner: %+v", soid)
	}
	if _, err := w.client.ZScore(w.ctx, w.ns+":"+app+":_users", "erin").Result(); !errors.Is(err, redis.Nil) {
		t.Fatalf("erin is still in _users: %v", err)
	}
	w.noKeysOf(c)
	w.noKeysOf(d)
}

func TestActivityAndSoappAgreeOnBothSides(t *testing.T) {
	w := newWorld(t)
	app, store, m := w.app(nil)
	w.generate(m, profile{User: "frank"}, "frank")
	w.generate(m, profile{User: "frank"}, "frank")
	w.create(app, "gina", 600, nil)

	var act struct{ Activity int64 }
	w.node.must("plain", "activity", map[string]any{"app": app, "deltaTime": 60}, &act)
	goAct, err := store.Activity(w.ctx, time.Minute)
	if err != nil || goAct != 2 || act.Activity != 2 {
		t.Fatalf("activity: Go %d (%v), Node %d; want 2 users", goAct, err, act.Activity)
	}
	var soapp struct{ Sessions []nodeSession }
	w.node.must("plain", "soapp", map[string]any{"app": app, "deltaTime": 60}, &soapp)
	goList, err := store.SessionsOfApp(w.ctx, time.Minute)
	if err != nil || len(goList) != 3 || len(soapp.Sessions) != 3 {
		t.Fatalf("soapp: Go %d (%v), Node %d; want 3 sessions", len(goList), err, len(soapp.Sessions))
	}
	err = w.node.call("plain", "activity", map[string]any{"app": app, "deltaTime": 9}, nil)
	_, goErr := store.Activity(w.ctx, 9*time.Second)
	var ne *nodeError
	var ve *redissessions.ValidationError
	if !errors.As(err, &ne) || !errors.As(goErr, &ve) || ne.Message != ve.Message || ne.Name != ve.Code.Error() {
		t.Fatalf("a 9-second window: Node %v, Go %v; want the same error", err, goErr)
	}
}

func TestKillallWorksFromEitherSide(t *testing.T) {
	w := newWorld(t)
	app, store, m := w.app(nil)
	goTokens := []string{w.generate(m, profile{User: "hal"}, "hal").Token(), w.generate(m, profile{}, "").Token()}
	nodeToken := w.create(app, "ivy", 600, nil)
	var kill struct{ Kill int }
	w.node.must("plain", "killall", map[string]any{"app": app}, &kill)
	if kill.Kill != 3 {
		t.Fatalf("Node killall: %+v", kill)
	}
	for _, tok := range append(goTokens, nodeToken) {
		w.gone(m, tok)
		w.noKeysOf(tok)
	}

	nodeTokens := []string{w.create(app, "jay", 600, nil), w.create(app, "kim", 600, nil)}
	goToken := w.generate(m, profile{}, "jay").Token()
	if n, err := store.KillAll(w.ctx); err != nil || n != 3 {
		t.Fatalf("Go KillAll: %d, %v", n, err)
	}
	for _, tok := range append(nodeTokens, goToken) {
		if got := w.get("plain", app, tok); got != nil {
			t.Fatalf("Node get after Go's KillAll: %+v", got)
		}
		w.noKeysOf(tok)
	}
}

func TestTheWiperOfEitherSideRemovesTheOthersExpiredSessions(t *testing.T) {
	w := newWorld(t)
	hourAgo := func() time.Time { return time.Now().Add(-time.Hour) }
	app, _, past := w.app(hourAgo)
	_, store, m := w.app(nil)
	expired := w.generate(past, profile{User: "lee"}, "lee") // la an hour ago, ttl 30 minutes
	live := w.generate(m, profile{User: "lee"}, "lee")
	w.node.must("plain", "wipe", nil, nil)
	w.gone(past, expired.Token())
	w.noKeysOf(expired.Token())
	if _, err := m.OfKey(w.ctx, live.Token()); err != nil {
		t.Fatalf("a live Go session after Node's wipe: %v", err)
	}

	old := w.create(app, "mo", 10, nil)
	fresh := w.create(app, "mo", 7200, nil)
	minuteOn := func() time.Time { return time.Now().Add(time.Minute) }
	_, later, _ := w.app(minuteOn)
	if n, err := later.Wipe(w.ctx); err != nil || n != 1 {
		t.Fatalf("Go Wipe a minute on: %d, %v; want the 10-second session only", n, err)
	}
	if got := w.get("plain", app, old); got != nil {
		t.Fatalf("Node get of a session Go wiped: %+v", got)
	}
	w.noKeysOf(old)
	if got := w.get("plain", app, fresh); got == nil {
		t.Fatal("Go's wiper removed a live Node session")
	}
	_ = store
}

func TestNoResaveSessionsKeepTheirDeadlineOnBothSides(t *testing.T) {
	w := newWorld(t)
	app, _, m := w.app(nil)
	var out struct{ Token string }
	w.node.must("plain", "create", map[string]any{"app": app, "id": "ned", "ip": "::1", "ttl": 600, "no_resave": true}, &out)
	s, err := m.OfKey(w.ctx, out.Token)
	if err != nil {
		t.Fatalf("Go OfKey of a Node no_resave session: %v", err)
	}
	deadline := s.ExpiresAt()
	if _, err := m.Set(w.ctx, s, profile{User: "ned"}); err != nil {
		t.Fatal(err)
	}
	got := w.get("plain", app, out.Token)
	if got == nil || !got.NoResave || got.TTL > 600 || got.W != 2 || got.D["user"] != "ned" {
		t.Fatalf("Node get after Go's set: %+v", got)
	}
	if again, err := m.OfKey(w.ctx, out.Token); err != nil || again.ExpiresAt().After(deadline) {
		t.Fatalf("Go OfKey after writes from both sides: expires %v (was %v), %v", again.ExpiresAt(), deadline, err)
	}

	gs, err := m.Generate(redissessions.WithNoResave(redissessions.WithIP(w.ctx, "::1")), profile{User: "ned"}, sessions.WithOwner("ned"))
	if err != nil {
		t.Fatal(err)
	}
	if got := w.get("plain", app, gs.Token()); got == nil || !got.NoResave || got.TTL != 1800 {
		t.Fatalf("Node get of a Go no_resave session: %+v", got)
	}
}

func TestGoChangesReachNodesCacheThroughTheChannel(t *testing.T) {
	w := newWorld(t)
	app, _, m := w.app(nil)
	s := w.generate(m, profile{User: "ann"}, "ann")
	if got := w.get("cached", app, s.Token()); got == nil || got.D["user"] != "ann" {
		t.Fatalf("cached Node get: %+v", got)
	}
	// A change that publishes nothing stays invisible to the cache: the
	// cache is on, and only the channel can refresh it.
	key := w.ns + ":" + app + ":" + s.Token()
	if err := w.client.HSet(w.ctx, key, "d", `{"user":"eve"}`).Err(); err != nil {
		t.Fatal(err)
	}
	if got := w.get("cached", app, s.Token()); got.D["user"] != "ann" {
		t.Fatalf("the cached instance saw an unpublished change: %+v", got.D)
	}
	s, err := m.Update(w.ctx, s, func(p profile) (profile, error) { p.User = "bob"; return p, nil })
	if err != nil {
		t.Fatal(err)
	}
	w.eventually("the cached instance to see Go's set", func() bool {
		got := w.get("cached", app, s.Token())
		return got != nil && got.D["user"] == "bob"
	})
	if _, err := m.Clear(w.ctx, s); err != nil {
		t.Fatal(err)
	}
	w.eventually("the cached instance to see Go's Clear", func() bool { return w.get("cached", app, s.Token()) == nil })
}

// eventually polls cond for up to five seconds: Node's subscriber
// evicts asynchronously.
func (w *world) eventually(what string, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("waited 5s for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
