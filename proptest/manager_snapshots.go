package proptest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"pgregory.net/rapid"
)

// snapshotMachine checks that sessions are snapshots: the values a caller
// hands to the Manager (Generate, Set, OfHeaderOrCreate) and the values it
// gets back (Value, Sessions) stay the caller's. Any of them may be
// changed in place at any later step; no session, no store and no later
// write may see it. Every session the sequence was handed is kept and
// must read, at every step, the value it was handed out with.
type snapshotMachine struct {
	ctx    context.Context
	m      *sessions.Manager[Value]
	traits traits
	owner  string
	// held are the sessions handed out so far, each with the value it
	// must keep reading; the newest of each token is the stored one.
	held []heldSession
	// loose are the values the caller still holds, to change at random.
	loose []Value
	// stored is what each live token must open to.
	stored map[string]Value
	serial int // makes every drawn value distinct
}

// heldSession is a session and the value it must read for ever.
type heldSession struct {
	s    sessions.Session[Value]
	want Value
}

// maxLoose bounds the values kept for changing later, keeping sequences
// fast; the oldest are let go.
const maxLoose = 32

// runSnapshotMachine runs the rapid state machine, one fresh Manager per
// sequence. The clock never moves: expiry is the main machine's concern.
func runSnapshotMachine(t *testing.T, newManager func(*testing.T, func() time.Time) *sessions.Manager[Value], tr traits) {
	rapid.Check(t, func(rt *rapid.T) {
		clk := newClock(base)
		sm := &snapshotMachine{
			ctx: rt.Context(), m: newManager(t, clk.Now), traits: tr,
			owner: ownerNames()[0], stored: make(map[string]Value),
		}
		rt.Repeat(map[string]func(*rapid.T){
			"":                 sm.check,
			"Generate":         sm.generate,
			"OfHeaderOrCreate": sm.ofHeaderOrCreate,
			"Set":              sm.set,
			"Update":           sm.update,
			"Renew":            sm.renew,
			"Value":            sm.value,
			"OfKey":            sm.ofKey,
			"Sessions":         sm.sessions,
			"Scribble":         sm.scribble,
		})
	})
}

// draw returns a fresh value, distinct from every other in the sequence.
func (sm *snapshotMachine) draw(t *rapid.T) Value {
	sm.serial++
	n := rapid.IntRange(0, 3).Draw(t, "size")
	v := Value{Counter: sm.serial, Attrs: map[string]string{}}
	for i := range n {
		v.Tags = append(v.Tags, fmt.Sprint("tag-", sm.serial, "-", i))
		v.Attrs[fmt.Sprint("k", i)] = fmt.Sprint("v-", sm.serial)
	}
	return v
}

// handOut records a value the caller keeps after the call.
func (sm *snapshotMachine) handOut(v Value) {
	sm.loose = append(sm.loose, v)
	if len(sm.loose) > maxLoose {
		sm.loose = sm.loose[1:]
	}
}

// hold records a session handed out with the value it must keep reading;
// a stored one becomes what its token opens to.
func (sm *snapshotMachine) hold(s sessions.Session[Value], want Value) {
	sm.held = append(sm.held, heldSession{s: s, want: cloneValue(want)})
	if s.Token() != "" {
		sm.stored[s.Token()] = cloneValue(want)
	}
}

// newest returns the newest held session that is stored and has not been
// replaced by a later one of its token or renewed away.
func (sm *snapshotMachine) newest(t *rapid.T) (sessions.Session[Value], bool) {
	var live []sessions.Session[Value]
	seen := make(map[string]bool)
	for i := len(sm.held) - 1; i >= 0; i-- {
		s := sm.held[i].s
		if _, ok := sm.stored[s.Token()]; ok && !seen[s.Token()] {
			seen[s.Token()] = true
			live = append(live, s)
		}
	}
	if len(live) == 0 {
		return sessions.Session[Value]{}, false
	}
	return live[rapid.IntRange(0, len(live)-1).Draw(t, "session")], true
}

func (sm *snapshotMachine) must(t *rapid.T, call string, err error) {
	if err != nil {
		t.Fatalf("%s: %v", call, err)
	}
}

func (sm *snapshotMachine) generate(t *rapid.T) {
	v := sm.draw(t)
	var opts []sessions.SessionOption
	if rapid.Bool().Draw(t, "owned") {
		opts = append(opts, sessions.WithOwner(sm.owner))
	}
	s, err := sm.m.Generate(sm.ctx, v, opts...)
	sm.must(t, "Generate", err)
	sm.hold(s, v)
	sm.handOut(v)
}

