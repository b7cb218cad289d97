package goredis_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/goredis"
)

var bg = context.Background()

// sessionKey returns the key the store keeps id under.
func sessionKey(s *goredis.Store[cart], id sessions.ID) string { return s.Prefix() + id.String() }

func mustNil(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func TestTTLIsExpiresAtMinusTheCallersNow(t *testing.T) {
	servers(t, func(t *testing.T, srv func(testing.TB) server) {
		c := srv(t).client
		s := newStore[cart](t, c)
		id := idN(1)
		ttlOf := func() time.Duration {
			t.Helper()
			d, err := c.PTTL(bg, sessionKey(s, id)).Result()
			mustNil(t, "PTTL", err)
			return d
		}
		// The store's now is the caller's: the TTL is counted from t0
		// plus a few minutes, whatever the server's clock says.
		within := func(got, want time.Duration) bool { return got <= want && got > want-5*time.Second }

		mustNil(t, "Create", s.Create(bg, id, rec(nil, time.Hour, ""), t0))
		if d := ttlOf(); !within(d, time.Hour) {
			t.Fatalf("after Create: TTL %v, want 1h", d)
		}
		r := rec([]string{"x"}, 3*time.Hour, "")
		r.Version = 2
		mustNil(t, "Replace", s.Replace(bg, id, 1, r, t0.Add(time.Minute)))
		if d := ttlOf(); !within(d, 3*time.Hour-time.Minute) {
			t.Fatalf("after Replace: TTL %v, want 2h59m", d)
		}
		mustNil(t, "Touch", s.Touch(bg, id, t0.Add(2*time.Hour), t0.Add(90*time.Minute)))
		if d := ttlOf(); !within(d, 30*time.Minute) {
			t.Fatalf("after Touch: TTL %v, want 30m", d)
		}
	})
}

func TestRedisRemovesRecordsWhenTheirTTLRunsOut(t *testing.T) {
	srv := newMini(t)
	s := newStore[cart](t, srv.client)
	id := idN(1)
	mustNil(t, "Create", s.Create(bg, id, rec([]string{"a"}, time.Hour, "alice"), t0))
	srv.mini.FastForward(time.Hour - time.Millisecond)
	if _, err := s.Load(bg, id, t0); err != nil {
		t.Fatalf("Load a millisecond before the TTL runs out: %v", err)
	}
	srv.mini.FastForward(time.Millisecond)
	// Loaded at t0, where the record would be live: only a removal hides it.
	if _, err := s.Load(bg, id, t0); !errors.Is(err, sessions.ErrNotFound) {
		t.Fatalf("Load after the TTL ran out: %v, want ErrNotFound", err)
	}
	if got := srv.mini.Keys(); len(got) != 1 || !strings.Contains(got[0], "owner:") {
		t.Fatalf("keys left: %q, want only the owner index", got)
	}
	// The index outlives the record by the skew margin, then goes too.
	srv.mini.FastForward(23*time.Hour + time.Minute)
	if got := srv.mini.Keys(); len(got) != 0 {
		t.Fatalf("keys left after the owner index's TTL: %q", got)
	}
	mustNil(t, "Create again", s.Create(bg, id, rec([]string{"b"}, time.Hour, ""), t0.Add(25*time.Hour)))
}

func TestRecordsLiveUntilTheCallersNowReachesExpiresAt(t *testing.T) {
	servers(t, func(t *testing.T, srv func(testing.TB) server) {
		s := newStore[cart](t, srv(t).client)
		id := idN(1)
		exp := t0.Add(time.Hour + 1500*time.Microsecond) // stored as t0+1h+1ms
		r := rec(nil, 0, "")
		r.ExpiresAt = exp
		mustNil(t, "Create", s.Create(bg, id, r, t0))
		got, err := s.Load(bg, id, exp.Add(-600*time.Microsecond))
		mustNil(t, "Load just before the stored expiry", err)
		if want := exp.Truncate(time.Millisecond); !got.ExpiresAt.Equal(want) {
			t.Fatalf("ExpiresAt %v, want %v (milliseconds, rounded down)", got.ExpiresAt, want)
		}
		if _, err := s.Load(bg, id, exp.Add(-500*time.Microsecond)); !errors.Is(err, sessions.ErrNotFound) {
			t.Fatalf("Load at the stored expiry: %v, want ErrNotFound", err)
		}
	})
}

func TestWritesMakeOneRoundTripAndOwnedCreatesTwo(t *testing.T) {
	srv := newMini(t)
	counter := &commandCounter{}
	srv.client.AddHook(counter)
	s := newStore[cart](t, srv.client)
	warm := idN(99) // the first run of each script may add an EVAL after NOSCRIPT
	mustNil(t, "warm-up Create", s.Create(bg, warm, rec(nil, time.Hour, "o"), t0))
	mustNil(t, "warm-up Touch", s.Touch(bg, warm, t0.Add(2*time.Hour), t0))
	r2 := rec(nil, time.Hour, "o")
	r2.Version = 2
	mustNil(t, "warm-up Replace", s.Replace(bg, warm, 1, r2, t0))
	mustNil(t, "warm-up Delete", s.Delete(bg, warm, 2))

	a, b := idN(1), idN(2)
	owned := rec([]string{"x"}, time.Hour, "owner")
	steps := []struct {
		name string
		call func() error
		want []string
	}{
		{"unowned Create", func() error { return s.Create(bg, a, rec(nil, time.Hour, ""), t0) }, []string{"set"}},
		{"owned Create", func() error { return s.Create(bg, b, owned, t0) }, []string{"evalsha", "set"}},
		{"Load", func() error { _, err := s.Load(bg, b, t0); return err }, []string{"get"}},
		{"Replace", func() error {
			r := owned
			r.Version, r.ExpiresAt = 2, t0.Add(2*time.Hour)
			return s.Replace(bg, b, 1, r, t0)
		}, []string{"evalsha"}},
		{"Touch within the lifetime", func() error { return s.Touch(bg, b, t0.Add(20*time.Hour), t0) }, []string{"evalsha"}},
		{"Touch beyond the lifetime", func() error { return s.Touch(bg, b, t0.Add(30*time.Hour), t0.Add(time.Hour)) }, []string{"evalsha", "evalsha", "evalsha"}},
		{"conditional Delete", func() error { return s.Delete(bg, b, 2) }, []string{"evalsha"}},
		{"unconditional Delete", func() error { return s.Delete(bg, a, 0) }, []string{"del"}},
	}
	for _, st := range steps {
		counter.reset()
		mustNil(t, st.name, st.call())
		if got := counter.names(); !slices.Equal(got, st.want) {
			t.Errorf("%s sent %q, want %q", st.name, got, st.want)
		}
	}
}

// commandCounter is a go-redis hook that records the commands sent.
type commandCounter struct {
	mu   sync.Mutex
	sent []string
}

func (c *commandCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = nil
}

func (c *commandCounter) names() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sent)
}

