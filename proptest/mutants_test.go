package proptest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/proptest"
)

// Broken variants of refBackend. The kit must reject each of them, in its
// fixed table and in its state machine, or it has stopped checking the
// rule the variant breaks.
type (
	replaceRecreates      struct{ *refBackend }
	replaceIgnoresVersion struct{ *refBackend }
	loadIgnoresNow        struct{ *refBackend }
	loadLiveAtExpiry      struct{ *refBackend }
	loadAliases           struct{ *refBackend }
	createOverwrites      struct{ *refBackend }
	createAliases         struct{ *refBackend }
	deleteIgnoresVersion  struct{ *refBackend }
	touchBumpsVersion     struct{ *refBackend }
	touchIgnoresNow       struct{ *refBackend }
	listOldestFirst       struct{ *refBackend }
	listExpired           struct{ *refBackend }
	deleteOwnerAll        struct{ *refBackend }
	sweepIgnoresLimit     struct{ *refBackend }
	sweepEarly            struct{ *refBackend }
	secondPrecision       struct{ *refBackend }
)

func (b replaceRecreates) Replace(ctx context.Context, id sessions.ID, ifVersion uint64, rec sessions.Record[proptest.Value], now time.Time) error {
	err := b.refBackend.Replace(ctx, id, ifVersion, rec, now)
	if errors.Is(err, sessions.ErrNotFound) {
		b.put(id, rec)
		return nil
	}
	return err
}

func (b replaceIgnoresVersion) Replace(ctx context.Context, id sessions.ID, _ uint64, rec sessions.Record[proptest.Value], now time.Time) error {
	cur, err := b.refBackend.Load(ctx, id, now)
	if err != nil {
		return err
	}
	return b.refBackend.Replace(ctx, id, cur.Version, rec, now)
}

func (b loadIgnoresNow) Load(ctx context.Context, id sessions.ID, _ time.Time) (sessions.Record[proptest.Value], error) {
	return b.refBackend.Load(ctx, id, time.Time{})
}

func (b loadLiveAtExpiry) Load(ctx context.Context, id sessions.ID, now time.Time) (sessions.Record[proptest.Value], error) {
	return b.refBackend.Load(ctx, id, now.Add(-time.Nanosecond))
}

func (b loadAliases) Load(_ context.Context, id sessions.ID, now time.Time) (sessions.Record[proptest.Value], error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cur, ok := b.recs[id]
	if !ok || !cur.Live(now) {
		return sessions.Record[proptest.Value]{}, sessions.ErrNotFound
	}
	return cur, nil
}

func (b createOverwrites) Create(_ context.Context, id sessions.ID, rec sessions.Record[proptest.Value], _ time.Time) error {
	b.put(id, rec)
	return nil
}

func (b createAliases) Create(ctx context.Context, id sessions.ID, rec sessions.Record[proptest.Value], now time.Time) error {
	if err := b.refBackend.Create(ctx, id, rec, now); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.recs[id] = rec
	return nil
}

func (b deleteIgnoresVersion) Delete(ctx context.Context, id sessions.ID, ifVersion uint64) error {
	if ifVersion > 0 {
		b.mu.Lock()
		_, ok := b.recs[id]
		b.mu.Unlock()
		if !ok {
			return sessions.ErrNotFound
		}
	}
	return b.refBackend.Delete(ctx, id, 0)
}

func (b touchBumpsVersion) Touch(ctx context.Context, id sessions.ID, expiresAt, now time.Time) error {
	if err := b.refBackend.Touch(ctx, id, expiresAt, now); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	cur := b.recs[id]
	cur.Version++
	b.recs[id] = cur
	return nil
}

func (b touchIgnoresNow) Touch(ctx context.Context, id sessions.ID, expiresAt, _ time.Time) error {
	return b.refBackend.Touch(ctx, id, expiresAt, time.Time{})
}

func (b listOldestFirst) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]sessions.Entry[proptest.Value], error) {
	es, err := b.refBackend.ListOwner(ctx, owner, now, 1<<30)
	slices.Reverse(es)
	return es[:min(limit, len(es))], err
}

func (b listExpired) ListOwner(ctx context.Context, owner string, _ time.Time, limit int) ([]sessions.Entry[proptest.Value], error) {
	return b.refBackend.ListOwner(ctx, owner, time.Time{}, limit)
}

func (b deleteOwnerAll) DeleteOwner(ctx context.Context, owner string, _ sessions.ID, now time.Time) (int, error) {
	return b.refBackend.DeleteOwner(ctx, owner, sessions.ID{}, now)
}

