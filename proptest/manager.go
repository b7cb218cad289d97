package proptest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/samber/mo"
	"github.com/typedsession/sessions"
)

// TestManager checks that a [sessions.Manager] over the stores newManager
// builds keeps the lifecycle rules of the sessions package: server-side
// stores and token stores such as a sealed cookie store alike. What a
// store cannot do (list an owner's sessions, revoke a token it keeps no
// record of, see a concurrent write) is found by probing, and the checks
// that need it are skipped by name, with the reason.
//
// newManager is called once to probe the store, once per subtest and
// once per state-machine sequence. It must return a Manager over an
// empty store isolated from every other one it returned, built with
// sessions.WithClock(now) (for a store that takes a clock of its own,
// pass it the same now) and otherwise the default idle timeout, lifetime,
// touch interval and update attempts, which the kit's expectations are
// computed from. It may set a cookie configuration and an observer. The
// kit drives now. See the package documentation for what is checked.
func TestManager(t *testing.T, newManager func(t *testing.T, now func() time.Time) *sessions.Manager[Value]) {
	t.Helper()
	tr := probeTraits(t, newManager)
	t.Run("Manager", func(t *testing.T) {
		for _, bh := range managerBehaviours {
			t.Run(bh.name, func(t *testing.T) { bh.run(newManagerFixture(t, newManager, tr)) })
		}
	})
	t.Run("ManagerStateMachine", func(t *testing.T) { runManagerMachine(t, newManager, tr) })
	t.Run("ManagerSnapshots", func(t *testing.T) { runSnapshotMachine(t, newManager, tr) })
}

// A managerBehaviour is one row of the Manager kit's fixed table: a
// subtest named after the rule it checks.
type managerBehaviour struct {
	name string
	run  func(f *managerFixture)
}

// managerFixture is what one behaviour runs against: a fresh Manager on
// the kit's clock, what the probe found the store can do, and owner names
// no other run uses.
type managerFixture struct {
	t      *testing.T
	ctx    context.Context
	clock  *clock
	m      *sessions.Manager[Value]
	traits traits
	owners [3]string
	issued map[string]bool
}

func newManagerFixture(t *testing.T, newManager func(*testing.T, func() time.Time) *sessions.Manager[Value], tr traits) *managerFixture {
	clk := newClock(base)
	return &managerFixture{
		t: t, ctx: t.Context(), clock: clk, m: newManager(t, clk.Now),
		traits: tr, owners: ownerNames(), issued: make(map[string]bool),
	}
}

func (f *managerFixture) now() time.Time { return f.clock.Now() }

// require skips the behaviour, with the reason, if the store lacks what
// it needs.
func (f *managerFixture) require(has bool, reason string) {
	f.t.Helper()
	if !has {
		f.t.Skip(reason)
	}
}

// headers fails the test unless the headers for s follow the rules.
func (f *managerFixture) headers(call string, s sessions.Session[Value]) {
	f.t.Helper()
	if err := checkHeaders(f.m, s, f.now()); err != nil {
		f.t.Fatalf("%s: headers: %v", call, err)
	}
}

// fails fails the test unless err is, or wraps, want.
func (f *managerFixture) fails(call string, err, want error) {
	f.t.Helper()
	if !errors.Is(err, want) {
		f.t.Fatalf("%s: got %v, want %v", call, err, want)
	}
}

// notFound fails the test unless err is ErrNotFound and no store failure.
func (f *managerFixture) notFound(call string, err error) {
	f.t.Helper()
	if !errors.Is(err, sessions.ErrNotFound) || errors.Is(err, sessions.ErrBackend) {
		f.t.Fatalf("%s: got %v, want ErrNotFound", call, err)
	}
}

// want returns what a session created at created and written now must
// hold, with the Manager's default persistence.
func (f *managerFixture) want(v Value, created time.Time, version uint64) expected {
	return expected{Rec: record{
		Value: cloneValue(v), CreatedAt: created, ExpiresAt: deadline(created, f.now()),
		Version: version, Persistent: f.m.Cookie().Persistent,
	}}
}

