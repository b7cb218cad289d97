package memory

import (
	"bytes"
	"context"
	"hash/maphash"
	"slices"
	"sync"
	"time"

	"github.com/typedsession/sessions"
)

// ownerIndex maps each owner to the IDs of its records. It is sharded by a
// hash of the owner, like the records are by ID, and kept exact: an ID is
// in an owner's set exactly while a record with that owner is stored under
// it, because every change to either happens under the record's shard
// lock.
type ownerIndex struct {
	seed   maphash.Seed
	shards [shardCount]ownerShard
}

// ownerShard is one lock's worth of the owner index.
type ownerShard struct {
	mu  sync.RWMutex
	ids map[string]map[sessions.ID]struct{}
	_   [64]byte
}

func (x *ownerIndex) init() {
	x.seed = maphash.MakeSeed()
	for i := range x.shards {
		x.shards[i].ids = make(map[string]map[sessions.ID]struct{})
	}
}

func (x *ownerIndex) shard(owner string) *ownerShard {
	return &x.shards[maphash.String(x.seed, owner)&(shardCount-1)]
}

func (x *ownerIndex) add(owner string, id sessions.ID) {
	sh := x.shard(owner)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	set := sh.ids[owner]
	if set == nil {
		set = make(map[sessions.ID]struct{}, 1)
		sh.ids[owner] = set
	}
	set[id] = struct{}{}
}

func (x *ownerIndex) remove(owner string, id sessions.ID) {
	sh := x.shard(owner)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	set := sh.ids[owner]
	delete(set, id)
	if len(set) == 0 {
		delete(sh.ids, owner) // owners come and go; keep no empty sets
	}
}

// ids returns a copy of owner's IDs, so the caller can read records
// without holding the index's lock.
func (x *ownerIndex) ids(owner string) []sessions.ID {
	sh := x.shard(owner)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	set := sh.ids[owner]
	ids := make([]sessions.ID, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	return ids
}

// ListOwner returns up to limit records of owner that are live at now,
// newest (latest CreatedAt) first; records created at the same instant
// come in ascending order of ID. A limit of zero or less, or an empty
// owner, gives none.
func (s *Store[V]) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]sessions.Entry[V], error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if owner == "" || limit <= 0 {
		return nil, nil
	}
	type found struct {
		id sessions.ID
		e  entry[V]
	}
	var live []found
	for _, id := range s.owners.ids(owner) {
		sh := s.shard(id)
		sh.mu.RLock()
		e, ok := sh.records[id]
		sh.mu.RUnlock()
		if ok && e.rec.Owner == owner && e.rec.Live(now) {
			live = append(live, found{id, e})
		}
	}
	slices.SortFunc(live, func(a, b found) int {
		if c := b.e.rec.CreatedAt.Compare(a.e.rec.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare(a.id[:], b.id[:])
	})
	live = live[:min(limit, len(live))]
	// Copy values only for the records returned; stored values are never
	// mutated, so this needs no lock.
	out := make([]sessions.Entry[V], len(live))
	for i, f := range live {
		rec, err := s.copier.out(f.e)
		if err != nil {
			return nil, err
		}
		out[i] = sessions.Entry[V]{ID: f.id, Record: rec}
	}
	return out, nil
}

// DeleteOwner deletes every record of owner except the one under except
// (the zero ID keeps none) and returns how many of those it deleted were
// live at now. Expired records of owner are deleted too but not counted,
// so the count is the number of sessions that ended. An empty owner
// deletes nothing. Records created while it runs may survive it.
func (s *Store[V]) DeleteOwner(ctx context.Context, owner string, except sessions.ID, now time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if owner == "" {
		return 0, nil
	}
	n := 0
	for _, id := range s.owners.ids(owner) {
		if id != except && s.deleteOwned(id, owner, now) {
			n++
		}
	}
	return n, nil
}

// deleteOwned deletes the record under id if owner owns it, and reports
// whether it deleted a record live at now.
func (s *Store[V]) deleteOwned(id sessions.ID, owner string, now time.Time) bool {
	sh := s.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.records[id]
	if !ok || e.rec.Owner != owner {
		return false // changed since the index was read
	}
	s.removeLocked(sh, id, e)
	return e.rec.Live(now)
}
