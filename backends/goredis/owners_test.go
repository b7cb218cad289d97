package goredis_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/goredis"
)

// pageSize is how many index entries the store reads per round trip.
const pageSize = 256

// idAt returns a distinct ID for v; IDs sort as their v do.
func idAt(v int) sessions.ID {
	var id sessions.ID
	id[0], id[30], id[31] = 0x5a, byte(v>>8), byte(v)
	return id
}

// ownerKey returns the key of owner's index in s.
func ownerKey(s *goredis.Store[cart], owner string) string {
	return s.Prefix() + "owner:" + base64.RawURLEncoding.EncodeToString([]byte(owner))
}

// onCommand is a go-redis hook that calls run, once, just before the
// first command that match accepts is sent, or just after it is answered.
type onCommand struct {
	match func(redis.Cmder) bool
	after bool
	once  sync.Once
	run   func()
}

func (h *onCommand) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *onCommand) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if !h.match(cmd) {
			return next(ctx, cmd)
		}
		if !h.after {
			h.once.Do(h.run)
		}
		err := next(ctx, cmd)
		if h.after {
			h.once.Do(h.run)
		}
		return err
	}
}

func (h *onCommand) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// isIndexRead reports whether cmd reads a page of an owner index.
func isIndexRead(cmd redis.Cmder) bool {
	name := strings.ToLower(cmd.Name())
	return name == "zrangebyscore" || name == "zrevrangebyscore"
}

// indexReads is a go-redis hook that records how many entries each read
// of a sorted set returned and counts the records read.
type indexReads struct {
	mu    sync.Mutex
	pages []int
	gets  int
}

func (r *indexReads) reset() (pages []int, gets int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	pages, gets = r.pages, r.gets
	r.pages, r.gets = nil, 0
	return pages, gets
}

func (r *indexReads) DialHook(next redis.DialHook) redis.DialHook { return next }

func (r *indexReads) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		n := -1
		switch c := cmd.(type) {
		case *redis.ZSliceCmd:
			n = len(c.Val())
		case *redis.StringSliceCmd:
			n = len(c.Val())
		}
		if n >= 0 && strings.HasPrefix(strings.ToLower(cmd.Name()), "z") {
			r.mu.Lock()
			r.pages = append(r.pages, n)
			r.mu.Unlock()
		}
		return err
	}
}

func (r *indexReads) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.mu.Lock()
		for _, c := range cmds {
			if strings.EqualFold(c.Name(), "get") {
				r.gets++
			}
		}
		r.mu.Unlock()
		return next(ctx, cmds)
	}
}

// createMany creates one live session of owner per ID, created at
// created(i) and expiring at t0 plus expires.
func createMany(t testing.TB, s *goredis.Store[cart], owner string, ids []sessions.ID, created func(i int) time.Time, expires time.Duration) {
	t.Helper()
	for i, id := range ids {
		r := rec([]string{strconv.Itoa(i)}, 0, owner)
		r.CreatedAt, r.ExpiresAt = created(i), t0.Add(expires)
		mustNil(t, "Create", s.Create(bg, id, r, t0))
	}
}

// idRange returns idAt(from), idAt(from+step), ... n of them.
func idRange(from, step, n int) []sessions.ID {
	ids := make([]sessions.ID, n)
	for i := range ids {
		ids[i] = idAt(from + i*step)
	}
	return ids
}

