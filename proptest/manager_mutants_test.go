package proptest_test

import (
	"cmp"
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/proptest"
)

// Broken stores the Manager cannot mask: each breaks a rule the Manager
// relies on the store for. (A store that serves expired records, for
// example, is masked: the Manager checks every record's deadline itself.
// And one whose Create overwrites a live record never meets one, since
// the Manager's IDs come from 256-bit random tokens. Nor can a store that
// keeps the value given to Create, or hands out the value it keeps, be
// seen through the Manager: a session's value is its own and Value hands
// out copies. TestBackend catches all four.)
type (
	deleteDoesNothing struct{ *refBackend }
	touchOvershoots   struct{ *refBackend }
	listsEveryOwner   struct{ *refBackend }
)

func (b deleteDoesNothing) Delete(_ context.Context, id sessions.ID, ifVersion uint64) error {
	if ifVersion == 0 {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	cur, ok := b.recs[id]
	switch {
	case !ok:
		return sessions.ErrNotFound
	case cur.Version != ifVersion:
		return sessions.ErrConflict
	}
	return nil
}

func (b touchOvershoots) Touch(ctx context.Context, id sessions.ID, expiresAt, now time.Time) error {
	return b.refBackend.Touch(ctx, id, expiresAt.Add(time.Hour), now)
}

func (b listsEveryOwner) ListOwner(_ context.Context, _ string, now time.Time, limit int) ([]sessions.Entry[proptest.Value], error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var es []sessions.Entry[proptest.Value]
	for id, rec := range b.recs {
		if rec.Owner != "" && rec.Live(now) {
			es = append(es, sessions.Entry[proptest.Value]{ID: id, Record: cloneRecord(rec)})
		}
	}
	slices.SortFunc(es, func(x, y sessions.Entry[proptest.Value]) int {
		return cmp.Or(y.Record.CreatedAt.Compare(x.Record.CreatedAt), slices.Compare(x.ID[:], y.ID[:]))
	})
	return es[:min(limit, len(es))], nil
}

// loadStale serves the version a record had before its last Replace, so
// writes made on what it serves lose the latest one.
type loadStale struct {
	*refBackend
	mu   *sync.Mutex
	prev map[sessions.ID]sessions.Record[proptest.Value]
}

func newLoadStale() loadStale {
	return loadStale{newRefBackend(), new(sync.Mutex), make(map[sessions.ID]sessions.Record[proptest.Value])}
}

func (b loadStale) Replace(ctx context.Context, id sessions.ID, ifVersion uint64, rec sessions.Record[proptest.Value], now time.Time) error {
	cur, err := b.refBackend.Load(ctx, id, now)
	if err != nil {
		return err
	}
	if err := b.refBackend.Replace(ctx, id, ifVersion, rec, now); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.prev[id] = cur
	return nil
}

func (b loadStale) Load(ctx context.Context, id sessions.ID, now time.Time) (sessions.Record[proptest.Value], error) {
	rec, err := b.refBackend.Load(ctx, id, now)
	if err != nil {
		return rec, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if prev, ok := b.prev[id]; ok {
		return cloneRecord(prev), nil
	}
	return rec, nil
}

// managerVariant is a store the Manager kit runs against in a subprocess.
type managerVariant struct {
	name string
	new  managerFactory
	// fails lists subtests of the kit's fixed table that must fail.
	fails []string
	// machine says whether the state machine must fail too.
	machine bool
}

// overBroken returns a factory of Managers over a broken backend that
// still honours its context, as the kit requires.
func overBroken(newBackend func() fullBackend) managerFactory {
	return over(func() backend { return ctxBackend{newBackend()} })
}

var managerVariants = []managerVariant{
	{"replace recreates deleted records", overBroken(func() fullBackend { return replaceRecreates{newRefBackend()} }),
		[]string{"a_cleared_token_stays_dead"}, true},
	{"replace ignores the version", overBroken(func() fullBackend { return replaceIgnoresVersion{newRefBackend()} }),
		[]string{"Set_from_a_stale_session_is_a_conflict_and_changes_nothing", "concurrent_Updates_lose_nothing"}, true},
	{"load serves a stale version", overBroken(func() fullBackend { return newLoadStale() }),
		[]string{"Set_stores_the_value,_bumps_the_version_and_slides_the_idle_deadline"}, true},
	{"delete does nothing", overBroken(func() fullBackend { return deleteDoesNothing{newRefBackend()} }),
		[]string{"a_cleared_token_stays_dead", "Renew_kills_the_old_token"}, true},
	{"touch extends past the expiry it was given", overBroken(func() fullBackend { return touchOvershoots{newRefBackend()} }),
		[]string{"Touch_writes_only_when_the_touch_interval_has_passed"}, true},
	{"list owner lists every owner", overBroken(func() fullBackend { return listsEveryOwner{newRefBackend()} }),
		[]string{"Sessions_lists_an_owner's_live_sessions_newest_first"}, true},
	{"delete owner ignores the kept session", overBroken(func() fullBackend { return deleteOwnerAll{newRefBackend()} }),
		[]string{"ClearOwner_clears_every_session_of_the_owner_but_the_kept_one"}, true},
	{"store ignores a cancelled context", over(func() backend { return newRefBackend() }),
		[]string{"a_cancelled_context_reaches_the_store"}, false},
	{"check token accepts anything", overStore(func() sessions.TokenStore[proptest.Value] {
		return hashedStore{b: ctxBackend{newRefBackend()}, lax: true}
	}), []string{"malformed_tokens_are_refused_before_any_store_call"}, false},
}

// Correct stores that lack something, which the kit must skip by name.
var lackingStores = map[string]managerFactory{
	"basic": over(func() backend { return struct{ backend }{ctxBackend{newRefBackend()}} }),
	"carrier": overStore(func() sessions.TokenStore[proptest.Value] {
		return newCarrierStore()
	}),
}

// managerVariantEnv names the store TestHelperManagerVariant runs.
const managerVariantEnv = "PROPTEST_MANAGER_VARIANT"

// TestHelperManagerVariant runs the Manager kit against the store named
// by the environment; the tests below run it in a subprocess.
func TestHelperManagerVariant(t *testing.T) {
	name := os.Getenv(managerVariantEnv)
	if name == "" {
		t.Skip("runs only as a subprocess of the Manager variant tests")
	}
	if f, ok := lackingStores[name]; ok {
		proptest.TestManager(t, f)
		return
	}
	for _, v := range managerVariants {
		if v.name == name {
			proptest.TestManager(t, v.new)
			return
		}
	}
	t.Fatalf("no variant %q", name)
}

// runManagerVariant runs the Manager kit against the named store in a
// subprocess and returns whether it passed and its output.
func runManagerVariant(t *testing.T, name string) (passed bool, output string) {
	t.Helper()
	return runInSubprocess(t, "TestHelperManagerVariant", managerVariantEnv, name)
}

func TestManagerRejectsBrokenStores(t *testing.T) {
	for _, v := range managerVariants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			passed, out := runManagerVariant(t, v.name)
			if passed {
				t.Fatalf("the kit accepted a store where %s:\n%s", v.name, out)
			}
			subs := make([]string, 0, len(v.fails)+1)
			for _, f := range v.fails {
				subs = append(subs, "Manager/"+f)
			}
			if v.machine {
				subs = append(subs, "ManagerStateMachine")
			}
			for _, sub := range subs {
				if !strings.Contains(out, "--- FAIL: TestHelperManagerVariant/"+sub+" ") {
					t.Errorf("subtest %s did not fail; output:\n%s", sub, out)
				}
			}
		})
	}
}

