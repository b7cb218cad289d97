package postgres_test

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/typedsession/sessions"
)

func TestInstantsAreTruncatedToTheMicrosecondAndReadBackInUTC(t *testing.T) {
	store := newStore[cart](t, newPool(t))
	ctx := t.Context()
	id := sessions.ID{1}
	local := time.FixedZone("UTC+5", 5*3600)
	rec := sessions.Record[cart]{
		CreatedAt: t0.Add(1234567 * time.Nanosecond).In(local),
		ExpiresAt: t0.Add(time.Hour + 999*time.Nanosecond),
	}
	if err := store.Create(ctx, id, rec, t0); err != nil {
		t.Fatal(err)
	}
	got, err := store.Load(ctx, id, t0)
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(1234 * time.Microsecond); !got.CreatedAt.Equal(want) || got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want %v in UTC", got.CreatedAt, want)
	}
	if want := t0.Add(time.Hour); !got.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %v, want %v", got.ExpiresAt, want)
	}
	// now is truncated like the expiry, so both fall in the same
	// microsecond: not live, although now is 899ns before the expiry.
	if _, err := store.Load(ctx, id, t0.Add(time.Hour+100*time.Nanosecond)); !errors.Is(err, sessions.ErrNotFound) {
		t.Errorf("Load within the expiry's microsecond: %v, want ErrNotFound", err)
	}
	if _, err := store.Load(ctx, id, t0.Add(time.Hour-time.Microsecond)); err != nil {
		t.Errorf("Load a microsecond before the expiry: %v", err)
	}
}

func TestInstantsOutsideTheYears1To9999AreRefused(t *testing.T) {
	store := newStore[cart](t, newPool(t))
	ctx := t.Context()
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	early := time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)
	rec := sessions.Record[cart]{CreatedAt: t0, ExpiresAt: far}
	if err := store.Create(ctx, sessions.ID{1}, rec, t0); err == nil {
		t.Error("Create with an expiry in the year 10000 succeeded")
	}
	if _, err := store.Load(ctx, sessions.ID{1}, early); err == nil || errors.Is(err, sessions.ErrNotFound) {
		t.Errorf("Load at the year 0: %v, want a store error", err)
	}
}

func TestVersionsABigintCannotHoldNeverMatch(t *testing.T) {
	store := newStore[cart](t, newPool(t))
	ctx := t.Context()
	live, absent := sessions.ID{1}, sessions.ID{2}
	if err := store.Create(ctx, live, sessions.Record[cart]{CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}, t0); err != nil {
		t.Fatal(err)
	}
	rec := sessions.Record[cart]{CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"Replace(MaxUint64) of a live row", store.Replace(ctx, live, math.MaxUint64, rec, t0), sessions.ErrConflict},
		{"Replace(MaxInt64) of a live row", store.Replace(ctx, live, math.MaxInt64, rec, t0), sessions.ErrConflict},
		{"Replace(MaxUint64) of an absent row", store.Replace(ctx, absent, math.MaxUint64, rec, t0), sessions.ErrNotFound},
		{"Delete(MaxUint64) of a live row", store.Delete(ctx, live, math.MaxUint64), sessions.ErrConflict},
		{"Delete(1<<63) of a live row", store.Delete(ctx, live, 1<<63), sessions.ErrConflict},
		{"Delete(MaxUint64) of an absent row", store.Delete(ctx, absent, math.MaxUint64), sessions.ErrNotFound},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	if got, err := store.Load(ctx, live, t0); err != nil || got.Version != 1 {
		t.Errorf("Load after the refused writes = version %d, %v; want version 1", got.Version, err)
	}
}

func TestOwnersATextColumnCannotHoldAreRefused(t *testing.T) {
	store := newStore[cart](t, newPool(t))
	ctx := t.Context()
	for _, owner := range []string{"ann\x00", "\xffann"} {
		id := sessions.ID{3}
		rec := sessions.Record[cart]{CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), Owner: owner}
		if err := store.Create(ctx, id, rec, t0); err == nil || errors.Is(err, sessions.ErrConflict) {
			t.Errorf("Create with owner %q: %v, want a store error", owner, err)
		}
		if _, err := store.Load(ctx, id, t0); !errors.Is(err, sessions.ErrNotFound) {
			t.Errorf("Load after the refused Create: %v, want ErrNotFound", err)
		}
		if es, err := store.ListOwner(ctx, owner, t0, 10); len(es) != 0 || err != nil {
			t.Errorf("ListOwner(%q) = %d entries, %v; want none", owner, len(es), err)
		}
		if n, err := store.DeleteOwner(ctx, owner, sessions.ID{}, t0); n != 0 || err != nil {
			t.Errorf("DeleteOwner(%q) = %d, %v; want 0", owner, n, err)
		}
	}
}

func TestListOwnerBreaksTiesByID(t *testing.T) {
	store := newStore[cart](t, newPool(t))
	ctx := t.Context()
	ids := []sessions.ID{{9}, {1}, {5}}
	for _, id := range ids {
		rec := sessions.Record[cart]{CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), Owner: "ann"}
		if err := store.Create(ctx, id, rec, t0); err != nil {
			t.Fatal(err)
		}
	}
	es, err := store.ListOwner(ctx, "ann", t0, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []sessions.ID{{1}, {5}, {9}}
	for i := range want {
		if i >= len(es) || es[i].ID != want[i] {
			t.Fatalf("ListOwner order = %v, want IDs ascending for equal CreatedAt", es)
		}
	}
}

func TestListOwnerFillsItsLimitPastRowsThatDoNotDecode(t *testing.T) {
	pool := newPool(t)
	store, table := newStoreIn[cart](t, pool)
	ctx := t.Context()
	// Ten sessions of ann, the newest first: ids[0] was created last.
	ids := make([]sessions.ID, 10)
	for i := range ids {
		ids[i] = sessions.ID{byte(i + 1)}
		rec := sessions.Record[cart]{CreatedAt: t0.Add(-time.Duration(i) * time.Minute), ExpiresAt: t0.Add(time.Hour), Owner: "ann"}
		if err := store.Create(ctx, ids[i], rec, t0); err != nil {
			t.Fatal(err)
		}
	}
	spoil := func(ids ...sessions.ID) {
		for _, id := range ids {
			if _, err := pool.Exec(ctx, "UPDATE "+table+" SET value = 'x' WHERE id = $1", idArg(id)); err != nil {
				t.Fatal(err)
			}
		}
	}
	spoil(ids[0], ids[2], ids[3], ids[4], ids[5])
	sound := []sessions.ID{ids[1], ids[6], ids[7], ids[8], ids[9]}
	for _, tc := range []struct {
		limit int
		want  []sessions.ID
	}{
		{1, sound[:1]},
		{2, sound[:2]},
		{4, sound[:4]},
		{5, sound},
		{6, sound},
		{100, sound},
	} {
		es, err := store.ListOwner(ctx, "ann", t0, tc.limit)
		if err != nil {
			t.Fatalf("ListOwner(%d): %v", tc.limit, err)
		}
		got := make([]sessions.ID, len(es))
		for i, e := range es {
			got[i] = e.ID
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("ListOwner(%d) = %v, want %v", tc.limit, got, tc.want)
		}
	}
}
