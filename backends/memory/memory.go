// Package memory is the embedded, in-process session store: a
// [sessions.Backend] that also implements [sessions.Toucher],
// [sessions.OwnerIndex] and [sessions.Sweeper].
//
// Records live in this process only: they vanish when it exits, and other
// processes cannot see them. Deployments with more than one process, or
// that must keep sessions across restarts, use the Redis or PostgreSQL
// store.
//
// # Concurrency
//
// A Store is safe for concurrent use. Records are split over 64 shards by
// the first byte of their ID (IDs are SHA-256 output, so shards fill
// evenly), each with its own lock, so parallel requests rarely wait for
// each other; Load takes a read lock only. Expiry is decided by the now
// each call passes: an expired record is never returned, and a background
// janitor removes expired records every [DefaultSweepInterval] (see
// [WithSweepInterval]) until [Store.Close].
//
// # Capacity
//
// A Store holds at most [DefaultMaxEntries] records (see
// [WithMaxEntries]). When it is full, Create drops expired records, first
// in the new record's shard, then in the others, and returns
// [sessions.ErrStoreFull] only if every record held is live at its now.
//
// # Copying
//
// A value read from a Store never shares memory with one it keeps, so a
// caller mutating a map or slice in its value changes nothing another
// request loads. Values are copied on the way in (Create, Replace) and on
// the way out (Load, ListOwner), in the cheapest way that is safe for V,
// chosen once by [New]:
//   - assignment, when V holds no pointers, slices, maps, interfaces,
//     channels or functions (strings and time.Time values are immutable
//     and may be shared);
//   - else V's Clone() V method, declared on V or *V, when it has one;
//   - else a round trip through a codec, [sessions.JSON] unless
//     [WithCodec] says otherwise. The store then keeps the encoded bytes:
//     one encoding per write, one decoding per read. New refuses a V that
//     JSON would not carry intact (unexported or "-" fields, channels,
//     functions, complex numbers, non-empty interfaces); the codec's
//     errors, such as [sessions.ErrValueTooLarge] for a value over 64 KiB,
//     come back from the operation.
package memory

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/internal/codecopt"
	"github.com/typedsession/sessions/internal/janitor"
)

// Compile-time checks that Store offers every capability.
var (
	_ sessions.Backend[int]    = (*Store[int])(nil)
	_ sessions.Toucher         = (*Store[int])(nil)
	_ sessions.OwnerIndex[int] = (*Store[int])(nil)
	_ sessions.Sweeper         = (*Store[int])(nil)
)

// shardCount is the number of record shards; a power of two, so an ID's
// first byte picks one with a mask.
const shardCount = 64

// Store is an in-process session store for values of type V. Build one
// with [New] and stop its janitor with [Store.Close].
//
// Lock order: a record shard's lock may be held while an owner shard's
// lock is taken, never the reverse, and no method holds two locks of the
// same kind. Owner listings therefore copy IDs out of the owner index
// before reading the records.
type Store[V any] struct {
	shards     [shardCount]shard[V]
	owners     ownerIndex
	held       atomic.Int64 // records held in all shards, live or not
	maxEntries int64
	copier     copier[V]
	clock      func() time.Time
	cursor     atomic.Uint32 // the shard where the next sweep starts
	janitor    *janitor.Janitor
}

// shard is one lock's worth of records.
type shard[V any] struct {
	mu      sync.RWMutex
	records map[sessions.ID]entry[V]
	// earliest is at or before the ExpiresAt of every record in the shard,
	// so while now is before it nothing has expired and sweeps skip the
	// shard without scanning it.
	earliest time.Time
	// Keeps each shard's hot fields off its neighbours' cache lines.
	_ [64]byte
}

// entry is what a shard keeps for one ID. In codec mode rec.Value is the
// zero value and enc holds the encoded value; in clone mode boxed usually
// holds it.
type entry[V any] struct {
	rec   sessions.Record[V]
	enc   []byte
	boxed cloner[V] // in clone mode, the value (rec.Value is then zero)
}

