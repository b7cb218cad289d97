package proptest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"pgregory.net/rapid"
)

// managerMachine runs random sequences of Manager operations against a
// model of the sessions they made. Draws pick tokens and sessions by
// index, so that rapid's logs never show a token.
type managerMachine struct {
	ctx     context.Context
	clock   *clock
	m       *sessions.Manager[Value]
	cookie  sessions.Cookie
	traits  traits
	owners  [2]string
	model   *managerModel
	unsaved *sessions.Session[Value] // from OfHeaderOrCreate, not written yet
}

// runManagerMachine runs the rapid state machine, one fresh Manager per
// sequence.
func runManagerMachine(t *testing.T, newManager func(*testing.T, func() time.Time) *sessions.Manager[Value], tr traits) {
	rapid.Check(t, func(rt *rapid.T) {
		clk := newClock(base)
		m := newManager(t, clk.Now)
		names := ownerNames()
		sm := &managerMachine{
			ctx: rt.Context(), clock: clk, m: m, cookie: m.Cookie(), traits: tr,
			owners: [2]string{names[0], names[1]}, model: newManagerModel(tr),
		}
		rt.Repeat(sm.actions())
	})
}

// actions returns the actions the store's traits allow, and the invariant
// check rapid runs after each.
func (sm *managerMachine) actions() map[string]func(*rapid.T) {
	a := map[string]func(*rapid.T){
		"":             sm.check,
		"Generate":     sm.generate,
		"OfKeyUnknown": sm.ofKeyUnknown,
		"OfHeader":     sm.ofHeader,
		"Set":          sm.set,
		"Update":       sm.update,
		"Touch":        sm.touch,
		"Renew":        sm.renew,
		"Clear":        sm.clear,
		"Advance":      sm.advance,
	}
	if sm.traits.listsOwners {
		a["Sessions"] = sm.sessions
	}
	if sm.traits.clearsOwners {
		a["ClearOwner"] = sm.clearOwner
	}
	if sm.traits.clearsOwned {
		a["ClearOwned"] = sm.clearOwned
	}
	return a
}

// maxCheckedDead bounds how many dead tokens the invariant check opens
// after each action, newest first, to keep sequences fast; older ones
// still turn up in cookies and writes.
const maxCheckedDead = 8

// check is the invariant: every live session opens as the model has it,
// no two share a token, and recently dead tokens stay dead.
func (sm *managerMachine) check(t *rapid.T) {
	tokens := make(map[string]bool, len(sm.model.live))
	for _, l := range sm.model.live {
		if tokens[l.token] {
			t.Fatalf("two live sessions share a token (one is ID %s)", l.want.ID.Short())
		}
		tokens[l.token] = true
		s, err := sm.m.OfKey(sm.ctx, l.token)
		if err != nil {
			t.Fatalf("OfKey of live session %s at %v: %v", l.want.ID.Short(), sm.clock.Now(), err)
		}
		sm.loaded(t, "OfKey", s, l)
		scribble(s.Value())
	}
	dead := sm.model.dead[max(0, len(sm.model.dead)-maxCheckedDead):]
	for _, d := range dead {
		sm.stayedDead(t, d)
	}
}

// stayedDead fails the sequence if d's token opens.
func (sm *managerMachine) stayedDead(t *rapid.T, d corpse) {
	t.Helper()
	_, err := sm.m.OfKey(sm.ctx, d.token)
	if !errors.Is(err, sessions.ErrNotFound) || errors.Is(err, sessions.ErrBackend) {
		t.Fatalf("OfKey of a token whose session was %s (ID %s) at %v: %v, want ErrNotFound", d.why, d.id.Short(), sm.clock.Now(), err)
	}
}

// loaded checks a session a read returned for l.
func (sm *managerMachine) loaded(t *rapid.T, call string, s sessions.Session[Value], l *lineage) {
	t.Helper()
	if s.Modified() || s.IsNew() || s.Cleared() || s.Token() != l.token {
		t.Fatalf("%s returned %v, want session %s unmodified under its current token", call, s, l.want.ID.Short())
	}
	if d := diffSession(s, l.want); d != "" {
		t.Fatalf("%s of session %s at %v: %s", call, l.want.ID.Short(), sm.clock.Now(), d)
	}
	if limit := s.CreatedAt().Add(lifetime); s.ExpiresAt().After(limit) {
		t.Fatalf("%s: session %s expires at %v, past its absolute deadline %v", call, l.want.ID.Short(), s.ExpiresAt(), limit)
	}
	sm.headers(t, call, s)
}

