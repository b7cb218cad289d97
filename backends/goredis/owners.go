package goredis

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
)

// batchSize is how many index entries ListOwner and DeleteOwner read per
// round trip, and so how many records they read or delete per pipelined
// round trip.
const batchSize = 256

// index enters id in owner's index, to be kept until indexedMS.
func (s *Store[V]) index(ctx context.Context, owner string, id sessions.ID, indexedMS int64, now time.Time) error {
	nowMS, margin := msOf(now), skewMargin.Milliseconds()
	trim := "(" + strconv.FormatInt(nowMS-margin, 10)
	code, _, err := s.run(ctx, s.scripts.indexAdd, s.ownerKey(owner), string(id[:]), indexedMS, trim, nowMS, margin)
	if err != nil {
		return fmt.Errorf("goredis: owner index: %w", err)
	}
	if code != codeOK {
		return unexpected("owner index", code)
	}
	return nil
}

// ListOwner returns up to limit records of owner that are live at now,
// newest CreatedAt first. It reads the owner's index a page at a time,
// highest instant first, and skips records that are gone, expired, owned
// by someone else or undecodable. It stops once no entry left to read can
// belong to a record newer than the limit-th it keeps, so it holds at
// most limit records and one page, whatever the index holds.
//
// It removes the entries that are not IDs and those whose key holds
// another owner's record or a value that is not a record. It keeps the
// entries whose key is missing: an owned Create writes its entry before
// its record, so a missing record may be one about to be written.
func (s *Store[V]) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]sessions.Entry[V], error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if owner == "" || limit <= 0 || checkOwner(owner) != nil {
		return nil, nil // no such owner can have been stored
	}
	ikey, nowMS := s.ownerKey(owner), msOf(now)
	// An entry's instant is never before its record's expiry, so entries
	// at or before now can have no live record.
	p := newPager(s.client, ikey, true, "+inf", "("+strconv.FormatInt(nowMS, 10))
	var found []sessions.Entry[V]
	for !p.done() && !s.hasNewest(found, limit, p.frontier()) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		page, err := p.next(ctx)
		if err != nil {
			return nil, fmt.Errorf("goredis: list owner: %w", err)
		}
		entries, stale, err := s.readOwned(ctx, owner, page, nowMS)
		if err != nil {
			return nil, err
		}
		p.kept(len(page) - s.unindex(ctx, ikey, stale))
		found = newest(found, entries, limit)
	}
	return found, nil
}

// hasNewest reports whether found holds the limit newest records of the
// index: no entry left to read is scored above frontier, and an entry's
// instant is at least its record's CreatedAt plus the lifetime, so no
// record left to read was created after frontier minus the lifetime.
func (s *Store[V]) hasNewest(found []sessions.Entry[V], limit int, frontier float64) bool {
	if len(found) < limit {
		return false
	}
	newestLeft := frontier - float64(s.lifetime.Milliseconds())
	return float64(msOf(found[limit-1].Record.CreatedAt)) >= newestLeft
}

// newest adds entries to found, sorted newest CreatedAt first, and keeps
// at most limit of them. An entry read twice, which a concurrent write
// may cause, is kept once.
func newest[V any](found, entries []sessions.Entry[V], limit int) []sessions.Entry[V] {
	if len(entries) == 0 {
		return found
	}
	found = append(found, entries...)
	slices.SortFunc(found, func(a, b sessions.Entry[V]) int {
		return cmp.Or(b.Record.CreatedAt.Compare(a.Record.CreatedAt), bytes.Compare(a.ID[:], b.ID[:]))
	})
	found = slices.CompactFunc(found, func(a, b sessions.Entry[V]) bool { return a.ID == b.ID })
	return found[:min(len(found), limit)]
}

// unindex removes members from the index at ikey and reports how many it
// removed: all of them, or none when the removal fails. Failing is not
// an error: an entry left behind costs a read, never a wrong answer.
func (s *Store[V]) unindex(ctx context.Context, ikey string, members []any) int {
	if len(members) == 0 || s.client.ZRem(ctx, ikey, members...).Err() != nil {
		return 0
	}
	return len(members)
}

// readOwned reads the records of one page of index entries and returns
// those live at nowMS that belong to owner, plus the members to remove:
// those that are not IDs, and those whose key holds another owner's
// record or a value that is not a record.
func (s *Store[V]) readOwned(ctx context.Context, owner string, page []redis.Z, nowMS int64) ([]sessions.Entry[V], []any, error) {
	ids, keys, stale := s.memberKeys(page, sessions.ID{})
	pipe := s.client.Pipeline()
	cmds := make([]*redis.StringCmd, len(keys))
	for i, k := range keys {
		cmds[i] = pipe.Get(ctx, k)
	}
	if len(cmds) > 0 {
		_, _ = pipe.Exec(ctx) // each command's error is looked at below
	}
	var found []sessions.Entry[V]
	for i, c := range cmds {
		data, err := c.Bytes()
		if errors.Is(err, redis.Nil) {
			continue // gone, or not written yet: its entry stays
		}
		if err != nil {
			return nil, nil, fmt.Errorf("goredis: list owner: %w", withContext(ctx, err))
		}
		h, err := parseHeader(data)
		if err != nil || string(h.owner) != owner {
			stale = append(stale, string(ids[i][:]))
			continue
		}
		if !h.live(nowMS) {
			continue // its entry goes when the index is next trimmed
		}
		rec, err := toRecord(h, s.codec)
		if err != nil {
			continue // unreadable: not listed, as Load would not return it
		}
		found = append(found, sessions.Entry[V]{ID: ids[i], Record: rec})
	}
	return found, stale, nil
}

