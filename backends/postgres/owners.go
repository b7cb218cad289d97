package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/typedsession/sessions"
)

// ListOwner returns up to limit records of owner that are live at now,
// newest (latest CreatedAt) first; records created at the same instant
// come in ascending order of ID. Rows whose value does not decode are
// left out, as Load reports them absent, and do not count against limit:
// if the rows it read held some, it reads again with a larger limit, so it
// returns fewer than limit records only when the owner has no more. A
// limit of zero or less, or an empty owner, gives none without a query.
func (s *Store[V]) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]sessions.Entry[V], error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if owner == "" || !validOwner(owner) || limit <= 0 {
		return nil, nil // no row can have such an owner
	}
	if err := dbTimes(&now); err != nil {
		return nil, err
	}
	// Each round is one statement, so its answer is one snapshot: reading
	// from the start again, rather than on from the last row, can neither
	// repeat nor skip a record that changed in between. The row limit
	// doubles, so rows that do not decode cost a few rounds at most.
	for rows := int64(limit); ; rows = grow(rows) {
		out, more, err := s.listOwner(ctx, owner, now, limit, rows)
		if err != nil || len(out) == limit || !more {
			return out, err
		}
	}
}

// grow doubles a row limit, stopping short of overflow.
func grow(n int64) int64 {
	if n > math.MaxInt64/2 {
		return math.MaxInt64
	}
	return 2 * n
}

// listOwner runs listOwnerSQL with a limit of rows and returns the first
// limit of those rows that decode, and whether the statement stopped at
// its row limit, so that more rows may exist.
func (s *Store[V]) listOwner(ctx context.Context, owner string, now time.Time, limit int, rows int64) ([]sessions.Entry[V], bool, error) {
	rs, err := s.pool.Query(ctx, s.sql.listOwner, owner, now, rows)
	if err != nil {
		return nil, false, fmt.Errorf("postgres: list owner: %w", err)
	}
	defer rs.Close()
	var (
		out  []sessions.Entry[V]
		read int64
	)
	for len(out) < limit && rs.Next() {
		read++
		e, err := s.scanEntry(rs, owner)
		if errors.Is(err, sessions.ErrDecode) {
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("postgres: list owner: %w", err)
		}
		out = append(out, e)
	}
	rs.Close() // Err is final only once rows are closed, and the loop may stop early
	if err := rs.Err(); err != nil {
		return nil, false, fmt.Errorf("postgres: list owner: %w", err)
	}
	return out, read == rows, nil
}

// scanEntry reads one row of listOwnerSQL.
func (s *Store[V]) scanEntry(rows pgx.Rows, owner string) (sessions.Entry[V], error) {
	var (
		e       sessions.Entry[V]
		id      []byte
		data    []byte
		version int64
	)
	rec := sessions.Record[V]{Owner: owner}
	if err := rows.Scan(&id, &data, &rec.CreatedAt, &rec.ExpiresAt, &version, &rec.Persistent); err != nil {
		return e, err
	}
	if len(id) != len(e.ID) {
		return e, fmt.Errorf("%w: %w: ID of %d bytes", sessions.ErrDecode, errCorruptRow, len(id))
	}
	copy(e.ID[:], id)
	rec, err := s.record(rec, data, version)
	e.Record = rec
	return e, err
}

// DeleteOwner deletes every record of owner except the one under except
// (the zero ID keeps none), in one statement, and returns how many of
// those it deleted were live at now. Expired rows of owner are deleted too
// but not counted, so the count is the number of sessions that ended. An
// empty owner deletes nothing. Records created while it runs may survive
// it.
func (s *Store[V]) DeleteOwner(ctx context.Context, owner string, except sessions.ID, now time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if owner == "" || !validOwner(owner) {
		return 0, nil // no row can have such an owner
	}
	if err := dbTimes(&now); err != nil {
		return 0, err
	}
	var n int64
	if err := s.pool.QueryRow(ctx, s.sql.deleteOwner, owner, except[:], now).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: delete owner: %w", err)
	}
	return int(n), nil
}
