package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/typedsession/sessions"
)

// Create stores rec under id with Version 1 if no live record is there;
// an expired row is taken over. It returns [sessions.ErrConflict] if a
// live row holds id.
func (s *Store[V]) Create(ctx context.Context, id sessions.ID, rec sessions.Record[V], now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := s.encode(rec)
	if err != nil {
		return fmt.Errorf("postgres: create: %w", err)
	}
	if err := dbTimes(&rec.CreatedAt, &rec.ExpiresAt, &now); err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, s.sql.create,
		id[:], data, rec.Owner, rec.CreatedAt, rec.ExpiresAt, rec.Persistent, now)
	if err != nil {
		return fmt.Errorf("postgres: create: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return sessions.ErrConflict
	}
	return nil
}

// Load returns the record under id if it is live at now, else
// [sessions.ErrNotFound]. A value that does not decode gives an error
// wrapping [sessions.ErrDecode].
func (s *Store[V]) Load(ctx context.Context, id sessions.ID, now time.Time) (sessions.Record[V], error) {
	if err := ctx.Err(); err != nil {
		return sessions.Record[V]{}, err
	}
	if err := dbTimes(&now); err != nil {
		return sessions.Record[V]{}, err
	}
	var (
		rec     sessions.Record[V]
		data    []byte
		version int64
	)
	err := s.pool.QueryRow(ctx, s.sql.load, id[:], now).
		Scan(&data, &rec.Owner, &rec.CreatedAt, &rec.ExpiresAt, &version, &rec.Persistent)
	if errors.Is(err, pgx.ErrNoRows) {
		return sessions.Record[V]{}, sessions.ErrNotFound
	}
	if err != nil {
		return sessions.Record[V]{}, fmt.Errorf("postgres: load: %w", err)
	}
	return s.record(rec, data, version)
}

// Replace overwrites the live record under id if its version is
// ifVersion, storing rec with Version ifVersion+1 (whatever rec.Version
// says). It returns [sessions.ErrNotFound] if no live row is there and
// [sessions.ErrConflict] if the version differs, in one round trip.
func (s *Store[V]) Replace(ctx context.Context, id sessions.ID, ifVersion uint64, rec sessions.Record[V], now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := s.encode(rec)
	if err != nil {
		return fmt.Errorf("postgres: replace: %w", err)
	}
	if err := dbTimes(&rec.CreatedAt, &rec.ExpiresAt, &now); err != nil {
		return err
	}
	expected, next := replaceVersions(ifVersion)
	var replaced, present bool
	err = s.pool.QueryRow(ctx, s.sql.replace,
		id[:], now, expected, data, rec.Owner, rec.CreatedAt, rec.ExpiresAt, next, rec.Persistent).
		Scan(&replaced, &present)
	if err != nil {
		return fmt.Errorf("postgres: replace: %w", err)
	}
	return outcome(replaced, present)
}

// Touch sets the ExpiresAt of the live record under id, leaving its value
// and version alone. It returns [sessions.ErrNotFound] if no live row is
// there.
func (s *Store[V]) Touch(ctx context.Context, id sessions.ID, expiresAt, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := dbTimes(&expiresAt, &now); err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, s.sql.touch, id[:], now, expiresAt)
	if err != nil {
		return fmt.Errorf("postgres: touch: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return sessions.ErrNotFound
	}
	return nil
}

// Delete removes the record under id. With ifVersion 0 it is
// unconditional and an absent row is not an error. With ifVersion > 0 it
// returns [sessions.ErrNotFound] if no row is there and
// [sessions.ErrConflict] if the version differs, in one round trip.
//
// Delete is given no now, so it cannot tell an expired row that has not
// been swept yet from a live one: such a row counts as present.
func (s *Store[V]) Delete(ctx context.Context, id sessions.ID, ifVersion uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ifVersion == 0 {
		if _, err := s.pool.Exec(ctx, s.sql.deleteAny, id[:]); err != nil {
			return fmt.Errorf("postgres: delete: %w", err)
		}
		return nil
	}
	var deleted, present bool
	err := s.pool.QueryRow(ctx, s.sql.deleteIf, id[:], expectedVersion(ifVersion)).Scan(&deleted, &present)
	if err != nil {
		return fmt.Errorf("postgres: delete: %w", err)
	}
	return outcome(deleted, present)
}

// outcome turns the answer of a version-checked write into the Backend
// contract's: done, ErrConflict (a row of another version was there) or
// ErrNotFound (no row was).
func outcome(done, present bool) error {
	switch {
	case done:
		return nil
	case present:
		return sessions.ErrConflict
	}
	return sessions.ErrNotFound
}

// encode checks rec's owner and returns its value's bytes.
func (s *Store[V]) encode(rec sessions.Record[V]) ([]byte, error) {
	if !validOwner(rec.Owner) {
		return nil, errBadOwner
	}
	return s.codec.Marshal(rec.Value)
}

// errBadOwner refuses an owner that a text column cannot hold.
var errBadOwner = errors.New("owner is not valid UTF-8 without NUL bytes")

// validOwner reports whether owner fits a PostgreSQL text column.
func validOwner(owner string) bool {
	return utf8.ValidString(owner) && !strings.ContainsRune(owner, 0)
}

// record completes rec, scanned from a row, with its decoded value and
// version; instants come back in UTC.
func (s *Store[V]) record(rec sessions.Record[V], data []byte, version int64) (sessions.Record[V], error) {
	v, err := decode(s.codec, data)
	if err != nil {
		return sessions.Record[V]{}, err
	}
	if rec.Version, err = recordVersion(version); err != nil {
		return sessions.Record[V]{}, err
	}
	rec.Value = v
	rec.CreatedAt, rec.ExpiresAt = rec.CreatedAt.UTC(), rec.ExpiresAt.UTC()
	return rec, nil
}
