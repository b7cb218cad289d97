package proptest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"pgregory.net/rapid"
)

// Bounds of the state machine's draws. rapid favours small numbers, so
// long spans are drawn in minutes plus a millisecond jitter, which keeps
// them spread over their whole range.
const (
	minTTLMinutes     = 1    // every ExpiresAt written is at least this far after now
	maxTTLMinutes     = 60   // and less than a minute more than this
	maxAgeMinutes     = 1440 // how long before now a record may have been created
	maxAdvanceMinutes = 60   // the largest clock step
	maxSmallAdvance   = 2000 // the largest small clock step, in milliseconds
)

// drawSpan draws a duration of between lo and hi minutes plus a jitter
// of under a second.
func drawSpan(t *rapid.T, label string, lo, hi int) time.Duration {
	return time.Duration(rapid.IntRange(lo, hi).Draw(t, label+" minutes"))*time.Minute +
		time.Duration(rapid.IntRange(0, 999).Draw(t, label+" jitter ms"))*time.Millisecond
}

var (
	words    = []string{"a", "b", "", "ünï", `<"&">`}
	attrKeys = []string{"k1", "k2", "k3", "ключ"}

	valueGen = rapid.Custom(func(t *rapid.T) Value {
		return Value{
			Counter: rapid.IntRange(-1, 1000).Draw(t, "counter"),
			Tags:    rapid.SliceOfN(rapid.SampledFrom(words), 0, 3).Draw(t, "tags"),
			Attrs:   rapid.MapOfN(rapid.SampledFrom(attrKeys), rapid.SampledFrom(words), 0, 3).Draw(t, "attrs"),
		}
	})
)

// backendMachine runs random sequences of backend calls against a model.
type backendMachine struct {
	ctx     context.Context
	b       sessions.Backend[Value]
	toucher sessions.Toucher
	index   sessions.OwnerIndex[Value]
	sweeper sessions.Sweeper

	ids     [5]sessions.ID
	owners  [3]string // two owners and "" for none
	now     time.Time
	model   *model
	creates int
}

// runStateMachine runs the rapid state machine, one fresh backend per
// sequence.
func runStateMachine(t *testing.T, newBackend func(*testing.T) sessions.Backend[Value]) {
	rapid.Check(t, func(rt *rapid.T) {
		sm := &backendMachine{ctx: rt.Context(), b: newBackend(t), now: base, model: newModel()}
		sm.toucher, _ = sm.b.(sessions.Toucher)
		sm.index, _ = sm.b.(sessions.OwnerIndex[Value])
		sm.sweeper, _ = sm.b.(sessions.Sweeper)
		for i := range sm.ids {
			sm.ids[i] = newID()
		}
		names := ownerNames()
		sm.owners = [3]string{names[0], names[1], ""}
		rt.Repeat(sm.actions())
	})
}

// actions returns the actions the backend's capabilities allow.
func (sm *backendMachine) actions() map[string]func(*rapid.T) {
	a := map[string]func(*rapid.T){
		"Create":      func(t *rapid.T) { sm.create(t, true) },
		"CreateOwned": func(t *rapid.T) { sm.create(t, false) },
		"Load":        sm.load,
		"Replace":     sm.replace,
		"Delete":      sm.delete,
		"Advance":     sm.advance,
	}
	if sm.toucher != nil {
		a["Touch"] = sm.touch
	}
	if sm.index != nil {
		a["ListOwner"] = sm.listOwner
		a["DeleteOwner"] = sm.deleteOwner
	}
	if sm.sweeper != nil {
		a["DeleteExpired"] = sm.deleteExpired
	}
	return a
}

func (sm *backendMachine) drawID(t *rapid.T) sessions.ID {
	return sm.ids[rapid.IntRange(0, len(sm.ids)-1).Draw(t, "id")]
}

func (sm *backendMachine) drawOwner(t *rapid.T, withNone bool) string {
	n := len(sm.owners) - 1
	if withNone {
		n++
	}
	return sm.owners[rapid.IntRange(0, n-1).Draw(t, "owner")]
}

// drawExpiry draws an ExpiresAt at least a minute after now.
func (sm *backendMachine) drawExpiry(t *rapid.T) time.Time {
	return sm.now.Add(drawSpan(t, "ttl", minTTLMinutes, maxTTLMinutes))
}

// drawVersion draws the version a conditional call passes: the stored
// one or an arbitrary one, which may still happen to match.
func (sm *backendMachine) drawVersion(t *rapid.T, id sessions.ID) uint64 {
	if cur, ok := sm.model.recs[id]; ok && rapid.Bool().Draw(t, "current version") {
		return cur.Version
	}
	return rapid.Uint64Range(1, 4).Draw(t, "version")
}

// check fails the sequence if the model rejected the backend's answer.
func (sm *backendMachine) check(t *rapid.T, err error, format string, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s at now=%v: %v", fmt.Sprintf(format, args...), sm.now, err)
	}
}

// loadAll loads every ID of the pool and checks each answer.
func (sm *backendMachine) loadAll(t *rapid.T, after string) {
	t.Helper()
	for i, id := range sm.ids {
		got, err := sm.b.Load(sm.ctx, id, sm.now)
		sm.check(t, sm.model.Load(id, sm.now, got, err), "Load(id %d) after %s", i, after)
		scribble(got.Value)
	}
}