// New returns an empty Store. It fails for invalid options and for a V it
// cannot copy safely (see the package documentation).
func New[V any](opts ...Option) (*Store[V], error) {
	cfg := defaultConfig()
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	if err := errors.Join(cfg.errs...); err != nil {
		return nil, err
	}
	codec, custom, err := codecopt.Resolve[V]("memory", cfg.codec)
	if err != nil {
		return nil, err
	}
	cp, err := newCopier(codec, custom)
	if err != nil {
		return nil, err
	}
	s := &Store[V]{
		maxEntries: int64(cfg.maxEntries),
		copier:     cp,
		clock:      cfg.clock,
	}
	s.owners.init()
	for i := range s.shards {
		s.shards[i].records = make(map[sessions.ID]entry[V])
	}
	s.janitor = janitor.Start(cfg.sweepInterval, s.sweep)
	return s, nil
}

// Close stops the janitor and waits for a sweep in progress to finish, so
// no goroutine of the store outlives it. It is idempotent and always
// returns nil. The store stays usable after Close; expired records are
// then removed only on demand (see [WithSweepInterval]).
func (s *Store[V]) Close() error {
	s.janitor.Stop()
	return nil
}

// Len returns the number of records the store holds, live or expired but
// not yet removed.
func (s *Store[V]) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		n += len(sh.records)
		sh.mu.RUnlock()
	}
	return n
}

// shard returns the shard that keeps id.
func (s *Store[V]) shard(id sessions.ID) *shard[V] {
	return &s.shards[id[0]&(shardCount-1)]
}

// Create stores rec under id with Version 1 if no live record is there;
// an expired one is overwritten. It returns [sessions.ErrConflict] if a
// live record holds id and an error wrapping [sessions.ErrStoreFull] if
// the store is full of live records.
func (s *Store[V]) Create(ctx context.Context, id sessions.ID, rec sessions.Record[V], now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rec.Version = 1
	e, err := s.copier.in(rec)
	if err != nil {
		return err
	}
	sh := s.shard(id)
	if err := s.insert(sh, id, e, now); !errors.Is(err, errNoRoom) {
		return err
	}
	// The record's shard had nothing expired to drop; the others may.
	if s.makeRoom(sh, now) {
		if err := s.insert(sh, id, e, now); !errors.Is(err, errNoRoom) {
			return err
		}
	}
	return fmt.Errorf("%w: %d records held, all live", sessions.ErrStoreFull, s.maxEntries)
}

// errNoRoom tells Create that insert found the store full.
var errNoRoom = errors.New("memory: no room")

// insert stores e under id in sh unless a live record is there, dropping
// sh's expired records if the store is full.
func (s *Store[V]) insert(sh *shard[V], id sessions.ID, e entry[V], now time.Time) error {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old, had := sh.records[id]
	if had && old.rec.Live(now) {
		return sessions.ErrConflict
	}
	if !had && !s.reserve() {
		s.dropExpiredLocked(sh, now, -1)
		if !s.reserve() {
			return errNoRoom
		}
	}
	s.storeLocked(sh, id, old, had, e)
	return nil
}

// reserve claims room for one more record, if there is any.
func (s *Store[V]) reserve() bool {
	if s.held.Add(1) > s.maxEntries {
		s.held.Add(-1)
		return false
	}
	return true
}

// Load returns the record under id if it is live at now, else
// [sessions.ErrNotFound]. An expired record is left for the janitor, so
// Load needs only a read lock.
func (s *Store[V]) Load(ctx context.Context, id sessions.ID, now time.Time) (sessions.Record[V], error) {
	if err := ctx.Err(); err != nil {
		return sessions.Record[V]{}, err
	}
	sh := s.shard(id)
	sh.mu.RLock()
	e, ok := sh.records[id]
	sh.mu.RUnlock()
	if !ok || !e.rec.Live(now) {
		return sessions.Record[V]{}, sessions.ErrNotFound
	}
	return s.copier.out(e)
}