// memberKeys returns the IDs and session keys of a page of index
// entries, leaving out except, and the members that are not IDs at all
// (which only a foreign write can have put there) for removal.
func (s *Store[V]) memberKeys(page []redis.Z, except sessions.ID) (ids []sessions.ID, keys []string, bad []any) {
	ids = make([]sessions.ID, 0, len(page))
	keys = make([]string, 0, len(page))
	for _, z := range page {
		m, _ := z.Member.(string)
		var id sessions.ID
		if len(m) != len(id) {
			bad = append(bad, z.Member)
			continue
		}
		copy(id[:], m)
		if id == except && except != (sessions.ID{}) {
			continue
		}
		ids = append(ids, id)
		keys = append(keys, s.key(id))
	}
	return ids, keys, bad
}

// DeleteOwner deletes every record of owner except the one under except
// (the zero ID keeps none) and reports how many live records it deleted.
// It reads the owner's index a page at a time, lowest instant first, from
// the skew margin before now (entries below it can only hold expired
// records). Each record is deleted only if it still belongs to owner,
// before its entry is removed. Records created while it runs may survive
// it; a record whose entry is extended while it runs is still reached,
// as extending an entry moves it ahead of where DeleteOwner reads.
//
// Like ListOwner, it keeps the entries whose key is missing, and removes
// those that are not IDs or whose key holds no record of owner.
func (s *Store[V]) DeleteOwner(ctx context.Context, owner string, except sessions.ID, now time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if owner == "" || checkOwner(owner) != nil {
		return 0, nil
	}
	ikey, nowMS := s.ownerKey(owner), msOf(now)
	from := strconv.FormatInt(nowMS-skewMargin.Milliseconds(), 10)
	p := newPager(s.client, ikey, false, from, "+inf")
	deleted := 0
	for !p.done() {
		if err := ctx.Err(); err != nil {
			return deleted, err
		}
		page, err := p.next(ctx)
		if err != nil {
			return deleted, fmt.Errorf("goredis: delete owner: %w", err)
		}
		n, kept, err := s.deleteOwned(ctx, owner, ikey, page, except, nowMS)
		deleted += n
		if err != nil {
			return deleted, err
		}
		p.kept(kept)
	}
	return deleted, nil
}

// deleteOwned deletes the records of one page of index entries that
// belong to owner, leaving out except, then removes from the index at
// ikey the entries of the records it deleted and of keys holding no
// record of owner. It reports how many live records it deleted and how
// many of the page's entries are still in the index.
func (s *Store[V]) deleteOwned(ctx context.Context, owner, ikey string, page []redis.Z, except sessions.ID, nowMS int64) (deleted, kept int, err error) {
	ids, keys, done := s.memberKeys(page, except)
	cmds, err := s.runAll(ctx, s.scripts.deleteOwned, keys, func(int) []any { return []any{owner, nowMS} })
	if err != nil {
		return 0, len(page), fmt.Errorf("goredis: delete owner: %w", err)
	}
	var failed error
	for i, c := range cmds {
		var code int64
		err := c.Err()
		if err == nil {
			code, _, err = scriptCode(c.Val())
		}
		if err != nil {
			failed = cmp.Or(failed, err)
			continue // its record may still be there: keep its entry
		}
		switch code {
		case ownedDeletedLive:
			deleted++
		case ownedDeletedExpired, ownedNot:
		case ownedGone:
			continue // gone, or not written yet: its entry stays
		default:
			failed = cmp.Or(failed, unexpected("delete owner", code))
			continue
		}
		done = append(done, string(ids[i][:]))
	}
	removed := 0
	if len(done) > 0 {
		if err := s.client.ZRem(ctx, ikey, done...).Err(); err != nil {
			failed = cmp.Or(failed, err)
		} else {
			removed = len(done)
		}
	}
	if failed != nil {
		return deleted, len(page) - removed, fmt.Errorf("goredis: delete owner: %w", withContext(ctx, failed))
	}
	return deleted, len(page) - removed, nil
}

// withContext returns err, wrapping the context's error too when the
// context is done: go-redis reports a deadline reached inside a pipeline
// as each command's socket timeout, which is not the context's error.
func withContext(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}