func (b sweepIgnoresLimit) DeleteExpired(ctx context.Context, now time.Time, _ int) (int, error) {
	return b.refBackend.DeleteExpired(ctx, now, 1<<30)
}

func (b sweepEarly) DeleteExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	return b.refBackend.DeleteExpired(ctx, now.Add(time.Hour), limit)
}

func (b secondPrecision) Create(ctx context.Context, id sessions.ID, rec sessions.Record[proptest.Value], now time.Time) error {
	rec.CreatedAt = rec.CreatedAt.Truncate(time.Second)
	rec.ExpiresAt = rec.ExpiresAt.Truncate(time.Second)
	return b.refBackend.Create(ctx, id, rec, now)
}

// staleIndex keeps an owner index whose entries outlive the records and
// trusts them: it lists and deletes a record under an owner that no
// longer has it.
type staleIndex struct {
	*refBackend
	idxMu sync.Mutex
	idx   map[string][]sessions.ID
}

func (b *staleIndex) Create(ctx context.Context, id sessions.ID, rec sessions.Record[proptest.Value], now time.Time) error {
	if err := b.refBackend.Create(ctx, id, rec, now); err != nil {
		return err
	}
	b.idxMu.Lock()
	defer b.idxMu.Unlock()
	if rec.Owner != "" && !slices.Contains(b.idx[rec.Owner], id) {
		b.idx[rec.Owner] = append(b.idx[rec.Owner], id)
	}
	return nil
}

func (b *staleIndex) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]sessions.Entry[proptest.Value], error) {
	b.idxMu.Lock()
	ids := slices.Clone(b.idx[owner])
	b.idxMu.Unlock()
	var es []sessions.Entry[proptest.Value]
	for _, id := range ids {
		if rec, err := b.Load(ctx, id, now); err == nil {
			es = append(es, sessions.Entry[proptest.Value]{ID: id, Record: rec})
		}
	}
	slices.SortFunc(es, func(x, y sessions.Entry[proptest.Value]) int { return y.Record.CreatedAt.Compare(x.Record.CreatedAt) })
	return es[:min(limit, len(es))], nil
}

func (b *staleIndex) DeleteOwner(_ context.Context, owner string, except sessions.ID, _ time.Time) (int, error) {
	b.idxMu.Lock()
	ids := b.idx[owner]
	delete(b.idx, owner)
	b.idxMu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, id := range ids {
		if _, ok := b.recs[id]; ok && id != except {
			delete(b.recs, id)
			n++
		}
	}
	return n, nil
}

// variant is a backend the kit runs against in a subprocess.
type variant struct {
	name string
	new  func() backend
	// fails lists subtests of the kit that must fail.
	fails []string
}

var variants = []variant{
	{"replace recreates", func() backend { return replaceRecreates{newRefBackend()} },
		[]string{"Backend/replace_of_a_deleted_record_is_not_found_and_does_not_recreate_it", "Backend/replace_of_an_unknown_ID_is_not_found_and_creates_nothing"}},
	{"replace ignores version", func() backend { return replaceIgnoresVersion{newRefBackend()} },
		[]string{"Backend/replace_with_a_stale_version_is_a_conflict_and_changes_nothing"}},
	{"load ignores now", func() backend { return loadIgnoresNow{newRefBackend()} },
		[]string{"Backend/load_at_or_after_expiry_is_not_found"}},
	{"load live at expiry", func() backend { return loadLiveAtExpiry{newRefBackend()} },
		[]string{"Backend/load_at_or_after_expiry_is_not_found"}},
	{"load aliases", func() backend { return loadAliases{newRefBackend()} },
		[]string{"Backend/values_do_not_alias_the_store"}},
	{"create overwrites", func() backend { return createOverwrites{newRefBackend()} },
		[]string{"Backend/create_on_a_live_ID_is_a_conflict_and_keeps_the_record"}},
	{"create aliases", func() backend { return createAliases{newRefBackend()} },
		[]string{"Backend/values_do_not_alias_the_store"}},
	{"delete ignores version", func() backend { return deleteIgnoresVersion{newRefBackend()} },
		[]string{"Backend/conditional_delete_with_a_stale_version_is_a_conflict_and_keeps_the_record"}},
	{"times lose milliseconds", func() backend { return secondPrecision{newRefBackend()} },
		[]string{"Backend/create_then_load_returns_the_record_at_version_1"}},
	{"touch bumps version", func() backend { return touchBumpsVersion{newRefBackend()} },
		[]string{"Toucher/touch_moves_the_expiry_and_keeps_version_and_value"}},
	{"touch ignores now", func() backend { return touchIgnoresNow{newRefBackend()} },
		[]string{"Toucher/touch_of_an_expired_record_is_not_found_and_does_not_revive_it"}},
	{"list owner oldest first", func() backend { return listOldestFirst{newRefBackend()} },
		[]string{"OwnerIndex/list_owner_returns_live_records_newest_first", "OwnerIndex/list_owner_returns_at_most_limit_records"}},
	{"list owner returns expired records", func() backend { return listExpired{newRefBackend()} },
		[]string{"OwnerIndex/list_owner_returns_live_records_newest_first"}},
	{"delete owner ignores except", func() backend { return deleteOwnerAll{newRefBackend()} },
		[]string{"OwnerIndex/delete_owner_deletes_all_but_the_excepted_record_and_nothing_of_others"}},
	{"owner index trusts stale entries", func() backend {
		return &staleIndex{refBackend: newRefBackend(), idx: make(map[string][]sessions.ID)}
	}, []string{"OwnerIndex/an_ID_created_again_under_another_owner_leaves_the_index_of_the_first"}},
	{"sweep ignores limit", func() backend { return sweepIgnoresLimit{newRefBackend()} },
		[]string{"Sweeper/delete_expired_removes_at_most_limit_records"}},
	{"sweep removes live records", func() backend { return sweepEarly{newRefBackend()} },
		[]string{"Sweeper/delete_expired_removes_expired_records_and_keeps_live_ones"}},
}