// Replace overwrites the live record under id if its version is ifVersion,
// storing rec with Version ifVersion+1 (whatever rec.Version says). It
// returns [sessions.ErrNotFound] if no live record is there, removing an
// expired one, and [sessions.ErrConflict] if the version differs.
func (s *Store[V]) Replace(ctx context.Context, id sessions.ID, ifVersion uint64, rec sessions.Record[V], now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	rec.Version = ifVersion + 1
	e, err := s.copier.in(rec)
	if err != nil {
		return err
	}
	sh := s.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old, err := s.liveLocked(sh, id, now)
	if err != nil {
		return err
	}
	if old.rec.Version != ifVersion {
		return sessions.ErrConflict
	}
	s.storeLocked(sh, id, old, true, e)
	return nil
}

// Touch sets the ExpiresAt of the live record under id, leaving its value
// and version alone. It returns [sessions.ErrNotFound] if no live record
// is there, removing an expired one.
func (s *Store[V]) Touch(ctx context.Context, id sessions.ID, expiresAt, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sh := s.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old, err := s.liveLocked(sh, id, now)
	if err != nil {
		return err
	}
	e := old
	e.rec.ExpiresAt = expiresAt
	s.storeLocked(sh, id, old, true, e)
	return nil
}

// Delete removes the record under id. With ifVersion 0 it is unconditional
// and an absent record is not an error. With ifVersion > 0 it returns
// [sessions.ErrNotFound] if no record is there and [sessions.ErrConflict]
// if the version differs.
//
// Delete is given no now, so it cannot tell an expired record that has not
// been removed yet from a live one: such a record counts as present.
func (s *Store[V]) Delete(ctx context.Context, id sessions.ID, ifVersion uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sh := s.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	old, had := sh.records[id]
	switch {
	case !had && ifVersion == 0:
		return nil
	case !had:
		return sessions.ErrNotFound
	case ifVersion != 0 && old.rec.Version != ifVersion:
		return sessions.ErrConflict
	}
	s.removeLocked(sh, id, old)
	return nil
}

// liveLocked returns the live record under id, or ErrNotFound after
// removing an expired one. The caller holds sh's write lock.
func (s *Store[V]) liveLocked(sh *shard[V], id sessions.ID, now time.Time) (entry[V], error) {
	old, had := sh.records[id]
	if !had {
		return entry[V]{}, sessions.ErrNotFound
	}
	if !old.rec.Live(now) {
		s.removeLocked(sh, id, old)
		return entry[V]{}, sessions.ErrNotFound
	}
	return old, nil
}

// storeLocked puts e under id, where old was (if had), keeping the owner
// index and the shard's expiry bound in step. The caller holds sh's write
// lock and has reserved room if the record is new.
func (s *Store[V]) storeLocked(sh *shard[V], id sessions.ID, old entry[V], had bool, e entry[V]) {
	// Replace never changes Owner under the Manager, but a store that
	// trusted that could lose track of a session, so the index follows
	// whatever is stored.
	if !had || old.rec.Owner != e.rec.Owner {
		if had && old.rec.Owner != "" {
			s.owners.remove(old.rec.Owner, id)
		}
		if e.rec.Owner != "" {
			s.owners.add(e.rec.Owner, id)
		}
	}
	if len(sh.records) == 0 || e.rec.ExpiresAt.Before(sh.earliest) {
		sh.earliest = e.rec.ExpiresAt
	}
	sh.records[id] = e
}

// removeLocked removes the record e under id and its owner index entry.
// The caller holds sh's write lock.
func (s *Store[V]) removeLocked(sh *shard[V], id sessions.ID, e entry[V]) {
	delete(sh.records, id)
	s.held.Add(-1)
	if e.rec.Owner != "" {
		s.owners.remove(e.rec.Owner, id)
	}
}
