package memory_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/backends/memory"
)

// t0 is the tests' "now"; every instant is spelled relative to it.
var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

var bg = context.Background()

// idN returns a well-spread ID, as real IDs (SHA-256 output) are.
func idN(n int) sessions.ID {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	return sha256.Sum256(b[:])
}

// idIn returns an ID whose first byte is first, which picks its shard;
// n tells IDs with the same first byte apart.
func idIn(first byte, n byte) sessions.ID {
	var id sessions.ID
	id[0], id[31] = first, n
	return id
}

func newStore[V any](t testing.TB, opts ...memory.Option) *memory.Store[V] {
	t.Helper()
	s, err := memory.New[V](opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// rec returns a record created at t0 that expires ttl after it.
func rec[V any](v V, ttl time.Duration) sessions.Record[V] {
	return sessions.Record[V]{Value: v, CreatedAt: t0, ExpiresAt: t0.Add(ttl)}
}

func mustCreate[V any](t testing.TB, s *memory.Store[V], id sessions.ID, r sessions.Record[V]) {
	t.Helper()
	if err := s.Create(bg, id, r, t0); err != nil {
		t.Fatalf("Create: %v", err)
	}
}

func wantErr(t *testing.T, op string, got, want error) {
	t.Helper()
	if want == nil && got != nil || want != nil && !errors.Is(got, want) {
		t.Fatalf("%s: error %v, want %v", op, got, want)
	}
}

func TestCreate(t *testing.T) {
	id := idN(1)
	tests := []struct {
		name     string
		existing *sessions.Record[int] // stored before, at t0
		now      time.Time
		want     error
	}{
		{"stores a record under a free ID", nil, t0, nil},
		{"refuses an ID held by a live record", ptr(rec(1, time.Minute)), t0, sessions.ErrConflict},
		{"refuses an ID held by a record live one nanosecond more", ptr(rec(1, time.Minute)), t0.Add(time.Minute - 1), sessions.ErrConflict},
		{"overwrites a record expiring exactly now", ptr(rec(1, time.Minute)), t0.Add(time.Minute), nil},
		{"overwrites an expired record", ptr(rec(1, time.Minute)), t0.Add(time.Hour), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore[int](t)
			if tt.existing != nil {
				mustCreate(t, s, id, *tt.existing)
			}
			r := sessions.Record[int]{Value: 42, CreatedAt: tt.now, ExpiresAt: tt.now.Add(time.Hour), Version: 7}
			wantErr(t, "Create", s.Create(bg, id, r, tt.now), tt.want)
			got, err := s.Load(bg, id, tt.now)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if tt.want == nil {
				r.Version = 1 // the store sets it, whatever the caller says
				if got != r {
					t.Errorf("Load = %+v, want %+v", got, r)
				}
			} else if got.Value != 1 {
				t.Errorf("the refused Create changed the value to %d", got.Value)
			}
			if s.Len() != 1 {
				t.Errorf("Len = %d, want 1", s.Len())
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestLoadReturnsOnlyLiveRecords(t *testing.T) {
	s := newStore[string](t)
	id := idN(1)
	mustCreate(t, s, id, sessions.Record[string]{
		Value: "v", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute), Owner: "ann", Persistent: true,
	})
	tests := []struct {
		name string
		id   sessions.ID
		now  time.Time
		want error
	}{
		{"finds a live record", id, t0, nil},
		{"finds a record one nanosecond before it expires", id, t0.Add(time.Minute - 1), nil},
		{"misses a record at the instant it expires", id, t0.Add(time.Minute), sessions.ErrNotFound},
		{"misses an expired record", id, t0.Add(time.Hour), sessions.ErrNotFound},
		{"misses an unknown ID", idN(2), t0, sessions.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Load(bg, tt.id, tt.now)
			wantErr(t, "Load", err, tt.want)
			if err == nil && (got.Value != "v" || got.Owner != "ann" || !got.Persistent || got.Version != 1) {
				t.Errorf("Load = %+v", got)
			}
		})
	}
}

func TestReplace(t *testing.T) {
	id := idN(1)
	tests := []struct {
		name      string
		create    bool
		ifVersion uint64
		now       time.Time
		want      error
	}{
		{"writes when the version matches", true, 1, t0, nil},
		{"refuses a stale version", true, 2, t0, sessions.ErrConflict},
		{"refuses version zero", true, 0, t0, sessions.ErrConflict},
		{"does not create an absent record", false, 1, t0, sessions.ErrNotFound},
		{"does not recreate an expired record", true, 1, t0.Add(time.Minute), sessions.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore[int](t)
			if tt.create {
				mustCreate(t, s, id, rec(1, time.Minute))
			}
			next := sessions.Record[int]{Value: 2, CreatedAt: t0, ExpiresAt: tt.now.Add(time.Hour), Version: 99}
			wantErr(t, "Replace", s.Replace(bg, id, tt.ifVersion, next, tt.now), tt.want)

			got, err := s.Load(bg, id, tt.now)
			switch {
			case tt.want == nil:
				next.Version = tt.ifVersion + 1
				if err != nil || got != next {
					t.Errorf("Load = %+v, %v; want %+v", got, err, next)
				}
			case errors.Is(tt.want, sessions.ErrConflict):
				if err != nil || got.Value != 1 || got.Version != 1 {
					t.Errorf("the refused Replace changed the record: %+v, %v", got, err)
				}
			default:
				wantErr(t, "Load", err, sessions.ErrNotFound)
				if s.Len() != 0 {
					t.Errorf("Len = %d, want 0 (expired record removed, nothing created)", s.Len())
				}
			}
		})
	}
}

func TestReplaceBumpsTheVersionEachTime(t *testing.T) {
	s := newStore[int](t)
	id := idN(1)
	mustCreate(t, s, id, rec(0, time.Hour))
	for v := uint64(1); v <= 5; v++ {
		if err := s.Replace(bg, id, v, rec(int(v), time.Hour), t0); err != nil {
			t.Fatalf("Replace(ifVersion %d): %v", v, err)
		}
	}
	got, _ := s.Load(bg, id, t0)
	if got.Version != 6 || got.Value != 5 {
		t.Errorf("after five replaces: version %d, value %d; want 6, 5", got.Version, got.Value)
	}
}

func TestDelete(t *testing.T) {
	id := idN(1)
	tests := []struct {
		name      string
		create    bool
		ifVersion uint64
		want      error
		wantLeft  int
	}{
		{"unconditional delete removes the record", true, 0, nil, 0},
		{"unconditional delete of an absent record succeeds", false, 0, nil, 0},
		{"conditional delete with the version removes the record", true, 1, nil, 0},
		{"conditional delete with another version conflicts", true, 2, sessions.ErrConflict, 1},
		{"conditional delete of an absent record is not found", false, 1, sessions.ErrNotFound, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore[int](t)
			if tt.create {
				mustCreate(t, s, id, rec(1, time.Minute))
			}
			wantErr(t, "Delete", s.Delete(bg, id, tt.ifVersion), tt.want)
			if s.Len() != tt.wantLeft {
				t.Errorf("Len = %d, want %d", s.Len(), tt.wantLeft)
			}
		})
	}
}

func TestDeleteCountsAnUnsweptExpiredRecordAsPresent(t *testing.T) {
	s := newStore[int](t, memory.WithSweepInterval(0))
	id := idN(1)
	mustCreate(t, s, id, rec(1, time.Minute))
	// Delete is given no now, so it cannot know the record has expired.
	wantErr(t, "Delete", s.Delete(bg, id, 1), nil)
	wantErr(t, "second Delete", s.Delete(bg, id, 1), sessions.ErrNotFound)
}

func TestTouch(t *testing.T) {
	id := idN(1)
	tests := []struct {
		name   string
		create bool
		now    time.Time
		want   error
	}{
		{"moves the expiry of a live record", true, t0.Add(time.Second), nil},
		{"refuses an expired record", true, t0.Add(time.Minute), sessions.ErrNotFound},
		{"refuses an absent record", false, t0, sessions.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore[int](t)
			if tt.create {
				mustCreate(t, s, id, rec(7, time.Minute))
			}
			newExpiry := tt.now.Add(time.Hour)
			wantErr(t, "Touch", s.Touch(bg, id, newExpiry, tt.now), tt.want)
			got, err := s.Load(bg, id, tt.now)
			if tt.want != nil {
				wantErr(t, "Load", err, sessions.ErrNotFound)
				return
			}
			want := rec(7, time.Minute)
			want.ExpiresAt, want.Version = newExpiry, 1
			if err != nil || got != want {
				t.Errorf("Load = %+v, %v; want %+v (expiry moved, version kept)", got, err, want)
			}
		})
	}
}

func TestTouchCanShortenTheExpiry(t *testing.T) {
	s := newStore[int](t, memory.WithSweepInterval(0))
	id := idN(1)
	mustCreate(t, s, id, rec(1, time.Hour))
	if err := s.Touch(bg, id, t0.Add(time.Second), t0); err != nil {
		t.Fatal(err)
	}
	// The sweep must not skip the shard on the strength of the old expiry.
	if n, err := s.DeleteExpired(bg, t0.Add(time.Second), 10); n != 1 || err != nil {
		t.Errorf("DeleteExpired = %d, %v; want 1, nil", n, err)
	}
}

func TestListOwner(t *testing.T) {
	s := newStore[int](t)
	created := func(id sessions.ID, owner string, age, ttl time.Duration) {
		t.Helper()
		mustCreate(t, s, id, sessions.Record[int]{
			Value: int(age / time.Second), Owner: owner, CreatedAt: t0.Add(-age), ExpiresAt: t0.Add(ttl),
		})
	}
	created(idIn(1, 0), "ann", 3*time.Second, time.Hour)
	created(idIn(2, 0), "ann", 1*time.Second, time.Hour)
	created(idIn(9, 0), "ann", 2*time.Second, time.Hour) // same CreatedAt as the next:
	created(idIn(5, 0), "ann", 2*time.Second, time.Hour) // ascending ID breaks the tie
	created(idIn(3, 0), "ann", 0, time.Second)           // expires first
	created(idIn(4, 0), "bob", 0, time.Hour)
	created(idIn(6, 0), "", 0, time.Hour)

	tests := []struct {
		name  string
		owner string
		now   time.Time
		limit int
		want  []sessions.ID
	}{
		{"lists live records newest first", "ann", t0, 10,
			[]sessions.ID{idIn(3, 0), idIn(2, 0), idIn(5, 0), idIn(9, 0), idIn(1, 0)}},
		{"stops at the limit", "ann", t0, 2, []sessions.ID{idIn(3, 0), idIn(2, 0)}},
		{"skips expired records", "ann", t0.Add(time.Second), 10,
			[]sessions.ID{idIn(2, 0), idIn(5, 0), idIn(9, 0), idIn(1, 0)}},
		{"lists only the owner's records", "bob", t0, 10, []sessions.ID{idIn(4, 0)}},
		{"lists nothing for an unknown owner", "cat", t0, 10, nil},
		{"lists nothing for the empty owner", "", t0, 10, nil},
		{"lists nothing with limit zero", "ann", t0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListOwner(bg, tt.owner, tt.now, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var ids []sessions.ID
			for _, e := range got {
				ids = append(ids, e.ID)
				if e.Record.Owner != tt.owner || e.Record.Version != 1 {
					t.Errorf("entry %s: %+v", e.ID.Short(), e.Record)
				}
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("IDs = %v, want %v", short(ids), short(tt.want))
			}
		})
	}
}

func short(ids []sessions.ID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.Short()
	}
	return out
}