// stored checks the outcome of a write that must have stored a session
// holding want under a token the Manager never handed out before: a
// modified session, headers that set its cookie, and OfKey finding it.
func (f *managerFixture) stored(call string, s sessions.Session[Value], err error, want expected) sessions.Session[Value] {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("%s: %v", call, err)
	}
	if !s.Modified() || s.IsNew() || s.Cleared() || s.Token() == "" || s.ID().IsZero() {
		f.t.Fatalf("%s returned %v, want a stored, modified session", call, s)
	}
	if d := diffSession(s, want); d != "" {
		f.t.Fatalf("%s: %s", call, d)
	}
	f.headers(call, s)
	f.open(s.Token(), expected{ID: s.ID(), Rec: want.Rec})
	return s
}

// fresh fails the test if token was handed out before in this fixture.
func (f *managerFixture) fresh(call, token string) {
	f.t.Helper()
	if f.issued[token] {
		f.t.Fatalf("%s handed out a token it had handed out before", call)
	}
	f.issued[token] = true
}

// generate stores a session holding v, with the given options, which must
// hold want's owner and persistence.
func (f *managerFixture) generate(v Value, owner string, persistent bool) sessions.Session[Value] {
	f.t.Helper()
	want := f.want(v, f.now(), 1)
	want.Rec.Owner, want.Rec.Persistent = owner, persistent
	s, err := f.m.Generate(f.ctx, cloneValue(v), sessions.WithOwner(owner), sessions.WithPersistent(persistent))
	s = f.stored("Generate", s, err, want)
	f.fresh("Generate", s.Token())
	return s
}

// open checks that OfKey finds token, unmodified, holding want.
func (f *managerFixture) open(token string, want expected) sessions.Session[Value] {
	f.t.Helper()
	s, err := f.m.OfKey(f.ctx, token)
	if err != nil {
		f.t.Fatalf("OfKey: %v", err)
	}
	if s.Modified() || s.IsNew() || s.Cleared() || s.Token() != token {
		f.t.Fatalf("OfKey returned %v, want the stored session, unmodified, under the token asked for", s)
	}
	if d := diffSession(s, want); d != "" {
		f.t.Fatalf("OfKey: %s", d)
	}
	if s.ExpiresAt().After(s.CreatedAt().Add(lifetime)) {
		f.t.Fatalf("OfKey: expires at %v, past the absolute deadline %v", s.ExpiresAt(), s.CreatedAt().Add(lifetime))
	}
	f.headers("OfKey", s)
	return s
}

// reopen checks that OfKey finds s as it is.
func (f *managerFixture) reopen(s sessions.Session[Value]) sessions.Session[Value] {
	f.t.Helper()
	return f.open(s.Token(), expectedOf(s))
}

// gone checks that OfKey of token is ErrNotFound.
func (f *managerFixture) gone(what, token string) {
	f.t.Helper()
	_, err := f.m.OfKey(f.ctx, token)
	f.notFound("OfKey of "+what, err)
}

// set writes v over s, which must succeed: the version grows by one, the
// idle deadline slides, and the token stays unless the store carries the
// record in it.
func (f *managerFixture) set(s sessions.Session[Value], v Value) sessions.Session[Value] {
	f.t.Helper()
	want := expectedOf(s)
	want.Rec.Value, want.Rec.Version = cloneValue(v), s.Version()+1
	want.Rec.ExpiresAt = deadline(s.CreatedAt(), f.now())
	next, err := f.m.Set(f.ctx, s, cloneValue(v))
	next = f.stored("Set", next, err, want)
	f.sameTokenUnlessCarried("Set", s, next)
	return next
}

// sameTokenUnlessCarried checks that a write kept the token, or, for a
// store that carries the record in the token, handed out a fresh one.
func (f *managerFixture) sameTokenUnlessCarried(call string, before, after sessions.Session[Value]) {
	f.t.Helper()
	if f.traits.carriesRecord {
		f.fresh(call, after.Token())
	} else if after.Token() != before.Token() {
		f.t.Fatalf("%s changed the token of a store that keeps tokens across writes", call)
	}
}

// renew renews s, which must succeed, keeping stored as the value.
func (f *managerFixture) renew(s sessions.Session[Value], stored Value) sessions.Session[Value] {
	f.t.Helper()
	want := expectedOf(s)
	want.ID = sessions.ID{}
	want.Rec.Value, want.Rec.Version = cloneValue(stored), 1
	want.Rec.ExpiresAt = deadline(s.CreatedAt(), f.now())
	next, err := f.m.Renew(f.ctx, s)
	next = f.stored("Renew", next, err, want)
	f.fresh("Renew", next.Token())
	if next.ID() == s.ID() {
		f.t.Fatalf("Renew kept the session's ID %s", s.ID().Short())
	}
	return next
}