func (c *commandCounter) add(cmd redis.Cmder) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, strings.ToLower(cmd.Name()))
}

func (c *commandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.add(cmd)
		return next(ctx, cmd)
	}
}

func (c *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			c.add(cmd)
		}
		return next(ctx, cmds)
	}
}

func TestAFlushedScriptCacheFallsBackToEval(t *testing.T) {
	servers(t, func(t *testing.T, srv func(testing.TB) server) {
		c := srv(t).client
		s := newStore[cart](t, c)
		id := idN(1)
		mustNil(t, "Create", s.Create(bg, id, rec(nil, time.Hour, "o"), t0))
		mustNil(t, "SCRIPT FLUSH", c.ScriptFlush(bg).Err())
		r := rec([]string{"after flush"}, 2*time.Hour, "o")
		r.Version = 2
		mustNil(t, "Replace after SCRIPT FLUSH", s.Replace(bg, id, 1, r, t0))
		mustNil(t, "SCRIPT FLUSH", c.ScriptFlush(bg).Err())
		n, err := s.DeleteOwner(bg, "o", sessions.ID{}, t0)
		mustNil(t, "DeleteOwner after SCRIPT FLUSH", err)
		if n != 1 {
			t.Fatalf("DeleteOwner deleted %d, want 1", n)
		}
	})
}

func TestOwnedSessionsTouchedPastTheLifetimeStayListed(t *testing.T) {
	servers(t, func(t *testing.T, srv func(testing.TB) server) {
		c := srv(t).client
		// The Manager's lifetime may be longer than the store was told:
		// that costs round trips, never a session missing from the index.
		s := newStore[cart](t, c, goredis.WithLifetime(time.Hour))
		a, b, other := idN(1), idN(2), idN(3)
		mustNil(t, "Create", s.Create(bg, a, rec([]string{"a"}, 30*time.Minute, "o"), t0))
		r := rec([]string{"b"}, 30*time.Minute, "o")
		mustNil(t, "Create", s.Create(bg, b, r, t0))
		for i := 1; i <= 10; i++ { // a is touched every 20 minutes for over 3 hours
			now := t0.Add(time.Duration(i) * 20 * time.Minute)
			mustNil(t, "Touch", s.Touch(bg, a, now.Add(30*time.Minute), now))
		}
		// b is kept alive by Replace instead.
		for i := 1; i <= 10; i++ {
			now := t0.Add(time.Duration(i) * 20 * time.Minute)
			r.Version, r.ExpiresAt = r.Version+1, now.Add(30*time.Minute)
			mustNil(t, "Replace", s.Replace(bg, b, r.Version-1, r, now))
		}
		now := t0.Add(200 * time.Minute)
		// Another owned write trims the index of entries long past.
		mustNil(t, "Create", s.Create(bg, other, rec(nil, 0, "o"), now))
		got, err := s.ListOwner(bg, "o", now.Add(time.Minute), 10)
		mustNil(t, "ListOwner", err)
		if ids := entryIDs(got); !slices.Equal(ids, []sessions.ID{a, b}) && !slices.Equal(ids, []sessions.ID{b, a}) {
			t.Fatalf("ListOwner: %v, want a and b", ids)
		}
		// The index key outlives every record it lists.
		idxTTL, err := c.PTTL(bg, s.Prefix()+"owner:bw").Result()
		mustNil(t, "PTTL of the index", err)
		recTTL, err := c.PTTL(bg, sessionKey(s, a)).Result()
		mustNil(t, "PTTL of a record", err)
		if idxTTL < recTTL {
			t.Fatalf("index TTL %v is shorter than the record's %v", idxTTL, recTTL)
		}
	})
}