func TestDeleteOwner(t *testing.T) {
	ann := []sessions.ID{idN(1), idN(2), idN(3)}
	expired, bobs := idN(4), idN(5)
	tests := []struct {
		name     string
		except   sessions.ID
		want     int
		wantKept []sessions.ID
	}{
		{"deletes all but the one kept", ann[1], 2, []sessions.ID{ann[1]}},
		{"deletes all with the zero ID", sessions.ID{}, 3, nil},
		{"deletes all when the kept ID is not the owner's", bobs, 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore[int](t)
			for _, id := range ann {
				mustCreate(t, s, id, sessions.Record[int]{Owner: "ann", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
			}
			mustCreate(t, s, expired, sessions.Record[int]{Owner: "ann", CreatedAt: t0, ExpiresAt: t0.Add(time.Second)})
			mustCreate(t, s, bobs, sessions.Record[int]{Owner: "bob", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})

			now := t0.Add(time.Second)
			n, err := s.DeleteOwner(bg, "ann", tt.except, now)
			if err != nil || n != tt.want {
				t.Fatalf("DeleteOwner = %d, %v; want %d (live records only)", n, err, tt.want)
			}
			left, _ := s.ListOwner(bg, "ann", now, 10)
			var ids []sessions.ID
			for _, e := range left {
				ids = append(ids, e.ID)
			}
			if !slices.Equal(ids, tt.wantKept) {
				t.Errorf("ann keeps %v, want %v", short(ids), short(tt.wantKept))
			}
			if _, err := s.Load(bg, bobs, now); err != nil {
				t.Errorf("bob's record: %v", err)
			}
			if want := len(tt.wantKept) + 1; s.Len() != want {
				t.Errorf("Len = %d, want %d (the expired record deleted too)", s.Len(), want)
			}
		})
	}
}

func TestOwnerIndexFollowsEveryWrite(t *testing.T) {
	s := newStore[int](t, memory.WithSweepInterval(0))
	id := idN(1)
	list := func(owner string, now time.Time) int {
		t.Helper()
		got, err := s.ListOwner(bg, owner, now, 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(got)
	}
	mustCreate(t, s, id, sessions.Record[int]{Owner: "ann", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)})

	// Replace never changes the owner under the Manager; if it does, the
	// index follows the record.
	if err := s.Replace(bg, id, 1, sessions.Record[int]{Owner: "bob", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}, t0); err != nil {
		t.Fatal(err)
	}
	if list("ann", t0) != 0 || list("bob", t0) != 1 {
		t.Errorf("after Replace: ann %d, bob %d; want 0, 1", list("ann", t0), list("bob", t0))
	}

	// Create over the expired record under a new owner moves it again.
	later := t0.Add(time.Minute)
	if err := s.Create(bg, id, sessions.Record[int]{Owner: "cat", CreatedAt: later, ExpiresAt: later.Add(time.Minute)}, later); err != nil {
		t.Fatal(err)
	}
	if list("bob", later) != 0 || list("cat", later) != 1 {
		t.Errorf("after Create over expired: bob %d, cat %d; want 0, 1", list("bob", later), list("cat", later))
	}

	// DeleteOwner of the old owner must not touch the record it no longer owns.
	if n, _ := s.DeleteOwner(bg, "bob", sessions.ID{}, later); n != 0 || s.Len() != 1 {
		t.Errorf("DeleteOwner(bob) deleted %d, Len %d; want 0, 1", n, s.Len())
	}
	if err := s.Delete(bg, id, 0); err != nil {
		t.Fatal(err)
	}
	if list("cat", later) != 0 {
		t.Error("a deleted record is still listed")
	}
}

func TestDeleteExpired(t *testing.T) {
	s := newStore[int](t, memory.WithSweepInterval(0))
	for i := range 10 {
		mustCreate(t, s, idN(i), rec(i, time.Duration(i+1)*time.Second)) // expires at t0+1s … t0+10s
	}
	tests := []struct {
		name  string
		now   time.Time
		limit int
		want  int
	}{
		{"removes nothing before anything expires", t0.Add(time.Second - 1), 100, 0},
		{"removes nothing with limit zero", t0.Add(time.Hour), 0, 0},
		{"removes a record at the instant it expires", t0.Add(time.Second), 100, 1},
		{"stops at the limit", t0.Add(5 * time.Second), 2, 2},
		{"removes the rest up to now", t0.Add(5 * time.Second), 100, 2},
		{"removes everything once all expired", t0.Add(time.Hour), 100, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := s.DeleteExpired(bg, tt.now, tt.limit)
			if err != nil || n != tt.want {
				t.Errorf("DeleteExpired = %d, %v; want %d", n, err, tt.want)
			}
		})
	}
	if s.Len() != 0 {
		t.Errorf("Len = %d, want 0", s.Len())
	}
}