func TestASessionIndexedButNotYetWrittenStaysListedAndDeletable(t *testing.T) {
	// An owned Create (and so a Renew) writes the index entry, then the
	// record. A listing or a clearing in between finds the entry's key
	// missing, and must leave the entry, or the session, once written,
	// would be live and out of the index for its whole lifetime.
	servers(t, func(t *testing.T, srv func(testing.TB) server) {
		c := srv(t).client
		cases := []struct {
			name    string
			created time.Duration // before t0
			between func(t *testing.T, s *goredis.Store[cart])
		}{
			{"listed", 0, func(t *testing.T, s *goredis.Store[cart]) {
				got, err := s.ListOwner(bg, "o", t0, 10)
				mustNil(t, "ListOwner between the two writes", err)
				if len(got) != 0 {
					t.Errorf("ListOwner between the two writes: %d entries, want none yet", len(got))
				}
			}},
			{"cleared", 0, func(t *testing.T, s *goredis.Store[cart]) {
				n, err := s.DeleteOwner(bg, "o", sessions.ID{}, t0)
				mustNil(t, "DeleteOwner between the two writes", err)
				if n != 0 {
					t.Errorf("DeleteOwner between the two writes deleted %d, want 0", n)
				}
			}},
			{"listed and cleared", 0, func(t *testing.T, s *goredis.Store[cart]) {
				_, err := s.ListOwner(bg, "o", t0, 10)
				mustNil(t, "ListOwner between the two writes", err)
				_, err = s.DeleteOwner(bg, "o", sessions.ID{}, t0)
				mustNil(t, "DeleteOwner between the two writes", err)
			}},
			// A renewed session keeps its CreatedAt, so its entry looks as
			// old as the session: age is no sign that a write is done.
			{"listed when renewed late in its lifetime", 23 * time.Hour, func(t *testing.T, s *goredis.Store[cart]) {
				_, err := s.ListOwner(bg, "o", t0, 10)
				mustNil(t, "ListOwner between the two writes", err)
			}},
			{"cleared when renewed late in its lifetime", 23 * time.Hour, func(t *testing.T, s *goredis.Store[cart]) {
				_, err := s.DeleteOwner(bg, "o", sessions.ID{}, t0)
				mustNil(t, "DeleteOwner between the two writes", err)
			}},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				s := newStore[cart](t, c)
				id := idN(byte(i))
				key := sessionKey(s, id)
				c.AddHook(&onCommand{
					match: func(cmd redis.Cmder) bool {
						args := cmd.Args()
						return strings.EqualFold(cmd.Name(), "set") && len(args) > 1 && fmt.Sprint(args[1]) == key
					},
					run: func() { tc.between(t, s) },
				})
				r := rec([]string{"x"}, 30*time.Minute, "o")
				r.CreatedAt = t0.Add(-tc.created)
				mustNil(t, "Create", s.Create(bg, id, r, t0))

				got, err := s.ListOwner(bg, "o", t0, 10)
				mustNil(t, "ListOwner", err)
				if len(got) != 1 || got[0].ID != id {
					t.Fatalf("ListOwner after the record was written: %d entries, want the session", len(got))
				}
				n, err := s.DeleteOwner(bg, "o", sessions.ID{}, t0)
				mustNil(t, "DeleteOwner", err)
				if n != 1 {
					t.Fatalf("DeleteOwner deleted %d, want the session", n)
				}
				if _, err := s.Load(bg, id, t0); !errors.Is(err, sessions.ErrNotFound) {
					t.Fatalf("Load after DeleteOwner: %v, want ErrNotFound", err)
				}
			})
		}
	})
}

func TestTheOwnerIndexIsReadAPageAtATime(t *testing.T) {
	servers(t, func(t *testing.T, srv func(testing.TB) server) {
		c := srv(t).client
		reads := &indexReads{}
		c.AddHook(reads)
		s := newStore[cart](t, c)
		const n = 600
		ids := idRange(0, 1, n)
		createMany(t, s, "o", ids, func(i int) time.Time { return t0.Add(-time.Duration(i) * time.Second) }, time.Hour)
		checkPages := func(op string, wantGets int) {
			t.Helper()
			pages, gets := reads.reset()
			if len(pages) == 0 {
				t.Errorf("%s read no index page", op)
			}
			for _, p := range pages {
				if p > pageSize {
					t.Errorf("%s read %d index entries at once, want at most %d", op, p, pageSize)
				}
			}
			if gets > wantGets {
				t.Errorf("%s read %d records, want at most %d", op, gets, wantGets)
			}
		}

		reads.reset()
		got, err := s.ListOwner(bg, "o", t0, 10)
		mustNil(t, "ListOwner", err)
		if ids := entryIDs(got); !slices.Equal(ids, idRange(0, 1, 10)) {
			t.Fatalf("ListOwner(limit 10): %d entries, want the 10 newest in order", len(ids))
		}
		checkPages("ListOwner(limit 10)", pageSize) // the newest are all on the first page

		got, err = s.ListOwner(bg, "o", t0, 1000)
		mustNil(t, "ListOwner", err)
		if !slices.Equal(entryIDs(got), ids) {
			t.Fatalf("ListOwner(limit 1000): %d entries, want all %d newest first", len(got), n)
		}
		checkPages("ListOwner(limit 1000)", n)

		deleted, err := s.DeleteOwner(bg, "o", sessions.ID{}, t0)
		mustNil(t, "DeleteOwner", err)
		if deleted != n {
			t.Fatalf("DeleteOwner deleted %d, want %d", deleted, n)
		}
		checkPages("DeleteOwner", 0)
		if got, _ := s.ListOwner(bg, "o", t0, 1000); len(got) != 0 {
			t.Fatalf("ListOwner after DeleteOwner: %d entries", len(got))
		}
	})
}