func entryIDs(es []sessions.Entry[cart]) []sessions.ID {
	ids := make([]sessions.ID, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

func TestOwnersCannotReachOutsideTheirKey(t *testing.T) {
	srv := newMini(t)
	s := newStore[cart](t, srv.client)
	owners := []string{"{tag}", "a*b?[c]", "o\x00wner", "owner:x", "../..", " ", strings.Repeat("é", sessions.MaxOwnerLen/2)}
	for i, o := range owners {
		mustNil(t, "Create for "+o, s.Create(bg, idN(byte(i)), rec([]string{o}, time.Hour, o), t0))
	}
	for i, o := range owners {
		got, err := s.ListOwner(bg, o, t0, 10)
		mustNil(t, "ListOwner", err)
		if len(got) != 1 || got[0].ID != idN(byte(i)) || got[0].Record.Owner != o {
			t.Errorf("ListOwner(%q): %d entries, want its one session", o, len(got))
		}
	}
	for _, k := range srv.mini.Keys() {
		rest, ok := strings.CutPrefix(k, s.Prefix())
		if !ok {
			t.Errorf("key %q is outside the prefix", k)
			continue
		}
		if enc, ok := strings.CutPrefix(rest, "owner:"); ok && strings.Trim(enc, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
			t.Errorf("owner key %q holds bytes outside base64url", k)
		}
	}
}

func TestOwnersLongerThanTheLimitAreRefused(t *testing.T) {
	srv := newMini(t)
	s := newStore[cart](t, srv.client)
	long := strings.Repeat("x", sessions.MaxOwnerLen+1)
	if err := s.Create(bg, idN(1), rec(nil, time.Hour, long), t0); err == nil {
		t.Fatal("Create with an over-long owner succeeded")
	}
	got, err := s.ListOwner(bg, long, t0, 10)
	if err != nil || len(got) != 0 {
		t.Fatalf("ListOwner of an over-long owner: %d entries, %v", len(got), err)
	}
	if len(srv.mini.Keys()) != 0 {
		t.Fatalf("keys written: %q", srv.mini.Keys())
	}
}

func TestNewRefusesBadConfiguration(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	cases := []struct {
		name string
		new  func() error
	}{
		{"nil client", func() error { _, err := goredis.New[cart](nil); return err }},
		{"over-long prefix", func() error { _, err := goredis.New[cart](c, goredis.WithPrefix(strings.Repeat("p", 257))); return err }},
		{"zero lifetime", func() error { _, err := goredis.New[cart](c, goredis.WithLifetime(0)); return err }},
		{"lifetime over 400 days", func() error {
			_, err := goredis.New[cart](c, goredis.WithLifetime(sessions.MaxLifetime+time.Second))
			return err
		}},
		{"nil codec", func() error { _, err := goredis.New[cart](c, goredis.WithCodec[cart](nil)); return err }},
		{"codec for another type", func() error { _, err := goredis.New[cart](c, goredis.WithCodec(sessions.JSON[int]())); return err }},
	}
	for _, tc := range cases {
		if tc.new() == nil {
			t.Errorf("%s: New succeeded", tc.name)
		}
	}
	if _, err := goredis.New[cart](c, goredis.WithPrefix(""), goredis.WithCodec(sessions.JSON[cart]()), goredis.WithLifetime(time.Hour)); err != nil {
		t.Errorf("New with valid options: %v", err)
	}
}

func TestPingReportsWhetherTheServerAnswers(t *testing.T) {
	srv := newMini(t)
	s := newStore[cart](t, srv.client)
	mustNil(t, "Ping", s.Ping(bg))
	srv.mini.Close()
	if err := s.Ping(bg); err == nil {
		t.Fatal("Ping of a stopped server succeeded")
	}
}
