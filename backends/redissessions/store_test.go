package redissessions_test

import (
	"errors"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/redissessions"
	"github.com/typedsession/sessions/internal/testclock"
)

// fixture is a Manager over a fresh store, on a fake clock.
type fixture struct {
	t     *testing.T
	c     *redis.Client
	ns    string
	store *redissessions.Store[login]
	m     *sessions.Manager[login]
	clock *testclock.Clock
}

func newFixture(t *testing.T, opts ...redissessions.Option) *fixture {
	c := realClient(t)
	clk := testclock.New(t0)
	store, ns := newStore[login](t, c, append([]redissessions.Option{redissessions.WithClock(clk.Now)}, opts...)...)
	return &fixture{t: t, c: c, ns: ns, store: store, m: manager(t, store, sessions.WithClock(clk.Now)), clock: clk}
}

func (f *fixture) key(suffix string) string { return f.ns + ":testapp:" + suffix }

func (f *fixture) generate(v login, owner string) sessions.Session[login] {
	f.t.Helper()
	s, err := f.m.Generate(redissessions.WithIP(f.t.Context(), "192.0.2.7"), v, sessions.WithOwner(owner))
	if err != nil {
		f.t.Fatalf("Generate: %v", err)
	}
	return s
}

func (f *fixture) score(key, member string) float64 {
	f.t.Helper()
	s, err := f.c.ZScore(bg, key, member).Result()
	if err != nil {
		f.t.Fatalf("ZSCORE %s %s: %v", key, member, err)
	}
	return s
}

var nodeToken = regexp.MustCompile(`^[A-Y a-z0-9]{55}Z[0-9a-z]{8}$`)

func TestCreateWritesNodesLayout(t *testing.T) {
	f := newFixture(t)
	s := f.generate(login{User: "ann", Hits: 3}, "ann")
	tok := s.Token()
	if !nodeToken.MatchString(tok) || tok[56:] != strconv.FormatInt(t0.UnixMilli(), 36) {
		t.Fatalf("token %q is not Node's shape with the creation time", tok)
	}
	h := hashOf(t, f.c, f.ns, tok)
	la := strconv.FormatInt(t0.Unix(), 10)
	want := map[string]string{
		"id": "ann", "r": "1", "w": "1", "ip": "192.0.2.7", "la": la, "ttl": "1800",
		"d": `{"hits":3,"user":"ann"}`, "go_expires": strconv.FormatInt(t0.Add(30*time.Minute).UnixMilli(), 10),
	}
	if len(h) != len(want) {
		t.Errorf("hash %v, want %v", h, want)
	}
	for k, v := range want {
		if h[k] != v {
			t.Errorf("hash field %s = %q, want %q", k, h[k], v)
		}
	}
	if got := f.score(f.key("_sessions"), tok+":ann"); got != float64(t0.Unix()) {
		t.Errorf("_sessions score %v, want la", got)
	}
	if got := f.score(f.key("_users"), "ann"); got != float64(t0.Unix()) {
		t.Errorf("_users score %v, want la", got)
	}
	if got := f.score(f.ns+":SESSIONS", "testapp:"+tok+":ann"); got != float64(t0.Unix()+1800) {
		t.Errorf("SESSIONS score %v, want la + ttl", got)
	}
	if ok, _ := f.c.SIsMember(bg, f.key("us:ann"), tok).Result(); !ok {
		t.Error("the token is not in the user's set")
	}
}

func TestAnonymousSessionsLiveUnderTheAnonymousID(t *testing.T) {
	f := newFixture(t, redissessions.WithAnonymousID("guest"))
	s := f.generate(login{}, "")
	if h := hashOf(t, f.c, f.ns, s.Token()); h["id"] != "guest" {
		t.Fatalf("id %q, want guest", h["id"])
	}
	got, err := f.m.OfKey(t.Context(), s.Token())
	if err != nil || got.Owner() != "" {
		t.Fatalf("OfKey: owner %q, %v; want no owner", got.Owner(), err)
	}
	if _, err := f.m.Generate(t.Context(), login{}, sessions.WithOwner("guest")); err == nil {
		t.Fatal("Generate with the anonymous id as owner succeeded")
	}
}