func TestCapacity(t *testing.T) {
	tests := []struct {
		name string
		// ids of the two records filling the store (created at t0, the
		// first expiring after a second) and of the new one.
		full [2]sessions.ID
		next sessions.ID
	}{
		{"drops an expired record in the new record's shard", [2]sessions.ID{idIn(1, 1), idIn(2, 1)}, idIn(1, 2)},
		{"drops an expired record in another shard", [2]sessions.ID{idIn(1, 1), idIn(2, 1)}, idIn(3, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore[int](t, memory.WithMaxEntries(2), memory.WithSweepInterval(0))
			mustCreate(t, s, tt.full[0], rec(0, time.Second))
			mustCreate(t, s, tt.full[1], rec(1, time.Hour))

			err := s.Create(bg, tt.next, rec(2, time.Hour), t0)
			wantErr(t, "Create while full of live records", err, sessions.ErrStoreFull)
			wantErr(t, "Create on a live ID while full", s.Create(bg, tt.full[1], rec(2, time.Hour), t0), sessions.ErrConflict)

			later := t0.Add(time.Second)
			wantErr(t, "Create once one record expired", s.Create(bg, tt.next, rec(2, time.Hour), later), nil)
			if s.Len() != 2 {
				t.Errorf("Len = %d, want 2", s.Len())
			}
			if _, err := s.Load(bg, tt.full[0], t0); !errors.Is(err, sessions.ErrNotFound) {
				t.Errorf("the expired record was not dropped: %v", err)
			}
		})
	}
}