// touch touches s, a session just loaded, and checks that it wrote
// exactly when the touch interval had passed.
func (f *managerFixture) touch(s sessions.Session[Value]) sessions.Session[Value] {
	f.t.Helper()
	due := touchDue(recordOf(s), f.now())
	next, err := f.m.Touch(f.ctx, s)
	if err != nil {
		f.t.Fatalf("Touch: %v", err)
	}
	if !due {
		if next.Modified() || next.Token() != s.Token() || diffSession(next, expectedOf(s)) != "" {
			f.t.Fatalf("Touch before the touch interval passed wrote: %v, want %v unchanged", next, s)
		}
		f.headers("Touch", next)
		return next
	}
	want := expectedOf(s)
	want.Rec.ExpiresAt = deadline(s.CreatedAt(), f.now())
	if next.Version() == s.Version()+1 {
		want.Rec.Version++ // a store without Toucher is touched by Replace
	}
	next = f.stored("Touch", next, err, want)
	f.sameTokenUnlessCarried("Touch", s, next)
	return next
}

// unsaved returns the session OfHeaderOrCreate makes of headers that name
// no live session, checking it is unsaved and sets no cookie.
func (f *managerFixture) unsaved(def Value, cookieHeaders ...string) sessions.Session[Value] {
	f.t.Helper()
	s, err := f.m.OfHeaderOrCreate(f.ctx, cloneValue(def), cookieHeaders...)
	if err != nil {
		f.t.Fatalf("OfHeaderOrCreate: %v", err)
	}
	checkUnsaved(f.t, s, def)
	f.headers("OfHeaderOrCreate", s)
	return s
}

// fataler is what the kit needs of a *testing.T or a *rapid.T to report
// a failure.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// checkUnsaved fails the test unless s is an unsaved session holding def.
func checkUnsaved(t fataler, s sessions.Session[Value], def Value) {
	t.Helper()
	if !s.IsNew() || s.Modified() || s.Cleared() || s.Token() != "" || !s.ID().IsZero() || s.Version() != 0 {
		t.Fatalf("OfHeaderOrCreate returned %v, want an unsaved session: IsNew, not Modified, no token", s)
	}
	if !equalValue(s.Value(), def) {
		t.Fatalf("OfHeaderOrCreate: value %+v, want the default %+v", s.Value(), def)
	}
}

// describeOption shows an answer of OfHeader without its token.
func describeOption(o mo.Option[sessions.Session[Value]]) string {
	if s, ok := o.Get(); ok {
		return "Some(" + s.String() + ")"
	}
	return "None"
}

// cookie returns a Cookie request-header value carrying token as the
// session cookie between two unrelated cookies.
func (f *managerFixture) cookie(token string) string {
	return "theme=dark; " + f.m.Cookie().Name + "=" + token + "; lang=en-GB"
}

// forge returns token with the character in its middle changed to another
// of the base64url alphabet: a token of the same shape that no one issued.
func forge(token string) string {
	if token == "" {
		return "A"
	}
	// Rotating the middle character through the alphabet, rather than
	// swapping between two characters, keeps a forgery of a forgery from
	// being the original token again.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := len(token) / 2
	j := strings.IndexByte(alphabet, token[i]) + 1 // a byte outside the alphabet becomes 'A'
	return token[:i] + alphabet[j%len(alphabet):j%len(alphabet)+1] + token[i+1:]
}

// randomToken returns a token of the default scheme that no one issued.
func randomToken() string {
	var raw [32]byte
	_, _ = rand.Read(raw[:]) // crypto/rand.Read never returns an error
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

// increment is an update function: it counts and tags the value.
func increment(v Value) (Value, error) {
	v = cloneValue(v)
	v.Counter++
	v.Tags = append(v.Tags, "updated")
	return v, nil
}

// mustIncrement is increment for expectations.
func mustIncrement(v Value) Value {
	v, _ = increment(v)
	return v
}