func TestManagerSkipsWhatTheStoreCannotDoByName(t *testing.T) {
	for _, c := range []struct {
		store   string
		skipped map[string]string // subtest under Manager/ → reason
		ran     []string          // subtests under Manager/ that must have passed
	}{
		{"basic", map[string]string{
			"Sessions_lists_an_owner's_live_sessions_newest_first":          "store has no owner index: Sessions returns ErrUnsupported",
			"ClearOwner_clears_every_session_of_the_owner_but_the_kept_one": "store cannot clear an owner's sessions: ClearOwner returns ErrUnsupported",
		}, []string{"ClearOwned_clears_a_session_only_for_its_owner", "a_cleared_token_stays_dead", "concurrent_Updates_lose_nothing"}},
		{"carrier", map[string]string{
			"Set_from_a_stale_session_is_a_conflict_and_changes_nothing":    "cannot see concurrent writes",
			"concurrent_Updates_lose_nothing":                               "cannot see concurrent writes",
			"a_cleared_token_stays_dead":                                    "has no revocation: a cleared token still opens",
			"Renew_kills_the_old_token":                                     "has no revocation: the token Renew replaced still opens",
			"a_cancelled_context_reaches_the_store":                         "opens tokens without I/O",
			"Sessions_lists_an_owner's_live_sessions_newest_first":          "Sessions returns ErrUnsupported",
			"ClearOwner_clears_every_session_of_the_owner_but_the_kept_one": "ClearOwner returns ErrUnsupported",
			"ClearOwned_clears_a_session_only_for_its_owner":                "ClearOwned returns ErrUnsupported",
		}, []string{"malformed_tokens_are_refused_before_any_store_call", "a_cookie_jar_sends_the_session_cookie_back"}},
	} {
		t.Run(c.store, func(t *testing.T) {
			t.Parallel()
			passed, out := runManagerVariant(t, c.store)
			if !passed {
				t.Fatalf("the kit rejected a correct store:\n%s", out)
			}
			for sub, reason := range c.skipped {
				if !strings.Contains(out, "--- SKIP: TestHelperManagerVariant/Manager/"+sub+" ") || !strings.Contains(out, reason) {
					t.Errorf("%s was not skipped with the reason %q; output:\n%s", sub, reason, out)
				}
			}
			names := []string{"ManagerStateMachine"}
			for _, sub := range c.ran {
				names = append(names, "Manager/"+sub)
			}
			for _, name := range names {
				if !strings.Contains(out, "--- PASS: TestHelperManagerVariant/"+name+" ") {
					t.Errorf("%s did not run and pass; output:\n%s", name, out)
				}
			}
		})
	}
}
