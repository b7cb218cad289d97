package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/typedsession/sessions"
)

// ListOwner returns up to limit records of owner that are live at now,
// newest (latest CreatedAt) first; records created at the same instant
// come in ascending order of ID. Rows whose value does not decode are
// left out, as Load reports them absent. A limit of zero or less, or an
// empty owner, gives none without a query.
func (s *Store[V]) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]sessions.Entry[V], error) {
	if owner == "" || !validOwner(owner) || limit <= 0 {
		return nil, nil // no row can have such an owner
	}
	if err := dbTimes(&now); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, s.sql.listOwner, owner, now, limit)
	if err != nil {
		return nil, fmt.Errorf("postgres: list owner: %w", err)
	}
	defer rows.Close()
	var out []sessions.Entry[V]
	for rows.Next() {
		e, err := s.scanEntry(rows, owner)
		if errors.Is(err, sessions.ErrDecode) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("postgres: list owner: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list owner: %w", err)
	}
	return out, nil
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