// create creates a record, owned by one of the owners or, if unowned
// allows it, by none.
func (sm *backendMachine) create(t *rapid.T, unowned bool) {
	id := sm.drawID(t)
	// Draws favour small ages; counting creates into the age keeps
	// CreatedAt mostly distinct, so ListOwner has an order to get wrong.
	sm.creates++
	age := drawSpan(t, "age", 0, maxAgeMinutes) + time.Duration(sm.creates)*time.Millisecond
	rec := record{
		Value:      valueGen.Draw(t, "value"),
		CreatedAt:  sm.now.Add(-age),
		ExpiresAt:  sm.drawExpiry(t),
		Owner:      sm.drawOwner(t, unowned),
		Version:    1,
		Persistent: rapid.Bool().Draw(t, "persistent"),
	}
	passed := cloneRecord(rec)
	err := sm.b.Create(sm.ctx, id, passed, sm.now)
	scribble(passed.Value)
	sm.check(t, sm.model.Create(id, rec, sm.now, err), "Create(%+v)", rec)
}

func (sm *backendMachine) load(t *rapid.T) {
	id := sm.drawID(t)
	got, err := sm.b.Load(sm.ctx, id, sm.now)
	sm.check(t, sm.model.Load(id, sm.now, got, err), "Load")
	scribble(got.Value)
}

func (sm *backendMachine) replace(t *rapid.T) {
	id := sm.drawID(t)
	ifVersion := sm.drawVersion(t, id)
	// Like the Manager, Replace keeps Owner and CreatedAt.
	rec, ok := sm.model.recs[id]
	if !ok {
		rec = record{CreatedAt: sm.now, Owner: sm.drawOwner(t, true)}
	}
	rec.Value = valueGen.Draw(t, "value")
	rec.ExpiresAt = sm.drawExpiry(t)
	rec.Version = ifVersion + 1
	rec.Persistent = rapid.Bool().Draw(t, "persistent")
	passed := cloneRecord(rec)
	err := sm.b.Replace(sm.ctx, id, ifVersion, passed, sm.now)
	scribble(passed.Value)
	sm.check(t, sm.model.Replace(id, ifVersion, rec, sm.now, err), "Replace(ifVersion %d, %+v)", ifVersion, rec)
}

func (sm *backendMachine) delete(t *rapid.T) {
	id := sm.drawID(t)
	var ifVersion uint64
	if rapid.Bool().Draw(t, "conditional") {
		ifVersion = sm.drawVersion(t, id)
	}
	err := sm.b.Delete(sm.ctx, id, ifVersion)
	sm.check(t, sm.model.Delete(id, ifVersion, sm.now, err), "Delete(ifVersion %d)", ifVersion)
}

func (sm *backendMachine) touch(t *rapid.T) {
	id := sm.drawID(t)
	exp := sm.drawExpiry(t)
	err := sm.toucher.Touch(sm.ctx, id, exp, sm.now)
	sm.check(t, sm.model.Touch(id, exp, sm.now, err), "Touch(expiresAt %v)", exp)
}

func (sm *backendMachine) listOwner(t *rapid.T) {
	owner := sm.drawOwner(t, false)
	limit := rapid.IntRange(1, len(sm.ids)+1).Draw(t, "limit")
	got, err := sm.index.ListOwner(sm.ctx, owner, sm.now, limit)
	sm.check(t, sm.model.ListOwner(owner, sm.now, limit, got, err), "ListOwner(%q, limit %d)", owner, limit)
	for _, e := range got {
		scribble(e.Record.Value)
	}
}

func (sm *backendMachine) deleteOwner(t *rapid.T) {
	owner := sm.drawOwner(t, false)
	var except sessions.ID
	if i := rapid.IntRange(-1, len(sm.ids)-1).Draw(t, "except"); i >= 0 {
		except = sm.ids[i]
	}
	n, err := sm.index.DeleteOwner(sm.ctx, owner, except, sm.now)
	sm.check(t, sm.model.DeleteOwner(owner, except, sm.now, n, err), "DeleteOwner(%q)", owner)
	sm.loadAll(t, "DeleteOwner")
}

func (sm *backendMachine) deleteExpired(t *rapid.T) {
	limit := rapid.IntRange(1, len(sm.ids)).Draw(t, "limit")
	n, err := sm.sweeper.DeleteExpired(sm.ctx, sm.now, limit)
	sm.check(t, sm.model.DeleteExpired(sm.now, limit, n, err), "DeleteExpired(limit %d)", limit)
	sm.loadAll(t, "DeleteExpired")
}

// advance moves the clock: a little, a lot, or to a stored record's
// expiry or the millisecond before it, where off-by-one liveness bugs
// show.
func (sm *backendMachine) advance(t *rapid.T) {
	var expiries []time.Time
	for _, id := range sm.ids {
		if rec, ok := sm.model.recs[id]; ok && rec.ExpiresAt.After(sm.now) {
			expiries = append(expiries, rec.ExpiresAt)
		}
	}
	switch kind := rapid.IntRange(0, 2).Draw(t, "advance kind"); {
	case kind == 0:
		sm.now = sm.now.Add(time.Duration(rapid.IntRange(0, maxSmallAdvance).Draw(t, "small advance ms")) * time.Millisecond)
	case kind == 1 || len(expiries) == 0:
		sm.now = sm.now.Add(drawSpan(t, "advance", 0, maxAdvanceMinutes))
	default:
		exp := rapid.SampledFrom(expiries).Draw(t, "to expiry")
		if rapid.Bool().Draw(t, "just before") && exp.Sub(sm.now) > time.Millisecond {
			exp = exp.Add(-time.Millisecond)
		}
		sm.now = exp
	}
}
