package proptest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/typedsession/sessions"
)

// base is the first instant the kit passes as now. Every instant the kit
// uses is base plus a whole number of milliseconds.
var base = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// TestBackend checks that the backends newBackend returns honour the
// [sessions.Backend] contract and the contract of each optional capability
// they implement ([sessions.Toucher], [sessions.OwnerIndex],
// [sessions.Sweeper]), discovered by type assertion. Capabilities a
// backend lacks are skipped by name, with the reason.
//
// newBackend is called once per subtest and once per state-machine
// sequence and must return an empty backend isolated from every other
// one it returned. The kit drives now itself. See the package
// documentation for what exactly is checked.
func TestBackend(t *testing.T, newBackend func(t *testing.T) sessions.Backend[Value]) {
	t.Helper()
	runGroup(t, "Backend", newBackend, nil, backendBehaviours)
	runGroup(t, "Toucher", newBackend, func(b sessions.Backend[Value]) bool {
		_, ok := b.(sessions.Toucher)
		return ok
	}, toucherBehaviours)
	runGroup(t, "OwnerIndex", newBackend, func(b sessions.Backend[Value]) bool {
		_, ok := b.(sessions.OwnerIndex[Value])
		return ok
	}, ownerIndexBehaviours)
	runGroup(t, "Sweeper", newBackend, func(b sessions.Backend[Value]) bool {
		_, ok := b.(sessions.Sweeper)
		return ok
	}, sweeperBehaviours)
	t.Run("StateMachine", func(t *testing.T) { runStateMachine(t, newBackend) })
}

// A behaviour is one row of the fixed table: a subtest named after the
// rule it checks.
type behaviour struct {
	name string
	run  func(f *fixture)
}

// runGroup runs behaviours as subtests of a subtest named group, skipping
// them all, with the reason, when has reports that the backend lacks the
// group's capability.
func runGroup(t *testing.T, group string, newBackend func(*testing.T) sessions.Backend[Value], has func(sessions.Backend[Value]) bool, behaviours []behaviour) {
	t.Helper()
	t.Run(group, func(t *testing.T) {
		if has != nil && !has(newBackend(t)) {
			t.Skipf("backend does not implement sessions.%s", group)
		}
		for _, bh := range behaviours {
			t.Run(bh.name, func(t *testing.T) { bh.run(newFixture(t, newBackend)) })
		}
	})
}

// fixture is what one behaviour runs against: a fresh backend and owner
// names no other run uses.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	b      sessions.Backend[Value]
	owners [3]string
}

func newFixture(t *testing.T, newBackend func(*testing.T) sessions.Backend[Value]) *fixture {
	f := &fixture{t: t, ctx: t.Context(), b: newBackend(t)}
	f.owners = ownerNames()
	return f
}

// ownerNames returns three owner names with a random suffix.
func ownerNames() [3]string {
	suffix := rand.Text()[:10]
	return [3]string{"alice-" + suffix, "bob-" + suffix, "carol-" + suffix}
}

// newID returns a random ID.
func newID() sessions.ID {
	var id sessions.ID
	_, _ = rand.Read(id[:]) // crypto/rand.Read never returns an error
	return id
}

// at returns base plus d.
func at(d time.Duration) time.Time { return base.Add(d) }

// val returns a distinct value for n, with a slice and a map.
func val(n int) Value {
	return Value{
		Counter: n,
		Tags:    []string{fmt.Sprint("tag-", n), "shared"},
		Attrs:   map[string]string{"n": fmt.Sprint(n), "k": "v"},
	}
}

// rec returns a version-1 record created at created.
func rec(v Value, created, expires time.Time, owner string) record {
	return record{Value: v, CreatedAt: created, ExpiresAt: expires, Owner: owner, Version: 1}
}

// next returns r as Replace would store it: version +1, with value v and
// expiry expires.
func next(r record, v Value, expires time.Time) record {
	r.Value, r.ExpiresAt, r.Version = v, expires, r.Version+1
	return r
}