func TestEntriesSharingAnInstantAreAllReachedAcrossPages(t *testing.T) {
	// Sessions created in the same millisecond share their entries'
	// instant: runs of them straddle pages, and one fills pages on its
	// own. Foreign entries inside that run are removed as it is read.
	servers(t, func(t *testing.T, srv func(testing.TB) server) {
		c := srv(t).client
		s := newStore[cart](t, c)
		groups := []int{100, 300, 100, 200}
		var all []sessions.ID
		created := map[sessions.ID]time.Time{}
		next := 0
		for g, size := range groups {
			ids := idRange(2*next, 2, size) // even: foreign entries go between
			next += size
			at := t0.Add(-time.Duration(g) * time.Minute)
			createMany(t, s, "o", ids, func(int) time.Time { return at }, time.Hour)
			for _, id := range ids {
				created[id] = at
			}
			all = append(all, ids...)
		}
		// Foreign entries among the run of 300, at its instant.
		foreign := idRange(2*110+1, 20, 20)
		createMany(t, s, "p", foreign, func(int) time.Time { return t0 }, time.Hour)
		score := float64(t0.Add(-time.Minute).Add(sessions.DefaultLifetime).UnixMilli())
		for _, id := range foreign {
			mustNil(t, "ZADD", c.ZAdd(bg, ownerKey(s, "o"), redis.Z{Score: score, Member: string(id[:])}).Err())
		}

		checkList := func(limit int, want []sessions.ID) {
			t.Helper()
			got, err := s.ListOwner(bg, "o", t0, limit)
			mustNil(t, "ListOwner", err)
			if len(got) != len(want) {
				t.Fatalf("ListOwner(limit %d): %d entries, want %d", limit, len(got), len(want))
			}
			for i, e := range got {
				// Within a run of one CreatedAt, any order will do.
				if !created[e.ID].Equal(created[want[i]]) {
					t.Fatalf("ListOwner(limit %d): entry %d created %v, want %v", limit, i, created[e.ID], created[want[i]])
				}
			}
			if ids := entryIDs(got); len(want) == len(all) && !sameSet(ids, want) {
				t.Fatalf("ListOwner(limit %d) did not list every session", limit)
			}
		}
		checkList(1000, all)
		for _, id := range foreign {
			if err := c.ZScore(bg, ownerKey(s, "o"), string(id[:])).Err(); !errors.Is(err, redis.Nil) {
				t.Fatalf("a foreign entry is still in the index (%v)", err)
			}
		}
		checkList(150, all[:150])
		checkList(400, all[:400])

		for _, id := range foreign {
			mustNil(t, "ZADD", c.ZAdd(bg, ownerKey(s, "o"), redis.Z{Score: score, Member: string(id[:])}).Err())
		}
		keep := all[250]
		n, err := s.DeleteOwner(bg, "o", keep, t0)
		mustNil(t, "DeleteOwner", err)
		if n != len(all)-1 {
			t.Fatalf("DeleteOwner deleted %d, want %d", n, len(all)-1)
		}
		got, err := s.ListOwner(bg, "o", t0, 1000)
		mustNil(t, "ListOwner", err)
		if !slices.Equal(entryIDs(got), []sessions.ID{keep}) {
			t.Fatalf("ListOwner after DeleteOwner: %d entries, want the one kept", len(got))
		}
		for _, id := range foreign {
			if _, err := s.Load(bg, id, t0); err != nil {
				t.Fatalf("DeleteOwner deleted another owner's record: %v", err)
			}
		}
	})
}

// sameSet reports whether a and b hold the same IDs.
func sameSet(a, b []sessions.ID) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	cmpID := func(x, y sessions.ID) int { return strings.Compare(string(x[:]), string(y[:])) }
	slices.SortFunc(a, cmpID)
	slices.SortFunc(b, cmpID)
	return slices.Equal(a, b)
}