// variantEnv names the variant TestHelperBackendVariant runs.
const variantEnv = "PROPTEST_BACKEND_VARIANT"

// TestHelperBackendVariant runs the kit against the variant named by the
// environment; the tests below run it in a subprocess.
func TestHelperBackendVariant(t *testing.T) {
	name := os.Getenv(variantEnv)
	if name == "" {
		t.Skip("runs only as a subprocess of the variant tests")
	}
	if name == "basic" {
		proptest.TestBackend(t, func(*testing.T) backend { return restrict(newRefBackend(), false, false, false) })
		return
	}
	for _, v := range variants {
		if v.name == name {
			proptest.TestBackend(t, func(*testing.T) backend { return v.new() })
			return
		}
	}
	t.Fatalf("no variant %q", name)
}

// runVariant runs the Backend kit against the named variant in a
// subprocess and returns whether it passed and its output.
func runVariant(t *testing.T, name string) (passed bool, output string) {
	t.Helper()
	return runInSubprocess(t, "TestHelperBackendVariant", variantEnv, name)
}

// runInSubprocess runs the test helper, which reads the variant's name
// from env, in a subprocess, so that a kit failing on a broken store can
// be asserted without failing this test binary. It returns whether the
// subprocess passed and its output.
func runInSubprocess(t *testing.T, helper, env, name string) (passed bool, output string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0],
		"-test.run=^"+helper+"$", "-test.v", "-test.count=1",
		"-rapid.nofailfile", "-rapid.checks=100", "-rapid.shrinktime=5s")
	cmd.Env = append(os.Environ(), env+"="+name)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running the kit against %q: %v", name, err)
	}
	return err == nil, string(out)
}

func TestBackendRejectsBrokenBackends(t *testing.T) {
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			passed, out := runVariant(t, v.name)
			if passed {
				t.Fatalf("the kit accepted a backend where %s:\n%s", v.name, out)
			}
			for _, sub := range append(v.fails, "StateMachine") {
				if !strings.Contains(out, "--- FAIL: TestHelperBackendVariant/"+sub) {
					t.Errorf("subtest %s did not fail; output:\n%s", sub, out)
				}
			}
		})
	}
}

func TestBackendSkipsMissingCapabilitiesByName(t *testing.T) {
	passed, out := runVariant(t, "basic")
	if !passed {
		t.Fatalf("the kit rejected a correct backend without capabilities:\n%s", out)
	}
	for _, c := range []string{"Toucher", "OwnerIndex", "Sweeper"} {
		if !strings.Contains(out, "--- SKIP: TestHelperBackendVariant/"+c) || !strings.Contains(out, "backend does not implement sessions."+c) {
			t.Errorf("%s was not skipped with its reason; output:\n%s", c, out)
		}
	}
	if !strings.Contains(out, "--- PASS: TestHelperBackendVariant/StateMachine") {
		t.Errorf("the state machine did not run; output:\n%s", out)
	}
}