// toucher, owners and sweeper return the backend's capabilities; their
// groups run only when the backend has them.
func (f *fixture) toucher() sessions.Toucher {
	tc, ok := f.b.(sessions.Toucher)
	if !ok {
		f.t.Skip("backend does not implement sessions.Toucher")
	}
	return tc
}

func (f *fixture) index() sessions.OwnerIndex[Value] {
	oi, ok := f.b.(sessions.OwnerIndex[Value])
	if !ok {
		f.t.Skip("backend does not implement sessions.OwnerIndex")
	}
	return oi
}

func (f *fixture) sweeper() sessions.Sweeper {
	sw, ok := f.b.(sessions.Sweeper)
	if !ok {
		f.t.Skip("backend does not implement sessions.Sweeper")
	}
	return sw
}

// expect fails the test unless err is in the class of want.
func (f *fixture) expect(call string, err, want error) {
	f.t.Helper()
	if e := expectOutcome(err, want); e != nil {
		f.t.Fatalf("%s: %v", call, e)
	}
}

// create stores r under id at now, which must succeed. It passes a copy,
// so the caller's r stays intact whatever the store does with its value.
func (f *fixture) create(id sessions.ID, r record, now time.Time) {
	f.t.Helper()
	f.expect("Create", f.b.Create(f.ctx, id, cloneRecord(r), now), nil)
}

// replace overwrites the record under id at now, which must succeed.
func (f *fixture) replace(id sessions.ID, ifVersion uint64, r record, now time.Time) {
	f.t.Helper()
	f.expect(fmt.Sprintf("Replace(ifVersion %d)", ifVersion), f.b.Replace(f.ctx, id, ifVersion, cloneRecord(r), now), nil)
}

// load fails the test unless Load(id, now) returns want.
func (f *fixture) load(id sessions.ID, now time.Time, want record) record {
	f.t.Helper()
	got, err := f.b.Load(f.ctx, id, now)
	f.expect(fmt.Sprintf("Load at %v", now), err, nil)
	if d := diffRecord(got, want); d != "" {
		f.t.Fatalf("Load at %v: %s", now, d)
	}
	return got
}

// gone fails the test unless Load(id, now) returns ErrNotFound.
func (f *fixture) gone(id sessions.ID, now time.Time) {
	f.t.Helper()
	got, err := f.b.Load(f.ctx, id, now)
	if !errors.Is(err, sessions.ErrNotFound) {
		f.t.Fatalf("Load at %v: got %+v, %s, want ErrNotFound", now, got, outcome(err))
	}
}