func TestOnlyEntriesWhoseKeyHoldsNoRecordOfTheOwnerAreRemoved(t *testing.T) {
	servers(t, func(t *testing.T, srv func(testing.TB) server) {
		c := srv(t).client
		s := newStore[cart](t, c)
		ikey := ownerKey(s, "o")
		gone, foreign, corrupt, live := idAt(1), idAt(2), idAt(3), idAt(4)
		mustNil(t, "Create", s.Create(bg, foreign, rec([]string{"p"}, time.Hour, "p"), t0))
		mustNil(t, "Create", s.Create(bg, live, rec([]string{"o"}, time.Hour, "o"), t0))
		score := float64(t0.Add(2 * time.Hour).UnixMilli())
		stale := map[string]string{
			"another owner's record": string(foreign[:]),
			"a value not a record":   string(corrupt[:]),
			"a member not an ID":     "not an ID",
		}
		seed := func() {
			t.Helper()
			mustNil(t, "SET", c.Set(bg, sessionKey(s, corrupt), "garbage", time.Hour).Err())
			for _, m := range append(slices.Collect(maps.Values(stale)), string(gone[:])) {
				mustNil(t, "ZADD", c.ZAdd(bg, ikey, redis.Z{Score: score, Member: m}).Err())
			}
		}
		check := func(op string) {
			t.Helper()
			if err := c.ZScore(bg, ikey, string(gone[:])).Err(); err != nil {
				t.Errorf("after %s, the entry whose record is missing is gone (%v); it may be one being created", op, err)
			}
			for what, m := range stale {
				if err := c.ZScore(bg, ikey, m).Err(); !errors.Is(err, redis.Nil) {
					t.Errorf("after %s, the entry of %s is still there (%v)", op, what, err)
				}
			}
			if _, err := s.Load(bg, foreign, t0); err != nil {
				t.Errorf("after %s, another owner's record: %v", op, err)
			}
			if v, _ := c.Get(bg, sessionKey(s, corrupt)).Result(); v != "garbage" {
				t.Errorf("after %s, the value that is not a record changed to %q", op, v)
			}
		}

		seed()
		got, err := s.ListOwner(bg, "o", t0, 10)
		mustNil(t, "ListOwner", err)
		if !slices.Equal(entryIDs(got), []sessions.ID{live}) {
			t.Fatalf("ListOwner: %d entries, want the live one", len(got))
		}
		check("ListOwner")

		seed()
		n, err := s.DeleteOwner(bg, "o", sessions.ID{}, t0)
		mustNil(t, "DeleteOwner", err)
		if n != 1 {
			t.Fatalf("DeleteOwner deleted %d, want 1", n)
		}
		check("DeleteOwner")
	})
}

func TestDeleteOwnerReachesASessionWhoseEntryIsExtendedWhileItRuns(t *testing.T) {
	// Touching a session past the store's lifetime raises its entry to
	// the top of the index. Read highest first, an entry raised from the
	// part not read yet would be passed over, and its session would
	// survive a "log out everywhere".
	servers(t, func(t *testing.T, srv func(testing.TB) server) {
		c := srv(t).client
		s := newStore[cart](t, c, goredis.WithLifetime(time.Hour))
		const n = 300
		ids := idRange(0, 1, n)
		createMany(t, s, "o", ids, func(i int) time.Time { return t0.Add(-time.Duration(i) * time.Second) }, 30*time.Minute)
		oldest := ids[n-1]
		var touched error
		c.AddHook(&onCommand{match: isIndexRead, after: true, run: func() {
			touched = s.Touch(bg, oldest, t0.Add(3*time.Hour), t0)
		}})
		deleted, err := s.DeleteOwner(bg, "o", sessions.ID{}, t0)
		mustNil(t, "DeleteOwner", err)
		mustNil(t, "Touch while DeleteOwner ran", touched)
		if deleted != n {
			t.Errorf("DeleteOwner deleted %d, want %d", deleted, n)
		}
		if _, err := s.Load(bg, oldest, t0); !errors.Is(err, sessions.ErrNotFound) {
			t.Fatalf("the session touched while DeleteOwner ran: %v, want ErrNotFound", err)
		}
	})
}

func TestListOwnerFindsTheNewestWhenOlderEntriesWereExtended(t *testing.T) {
	// Extended entries of old sessions sort above the entries of newer
	// ones: ListOwner must read on until nothing newer can be left.
	servers(t, func(t *testing.T, srv func(testing.TB) server) {
		c := srv(t).client
		s := newStore[cart](t, c, goredis.WithLifetime(time.Hour))
		const n = 600
		ids := idRange(0, 1, n)
		createMany(t, s, "o", ids, func(i int) time.Time { return t0.Add(-time.Duration(i) * time.Second) }, 30*time.Minute)
		for _, id := range ids[n/2:] {
			mustNil(t, "Touch", s.Touch(bg, id, t0.Add(5*time.Hour), t0))
		}
		got, err := s.ListOwner(bg, "o", t0, 10)
		mustNil(t, "ListOwner", err)
		if !slices.Equal(entryIDs(got), ids[:10]) {
			t.Fatalf("ListOwner(limit 10): %d entries, not the 10 newest in order", len(got))
		}
	})
}
