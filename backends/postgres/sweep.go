package postgres

import (
	"context"
	"fmt"
	"time"
)

// DeleteExpired deletes at most limit rows that are not live at now
// (whose expires_at is not after now) and returns how many it deleted. It
// is one statement, and skips rows other transactions hold locked. A
// limit of zero or less deletes nothing without a query.
//
// It applies no skew margin: now is the caller's cutoff. The janitor
// passes its clock minus the margin (see [WithSkewMargin]); a caller
// running its own sweeps should do the same.
func (s *Store[V]) DeleteExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if limit <= 0 {
		return 0, nil
	}
	if err := dbTimes(&now); err != nil {
		return 0, err
	}
	tag, err := s.pool.Exec(ctx, s.sql.deleteExpired, now, int64(limit))
	if err != nil {
		return 0, fmt.Errorf("postgres: delete expired: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// sweep is the janitor's task: delete, batch by batch, every row that
// expired more than the skew margin ago by the janitor's clock. The
// cutoff is fixed when the sweep starts, so the sweep ends even while
// sessions keep expiring; ctx, cancelled by Close, stops it between and
// during batches.
func (s *Store[V]) sweep(ctx context.Context) {
	removed, err := s.sweepBefore(ctx, s.clock().Add(-s.margin))
	if s.report != nil {
		s.report(removed, err)
	}
}

// sweepBefore deletes every row that expired at or before cutoff, in
// batches, and returns how many it deleted.
func (s *Store[V]) sweepBefore(ctx context.Context, cutoff time.Time) (int, error) {
	total := 0
	for {
		n, err := s.DeleteExpired(ctx, cutoff, s.batch)
		total += n
		if err != nil || n < s.batch {
			return total, err
		}
	}
}
