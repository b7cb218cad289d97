package goredis

import (
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

// batchSize is how many records ListOwner and DeleteOwner handle per
// pipelined round trip.
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
// newest CreatedAt first. It reads every entry of the owner's index whose
// instant is after now, skips records that are gone, expired, owned by
// someone else or undecodable, and removes the entries whose record is
// gone or not the owner's.
func (s *Store[V]) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]sessions.Entry[V], error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if owner == "" || limit <= 0 || checkOwner(owner) != nil {
		return nil, nil // no such owner can have been stored
	}
	ikey, nowMS := s.ownerKey(owner), msOf(now)
	members, err := s.client.ZRangeByScore(ctx, ikey, &redis.ZRangeBy{Min: "(" + strconv.FormatInt(nowMS, 10), Max: "+inf"}).Result()
	if err != nil {
		return nil, fmt.Errorf("goredis: list owner: %w", err)
	}
	var found []sessions.Entry[V]
	var stale []any
	for batch := range slices.Chunk(members, batchSize) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		entries, gone, err := s.readOwned(ctx, owner, batch, nowMS)
		if err != nil {
			return nil, err
		}
		found, stale = append(found, entries...), append(stale, gone...)
		// Keep only the newest limit, so memory stays bounded by limit
		// and the batch size whatever the index holds.
		slices.SortStableFunc(found, func(a, b sessions.Entry[V]) int {
			return b.Record.CreatedAt.Compare(a.Record.CreatedAt)
		})
		found = found[:min(len(found), limit)]
	}
	if len(stale) > 0 {
		// Best effort: an entry left behind costs a read, never a wrong
		// answer, and the listing itself succeeded.
		_ = s.client.ZRem(ctx, ikey, stale...).Err()
	}
	return found, nil
}

// readOwned reads the records of one batch of index members and returns
// those live at nowMS that belong to owner, plus the members whose
// record is gone or not the owner's.
func (s *Store[V]) readOwned(ctx context.Context, owner string, members []string, nowMS int64) ([]sessions.Entry[V], []any, error) {
	ids, keys, stale := s.memberKeys(members)
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
			stale = append(stale, string(ids[i][:]))
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("goredis: list owner: %w", err)
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

// memberKeys returns the IDs and session keys of index members, and the
// members that are not IDs at all (which only a foreign write can have
// put there) for removal.
func (s *Store[V]) memberKeys(members []string) (ids []sessions.ID, keys []string, bad []any) {
	ids = make([]sessions.ID, 0, len(members))
	keys = make([]string, 0, len(members))
	for _, m := range members {
		var id sessions.ID
		if len(m) != len(id) {
			bad = append(bad, m)
			continue
		}
		copy(id[:], m)
		ids = append(ids, id)
		keys = append(keys, s.key(id))
	}
	return ids, keys, bad
}

// DeleteOwner deletes every record of owner except the one under except
// (the zero ID keeps none) and reports how many live records it deleted.
// Each record is deleted only if it still belongs to owner, before its
// index entry is removed. Records created while it runs may survive it.
func (s *Store[V]) DeleteOwner(ctx context.Context, owner string, except sessions.ID, now time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if owner == "" || checkOwner(owner) != nil {
		return 0, nil
	}
	ikey, nowMS := s.ownerKey(owner), msOf(now)
	members, err := s.client.ZRange(ctx, ikey, 0, -1).Result()
	if err != nil {
		return 0, fmt.Errorf("goredis: delete owner: %w", err)
	}
	members = slices.DeleteFunc(members, func(m string) bool { return m == string(except[:]) })
	deleted := 0
	for batch := range slices.Chunk(members, batchSize) {
		if err := ctx.Err(); err != nil {
			return deleted, err
		}
		n, err := s.deleteOwned(ctx, owner, ikey, batch, nowMS)
		deleted += n
		if err != nil {
			return deleted, err
		}
	}
	return deleted, nil
}

// deleteOwned deletes the records of one batch of index members that
// belong to owner, then removes the batch's entries from the index at
// ikey. It reports how many live records it deleted.
func (s *Store[V]) deleteOwned(ctx context.Context, owner, ikey string, members []string, nowMS int64) (int, error) {
	ids, keys, done := s.memberKeys(members)
	cmds, err := s.runAll(ctx, s.scripts.deleteOwned, keys, func(int) []any { return []any{owner, nowMS} })
	if err != nil {
		return 0, fmt.Errorf("goredis: delete owner: %w", err)
	}
	deleted := 0
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
		if code == 1 {
			deleted++
		}
		done = append(done, string(ids[i][:]))
	}
	if len(done) > 0 {
		if err := s.client.ZRem(ctx, ikey, done...).Err(); err != nil {
			failed = cmp.Or(failed, err)
		}
	}
	if failed != nil {
		return deleted, fmt.Errorf("goredis: delete owner: %w", failed)
	}
	return deleted, nil
}