// written checks a session a write returned: stored, modified, holding
// want, with headers that set its cookie.
func (sm *managerMachine) written(t *rapid.T, call string, s sessions.Session[Value], err error, want expected) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s at %v: %v", call, sm.clock.Now(), err)
	}
	if !s.Modified() || s.IsNew() || s.Cleared() || s.Token() == "" {
		t.Fatalf("%s returned %v, want a stored, modified session", call, s)
	}
	if d := diffSession(s, want); d != "" {
		t.Fatalf("%s at %v: %s", call, sm.clock.Now(), d)
	}
	sm.headers(t, call, s)
}

func (sm *managerMachine) headers(t *rapid.T, call string, s sessions.Session[Value]) {
	t.Helper()
	if err := checkHeaders(sm.m, s, sm.clock.Now()); err != nil {
		t.Fatalf("%s: headers: %v", call, err)
	}
}

// failed checks that a call failed with want, and with no store failure.
func (sm *managerMachine) failed(t *rapid.T, call string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) || errors.Is(err, sessions.ErrBackend) {
		t.Fatalf("%s at %v: got %v, want %v", call, sm.clock.Now(), err, want)
	}
}

func (sm *managerMachine) must(t *rapid.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("at %v: %v", sm.clock.Now(), err)
	}
}

// drawOwner draws an owner, or none if withNone.
func (sm *managerMachine) drawOwner(t *rapid.T, withNone bool) string {
	names := []string{sm.owners[0], sm.owners[1]}
	if withNone {
		names = append(names, "")
	}
	return names[rapid.IntRange(0, len(names)-1).Draw(t, "owner")]
}

// drawPersistence draws whether to pass WithPersistent, and what.
func (sm *managerMachine) drawPersistence(t *rapid.T, current bool, opts []sessions.SessionOption) (bool, []sessions.SessionOption) {
	if !rapid.Bool().Draw(t, "set persistence") {
		return current, opts
	}
	p := rapid.Bool().Draw(t, "persistent")
	return p, append(opts, sessions.WithPersistent(p))
}

// target is a session a write starts from: the current session of a live
// lineage, an earlier one of a lower version, one whose token died, or
// an unsaved one.
type target struct {
	kind string
	l    *lineage
	s    sessions.Session[Value]
	why  string
}

const (
	targetLive    = "live"
	targetStale   = "stale"
	targetDead    = "dead"
	targetUnsaved = "unsaved"
)

// drawTarget draws a session to write from. Stale sessions are drawn only
// from stores that keep the token across writes, where the stale
// session's token is the current one and its version is behind.
func (sm *managerMachine) drawTarget(t *rapid.T) target {
	var stale []*lineage
	if !sm.traits.carriesRecord {
		for _, l := range sm.model.live {
			if len(l.stale) > 0 {
				stale = append(stale, l)
			}
		}
	}
	dead := sm.model.writable()
	var kinds []string
	for kind, ok := range map[string]bool{
		targetLive: len(sm.model.live) > 0, targetStale: len(stale) > 0,
		targetDead: len(dead) > 0, targetUnsaved: sm.unsaved != nil,
	} {
		if ok {
			kinds = append(kinds, kind)
		}
	}
	if len(kinds) == 0 {
		t.Skip("no session to write from")
	}
	slices.Sort(kinds) // map order is random; draws must replay
	switch kind := rapid.SampledFrom(kinds).Draw(t, "target"); kind {
	case targetLive:
		l := sm.model.live[rapid.IntRange(0, len(sm.model.live)-1).Draw(t, "session")]
		return target{kind: kind, l: l, s: l.last}
	case targetStale:
		l := stale[rapid.IntRange(0, len(stale)-1).Draw(t, "session")]
		return target{kind: kind, l: l, s: l.stale[rapid.IntRange(0, len(l.stale)-1).Draw(t, "stale session")]}
	case targetDead:
		d := dead[rapid.IntRange(0, len(dead)-1).Draw(t, "dead session")]
		return target{kind: kind, s: d.last, why: d.why}
	default:
		return target{kind: kind, s: *sm.unsaved}
	}
}

// freshWant returns what a session first stored now from an unsaved one
// holding v must hold.
func (sm *managerMachine) freshWant(v Value, owner string, persistent bool) expected {
	now := sm.clock.Now()
	return expected{Rec: record{
		Value: cloneValue(v), CreatedAt: now, ExpiresAt: deadline(now, now),
		Owner: owner, Version: 1, Persistent: persistent,
	}}
}