func TestSetMergesIntoDAsNodeDoes(t *testing.T) {
	f := newFixture(t)
	dark := "dark"
	s := f.generate(login{User: "ann", Theme: &dark}, "ann")
	// A Node application keeps a key of its own in d.
	if err := f.c.HSet(bg, f.key(s.Token()), "d", `{"user":"ann","theme":"dark","cart":7}`).Err(); err != nil {
		t.Fatal(err)
	}
	// admin, hits omitted (omitempty): kept; theme nil: deleted.
	next, err := f.m.Set(t.Context(), s, login{User: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	h := hashOf(t, f.c, f.ns, s.Token())
	if h["d"] != `{"cart":7,"user":"bob"}` || h["w"] != "2" || next.Version() != 2 {
		t.Fatalf("after Set: d %s, w %s, version %d; want the merge, w 2", h["d"], h["w"], next.Version())
	}
}

func TestANodeWriteMakesAStaleGoWriteAConflict(t *testing.T) {
	f := newFixture(t)
	s := f.generate(login{User: "ann"}, "ann")
	f.c.HIncrBy(bg, f.key(s.Token()), "w", 1) // what Node's set does
	if _, err := f.m.Set(t.Context(), s, login{User: "bob"}); !errors.Is(err, sessions.ErrConflict) {
		t.Fatalf("Set after a Node write: %v, want ErrConflict", err)
	}
	if _, err := f.m.Update(t.Context(), s, func(l login) (login, error) { l.Hits++; return l, nil }); err != nil {
		t.Fatalf("Update after a Node write: %v", err)
	}
}

func TestANodeReadSlidesTheDeadlineAsNodeDecides(t *testing.T) {
	f := newFixture(t)
	s := f.generate(login{User: "ann"}, "ann")
	f.clock.Advance(10 * time.Minute)
	// Node's get with idle > 1 sets la to its now.
	f.c.HSet(bg, f.key(s.Token()), "la", f.clock.Now().Unix())
	got, err := f.m.OfKey(t.Context(), s.Token())
	if err != nil {
		t.Fatal(err)
	}
	if want := f.clock.Now().Add(30*time.Minute + time.Second); !got.ExpiresAt().Equal(want) {
		t.Fatalf("ExpiresAt %v, want Node's la + ttl + 1s = %v", got.ExpiresAt(), want)
	}
	f.clock.Set(got.ExpiresAt().Add(-time.Millisecond))
	if _, err := f.m.OfKey(t.Context(), s.Token()); err != nil {
		t.Fatalf("a millisecond before Node's deadline: %v", err)
	}
	f.clock.Set(got.ExpiresAt())
	if _, err := f.m.OfKey(t.Context(), s.Token()); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("at Node's deadline: %v, want ErrNotFound", err)
	}
}

func TestEveryChangeIsPublishedOnTheCacheChannel(t *testing.T) {
	f := newFixture(t)
	sub := f.c.Subscribe(t.Context(), f.ns+":cache")
	defer sub.Close()
	if _, err := sub.Receive(t.Context()); err != nil {
		t.Fatal(err)
	}
	s := f.generate(login{User: "ann"}, "ann")
	s, err := f.m.Set(t.Context(), s, login{User: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.m.Clear(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		msg, err := sub.ReceiveMessage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if msg.Payload != "testapp:"+s.Token() {
			t.Fatalf("message %d: %q, want app:token", i, msg.Payload)
		}
	}
}

func TestClearRemovesEveryKeyAndTheUserWithItsLastSession(t *testing.T) {
	f := newFixture(t)
	a := f.generate(login{User: "ann"}, "ann")
	b := f.generate(login{User: "ann"}, "ann")
	if _, err := f.m.Clear(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.c.ZCard(bg, f.key("_users")).Result(); n != 1 {
		t.Fatalf("_users has %d members with one session left, want 1", n)
	}
	if _, err := f.m.Clear(t.Context(), b); err != nil {
		t.Fatal(err)
	}
	keys, _ := f.c.Keys(bg, f.ns+":*").Result()
	if n, _ := f.c.ZCard(bg, f.ns+":SESSIONS").Result(); len(keys) != 0 || n != 0 {
		t.Fatalf("keys left after clearing every session: %v", keys)
	}
}

func TestInfoShowsCountersIPAndIdleTime(t *testing.T) {
	f := newFixture(t)
	s := f.generate(login{User: "ann"}, "ann")
	f.clock.Advance(5 * time.Second)
	if _, err := f.m.Set(t.Context(), s, login{User: "ann", Hits: 1}); err != nil {
		t.Fatal(err)
	}
	f.c.HIncrBy(bg, f.key(s.Token()), "r", 4) // Node reads
	f.clock.Advance(7 * time.Second)
	in, err := f.store.Info(t.Context(), s.Token())
	if err != nil {
		t.Fatal(err)
	}
	if in.Reads != 5 || in.Writes != 2 || in.IP != "192.0.2.7" || in.Idle != 7*time.Second ||
		in.UserID != "ann" || in.ID != s.ID() || !in.CreatedAt.Equal(t0) || string(in.Data) != `{"hits":1,"user":"ann"}` {
		t.Fatalf("Info = %+v", in)
	}
}

func TestActivitySessionsOfAppAndKillAll(t *testing.T) {
	f := newFixture(t)
	f.generate(login{User: "ann"}, "ann")
	f.clock.Advance(time.Minute)
	f.generate(login{User: "ann"}, "ann")
	bob := f.generate(login{User: "bob"}, "bob")
	f.generate(login{}, "")
	ctx := t.Context()
	if n, err := f.store.Activity(ctx, 30*time.Second); err != nil || n != 3 {
		t.Fatalf("Activity(30s) = %d, %v; want 3 users (ann, bob, anonymous)", n, err)
	}
	list, err := f.store.SessionsOfApp(ctx, 30*time.Second)
	if err != nil || len(list) != 3 {
		t.Fatalf("SessionsOfApp(30s) = %d sessions, %v; want the 3 created within the window", len(list), err)
	}
	f.clock.Advance(time.Minute)
	if _, err := f.m.Set(ctx, bob, login{User: "bob", Hits: 1}); err != nil {
		t.Fatal(err)
	}
	list, err = f.store.SessionsOfApp(ctx, 30*time.Second)
	if err != nil || len(list) != 1 || list[0].ID != bob.ID() {
		t.Fatalf("SessionsOfApp after one write = %+v, %v; want bob's session", list, err)
	}
	n, err := f.store.KillAll(ctx)
	if err != nil || n != 4 {
		t.Fatalf("KillAll = %d, %v; want 4", n, err)
	}
	keys, _ := f.c.Keys(bg, f.ns+":*").Result()
	if len(keys) != 0 {
		t.Fatalf("keys left after KillAll: %v", keys)
	}
}

func TestWipeRemovesSessionsPastTheirScoreInEveryApp(t *testing.T) {
	f := newFixture(t)
	old := f.generate(login{User: "ann"}, "ann")
	other, err := redissessions.New[login](f.c, "otherapp", redissessions.WithNamespace(f.ns), redissessions.WithDefaultIP("::1"))
	if err != nil {
		t.Fatal(err)
	}
	om := manager(t, other, sessions.WithClock(f.clock.Now))
	gone, err := om.Generate(t.Context(), login{}, sessions.WithOwner("a:b"))
	if err == nil {
		t.Fatalf("an id with ':' was accepted (%v)", gone)
	}
	if _, err := om.Generate(t.Context(), login{}, sessions.WithOwner("ann")); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(20 * time.Minute)
	fresh := f.generate(login{User: "ann"}, "ann")
	f.clock.Advance(10*time.Minute + time.Second)
	n, err := f.store.Wipe(t.Context())
	if err != nil || n != 2 {
		t.Fatalf("Wipe = %d, %v; want both first sessions", n, err)
	}
	if ex, _ := f.c.Exists(bg, f.key(old.Token())).Result(); ex != 0 {
		t.Error("the expired session's hash is still there")
	}
	if _, err := f.m.OfKey(t.Context(), fresh.Token()); err != nil {
		t.Errorf("the live session: %v", err)
	}
	if n, _ := f.c.ZCard(bg, f.ns+":SESSIONS").Result(); n != 1 {
		t.Errorf("SESSIONS has %d members, want the live one", n)
	}
}

func TestSetDataIsNodesSet(t *testing.T) {
	f := newFixture(t)
	s := f.generate(login{User: "ann", Hits: 2}, "ann")
	f.clock.Advance(time.Minute)
	in, err := f.store.SetData(t.Context(), s.Token(), map[string]any{"hits": nil, "last": "/x", "ok": true})
	if err != nil {
		t.Fatal(err)
	}
	if string(in.Data) != `{"last":"/x","ok":true,"user":"ann"}` || in.Writes != 2 || in.TTL != 30*time.Minute {
		t.Fatalf("SetData = %+v", in)
	}
	got, err := f.m.OfKey(t.Context(), s.Token())
	if err != nil || got.Version() != 2 || !got.ExpiresAt().Equal(f.clock.Now().Add(30*time.Minute)) {
		t.Fatalf("OfKey after SetData: %v, %v", got, err)
	}
}

func TestNoResaveKeepsNodesDeadline(t *testing.T) {
	f := newFixture(t)
	s, err := f.m.Generate(redissessions.WithNoResave(t.Context()), login{User: "ann"}, sessions.WithOwner("ann"))
	if err != nil {
		t.Fatal(err)
	}
	if h := hashOf(t, f.c, f.ns, s.Token()); h["no_resave"] != "1" {
		t.Fatalf("no_resave = %q", h["no_resave"])
	}
	f.clock.Advance(10 * time.Minute)
	next, err := f.m.Set(t.Context(), s, login{User: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.m.OfKey(t.Context(), next.Token())
	if err != nil || !got.ExpiresAt().Equal(t0.Add(30*time.Minute)) {
		t.Fatalf("after a write 10 minutes in: expires %v, %v; want the creation's deadline %v", got.ExpiresAt(), err, t0.Add(30*time.Minute))
	}
	in, _ := f.store.Info(t.Context(), s.Token())
	if in.TTL != 20*time.Minute {
		t.Fatalf("Node's remaining ttl %v, want 20m", in.TTL)
	}
}

func TestSessionsAndClearOwnerAreSoidAndKillsoid(t *testing.T) {
	f := newFixture(t)
	a := f.generate(login{User: "ann"}, "ann")
	f.clock.Advance(time.Second)
	b := f.generate(login{User: "ann"}, "ann")
	f.generate(login{User: "bob"}, "bob")
	list, err := f.m.Sessions(t.Context(), "ann")
	if err != nil || len(list) != 2 || list[0].ID != b.ID() || list[1].ID != a.ID() {
		t.Fatalf("Sessions(ann) = %v, %v; want both, newest first", list, err)
	}
	n, err := f.m.ClearOwner(t.Context(), "ann", b.ID())
	if err != nil || n != 1 {
		t.Fatalf("ClearOwner(ann, keep b) = %d, %v", n, err)
	}
	if _, err := f.m.OfKey(t.Context(), a.Token()); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("a after ClearOwner: %v", err)
	}
	if members, _ := f.c.SMembers(bg, f.key("us:ann")).Result(); len(members) != 1 || members[0] != b.Token() {
		t.Fatalf("us:ann = %d members, want b's token", len(members))
	}
}

func TestStartWiperStopsPromptly(t *testing.T) {
	f := newFixture(t)
	stop := f.store.StartWiper(time.Nanosecond, func(err error) { t.Errorf("wipe: %v", err) }) // raised to MinWipeInterval
	done := make(chan struct{})
	go func() { stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("stop did not return within 5s")
	}
}
