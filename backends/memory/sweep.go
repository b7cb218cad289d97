package memory

import (
	"context"
	"time"
)

// DeleteExpired removes at most limit records that are not live at now
// (whose ExpiresAt is not after now) and returns how many it removed. A
// limit of zero or less removes nothing. It checks ctx between shards and
// returns ctx's error, with the count so far, once ctx is done. Successive
// calls start at successive shards, so small limits still reach them all.
func (s *Store[V]) DeleteExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	n := 0
	start := s.cursor.Add(1)
	for i := range uint32(shardCount) {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		if n >= limit {
			break
		}
		n += s.sweepShard(&s.shards[(start+i)%shardCount], now, limit-n)
	}
	return n, nil
}

// sweep is the janitor's task: remove every expired record, one shard at
// a time, so no lock is held for longer than one shard's scan.
func (s *Store[V]) sweep(ctx context.Context) {
	for i := range s.shards {
		if ctx.Err() != nil {
			return
		}
		s.sweepShard(&s.shards[i], s.clock(), -1)
	}
}

// makeRoom removes the expired records of every shard but skip, the
// caller's, which it has already swept; it reports whether it removed any.
// Shards with nothing expired cost one lock each.
func (s *Store[V]) makeRoom(skip *shard[V], now time.Time) bool {
	removed := 0
	for i := range s.shards {
		if sh := &s.shards[i]; sh != skip {
			removed += s.sweepShard(sh, now, -1)
		}
	}
	return removed > 0
}

// sweepShard removes up to limit expired records from sh (all of them if
// limit is negative) and returns how many it removed.
func (s *Store[V]) sweepShard(sh *shard[V], now time.Time, limit int) int {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return s.dropExpiredLocked(sh, now, limit)
}

// dropExpiredLocked removes up to limit records of sh that are not live at
// now (all of them if limit is negative) and returns how many it removed.
// A scan that finishes also tightens sh.earliest. The caller holds sh's
// write lock.
func (s *Store[V]) dropExpiredLocked(sh *shard[V], now time.Time, limit int) int {
	if len(sh.records) == 0 || now.Before(sh.earliest) {
		return 0 // nothing can have expired
	}
	n := 0
	var earliest time.Time
	seenLive := false
	for id, e := range sh.records {
		if e.rec.Live(now) {
			if !seenLive || e.rec.ExpiresAt.Before(earliest) {
				earliest, seenLive = e.rec.ExpiresAt, true
			}
			continue
		}
		if n == limit {
			// Stopped early: the old bound still holds for what is left.
			return n
		}
		s.removeLocked(sh, id, e)
		n++
	}
	sh.earliest = earliest
	return n
}