func (sm *managerMachine) generate(t *rapid.T) {
	v := valueGen.Draw(t, "value")
	owner := sm.drawOwner(t, true)
	opts := []sessions.SessionOption{sessions.WithOwner(owner)}
	persistent, opts := sm.drawPersistence(t, sm.cookie.Persistent, opts)
	want := sm.freshWant(v, owner, persistent)
	s, err := sm.m.Generate(sm.ctx, cloneValue(v), opts...)
	sm.written(t, "Generate", s, err, want)
	sm.must(t, sm.model.add(s, want))
}

// ofKeyUnknown opens a token no one issued: a random one, or a known one
// with a character changed.
func (sm *managerMachine) ofKeyUnknown(t *rapid.T) {
	token := randomToken()
	if pool := sm.model.definite(); len(pool) > 0 && rapid.Bool().Draw(t, "forge a known token") {
		token = forge(pool[rapid.IntRange(0, len(pool)-1).Draw(t, "token")])
	}
	if sm.model.issued[token] {
		t.Skip("the forgery is an issued token")
	}
	_, err := sm.m.OfKey(sm.ctx, token)
	sm.failed(t, "OfKey of a token no one issued", err, sessions.ErrNotFound)
	sm.model.forge(token)
}

// ofHeader sends one to three session cookies, live or dead, sometimes
// among unrelated cookies and over two header lines. Exactly one live
// session among them is the session; none or several is none.
func (sm *managerMachine) ofHeader(t *rapid.T) {
	pool := sm.model.definite()
	if len(pool) == 0 {
		t.Skip("no token to send")
	}
	var pairs []string
	var live []*lineage
	for range rapid.IntRange(1, 3).Draw(t, "session cookies") {
		token := pool[rapid.IntRange(0, len(pool)-1).Draw(t, "token")]
		pairs = append(pairs, sm.cookie.Name+"="+token)
		if l := sm.model.lineageOf(token); l != nil && !slices.Contains(live, l) {
			live = append(live, l)
		}
	}
	if rapid.Bool().Draw(t, "unrelated cookies") {
		pairs = append(append([]string{"theme=dark"}, pairs...), "lang=en-GB")
	}
	headers := []string{strings.Join(pairs, "; ")}
	if len(pairs) > 1 && rapid.Bool().Draw(t, "two header lines") {
		cut := rapid.IntRange(1, len(pairs)-1).Draw(t, "cut")
		headers = []string{strings.Join(pairs[:cut], "; "), strings.Join(pairs[cut:], "; ")}
	}
	var want *lineage
	if len(live) == 1 {
		want = live[0]
	}
	if rapid.Bool().Draw(t, "or create") {
		sm.ofHeaderOrCreate(t, headers, want)
		return
	}
	got, err := sm.m.OfHeader(sm.ctx, headers...)
	sm.must(t, err)
	s, ok := got.Get()
	switch {
	case want == nil && ok:
		t.Fatalf("OfHeader with %d live sessions among its cookies returned one", len(live))
	case want != nil && !ok:
		t.Fatalf("OfHeader with one live session among its cookies returned none")
	case ok:
		sm.loaded(t, "OfHeader", s, want)
	}
}

func (sm *managerMachine) ofHeaderOrCreate(t *rapid.T, headers []string, want *lineage) {
	def := valueGen.Draw(t, "default value")
	s, err := sm.m.OfHeaderOrCreate(sm.ctx, cloneValue(def), headers...)
	sm.must(t, err)
	if want != nil {
		sm.loaded(t, "OfHeaderOrCreate", s, want)
		return
	}
	checkUnsaved(t, s, def)
	sm.headers(t, "OfHeaderOrCreate", s)
	sm.unsaved = &s
}

func (sm *managerMachine) set(t *rapid.T) {
	tg := sm.drawTarget(t)
	v := valueGen.Draw(t, "value")
	s, err := sm.m.Set(sm.ctx, tg.s, cloneValue(v))
	sm.afterWrite(t, "Set", tg, s, err, func(Value) Value { return cloneValue(v) })
}

func (sm *managerMachine) update(t *rapid.T) {
	tg := sm.drawTarget(t)
	s, err := sm.m.Update(sm.ctx, tg.s, increment)
	sm.afterWrite(t, "Update", tg, s, err, mustIncrement)
}