func TestCapacityIsFreedByDeletes(t *testing.T) {
	s := newStore[int](t, memory.WithMaxEntries(1))
	mustCreate(t, s, idN(1), rec(1, time.Hour))
	wantErr(t, "Create while full", s.Create(bg, idN(2), rec(2, time.Hour), t0), sessions.ErrStoreFull)
	wantErr(t, "Delete", s.Delete(bg, idN(1), 0), nil)
	wantErr(t, "Create after Delete", s.Create(bg, idN(2), rec(2, time.Hour), t0), nil)
	// Overwriting an expired record takes no extra room.
	later := t0.Add(time.Hour)
	wantErr(t, "Create over expired", s.Create(bg, idN(2), rec(3, time.Hour), later), nil)
}

// Value types covering the three ways of copying.
type (
	// flat holds no references: copied by assignment.
	flat struct {
		N    int
		Name string
		Arr  [2]int
		Seen time.Time
	}
	// withClone has a Clone method on the value.
	withClone struct {
		Tags []string
		M    map[string]int
	}
	// withPtrClone has a Clone method on the pointer.
	withPtrClone struct {
		Tags []string
		M    map[string]int
	}
	// plainRefs has references and no Clone: copied through the codec.
	plainRefs struct {
		Tags []string
		M    map[string]int
		P    *int
	}
)

