package proptest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/typedsession/sessions"
)

// The timeouts TestManager expects of the Manager newManager returns: the
// defaults, which the kit's expectations are computed from.
const (
	idleTimeout   = sessions.DefaultIdleTimeout
	lifetime      = sessions.DefaultLifetime
	touchInterval = idleTimeout / 10
)

// traits is what the Manager kit found a store can do, by probing it
// through a Manager. A store that keeps a session's token across writes
// holds the record on the server, so the kit requires of it everything a
// server-side store can do: only a store that issues a new token on every
// write carries the record in the token (as a sealed cookie store does),
// and only such a store may lack revocation or conflict detection. Owner
// operations are optional for every store; the Manager reports their
// absence with ErrUnsupported.
type traits struct {
	carriesRecord    bool // Set issues a new token: the record travels in it
	detectsConflicts bool // a write from a stale session is ErrConflict
	revokesCleared   bool // a cleared token no longer opens
	revokesRenewed   bool // the token Renew replaced no longer opens
	listsOwners      bool // Sessions works
	clearsOwners     bool // ClearOwner works
	clearsOwned      bool // ClearOwned works
}

// Why a behaviour is skipped, by the trait it needs.
const (
	skipConflicts = "store keeps the record in the token and cannot see concurrent writes: a Set from a stale session succeeds"
	skipCleared   = "store keeps the record in the token and has no revocation: a cleared token still opens"
	skipRenewed   = "store keeps the record in the token and has no revocation: the token Renew replaced still opens"
	skipSessions  = "store has no owner index: Sessions returns ErrUnsupported"
	skipClearOwnr = "store cannot clear an owner's sessions: ClearOwner returns ErrUnsupported"
	skipClearOwnd = "store cannot clear a session by ID: ClearOwned returns ErrUnsupported"
)

// probeTraits finds out what the stores newManager builds can do, on a
// Manager of its own. It fails the test if the Manager does not keep the
// default idle timeout or cannot store and write a session at all.
func probeTraits(t *testing.T, newManager func(*testing.T, func() time.Time) *sessions.Manager[Value]) traits {
	t.Helper()
	clk := newClock(base)
	m := newManager(t, clk.Now)
	ctx := t.Context()
	s, err := m.Generate(ctx, val(1))
	if err != nil {
		t.Fatalf("probing the store: Generate: %v", err)
	}
	if !sameInstant(s.ExpiresAt(), base.Add(idleTimeout)) {
		t.Fatalf("probing the store: a new session expires at %v, want %v: newManager must keep the default idle timeout (%v), lifetime (%v) and touch interval",
			s.ExpiresAt(), base.Add(idleTimeout), idleTimeout, lifetime)
	}
	next, err := m.Set(ctx, s, val(2))
	if err != nil {
		t.Fatalf("probing the store: Set of a new session: %v", err)
	}
	tr := traits{carriesRecord: next.Token() != s.Token()}
	if tr.carriesRecord {
		tr.probeRevocation(t, m, s, next)
	} else {
		tr.detectsConflicts, tr.revokesCleared, tr.revokesRenewed = true, true, true
	}
	tr.probeOwners(t, m)
	t.Logf("store traits: record in the token %t, detects conflicts %t, revokes cleared tokens %t, revokes renewed tokens %t, Sessions %t, ClearOwner %t, ClearOwned %t",
		tr.carriesRecord, tr.detectsConflicts, tr.revokesCleared, tr.revokesRenewed, tr.listsOwners, tr.clearsOwners, tr.clearsOwned)
	return tr
}

// probeRevocation finds out, for a store that carries the record in the
// token, whether it sees stale writes and revokes cleared and renewed
// tokens. written is what a Set made of stale.
func (tr *traits) probeRevocation(t *testing.T, m *sessions.Manager[Value], stale, written sessions.Session[Value]) {
	t.Helper()
	ctx := t.Context()
	_, err := m.Set(ctx, stale, val(3))
	tr.detectsConflicts = errors.Is(err, sessions.ErrConflict)
	if _, err := m.Clear(ctx, written); err != nil {
		t.Fatalf("probing the store: Clear: %v", err)
	}
	_, err = m.OfKey(ctx, written.Token())
	tr.revokesCleared = errors.Is(err, sessions.ErrNotFound)

	old, err := m.Generate(ctx, val(4))
	if err != nil {
		t.Fatalf("probing the store: Generate: %v", err)
	}
	if _, err := m.Renew(ctx, old); err != nil {
		t.Fatalf("probing the store: Renew: %v", err)
	}
	_, err = m.OfKey(ctx, old.Token())
	tr.revokesRenewed = errors.Is(err, sessions.ErrNotFound)
}

// probeOwners finds out which owner operations the Manager supports over
// the store, with an owner no session has.
func (tr *traits) probeOwners(t *testing.T, m *sessions.Manager[Value]) {
	t.Helper()
	ctx := t.Context()
	owner := ownerNames()[0]
	supported := func(op string, err error) bool {
		t.Helper()
		if err != nil && !errors.Is(err, sessions.ErrUnsupported) && !errors.Is(err, sessions.ErrNotFound) {
			t.Fatalf("probing the store: %s of an owner without sessions: %v", op, err)
		}
		return !errors.Is(err, sessions.ErrUnsupported)
	}
	_, err := m.Sessions(ctx, owner)
	tr.listsOwners = supported("Sessions", err)
	_, err = m.ClearOwner(ctx, owner, sessions.ID{})
	tr.clearsOwners = supported("ClearOwner", err)
	tr.clearsOwned = supported("ClearOwned", m.ClearOwned(ctx, owner, newID()))
}

// cancelled returns a context that is already cancelled: a Manager that
// took it to the store would get the context's error back.
func cancelled(parent context.Context) context.Context {
	ctx, cancel := context.WithCancel(parent)
	cancel()
	return ctx
}