// afterWrite checks the outcome of a Set or Update from tg that stores
// value(stored value). A stale Set conflicts; a stale Update retries on
// the stored value and succeeds.
func (sm *managerMachine) afterWrite(t *rapid.T, call string, tg target, s sessions.Session[Value], err error, value func(Value) Value) {
	switch {
	case tg.kind == targetDead:
		sm.failed(t, call+" of a session that was "+tg.why, err, sessions.ErrNotFound)
	case tg.kind == targetUnsaved:
		want := sm.freshWant(value(tg.s.Value()), "", tg.s.Persistent())
		sm.written(t, call+" of an unsaved session", s, err, want)
		sm.must(t, sm.model.add(s, want))
		sm.unsaved = nil
	case tg.kind == targetStale && call == "Set":
		sm.failed(t, "Set from a stale session", err, sessions.ErrConflict)
	default:
		want := tg.l.want
		want.Rec.Value = value(want.Rec.Value)
		want.Rec.Version++
		want.Rec.ExpiresAt = deadline(want.Rec.CreatedAt, sm.clock.Now())
		sm.written(t, call, s, err, want)
		sm.must(t, sm.model.rewrite(tg.l, s, want))
	}
}

// touch loads a live session, as a request would, and touches it: it
// writes exactly when the touch interval has passed.
func (sm *managerMachine) touch(t *rapid.T) {
	if len(sm.model.live) == 0 {
		t.Skip("no live session")
	}
	l := sm.model.live[rapid.IntRange(0, len(sm.model.live)-1).Draw(t, "session")]
	s, err := sm.m.OfKey(sm.ctx, l.token)
	sm.must(t, err)
	sm.loaded(t, "OfKey", s, l)
	due := touchDue(l.want.Rec, sm.clock.Now())
	next, err := sm.m.Touch(sm.ctx, s)
	sm.must(t, err)
	if !due {
		if next.Modified() || next.Token() != l.token || diffSession(next, l.want) != "" {
			t.Fatalf("Touch before the touch interval passed wrote: %v", next)
		}
		sm.headers(t, "Touch", next)
		return
	}
	want := l.want
	want.Rec.ExpiresAt = deadline(want.Rec.CreatedAt, sm.clock.Now())
	if next.Version() == want.Rec.Version+1 {
		want.Rec.Version++ // a store without Toucher is touched by Replace
	}
	sm.written(t, "Touch", next, nil, want)
	sm.must(t, sm.model.rewrite(l, next, want))
}

func (sm *managerMachine) renew(t *rapid.T) {
	tg := sm.drawTarget(t)
	owner, persistent := "", tg.s.Persistent()
	if tg.l != nil {
		owner, persistent = tg.l.want.Rec.Owner, tg.l.want.Rec.Persistent
	}
	var opts []sessions.SessionOption
	if rapid.Bool().Draw(t, "set owner") {
		owner = sm.drawOwner(t, true)
		opts = append(opts, sessions.WithOwner(owner))
	}
	persistent, opts = sm.drawPersistence(t, persistent, opts)
	s, err := sm.m.Renew(sm.ctx, tg.s, opts...)
	switch tg.kind {
	case targetDead:
		sm.failed(t, "Renew of a session that was "+tg.why, err, sessions.ErrNotFound)
	case targetUnsaved:
		want := sm.freshWant(tg.s.Value(), owner, persistent)
		sm.written(t, "Renew of an unsaved session", s, err, want)
		sm.must(t, sm.model.add(s, want))
		sm.unsaved = nil
	default:
		want := expected{Rec: tg.l.want.Rec}
		want.Rec.Owner, want.Rec.Persistent, want.Rec.Version = owner, persistent, 1
		want.Rec.ExpiresAt = deadline(want.Rec.CreatedAt, sm.clock.Now())
		sm.written(t, "Renew", s, err, want)
		if s.ID() == tg.l.want.ID {
			t.Fatalf("Renew kept the session's ID %s", s.ID().Short())
		}
		sm.model.kill(tg.l, "renewed", sm.traits.revokesRenewed)
		sm.must(t, sm.model.add(s, want))
	}
}

func (sm *managerMachine) clear(t *rapid.T) {
	tg := sm.drawTarget(t)
	s, err := sm.m.Clear(sm.ctx, tg.s)
	sm.must(t, err)
	if !s.Cleared() || !s.Modified() || s.Token() != "" {
		t.Fatalf("Clear returned %v, want a cleared, modified session without a token", s)
	}
	sm.headers(t, "Clear", s)
	switch tg.kind {
	case targetLive, targetStale:
		sm.model.kill(tg.l, "cleared", sm.traits.revokesCleared)
	case targetUnsaved:
		sm.unsaved = nil
	}
}