func (v withClone) Clone() withClone {
	return withClone{Tags: slices.Clone(v.Tags), M: maps.Clone(v.M)}
}

func (v *withPtrClone) Clone() withPtrClone {
	return withPtrClone{Tags: slices.Clone(v.Tags), M: maps.Clone(v.M)}
}

// aliasCase builds values of one type and mutates them in place.
type aliasCase[V any] struct {
	make   func() V
	mutate func(*V)
}

func testNoAliasing[V any](t *testing.T, c aliasCase[V]) {
	s := newStore[V](t)
	id := idN(1)
	owned := sessions.Record[V]{Value: c.make(), Owner: "ann", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	mustCreate(t, s, id, owned)
	want := sessions.Record[V]{Value: c.make(), Owner: "ann", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), Version: 1}
	check := func(step string) {
		t.Helper()
		got, err := s.Load(bg, id, t0)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: Load = %+v, %v; want %+v", step, got, err, want)
		}
	}

	c.mutate(&owned.Value)
	check("after mutating the value passed to Create")

	loaded, _ := s.Load(bg, id, t0)
	c.mutate(&loaded.Value)
	check("after mutating a loaded value")

	listed, _ := s.ListOwner(bg, "ann", t0, 1)
	c.mutate(&listed[0].Record.Value)
	check("after mutating a listed value")

	next := sessions.Record[V]{Value: c.make(), Owner: "ann", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	if err := s.Replace(bg, id, 1, next, t0); err != nil {
		t.Fatal(err)
	}
	c.mutate(&next.Value)
	want.Version = 2
	check("after mutating the value passed to Replace")
}

func TestValuesNeverAlias(t *testing.T) {
	t.Run("assignment for a value without references", func(t *testing.T) {
		testNoAliasing(t, aliasCase[flat]{
			make:   func() flat { return flat{N: 1, Name: "a", Arr: [2]int{1, 2}, Seen: t0} },
			mutate: func(v *flat) { v.N, v.Arr[0] = 9, 9 },
		})
	})
	t.Run("Clone on the value", func(t *testing.T) {
		testNoAliasing(t, aliasCase[withClone]{
			make: func() withClone { return withClone{Tags: []string{"a"}, M: map[string]int{"k": 1}} },
			mutate: func(v *withClone) {
				v.Tags[0] = "changed"
				v.M["k"] = 9
				v.M["new"] = 1
			},
		})
	})
	t.Run("Clone on the pointer", func(t *testing.T) {
		testNoAliasing(t, aliasCase[withPtrClone]{
			make: func() withPtrClone { return withPtrClone{Tags: []string{"a"}, M: map[string]int{"k": 1}} },
			mutate: func(v *withPtrClone) {
				v.Tags[0] = "changed"
				v.M["k"] = 9
			},
		})
	})
	t.Run("codec round trip otherwise", func(t *testing.T) {
		testNoAliasing(t, aliasCase[plainRefs]{
			make: func() plainRefs {
				return plainRefs{Tags: []string{"a"}, M: map[string]int{"k": 1}, P: ptr(5)}
			},
			mutate: func(v *plainRefs) {
				v.Tags[0] = "changed"
				v.M["k"] = 9
				*v.P = 6
			},
		})
	})
	t.Run("codec round trip for a map type", func(t *testing.T) {
		testNoAliasing(t, aliasCase[map[string][]int]{
			make:   func() map[string][]int { return map[string][]int{"k": {1, 2}} },
			mutate: func(v *map[string][]int) { (*v)["k"][0] = 9 },
		})
	})
}

// nilClone is a pointer type whose Clone would dereference nil.
type nilClone struct{ Tags []string }

func (v *nilClone) Clone() *nilClone { return &nilClone{Tags: slices.Clone(v.Tags)} }

func TestNilPointerValueIsStoredWithoutCallingClone(t *testing.T) {
	s := newStore[*nilClone](t)
	mustCreate(t, s, idN(1), rec[*nilClone](nil, time.Hour))
	got, err := s.Load(bg, idN(1), t0)
	if err != nil || got.Value != nil {
		t.Errorf("Load = %+v, %v; want a nil value", got, err)
	}
}