// list fails the test unless ListOwner returns exactly want, in order.
func (f *fixture) list(owner string, now time.Time, limit int, want ...entry) []entry {
	f.t.Helper()
	got, err := f.index().ListOwner(f.ctx, owner, now, limit)
	f.expect("ListOwner", err, nil)
	if len(got) != len(want) {
		f.t.Fatalf("ListOwner(limit %d) at %v: got %d entries, want %d", limit, now, len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID {
			f.t.Fatalf("ListOwner(limit %d) at %v: entry %d is ID %s, want %s", limit, now, i, got[i].ID.Short(), want[i].ID.Short())
		}
		if d := diffRecord(got[i].Record, want[i].Record); d != "" {
			f.t.Fatalf("ListOwner(limit %d) at %v: entry %d: %s", limit, now, i, d)
		}
	}
	return got
}

// deleteOwner fails the test unless DeleteOwner reports want deletions.
func (f *fixture) deleteOwner(owner string, except sessions.ID, now time.Time, want int) {
	f.t.Helper()
	n, err := f.index().DeleteOwner(f.ctx, owner, except, now)
	f.expect("DeleteOwner", err, nil)
	if n != want {
		f.t.Fatalf("DeleteOwner: deleted %d, want %d", n, want)
	}
}

var backendBehaviours = []behaviour{
	{"create then load returns the record at version 1", func(f *fixture) {
		a, b := newID(), newID()
		ra := rec(val(1), at(-72*time.Hour+123*time.Millisecond), at(time.Hour+456*time.Millisecond), "")
		ra.Persistent = true
		rb := rec(val(2), at(0), at(2*time.Hour+time.Millisecond), f.owners[0])
		f.create(a, ra, at(0))
		f.create(b, rb, at(0))
		f.load(a, at(0), ra)
		f.load(b, at(time.Minute), rb)
	}},
	{"create on a live ID is a conflict and keeps the record", func(f *fixture) {
		id := newID()
		r := rec(val(1), at(0), at(time.Hour), "")
		f.create(id, r, at(0))
		f.expect("Create on a live ID", f.b.Create(f.ctx, id, rec(val(2), at(0), at(2*time.Hour), ""), at(0)), sessions.ErrConflict)
		f.expect("Create a millisecond before expiry", f.b.Create(f.ctx, id, rec(val(3), at(0), at(2*time.Hour), ""), at(time.Hour-time.Millisecond)), sessions.ErrConflict)
		f.load(id, at(0), r)
	}},
	{"create over an expired record succeeds", func(f *fixture) {
		id := newID()
		f.create(id, rec(val(1), at(0), at(time.Hour), f.owners[0]), at(0))
		r := rec(val(2), at(time.Hour), at(3*time.Hour), f.owners[1])
		f.create(id, r, at(time.Hour))
		f.load(id, at(time.Hour), r)
		f.load(id, at(2*time.Hour), r)
	}},
	{"load of an unknown ID is not found", func(f *fixture) {
		f.gone(newID(), at(0))
	}},
	{"load at or after expiry is not found", func(f *fixture) {
		id := newID()
		r := rec(val(1), at(0), at(time.Hour), "")
		f.create(id, r, at(0))
		f.load(id, at(time.Hour-time.Millisecond), r)
		f.gone(id, at(time.Hour))
		f.gone(id, at(time.Hour+time.Millisecond))
		f.gone(id, at(48*time.Hour))
	}},
	{"replace with the current version bumps the version and stores the value", func(f *fixture) {
		id := newID()
		r1 := rec(val(1), at(-time.Hour), at(time.Hour), f.owners[0])
		f.create(id, r1, at(0))
		r2 := next(r1, val(2), at(2*time.Hour))
		r2.Persistent = true
		f.replace(id, 1, r2, at(time.Minute))
		f.load(id, at(time.Minute), r2)
		r3 := next(r2, val(3), at(3*time.Hour))
		f.replace(id, 2, r3, at(90*time.Minute))
		f.load(id, at(2*time.Hour+time.Minute), r3)
	}},
	{"replace with a stale version is a conflict and changes nothing", func(f *fixture) {
		id := newID()
		r1 := rec(val(1), at(0), at(time.Hour), "")
		f.create(id, r1, at(0))
		r2 := next(r1, val(2), at(2*time.Hour))
		f.replace(id, 1, r2, at(0))
		for _, v := range []uint64{1, 3, 7} {
			stale := r2
			stale.Value, stale.Version, stale.ExpiresAt = val(9), v+1, at(5*time.Hour)
			f.expect(fmt.Sprintf("Replace(ifVersion %d) of version 2", v), f.b.Replace(f.ctx, id, v, stale, at(time.Minute)), sessions.ErrConflict)
		}
		f.load(id, at(time.Minute), r2)
		f.gone(id, at(2*time.Hour))
	}},
	{"replace of an unknown ID is not found and creates nothing", func(f *fixture) {
		id := newID()
		f.expect("Replace of an unknown ID", f.b.Replace(f.ctx, id, 1, rec(val(1), at(0), at(time.Hour), ""), at(0)), sessions.ErrNotFound)
		f.gone(id, at(0))
	}},
	{"replace of an expired record is not found and does not revive it", func(f *fixture) {
		id := newID()
		r1 := rec(val(1), at(0), at(time.Hour), "")
		f.create(id, r1, at(0))
		f.expect("Replace at expiry", f.b.Replace(f.ctx, id, 1, next(r1, val(2), at(3*time.Hour)), at(time.Hour)), sessions.ErrNotFound)
		f.gone(id, at(time.Hour))
		f.gone(id, at(2*time.Hour))
	}},
	{"replace of a deleted record is not found and does not recreate it", func(f *fixture) {
		a, b := newID(), newID()
		ra := rec(val(1), at(0), at(time.Hour), f.owners[0])
		rb := rec(val(2), at(0), at(time.Hour), "")
		f.create(a, ra, at(0))
		f.create(b, rb, at(0))
		f.expect("Delete(0)", f.b.Delete(f.ctx, a, 0), nil)
		f.expect("Delete(1)", f.b.Delete(f.ctx, b, 1), nil)
		f.expect("Replace of an unconditionally deleted record", f.b.Replace(f.ctx, a, 1, next(ra, val(3), at(2*time.Hour)), at(time.Minute)), sessions.ErrNotFound)
		f.expect("Replace of a conditionally deleted record", f.b.Replace(f.ctx, b, 1, next(rb, val(4), at(2*time.Hour)), at(time.Minute)), sessions.ErrNotFound)
		f.gone(a, at(time.Minute))
		f.gone(b, at(time.Minute))
	}},
	{"unconditional delete removes the record and is idempotent", func(f *fixture) {
		id := newID()
		r1 := rec(val(1), at(0), at(time.Hour), "")
		f.create(id, r1, at(0))
		f.replace(id, 1, next(r1, val(2), at(time.Hour)), at(0))
		f.expect("Delete(0)", f.b.Delete(f.ctx, id, 0), nil)
		f.gone(id, at(0))
		f.expect("Delete(0) again", f.b.Delete(f.ctx, id, 0), nil)
	}},
	{"unconditional delete of an unknown ID succeeds", func(f *fixture) {
		f.expect("Delete(0) of an unknown ID", f.b.Delete(f.ctx, newID(), 0), nil)
	}},
	{"conditional delete of an unknown ID is not found", func(f *fixture) {
		f.expect("Delete(1) of an unknown ID", f.b.Delete(f.ctx, newID(), 1), sessions.ErrNotFound)
	}},
	{"conditional delete with a stale version is a conflict and keeps the record", func(f *fixture) {
		id := newID()
		r1 := rec(val(1), at(0), at(time.Hour), "")
		f.create(id, r1, at(0))
		r2 := next(r1, val(2), at(time.Hour))
		f.replace(id, 1, r2, at(0))
		f.expect("Delete(1) of version 2", f.b.Delete(f.ctx, id, 1), sessions.ErrConflict)
		f.expect("Delete(3) of version 2", f.b.Delete(f.ctx, id, 3), sessions.ErrConflict)
		f.load(id, at(0), r2)
	}},
	{"conditional delete with the current version removes the record", func(f *fixture) {
		id := newID()
		r1 := rec(val(1), at(0), at(time.Hour), "")
		f.create(id, r1, at(0))
		f.replace(id, 1, next(r1, val(2), at(time.Hour)), at(0))
		f.expect("Delete(2) of version 2", f.b.Delete(f.ctx, id, 2), nil)
		f.gone(id, at(0))
		f.expect("Delete(2) again", f.b.Delete(f.ctx, id, 2), sessions.ErrNotFound)
	}},
	{"values do not alias the store", func(f *fixture) {
		id := newID()
		want := rec(val(1), at(0), at(time.Hour), "")
		passed := cloneRecord(want)
		f.expect("Create", f.b.Create(f.ctx, id, passed, at(0)), nil)
		scribble(passed.Value)
		got := f.load(id, at(0), want)
		scribble(got.Value)
		f.load(id, at(0), want)

		want2 := next(want, val(2), at(time.Hour))
		passed = cloneRecord(want2)
		f.expect("Replace", f.b.Replace(f.ctx, id, 1, passed, at(0)), nil)
		scribble(passed.Value)
		got = f.load(id, at(0), want2)
		scribble(got.Value)
		f.load(id, at(0), want2)
	}},
}

var toucherBehaviours = []behaviour{
	{"touch moves the expiry and keeps version and value", func(f *fixture) {
		id := newID()
		r1 := rec(val(1), at(0), at(time.Hour), "")
		f.create(id, r1, at(0))
		r2 := next(r1, val(2), at(time.Hour))
		f.replace(id, 1, r2, at(0))
		f.expect("Touch", f.toucher().Touch(f.ctx, id, at(3*time.Hour), at(10*time.Minute)), nil)
		r2.ExpiresAt = at(3 * time.Hour)
		f.load(id, at(10*time.Minute), r2)
		f.load(id, at(3*time.Hour-time.Millisecond), r2)
		f.gone(id, at(3*time.Hour))
	}},
	{"touch can shorten the expiry", func(f *fixture) {
		id := newID()
		r := rec(val(1), at(0), at(2*time.Hour), "")
		f.create(id, r, at(0))
		f.expect("Touch", f.toucher().Touch(f.ctx, id, at(time.Hour), at(0)), nil)
		r.ExpiresAt = at(time.Hour)
		f.load(id, at(time.Hour-time.Millisecond), r)
		f.gone(id, at(time.Hour))
	}},
	{"touch of an unknown ID is not found and creates nothing", func(f *fixture) {
		id := newID()
		f.expect("Touch of an unknown ID", f.toucher().Touch(f.ctx, id, at(time.Hour), at(0)), sessions.ErrNotFound)
		f.gone(id, at(0))
	}},
	{"touch of an expired record is not found and does not revive it", func(f *fixture) {
		id := newID()
		f.create(id, rec(val(1), at(0), at(time.Hour), ""), at(0))
		f.expect("Touch at expiry", f.toucher().Touch(f.ctx, id, at(3*time.Hour), at(time.Hour)), sessions.ErrNotFound)
		f.gone(id, at(2*time.Hour))
	}},
	{"touch of a deleted record is not found and does not recreate it", func(f *fixture) {
		id := newID()
		f.create(id, rec(val(1), at(0), at(time.Hour), ""), at(0))
		f.expect("Delete(0)", f.b.Delete(f.ctx, id, 0), nil)
		f.expect("Touch of a deleted record", f.toucher().Touch(f.ctx, id, at(2*time.Hour), at(0)), sessions.ErrNotFound)
		f.gone(id, at(0))
	}},
}

var ownerIndexBehaviours = []behaviour{
	{"list owner returns live records newest first", func(f *fixture) {
		o := f.owners[0]
		e := func(created, expires time.Duration, owner string, n int) entry {
			return entry{ID: newID(), Record: rec(val(n), at(created), at(expires), owner)}
		}
		old, mid, young := e(-3*time.Hour, time.Hour, o, 1), e(-2*time.Hour, 2*time.Hour, o, 2), e(-time.Hour, time.Hour, o, 3)
		expired := e(0, 5*time.Minute, o, 4)
		other, unowned := e(0, time.Hour, f.owners[1], 5), e(0, time.Hour, "", 6)
		for _, x := range []entry{mid, expired, old, other, young, unowned} {
			f.create(x.ID, x.Record, at(0))
		}
		f.list(o, at(0), 10, expired, young, mid, old)
		f.list(o, at(5*time.Minute), 10, young, mid, old)
		f.list(o, at(time.Hour), 10, mid)
		f.list(f.owners[1], at(0), 10, other)
	}},
	{"list owner returns at most limit records", func(f *fixture) {
		o := f.owners[0]
		var es []entry
		for i := range 3 {
			x := entry{ID: newID(), Record: rec(val(i), at(time.Duration(-i)*time.Hour), at(time.Hour), o)}
			f.create(x.ID, x.Record, at(0))
			es = append(es, x)
		}
		f.list(o, at(0), 1, es[0])
		f.list(o, at(0), 2, es[0], es[1])
		f.list(o, at(0), 3, es...)
	}},
	{"list owner of an owner without records is empty", func(f *fixture) {
		f.create(newID(), rec(val(1), at(0), at(time.Hour), f.owners[1]), at(0))
		f.list(f.owners[0], at(0), 10)
	}},
	{"list owner follows replace and delete", func(f *fixture) {
		o := f.owners[0]
		a := entry{ID: newID(), Record: rec(val(1), at(-time.Hour), at(time.Hour), o)}
		b := entry{ID: newID(), Record: rec(val(2), at(0), at(time.Hour), o)}
		f.create(a.ID, a.Record, at(0))
		f.create(b.ID, b.Record, at(0))
		a.Record = next(a.Record, val(3), at(3*time.Hour))
		f.replace(a.ID, 1, a.Record, at(0))
		f.expect("Delete(0)", f.b.Delete(f.ctx, b.ID, 0), nil)
		f.list(o, at(0), 10, a)
		f.list(o, at(2*time.Hour), 10, a)
	}},
	{"list owner follows touch", func(f *fixture) {
		tc := f.toucher()
		o := f.owners[0]
		a := entry{ID: newID(), Record: rec(val(1), at(0), at(time.Hour), o)}
		f.create(a.ID, a.Record, at(0))
		f.expect("Touch", tc.Touch(f.ctx, a.ID, at(3*time.Hour), at(time.Minute)), nil)
		a.Record.ExpiresAt = at(3 * time.Hour)
		f.list(o, at(2*time.Hour), 10, a)
		f.list(o, at(3*time.Hour), 10)
	}},
	{"list owner values do not alias the store", func(f *fixture) {
		o := f.owners[0]
		a := entry{ID: newID(), Record: rec(val(1), at(0), at(time.Hour), o)}
		f.create(a.ID, a.Record, at(0))
		got := f.list(o, at(0), 10, a)
		scribble(got[0].Record.Value)
		f.list(o, at(0), 10, a)
		f.load(a.ID, at(0), a.Record)
	}},
	{"delete owner deletes all but the excepted record and nothing of others", func(f *fixture) {
		o := f.owners[0]
		var mine []entry
		for i := range 3 {
			x := entry{ID: newID(), Record: rec(val(i), at(time.Duration(-i)*time.Minute), at(time.Hour), o)}
			f.create(x.ID, x.Record, at(0))
			mine = append(mine, x)
		}
		other := entry{ID: newID(), Record: rec(val(7), at(0), at(time.Hour), f.owners[1])}
		unowned := entry{ID: newID(), Record: rec(val(8), at(0), at(time.Hour), "")}
		f.create(other.ID, other.Record, at(0))
		f.create(unowned.ID, unowned.Record, at(0))
		f.deleteOwner(o, mine[1].ID, at(time.Minute), 2)
		f.gone(mine[0].ID, at(time.Minute))
		f.gone(mine[2].ID, at(time.Minute))
		f.load(mine[1].ID, at(time.Minute), mine[1].Record)
		f.load(other.ID, at(time.Minute), other.Record)
		f.load(unowned.ID, at(time.Minute), unowned.Record)
		f.list(o, at(time.Minute), 10, mine[1])
		f.list(f.owners[1], at(time.Minute), 10, other)
	}},
	{"delete owner with the zero ID deletes every record of the owner", func(f *fixture) {
		o := f.owners[0]
		var ids []sessions.ID
		for i := range 3 {
			id := newID()
			f.create(id, rec(val(i), at(0), at(time.Hour), o), at(0))
			ids = append(ids, id)
		}
		f.deleteOwner(o, sessions.ID{}, at(0), 3)
		for _, id := range ids {
			f.gone(id, at(0))
		}
		f.list(o, at(0), 10)
	}},
	{"delete owner of an owner without records deletes nothing", func(f *fixture) {
		other := entry{ID: newID(), Record: rec(val(1), at(0), at(time.Hour), f.owners[1])}
		f.create(other.ID, other.Record, at(0))
		f.deleteOwner(f.owners[0], sessions.ID{}, at(0), 0)
		f.load(other.ID, at(0), other.Record)
	}},
	{"an ID created again under another owner leaves the index of the first", func(f *fixture) {
		deleted, expired := newID(), newID()
		f.create(deleted, rec(val(1), at(0), at(time.Hour), f.owners[0]), at(0))
		f.create(expired, rec(val(2), at(0), at(time.Hour), f.owners[0]), at(0))
		f.expect("Delete(0)", f.b.Delete(f.ctx, deleted, 0), nil)
		a := entry{ID: deleted, Record: rec(val(3), at(time.Hour), at(3*time.Hour), f.owners[1])}
		b := entry{ID: expired, Record: rec(val(4), at(time.Hour), at(3*time.Hour), f.owners[1])}
		f.create(a.ID, a.Record, at(time.Hour))
		f.create(b.ID, b.Record, at(time.Hour))
		f.list(f.owners[0], at(time.Hour), 10)
		n, err := f.index().DeleteOwner(f.ctx, f.owners[0], sessions.ID{}, at(time.Hour))
		f.expect("DeleteOwner", err, nil)
		if n != 0 {
			f.t.Fatalf("DeleteOwner of an owner whose records moved: deleted %d, want 0", n)
		}
		f.load(a.ID, at(time.Hour), a.Record)
		f.load(b.ID, at(time.Hour), b.Record)
	}},
}

// sweepAt is when the sweeper behaviours sweep: a week after the records
// they expect to be swept expired, beyond any reasonable skew margin.
var sweepAt = at(7*24*time.Hour + time.Hour)

// sweep calls DeleteExpired(sweepAt, limit) until it reports nothing
// removed, checks each count is within [0, limit], and returns the total.
func (f *fixture) sweep(limit int) int {
	f.t.Helper()
	total := 0
	for range 20 {
		n, err := f.sweeper().DeleteExpired(f.ctx, sweepAt, limit)
		f.expect("DeleteExpired", err, nil)
		if n < 0 || n > limit {
			f.t.Fatalf("DeleteExpired(limit %d): removed %d", limit, n)
		}
		if n == 0 {
			return total
		}
		total += n
	}
	f.t.Fatalf("DeleteExpired(limit %d) still removing records after 20 calls", limit)
	return total
}

var sweeperBehaviours = []behaviour{
	{"delete expired removes expired records and keeps live ones", func(f *fixture) {
		var expired, live []entry
		for i := range 3 {
			x := entry{ID: newID(), Record: rec(val(i), at(0), at(time.Duration(i+1)*time.Hour), f.owners[i%2])}
			f.create(x.ID, x.Record, at(0))
			expired = append(expired, x)
		}
		for i, exp := range []time.Time{sweepAt.Add(time.Millisecond), sweepAt.Add(time.Hour)} {
			x := entry{ID: newID(), Record: rec(val(10+i), at(0), exp, "")}
			f.create(x.ID, x.Record, at(0))
			live = append(live, x)
		}
		if n := f.sweep(100); n > len(expired) {
			f.t.Fatalf("DeleteExpired removed %d records in total, only %d had expired", n, len(expired))
		}
		for _, x := range live {
			f.load(x.ID, sweepAt, x.Record)
		}
		for _, x := range expired {
			f.gone(x.ID, at(0)) // live at base, so only a removal hides it
		}
	}},
	{"delete expired removes at most limit records", func(f *fixture) {
		var expired []sessions.ID
		for i := range 5 {
			id := newID()
			f.create(id, rec(val(i), at(0), at(time.Hour), ""), at(0))
			expired = append(expired, id)
		}
		n, err := f.sweeper().DeleteExpired(f.ctx, sweepAt, 2)
		f.expect("DeleteExpired", err, nil)
		if n < 0 || n > 2 {
			f.t.Fatalf("DeleteExpired(limit 2): removed %d", n)
		}
		kept := 0
		for _, id := range expired {
			if _, err := f.b.Load(f.ctx, id, at(0)); err == nil {
				kept++
			}
		}
		if kept < 3 {
			f.t.Fatalf("DeleteExpired(limit 2) removed %d of 5 records", 5-kept)
		}
		f.sweep(2)
		for _, id := range expired {
			f.gone(id, at(0))
		}
	}},
	{"delete expired on an empty store removes nothing", func(f *fixture) {
		if n := f.sweep(10); n != 0 {
			f.t.Fatalf("DeleteExpired on an empty store removed %d", n)
		}
	}},
}