func (sm *managerMachine) sessions(t *rapid.T) {
	owner := sm.drawOwner(t, false)
	got, err := sm.m.Sessions(sm.ctx, owner)
	sm.must(t, err)
	if err := sm.model.checkListing(owner, got); err != nil {
		t.Fatalf("Sessions at %v: %v", sm.clock.Now(), err)
	}
	for _, e := range got {
		scribble(e.Record.Value)
	}
}

// clearOwner clears an owner's sessions, keeping none, one of theirs or
// another owner's. A store that keeps records on the server reports at
// least the live sessions it deleted and at most those plus the owner's
// expired ones it may still hold.
func (sm *managerMachine) clearOwner(t *rapid.T) {
	owner := sm.drawOwner(t, false)
	owned := sm.model.owned(owner)
	var keep sessions.ID
	switch kind := rapid.IntRange(0, 2).Draw(t, "keep"); {
	case kind == 1 && len(owned) > 0:
		keep = owned[rapid.IntRange(0, len(owned)-1).Draw(t, "kept session")].want.ID
	case kind == 2 && len(sm.model.live) > 0:
		keep = sm.model.live[rapid.IntRange(0, len(sm.model.live)-1).Draw(t, "kept session")].want.ID
	}
	n, err := sm.m.ClearOwner(sm.ctx, owner, keep)
	sm.must(t, err)
	deleted := 0
	for _, l := range owned {
		if l.want.ID != keep {
			sm.model.kill(l, "cleared with its owner", true)
			deleted++
		}
	}
	if expired := sm.model.expiredOwned[owner]; !sm.traits.carriesRecord && (n < deleted || n > deleted+expired) {
		t.Fatalf("ClearOwner reported %d deletions, want %d live sessions plus at most %d expired ones", n, deleted, expired)
	}
	sm.model.expiredOwned[owner] = 0
}

// clearOwned clears a session by ID for an owner, who may or may not own
// it; the ID may be live, dead or unknown.
func (sm *managerMachine) clearOwned(t *rapid.T) {
	owner := sm.drawOwner(t, true)
	id := newID()
	dead := sm.model.dead
	switch kind := rapid.IntRange(0, 2).Draw(t, "session kind"); {
	case kind == 0 && len(sm.model.live) > 0:
		id = sm.model.live[rapid.IntRange(0, len(sm.model.live)-1).Draw(t, "session")].want.ID
	case kind == 1 && len(dead) > 0:
		id = dead[rapid.IntRange(0, len(dead)-1).Draw(t, "dead session")].id
	}
	l := sm.model.byID(id)
	err := sm.m.ClearOwned(sm.ctx, owner, id)
	if l == nil || owner == "" || l.want.Rec.Owner != owner {
		sm.failed(t, "ClearOwned of a session the owner has not", err, sessions.ErrNotFound)
		return
	}
	sm.must(t, err)
	sm.model.kill(l, "cleared by ID", true)
}

// advance moves the clock: a little, a lot, or to an instant where
// off-by-one bugs show: a deadline, the instant a touch falls due, or the
// millisecond before either.
func (sm *managerMachine) advance(t *rapid.T) {
	now := sm.clock.Now()
	var edges []time.Time
	for _, l := range sm.model.live {
		due := l.want.Rec.ExpiresAt.Add(touchInterval - idleTimeout)
		for _, e := range []time.Time{l.want.Rec.ExpiresAt, due} {
			if e.After(now) {
				edges = append(edges, e)
			}
		}
	}
	switch kind := rapid.IntRange(0, 3).Draw(t, "advance kind"); {
	case kind == 0:
		sm.clock.Advance(time.Duration(rapid.IntRange(0, maxSmallAdvance).Draw(t, "small advance ms")) * time.Millisecond)
	case kind == 1 || len(edges) == 0:
		sm.clock.Advance(drawSpan(t, "advance", 0, 10))
	case kind == 2:
		sm.clock.Advance(drawSpan(t, "long advance", 10, 90))
	default:
		edge := edges[rapid.IntRange(0, len(edges)-1).Draw(t, "edge")]
		if rapid.Bool().Draw(t, "just before") && edge.Sub(now) > time.Millisecond {
			edge = edge.Add(-time.Millisecond)
		}
		sm.clock.Set(edge)
	}
	sm.model.expire(sm.clock.Now())
}