type (
	withChan       struct{ C chan int }
	withFunc       struct{ F func() }
	withUnexported struct {
		Tags []string
		m    map[string]int
	}
	withSkipped struct {
		Tags []string
		Memo map[string]int `json:"-"`
	}
	withMethods   struct{ S fmt.Stringer }
	withComplex   struct{ Z *complex128 }
	withStructKey struct{ M map[[2]int]int }
	// jsonSafe has only references JSON carries intact: times, empty
	// interfaces, embedded structs, zero-size markers, recursion.
	jsonSafe struct {
		When map[string]time.Time
		Any  map[string]any
		Next *jsonSafe
		_    [0]func()
		embedded
	}
	// jsonSafeButOne is jsonSafe with one small field JSON would drop.
	jsonSafeButOne struct {
		When   map[string]time.Time
		Next   *jsonSafeButOne
		unexpA int8
	}
	embedded struct{ Labels []string }
)

var _ = withUnexported{m: nil} // the field exists to be refused
var _ = jsonSafeButOne{unexpA: 0}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name string
		new  func() error
		want string
	}{
		{"a non-positive cap", func() error { _, err := memory.New[int](memory.WithMaxEntries(0)); return err }, "WithMaxEntries"},
		{"a negative cap", func() error { _, err := memory.New[int](memory.WithMaxEntries(-1)); return err }, "WithMaxEntries"},
		{"a negative sweep interval", func() error { _, err := memory.New[int](memory.WithSweepInterval(-1)); return err }, "WithSweepInterval"},
		{"a nil clock", func() error { _, err := memory.New[int](memory.WithClock(nil)); return err }, "WithClock"},
		{"a nil codec", func() error { _, err := memory.New[[]int](memory.WithCodec[[]int](nil)); return err }, "WithCodec"},
		{"a codec for another type", func() error {
			_, err := memory.New[[]int](memory.WithCodec(sessions.JSON[[]string]()))
			return err
		}, "WithCodec"},
		{"a channel field", func() error { _, err := memory.New[withChan](); return err }, "chan"},
		{"a function field", func() error { _, err := memory.New[withFunc](); return err }, "func"},
		{"an unexported field JSON would drop", func() error { _, err := memory.New[withUnexported](); return err }, "unexported field m"},
		{"a field JSON skips", func() error { _, err := memory.New[withSkipped](); return err }, "Memo"},
		{"an interface JSON cannot fill", func() error { _, err := memory.New[withMethods](); return err }, "interface"},
		{"a complex number", func() error { _, err := memory.New[withComplex](); return err }, "complex128"},
		{"a map key JSON cannot spell", func() error { _, err := memory.New[withStructKey](); return err }, "key"},
		{"an unexported field beside good ones", func() error { _, err := memory.New[jsonSafeButOne](); return err }, "unexpA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.new()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestNewAccepts(t *testing.T) {
	tests := []struct {
		name string
		new  func() (io.Closer, error)
	}{
		{"values JSON carries intact", func() (io.Closer, error) { return memory.New[jsonSafe]() }},
		{"a pointer-free value with unexported fields", func() (io.Closer, error) {
			return memory.New[struct{ a, b int }]()
		}},
		{"any value with a codec of its own", func() (io.Closer, error) {
			return memory.New[withUnexported](memory.WithCodec[withUnexported](gobLikeCodec{}))
		}},
		{"nil options", func() (io.Closer, error) { return memory.New[int](nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.new()
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			_ = s.Close()
		})
	}
}

// gobLikeCodec copies withUnexported by hand, unexported field included.
type gobLikeCodec struct{}

func (gobLikeCodec) Marshal(v withUnexported) ([]byte, error) {
	return []byte(strings.Join(v.Tags, ",") + fmt.Sprint(len(v.m))), nil
}

func (gobLikeCodec) Unmarshal(data []byte) (withUnexported, error) {
	return withUnexported{Tags: strings.Split(string(data), ",")}, nil
}

// failingCodec fails every Marshal.
type failingCodec struct{}

var errCodec = errors.New("codec says no")

func (failingCodec) Marshal([]int) ([]byte, error)   { return nil, errCodec }
func (failingCodec) Unmarshal([]byte) ([]int, error) { return nil, errCodec }

func TestCodecFailuresComeBackAsErrors(t *testing.T) {
	t.Run("a value the codec cannot encode", func(t *testing.T) {
		s := newStore[map[string]any](t)
		v := map[string]any{"c": make(chan int)}
		if err := s.Create(bg, idN(1), rec(v, time.Hour), t0); err == nil {
			t.Fatal("Create stored a value JSON cannot encode")
		}
		if s.Len() != 0 {
			t.Errorf("Len = %d after a failed Create", s.Len())
		}
	})
	t.Run("a value over the codec's bound", func(t *testing.T) {
		s := newStore[[]string](t)
		v := []string{strings.Repeat("x", sessions.DefaultMaxValueBytes)}
		err := s.Create(bg, idN(1), rec(v, time.Hour), t0)
		wantErr(t, "Create", err, sessions.ErrValueTooLarge)
	})
	t.Run("a failing codec", func(t *testing.T) {
		s := newStore[[]int](t, memory.WithCodec[[]int](failingCodec{}))
		wantErr(t, "Create", s.Create(bg, idN(1), rec([]int{1}, time.Hour), t0), errCodec)
	})
}

func TestCancelledContextIsReported(t *testing.T) {
	s := newStore[int](t)
	id := idN(1)
	mustCreate(t, s, id, sessions.Record[int]{Owner: "ann", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
	ctx, cancel := context.WithCancel(bg)
	cancel()
	calls := map[string]func() error{
		"Create":  func() error { return s.Create(ctx, idN(2), rec(1, time.Hour), t0) },
		"Load":    func() error { _, err := s.Load(ctx, id, t0); return err },
		"Replace": func() error { return s.Replace(ctx, id, 1, rec(1, time.Hour), t0) },
		"Delete":  func() error { return s.Delete(ctx, id, 0) },
		"Touch":   func() error { return s.Touch(ctx, id, t0.Add(time.Hour), t0) },
		"ListOwner": func() error {
			_, err := s.ListOwner(ctx, "ann", t0, 10)
			return err
		},
		"DeleteOwner": func() error {
			_, err := s.DeleteOwner(ctx, "ann", sessions.ID{}, t0)
			return err
		},
		"DeleteExpired": func() error {
			_, err := s.DeleteExpired(ctx, t0.Add(time.Hour), 10)
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: error %v, want context.Canceled", name, err)
		}
	}
	got, err := s.Load(bg, id, t0)
	if err != nil || got.Version != 1 || s.Len() != 1 {
		t.Errorf("a cancelled call changed the store: %+v, %v, Len %d", got, err, s.Len())
	}
}

func TestJanitorSweepsByItsClock(t *testing.T) {
	var now atomic.Pointer[time.Time]
	now.Store(&t0)
	s := newStore[int](t,
		memory.WithSweepInterval(time.Millisecond),
		memory.WithClock(func() time.Time { return *now.Load() }))
	mustCreate(t, s, idN(1), rec(1, time.Minute))
	mustCreate(t, s, idN(2), rec(2, time.Hour))

	time.Sleep(20 * time.Millisecond)
	if s.Len() != 2 {
		t.Fatalf("Len = %d before the clock moved, want 2", s.Len())
	}
	later := t0.Add(time.Minute)
	now.Store(&later)
	deadline := time.Now().Add(10 * time.Second)
	for s.Len() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("the janitor did not sweep: Len = %d", s.Len())
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := s.Load(bg, idN(2), later); err != nil {
		t.Errorf("the janitor removed a live record: %v", err)
	}
}

func TestJanitorRunsEverySweepInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := memory.New[int](memory.WithSweepInterval(time.Minute)) // time.Now is the bubble's clock
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		now := time.Now()
		for i := range 3 {
			r := sessions.Record[int]{CreatedAt: now, ExpiresAt: now.Add(time.Duration(i+1) * 50 * time.Second)}
			if err := s.Create(bg, idN(i), r, now); err != nil {
				t.Fatal(err)
			}
		}
		for _, want := range []int{2, 1, 0} { // after 1, 2 and 3 minutes
			time.Sleep(time.Minute)
			synctest.Wait()
			if s.Len() != want {
				t.Fatalf("Len = %d, want %d", s.Len(), want)
			}
		}
	})
}

func TestCloseLeavesNoGoroutine(t *testing.T) {
	tests := []struct {
		name string
		opts []memory.Option
	}{
		{"with the janitor", []memory.Option{memory.WithSweepInterval(time.Millisecond)}},
		{"without the janitor", []memory.Option{memory.WithSweepInterval(0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			s, err := memory.New[int](tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			mustCreate(t, s, idN(1), rec(1, time.Nanosecond))
			time.Sleep(5 * time.Millisecond) // let a sweep or two run
			for range 2 {                    // Close is idempotent
				if err := s.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
			}
			for range 100 {
				if runtime.NumGoroutine() <= before {
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
			t.Errorf("goroutines: %d before New, %d after Close", before, runtime.NumGoroutine())
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	s := newStore[withClone](t, memory.WithSweepInterval(time.Millisecond), memory.WithMaxEntries(1000))
	const ids, workers, rounds = 16, 16, 200
	var replaced [ids]atomic.Int64
	var bobsKept atomic.Int64
	for i := range ids {
		mustCreate(t, s, idN(i), sessions.Record[withClone]{
			Value: withClone{M: map[string]int{}}, Owner: "ann", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
		})
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for r := range rounds {
				i := (w + r) % ids
				id := idN(i)
				cur, err := s.Load(bg, id, t0)
				if err != nil {
					t.Errorf("Load: %v", err)
					return
				}
				cur.Value.M[fmt.Sprint(w)]++ // mutating our copy must be safe
				err = s.Replace(bg, id, cur.Version, cur, t0)
				switch {
				case err == nil:
					replaced[i].Add(1)
				case !errors.Is(err, sessions.ErrConflict):
					t.Errorf("Replace: %v", err)
				}
				_ = s.Touch(bg, id, t0.Add(time.Hour), t0)
				_, _ = s.ListOwner(bg, "ann", t0, 5)
				// Churn records of another owner alongside.
				// The cap is low enough for some of these to be refused.
				tmp := idN(1000 + w*rounds + r)
				err = s.Create(bg, tmp, sessions.Record[withClone]{Owner: "bob", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}, t0)
				switch {
				case err == nil && r%2 == 0:
					_ = s.Delete(bg, tmp, 0)
				case err == nil:
					bobsKept.Add(1)
				case !errors.Is(err, sessions.ErrStoreFull):
					t.Errorf("Create: %v", err)
				}
			}
		})
	}
	wg.Wait()
	for i := range ids {
		got, err := s.Load(bg, idN(i), t0)
		if err != nil || got.Version != uint64(1+replaced[i].Load()) {
			t.Errorf("record %d: version %d, %v; want %d", i, got.Version, err, 1+replaced[i].Load())
		}
	}
	n, _ := s.DeleteOwner(bg, "bob", sessions.ID{}, t0)
	if n != int(bobsKept.Load()) || s.Len() != ids {
		t.Errorf("DeleteOwner(bob) = %d, Len = %d; want %d, %d", n, s.Len(), bobsKept.Load(), ids)
	}
}

// benchStore returns a store of 10,000 live records and their IDs.
func benchStore[V any](b *testing.B, v V) (*memory.Store[V], []sessions.ID) {
	s := newStore[V](b)
	ids := make([]sessions.ID, 10_000)
	for i := range ids {
		ids[i] = idN(i)
		mustCreate(b, s, ids[i], rec(v, time.Hour))
	}
	return s, ids
}

func benchLoad[V any](b *testing.B, v V) {
	s, ids := benchStore(b, v)
	var seq atomic.Uint64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seq.Add(7919))
		for pb.Next() {
			i++
			if _, err := s.Load(bg, ids[i%len(ids)], t0); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func benchReplace[V any](b *testing.B, v V) {
	s, ids := benchStore(b, v)
	var worker atomic.Int64
	workers := runtime.GOMAXPROCS(0)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		// Each goroutine owns the IDs congruent to its number, so every
		// Replace finds the version it expects.
		w := int(worker.Add(1)-1) % workers
		versions := make([]uint64, len(ids))
		i := w
		for pb.Next() {
			i += workers
			if i >= len(ids) {
				i = w
			}
			ver := versions[i] + 1
			if err := s.Replace(bg, ids[i], ver, rec(v, time.Hour), t0); err != nil {
				b.Error(err)
				return
			}
			versions[i] = ver
		}
	})
}

var (
	benchFlat  = flat{N: 1, Name: "user-42", Arr: [2]int{1, 2}, Seen: t0}
	benchClone = withClone{Tags: []string{"a", "b"}, M: map[string]int{"k": 1}}
	benchCodec = plainRefs{Tags: []string{"a", "b"}, M: map[string]int{"k": 1}, P: ptr(1)}
)

func BenchmarkLoadParallel(b *testing.B) {
	b.Run("assign", func(b *testing.B) { benchLoad(b, benchFlat) })
	b.Run("clone", func(b *testing.B) { benchLoad(b, benchClone) })
	b.Run("codec", func(b *testing.B) { benchLoad(b, benchCodec) })
}

func BenchmarkReplaceParallel(b *testing.B) {
	b.Run("assign", func(b *testing.B) { benchReplace(b, benchFlat) })
	b.Run("clone", func(b *testing.B) { benchReplace(b, benchClone) })
	b.Run("codec", func(b *testing.B) { benchReplace(b, benchCodec) })
}

func TestLoadOfAReferenceFreeValueAllocatesNothing(t *testing.T) {
	s := newStore[flat](t)
	mustCreate(t, s, idN(1), rec(benchFlat, time.Hour))
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := s.Load(bg, idN(1), t0); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Load allocates %v times, want 0", allocs)
	}
}