// ofHeaderOrCreate starts an unsaved session from a default the caller
// keeps, and sometimes stores it at once.
func (sm *snapshotMachine) ofHeaderOrCreate(t *rapid.T) {
	def := sm.draw(t)
	s, err := sm.m.OfHeaderOrCreate(sm.ctx, def)
	sm.must(t, "OfHeaderOrCreate", err)
	sm.hold(s, def)
	sm.handOut(def)
	if rapid.Bool().Draw(t, "store it") {
		v := sm.draw(t)
		next, err := sm.m.Set(sm.ctx, s, v)
		sm.must(t, "Set on an unsaved session", err)
		sm.hold(next, v)
		sm.handOut(v)
	}
}

func (sm *snapshotMachine) set(t *rapid.T) {
	s, ok := sm.newest(t)
	if !ok {
		t.Skip("no stored session")
	}
	v := sm.draw(t)
	next, err := sm.m.Set(sm.ctx, s, v)
	sm.must(t, "Set", err)
	sm.forget(s.Token(), next.Token())
	sm.hold(next, v)
	sm.handOut(v)
}

// update runs a no-op or a counting Update: either way, what it stores is
// the stored value, whatever the caller did to values it holds.
func (sm *snapshotMachine) update(t *rapid.T) {
	s, ok := sm.newest(t)
	if !ok {
		t.Skip("no stored session")
	}
	want := cloneValue(sm.stored[s.Token()])
	bump := rapid.Bool().Draw(t, "bump")
	if bump {
		want.Counter++
	}
	next, err := sm.m.Update(sm.ctx, s, func(v Value) (Value, error) {
		if bump {
			v.Counter++
		}
		return v, nil
	})
	sm.must(t, "Update", err)
	sm.forget(s.Token(), next.Token())
	sm.hold(next, want)
}

func (sm *snapshotMachine) renew(t *rapid.T) {
	s, ok := sm.newest(t)
	if !ok {
		t.Skip("no stored session")
	}
	want := sm.stored[s.Token()]
	next, err := sm.m.Renew(sm.ctx, s)
	sm.must(t, "Renew", err)
	sm.forget(s.Token(), next.Token())
	sm.hold(next, want)
}

// forget drops an old token from what must open, once a write moved the
// session to a new one (Renew, or a store that carries the record).
func (sm *snapshotMachine) forget(old, current string) {
	if old != current {
		delete(sm.stored, old)
	}
}

// value reads a held session's value, which the caller then holds.
func (sm *snapshotMachine) value(t *rapid.T) {
	if len(sm.held) == 0 {
		t.Skip("no session")
	}
	h := sm.held[rapid.IntRange(0, len(sm.held)-1).Draw(t, "held")]
	sm.handOut(h.s.Value())
}

// ofKey loads a stored session afresh and holds the loaded snapshot.
func (sm *snapshotMachine) ofKey(t *rapid.T) {
	s, ok := sm.newest(t)
	if !ok {
		t.Skip("no stored session")
	}
	got, err := sm.m.OfKey(sm.ctx, s.Token())
	sm.must(t, "OfKey", err)
	sm.hold(got, sm.stored[s.Token()])
	sm.handOut(got.Value())
}

// sessions lists the owner's sessions; the caller holds their values.
func (sm *snapshotMachine) sessions(t *rapid.T) {
	if !sm.traits.listsOwners {
		t.Skip(skipSessions)
	}
	entries, err := sm.m.Sessions(sm.ctx, sm.owner)
	sm.must(t, "Sessions", err)
	for _, e := range entries {
		sm.handOut(e.Record.Value)
	}
}

// scribble changes a value the caller holds, in every part it can reach.
func (sm *snapshotMachine) scribble(t *rapid.T) {
	if len(sm.loose) == 0 {
		t.Skip("no value held")
	}
	scribble(sm.loose[rapid.IntRange(0, len(sm.loose)-1).Draw(t, "value")])
}

// check is the invariant: every session handed out reads the value it was
// handed out with, and every stored token opens to what was stored.
func (sm *snapshotMachine) check(t *rapid.T) {
	for i, h := range sm.held {
		if got := h.s.Value(); !equalValue(got, h.want) {
			t.Fatalf("session %d of the sequence reads %+v, want %+v: a value the caller changed reached it", i, got, h.want)
		}
	}
	for token, want := range sm.stored {
		got, err := sm.m.OfKey(sm.ctx, token)
		sm.must(t, "OfKey in the check", err)
		if !equalValue(got.Value(), want) {
			t.Fatalf("a stored session opens to %+v, want %+v: a value the caller changed reached the store", got.Value(), want)
		}
	}
}
