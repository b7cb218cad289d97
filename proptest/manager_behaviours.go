package proptest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/typedsession/sessions"
)

var managerBehaviours = []managerBehaviour{
	{"generate stores a modified session at version 1 that OfKey finds", func(f *managerFixture) {
		s, err := f.m.Generate(f.ctx, val(1))
		s = f.stored("Generate", s, err, f.want(val(1), f.now(), 1))
		f.fresh("Generate", s.Token())
		o := f.generate(val(2), f.owners[0], !f.m.Cookie().Persistent)
		if o.ID() == s.ID() {
			f.t.Fatal("two sessions share an ID")
		}
	}},
	{"values never alias what the store keeps", func(f *managerFixture) {
		v := val(1)
		s, err := f.m.Generate(f.ctx, v)
		s = f.stored("Generate", s, err, f.want(val(1), f.now(), 1))
		scribble(v)
		got := f.open(s.Token(), f.want(val(1), f.now(), 1))
		scribble(got.Value())
		f.open(s.Token(), f.want(val(1), f.now(), 1))
	}},
	{"OfKey returns an unmodified session and writes nothing", func(f *managerFixture) {
		s := f.generate(val(1), "", false)
		f.clock.Advance(10 * time.Minute)
		f.reopen(s) // ExpiresAt and version as generated: reading wrote nothing
		f.reopen(s)
		got, err := f.m.OfHeader(f.ctx, f.cookie(s.Token()))
		if l, ok := got.Get(); err != nil || !ok || l.Modified() || diffSession(l, expectedOf(s)) != "" {
			f.t.Fatalf("OfHeader = %s, %v, want the stored session, unmodified", describeOption(got), err)
		}
		l, err := f.m.OfHeaderOrCreate(f.ctx, val(9), f.cookie(s.Token()))
		if err != nil || l.IsNew() || l.Modified() || diffSession(l, expectedOf(s)) != "" {
			f.t.Fatalf("OfHeaderOrCreate = %v, %v, want the stored session, unmodified", l, err)
		}
		f.headers("OfHeaderOrCreate", l)
		f.reopen(s)
	}},
	{"OfHeaderOrCreate without a session cookie returns an unsaved session", func(f *managerFixture) {
		f.unsaved(val(1))
		f.unsaved(val(2), "")
		f.unsaved(val(3), "theme=dark; lang=en-GB", "tz=UTC")
		f.unsaved(val(4), f.m.Cookie().Name+"=")
		got, err := f.m.OfHeader(f.ctx, "theme=dark")
		if err != nil || got.IsPresent() {
			f.t.Fatalf("OfHeader without a session cookie = %s, %v, want None", describeOption(got), err)
		}
	}},
	{"a forged or stale cookie never becomes a session and creates nothing", func(f *managerFixture) {
		expired := f.generate(val(1), "", false)
		f.clock.Advance(idleTimeout)
		live := f.generate(val(2), "", false)
		forged := forge(live.Token())
		for _, c := range []struct{ what, token string }{
			{"a forged token", forged}, {"an expired token", expired.Token()}, {"a random token", randomToken()},
		} {
			f.unsaved(val(3), f.cookie(c.token))
			f.unsaved(val(3), f.cookie(c.token), f.cookie(forge(c.token)))
			f.gone(c.what, c.token)
		}
		got, err := f.m.OfHeader(f.ctx, f.cookie(forged), f.cookie(live.Token()), f.cookie(expired.Token()))
		if s, ok := got.Get(); err != nil || !ok || s.Token() != live.Token() {
			f.t.Fatalf("OfHeader with a forged, a live and an expired cookie = %s, %v, want the live session", describeOption(got), err)
		}
		f.reopen(live)
	}},
	{"the first write stores an unsaved session under a fresh token", func(f *managerFixture) {
		for _, op := range []struct {
			name  string
			write func(sessions.Session[Value]) (sessions.Session[Value], error)
			want  Value
		}{
			{"Set", func(s sessions.Session[Value]) (sessions.Session[Value], error) { return f.m.Set(f.ctx, s, val(2)) }, val(2)},
			{"Update", func(s sessions.Session[Value]) (sessions.Session[Value], error) {
				return f.m.Update(f.ctx, s, increment)
			}, mustIncrement(val(1))},
			{"Renew", func(s sessions.Session[Value]) (sessions.Session[Value], error) { return f.m.Renew(f.ctx, s) }, val(1)},
		} {
			f.clock.Advance(time.Minute)
			u := f.unsaved(val(1), f.cookie(randomToken()))
			s, err := op.write(u)
			s = f.stored(op.name+" of an unsaved session", s, err, f.want(op.want, f.now(), 1))
			f.fresh(op.name, s.Token())
		}
	}},
	{"Set stores the value, bumps the version and slides the idle deadline", func(f *managerFixture) {
		s := f.generate(val(1), f.owners[0], true)
		f.clock.Advance(5 * time.Minute)
		s = f.set(s, val(2))
		f.clock.Advance(idleTimeout - time.Millisecond)
		s = f.set(s, val(3))
		if s.Version() != 3 {
			f.t.Fatalf("version %d after two Sets, want 3", s.Version())
		}
	}},
	{"Set from a stale session is a conflict and changes nothing", func(f *managerFixture) {
		f.require(f.traits.detectsConflicts, skipConflicts)
		s := f.generate(val(1), "", false)
		f.clock.Advance(time.Minute)
		won := f.set(s, val(2))
		_, err := f.m.Set(f.ctx, s, val(3))
		f.fails("Set from a stale session", err, sessions.ErrConflict)
		f.reopen(won)
	}},
	{"Update from a stale session applies the function to the stored value", func(f *managerFixture) {
		f.require(f.traits.detectsConflicts, skipConflicts)
		s := f.generate(val(1), "", false)
		won := f.set(s, val(2))
		want := expectedOf(won)
		want.Rec.Value, want.Rec.Version = mustIncrement(val(2)), 3
		got, err := f.m.Update(f.ctx, s, increment)
		f.stored("Update from a stale session", got, err, want)
	}},
	{"concurrent Updates lose nothing", func(f *managerFixture) {
		f.require(f.traits.detectsConflicts, skipConflicts)
		const writers = 8
		s := f.generate(val(0), "", false)
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for i := range writers {
			wg.Go(func() { _, errs[i] = f.m.Update(f.ctx, s, increment) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			f.t.Fatalf("concurrent Updates: %v", err)
		}
		got, err := f.m.OfKey(f.ctx, s.Token())
		if err != nil {
			f.t.Fatalf("OfKey: %v", err)
		}
		if got.Value().Counter != writers || got.Version() != writers+1 {
			f.t.Fatalf("after %d concurrent Updates: counter %d at version %d, want %d at version %d",
				writers, got.Value().Counter, got.Version(), writers, writers+1)
		}
	}},
	{"Update whose function fails writes nothing", func(f *managerFixture) {
		s := f.generate(val(1), "", false)
		boom := errors.New("boom")
		_, err := f.m.Update(f.ctx, s, func(v Value) (Value, error) { v.Counter = 99; return v, boom })
		f.fails("Update whose function fails", err, boom)
		f.reopen(s)
	}},
	{"Touch writes only when the touch interval has passed", func(f *managerFixture) {
		s := f.generate(val(1), "", false)
		f.clock.Advance(touchInterval)
		s = f.touch(f.reopen(s))
		if s.Modified() {
			f.t.Fatal("Touch wrote when exactly the touch interval had passed")
		}
		f.clock.Advance(time.Millisecond)
		s = f.touch(f.reopen(s))
		if !s.Modified() {
			f.t.Fatal("Touch did not write once the touch interval had passed")
		}
		f.clock.Advance(time.Minute)
		s = f.touch(f.reopen(s))
		if s.Modified() {
			f.t.Fatal("Touch wrote a minute after the last touch")
		}
		u, err := f.m.Touch(f.ctx, f.unsaved(val(1)))
		if err != nil || !u.IsNew() || u.Modified() {
			f.t.Fatalf("Touch of an unsaved session = %v, %v, want it unchanged", u, err)
		}
	}},
	{"nothing extends the absolute deadline", func(f *managerFixture) {
		s := f.generate(val(0), f.owners[0], true)
		limit := s.CreatedAt().Add(lifetime)
		// Steps below the idle timeout keep the session alive with each
		// kind of write, until the absolute deadline ends it.
		step := idleTimeout - idleTimeout/6
		for i := 0; f.now().Add(step).Before(limit); i++ {
			f.clock.Advance(step)
			switch i % 3 {
			case 0:
				s = f.touch(f.reopen(s))
			case 1:
				s = f.set(s, val(i))
			default:
				s = f.renew(s, s.Value())
			}
		}
		// A minute before the deadline, not a millisecond: a real server
		// expires the key after ExpiresAt − now of real time, which must
		// outlast the reopen below.
		f.clock.Set(limit.Add(-time.Minute))
		s = f.set(s, val(-1))
		if !s.ExpiresAt().Equal(limit) {
			f.t.Fatalf("a Set a minute before the absolute deadline: expires at %v, want %v", s.ExpiresAt(), limit)
		}
		s = f.touch(f.reopen(s))
		f.clock.Set(limit)
		f.gone("a session at its absolute deadline", s.Token())
		_, err := f.m.Set(f.ctx, s, val(1))
		f.notFound("Set at the absolute deadline", err)
		_, err = f.m.Update(f.ctx, s, increment)
		f.notFound("Update at the absolute deadline", err)
		_, err = f.m.Renew(f.ctx, s)
		f.notFound("Renew at the absolute deadline", err)
	}},
	{"an expired session stays dead", func(f *managerFixture) {
		s := f.generate(val(1), "", true)
		f.clock.Advance(idleTimeout - time.Millisecond)
		loaded := f.reopen(s)
		f.clock.Advance(time.Millisecond)
		f.gone("a session at its idle deadline", s.Token())
		_, err := f.m.Set(f.ctx, loaded, val(2))
		f.notFound("Set of an expired session", err)
		_, err = f.m.Update(f.ctx, loaded, increment)
		f.notFound("Update of an expired session", err)
		_, err = f.m.Touch(f.ctx, loaded)
		f.notFound("Touch of an expired session", err)
		_, err = f.m.Renew(f.ctx, loaded)
		f.notFound("Renew of an expired session", err)
		f.gone("an expired session after writes", s.Token())
	}},
	{"Renew keeps CreatedAt and the stored value under a new token", func(f *managerFixture) {
		s := f.generate(val(1), f.owners[0], true)
		f.clock.Advance(time.Minute)
		written := f.set(s, val(2))
		// A session read before the write holds an older value than the
		// store; Renew must keep the stored one. A store that carries the
		// record in the token has no other copy than the token's.
		from := s
		if f.traits.carriesRecord {
			from = written
		}
		f.clock.Advance(time.Minute)
		f.renew(from, val(2))
	}},
	{"Renew applies WithOwner and WithPersistent", func(f *managerFixture) {
		s := f.generate(val(1), f.owners[0], false)
		want := expectedOf(s)
		want.ID = sessions.ID{}
		want.Rec.Owner, want.Rec.Persistent = f.owners[1], true
		next, err := f.m.Renew(f.ctx, s, sessions.WithOwner(f.owners[1]), sessions.WithPersistent(true))
		next = f.stored("Renew with an owner", next, err, want)
		f.clock.Advance(time.Minute)
		next = f.renew(next, val(1)) // keeps both
		want.Rec.Owner, want.Rec.ExpiresAt = "", deadline(s.CreatedAt(), f.now())
		got, err := f.m.Renew(f.ctx, next, sessions.WithOwner(""))
		f.stored("Renew without an owner", got, err, want)
	}},
	{"Renew kills the old token", func(f *managerFixture) {
		f.require(f.traits.revokesRenewed, skipRenewed)
		s := f.generate(val(1), "", false)
		next := f.renew(s, val(1))
		f.gone("the token Renew replaced", s.Token())
		_, err := f.m.Set(f.ctx, s, val(2))
		f.notFound("Set of the session Renew replaced", err)
		_, err = f.m.Renew(f.ctx, s)
		f.notFound("a second Renew of the same session", err)
		f.gone("the token Renew replaced", s.Token())
		f.reopen(next)
	}},
	{"Clear returns a cleared, modified session whose headers expire the cookie", func(f *managerFixture) {
		s := f.generate(val(1), "", true)
		for _, c := range []struct {
			what string
			s    sessions.Session[Value]
		}{
			{"a live session", s}, {"the same session again", s}, {"an unsaved session", f.unsaved(val(1))},
		} {
			got, err := f.m.Clear(f.ctx, c.s)
			if err != nil {
				f.t.Fatalf("Clear of %s: %v", c.what, err)
			}
			if !got.Cleared() || !got.Modified() || got.Token() != "" {
				f.t.Fatalf("Clear of %s returned %v, want a cleared, modified session without a token", c.what, got)
			}
			f.headers("Clear of "+c.what, got)
			again, err := f.m.Clear(f.ctx, got)
			if err != nil || !again.Cleared() {
				f.t.Fatalf("Clear of the cleared session = %v, %v, want it cleared again", again, err)
			}
		}
		if err := checkClearHeaders(f.m, f.now()); err != nil {
			f.t.Fatal(err)
		}
	}},
	{"a cleared token stays dead", func(f *managerFixture) {
		f.require(f.traits.revokesCleared, skipCleared)
		s := f.generate(val(1), "", false)
		loaded := f.reopen(s)
		if _, err := f.m.Clear(f.ctx, s); err != nil {
			f.t.Fatalf("Clear: %v", err)
		}
		f.gone("a cleared token", s.Token())
		f.unsaved(val(2), f.cookie(s.Token()))
		_, err := f.m.Set(f.ctx, loaded, val(2))
		f.notFound("Set of a cleared session", err)
		_, err = f.m.Update(f.ctx, loaded, increment)
		f.notFound("Update of a cleared session", err)
		_, err = f.m.Renew(f.ctx, loaded)
		f.notFound("Renew of a cleared session", err)
		f.clock.Advance(touchInterval + time.Millisecond)
		_, err = f.m.Touch(f.ctx, loaded)
		f.notFound("Touch of a cleared session", err)
		f.gone("a cleared token after writes", s.Token())
	}},
	{"a cancelled context reaches the store", func(f *managerFixture) {
		s := f.generate(val(1), "", false)
		_, err := f.m.OfKey(cancelled(f.ctx), s.Token())
		if err == nil && f.traits.carriesRecord {
			f.t.Skip("store opened a live token under a cancelled context: it opens tokens without I/O, so no store call can be seen")
		}
		if !errors.Is(err, sessions.ErrBackend) || !errors.Is(err, context.Canceled) {
			f.t.Fatalf("OfKey of a live session under a cancelled context: got %v, want ErrBackend wrapping context.Canceled: "+
				"a store must give up once its context is done, and the kit relies on it to see store calls", err)
		}
	}},
	{"malformed tokens are refused before any store call", func(f *managerFixture) {
		live := f.generate(val(1), "", false).Token()
		ctx := cancelled(f.ctx)
		for _, tc := range malformedTokens(live) {
			f.t.Run(tc.name, func(t *testing.T) {
				// A Manager that took the token to the store would get the
				// cancelled context's error back, not ErrNotFound.
				s, err := f.m.OfKey(ctx, tc.token)
				if !errors.Is(err, sessions.ErrNotFound) || errors.Is(err, sessions.ErrBackend) || errors.Is(err, context.Canceled) || s.Token() != "" {
					t.Fatalf("OfKey of a token with %s under a cancelled context: %v, want ErrNotFound without a store call", tc.name, err)
				}
				if !tc.inHeader {
					return
				}
				got, err := f.m.OfHeader(ctx, f.cookie(tc.token))
				if err != nil || got.IsPresent() {
					t.Fatalf("OfHeader of a cookie with %s under a cancelled context: %s, %v, want None without a store call", tc.name, describeOption(got), err)
				}
				u, err := f.m.OfHeaderOrCreate(ctx, val(2), f.cookie(tc.token))
				if err != nil {
					t.Fatalf("OfHeaderOrCreate of a cookie with %s under a cancelled context: %v, want an unsaved session", tc.name, err)
				}
				checkUnsaved(t, u, val(2))
			})
		}
	}},
	{"a well-formed unknown token is not found and creates nothing", func(f *managerFixture) {
		live := f.generate(val(1), "", false)
		for _, c := range []struct{ what, token string }{
			{"a forged token", forge(live.Token())}, {"a random token", randomToken()},
		} {
			f.gone(c.what, c.token)
			got, err := f.m.OfHeader(f.ctx, f.cookie(c.token))
			if err != nil || got.IsPresent() {
				f.t.Fatalf("OfHeader of %s = %s, %v, want None", c.what, describeOption(got), err)
			}
			u := f.unsaved(val(2), f.cookie(c.token))
			f.gone(c.what+" after OfHeaderOrCreate", c.token)
			s, err := f.m.Set(f.ctx, u, val(3))
			s = f.stored("Set of the unsaved session", s, err, f.want(val(3), f.now(), 1))
			f.fresh("Set of the unsaved session", s.Token())
			f.gone(c.what+" after storing a session", c.token)
		}
		f.reopen(live)
	}},
	{"Set-Cookie headers parse and carry the configured attributes", func(f *managerFixture) {
		for _, persistent := range []bool{false, true} {
			s := f.generate(val(1), "", persistent) // each helper checks the headers
			f.clock.Advance(touchInterval + 1500*time.Millisecond)
			s = f.touch(f.reopen(s))
			f.clock.Advance(2*time.Minute + 1700*time.Millisecond)
			s = f.set(s, val(2))
			s = f.renew(s, val(2))
			c, err := f.m.Clear(f.ctx, s)
			if err != nil {
				f.t.Fatalf("Clear: %v", err)
			}
			f.headers("Clear", c)
		}
		if err := checkClearHeaders(f.m, f.now()); err != nil {
			f.t.Fatal(err)
		}
	}},
	{"a cookie jar sends the session cookie back", jarRoundTrip},
	{"Sessions lists an owner's live sessions newest first", func(f *managerFixture) {
		f.require(f.traits.listsOwners, skipSessions)
		o := f.owners[0]
		a := f.generate(val(1), o, false)
		f.clock.Advance(time.Minute)
		b := f.generate(val(2), o, true)
		c := f.generate(val(3), f.owners[1], false)
		f.generate(val(4), "", false)
		f.listed(o, b, a)
		f.listed(f.owners[1], c)
		f.listed(f.owners[2])
		f.listed("")
		if _, err := f.m.Clear(f.ctx, b); err != nil {
			f.t.Fatalf("Clear: %v", err)
		}
		f.listed(o, a)
		f.clock.Set(a.ExpiresAt())
		f.listed(o)
	}},
	{"ClearOwner clears every session of the owner but the kept one", func(f *managerFixture) {
		f.require(f.traits.clearsOwners, skipClearOwnr)
		o := f.owners[0]
		a, b, c := f.generate(val(1), o, false), f.generate(val(2), o, false), f.generate(val(3), o, true)
		other, unowned := f.generate(val(4), f.owners[1], false), f.generate(val(5), "", false)
		f.clearOwner(o, b.ID(), 2)
		f.gone("a session of a cleared owner", a.Token())
		f.gone("a session of a cleared owner", c.Token())
		f.reopen(b)
		f.reopen(other)
		f.reopen(unowned)
		f.clearOwner(o, sessions.ID{}, 1)
		f.gone("the kept session of an owner cleared again", b.Token())
		f.reopen(other)
	}},
	{"ClearOwned clears a session only for its owner", func(f *managerFixture) {
		f.require(f.traits.clearsOwned, skipClearOwnd)
		a, b := f.generate(val(1), f.owners[0], false), f.generate(val(2), f.owners[1], false)
		unowned := f.generate(val(3), "", false)
		f.notFound("ClearOwned by another owner", f.m.ClearOwned(f.ctx, f.owners[1], a.ID()))
		f.notFound("ClearOwned of an unowned session", f.m.ClearOwned(f.ctx, "", unowned.ID()))
		f.notFound("ClearOwned of an unowned session", f.m.ClearOwned(f.ctx, f.owners[0], unowned.ID()))
		f.notFound("ClearOwned of the zero ID", f.m.ClearOwned(f.ctx, f.owners[0], sessions.ID{}))
		f.reopen(a)
		f.reopen(unowned)
		if err := f.m.ClearOwned(f.ctx, f.owners[0], a.ID()); err != nil {
			f.t.Fatalf("ClearOwned by the owner: %v", err)
		}
		f.gone("a session cleared by ID", a.Token())
		f.notFound("ClearOwned of a cleared session", f.m.ClearOwned(f.ctx, f.owners[0], a.ID()))
		f.reopen(b)
	}},
}

// listed fails the test unless Sessions(owner) lists exactly want, in
// order.
func (f *managerFixture) listed(owner string, want ...sessions.Session[Value]) {
	f.t.Helper()
	got, err := f.m.Sessions(f.ctx, owner)
	if err != nil {
		f.t.Fatalf("Sessions: %v", err)
	}
	if len(got) != len(want) {
		f.t.Fatalf("Sessions at %v: %d sessions, want %d", f.now(), len(got), len(want))
	}
	for i, s := range want {
		if got[i].ID != s.ID() {
			f.t.Fatalf("Sessions: entry %d is ID %s, want %s (newest first)", i, got[i].ID.Short(), s.ID().Short())
		}
		if d := diffRecord(got[i].Record, recordOf(s)); d != "" {
			f.t.Fatalf("Sessions: entry %d: %s", i, d)
		}
	}
}

// clearOwner runs ClearOwner, which must succeed; a store that keeps
// records on the server must report how many it deleted.
func (f *managerFixture) clearOwner(owner string, keep sessions.ID, want int) {
	f.t.Helper()
	n, err := f.m.ClearOwner(f.ctx, owner, keep)
	if err != nil {
		f.t.Fatalf("ClearOwner: %v", err)
	}
	if !f.traits.carriesRecord && n != want {
		f.t.Fatalf("ClearOwner: deleted %d, want %d", n, want)
	}
}

// malformedToken is a token no store can have issued.
type malformedToken struct {
	name     string
	token    string
	inHeader bool // whether it stays one cookie value in a Cookie header
}

// malformedTokens returns tokens no store can have issued, most derived
// from a live one so that only the flaw sets them apart: each is empty,
// longer than any cookie, or holds a byte no cookie value may hold, while
// every token the Manager issues goes into a Set-Cookie header.
func malformedTokens(live string) []malformedToken {
	mid := len(live) / 2
	with := func(s string) string { return live[:mid] + s + live[mid:] }
	ts := []malformedToken{
		{"nothing", "", true},
		{"5000 bytes", strings.Repeat("A", 5000), true},
		{"a semicolon", with(";"), false},
		{"only NUL bytes", strings.Repeat("\x00", len(live)), true},
		{"quotes around a live token", `"` + live + `"`, true},
	}
	for _, b := range []struct{ name, s string }{
		{"a space", " "}, {"a comma", ","}, {"a double quote", `"`}, {"a backslash", `\`},
		{"a NUL byte", "\x00"}, {"a DEL byte", "\x7f"}, {"non-UTF-8 bytes", "\xff\xfe"}, {"non-ASCII UTF-8", "é"},
	} {
		ts = append(ts, malformedToken{b.name, with(b.s), true})
	}
	return ts
}
