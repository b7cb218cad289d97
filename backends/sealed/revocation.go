package sealed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/typedsession/sessions"
)

// Revocation is the value a revocation store keeps ([WithRevocation]).
// A record under a session's revocation key says "this session was
// cleared" and holds the zero Revocation. A record under an owner's key
// says "sessions of this owner issued before Generation are cleared,
// except Keep".
type Revocation struct {
	// Generation is the owner's current generation. Every session of the
	// owner seals the generation it was issued under; one sealed under an
	// earlier generation is revoked.
	Generation uint64
	// Keep is the session ClearOwner spared, or the zero ID.
	Keep sessions.ID
}

// Labels of the keys revocation records are stored under, so they never
// share a key with each other or with a server-side session.
const (
	revokedLabel = "typedsession/sessions sealed-revoked v1\x00"
	ownerLabel   = "typedsession/sessions sealed-owner v1\x00"
)

// ownerAttempts bounds the read-modify-write loop of ClearOwner.
const ownerAttempts = 8

// errRevoked reports a session that was cleared: absent, like a deleted
// record of a server-side store.
var errRevoked = fmt.Errorf("sealed: revoked: %w", sessions.ErrNotFound)

// revoker records and checks revocations in a backend.
type revoker struct {
	b        sessions.Backend[Revocation]
	lifetime time.Duration
}

func sessionKey(id sessions.ID) sessions.ID { return labelledHash(revokedLabel, id[:]) }
func ownerKey(owner string) sessions.ID     { return labelledHash(ownerLabel, []byte(owner)) }

// check reports errRevoked if the session id with header h was revoked:
// one read for an unowned session, two for an owned one.
func (r *revoker) check(ctx context.Context, id sessions.ID, h *header, now time.Time) error {
	_, err := r.b.Load(ctx, sessionKey(id), now)
	switch {
	case err == nil:
		return errRevoked
	case !errors.Is(err, sessions.ErrNotFound):
		return err
	case h.owner == "":
		return nil
	}
	rec, err := r.b.Load(ctx, ownerKey(h.owner), now)
	switch {
	case errors.Is(err, sessions.ErrNotFound):
		return nil
	case err != nil:
		return err
	case h.generation < rec.Value.Generation && rec.Value.Keep != id:
		return errRevoked
	}
	return nil
}

// errOwnerUnreadable reports an owner's revocation record that no longer
// decodes. It deliberately does not wrap sessions.ErrDecode: the Manager
// reads that as "not found", which would make a login look like a missing
// session instead of the store failure it is.
var errOwnerUnreadable = errors.New("sealed: the owner's revocation record does not decode (ClearOwner of the owner rewrites it)")

// generation returns owner's current generation, 0 if none is recorded.
// It fails closed: if the owner's record does not decode, the generation
// is unknown, a session sealed now could be revoked already, and no
// session of the owner is issued until ClearOwner rewrites the record.
func (r *revoker) generation(ctx context.Context, owner string, now time.Time) (uint64, error) {
	rec, err := r.b.Load(ctx, ownerKey(owner), now)
	switch {
	case err == nil:
		return rec.Value.Generation, nil
	case errors.Is(err, sessions.ErrDecode):
		return 0, fmt.Errorf("%w: %v", errOwnerUnreadable, err)
	case errors.Is(err, sessions.ErrNotFound):
		return 0, nil
	}
	return 0, err
}

// revokeSession records that session id, created at createdAt, is
// cleared, until no token of it can be live: CreatedAt plus the lifetime.
// Recording it twice is not an error unless conditional, when the second
// gets ErrNotFound, so of two Renews of one session only one succeeds.
func (r *revoker) revokeSession(ctx context.Context, id sessions.ID, createdAt, now time.Time, conditional bool) error {
	rec := sessions.Record[Revocation]{CreatedAt: now, ExpiresAt: createdAt.Add(r.lifetime)}
	if !rec.Live(now) {
		return nil // no token of this session opens any more
	}
	err := r.b.Create(ctx, sessionKey(id), rec, now)
	if errors.Is(err, sessions.ErrConflict) {
		if conditional {
			return fmt.Errorf("sealed: revoked already: %w", sessions.ErrNotFound)
		}
		return nil
	}
	return err
}

// ListOwner is not supported: sealed sessions live in their cookies, and
// no list of them exists anywhere. It returns an error wrapping
// [sessions.ErrUnsupported].
func (s *Store[V]) ListOwner(context.Context, string, time.Time, int) ([]sessions.Entry[V], error) {
	return nil, fmt.Errorf("sealed: listing an owner's sessions: %w", sessions.ErrUnsupported)
}

// DeleteOwner revokes every session of owner issued so far except the one
// whose ID is except (the zero ID keeps none), by moving the owner's
// generation forward. It needs revocation ([WithRevocation]); without it
// it returns an error wrapping [sessions.ErrUnsupported]. It cannot count
// the sessions it ends, which live in cookies, and reports 0. Sessions
// created while it runs may survive it.
//
// The owner's record is kept for the revocation lifetime from now, by
// which time every session it revokes has expired.
func (s *Store[V]) DeleteOwner(ctx context.Context, owner string, except sessions.ID, now time.Time) (int, error) {
	if s.rev == nil {
		return 0, fmt.Errorf("sealed: clearing an owner's sessions needs revocation: %w", sessions.ErrUnsupported)
	}
	return 0, s.rev.revokeOwner(ctx, owner, except, now)
}

// revokeOwner moves owner's generation past every generation sealed so
// far: a read, then a create or a version-checked replace, retried on
// conflict.
//
// A record that no longer decodes is deleted and written afresh: left in
// place, it would refuse every session of the owner and the creation of
// new ones until it expired. Its generation is lost, so the new one comes
// from the clock alone, as after the record expires (see
// nextGeneration).
func (r *revoker) revokeOwner(ctx context.Context, owner string, except sessions.ID, now time.Time) error {
	key := ownerKey(owner)
	for range ownerAttempts {
		cur, err := r.b.Load(ctx, key, now)
		found := err == nil
		switch {
		case errors.Is(err, sessions.ErrDecode):
			if err := r.b.Delete(ctx, key, 0); err != nil {
				return err
			}
			cur = sessions.Record[Revocation]{}
		case err != nil && !errors.Is(err, sessions.ErrNotFound):
			return err
		}
		next := sessions.Record[Revocation]{
			Value:     Revocation{Generation: nextGeneration(cur.Value.Generation, now), Keep: except},
			CreatedAt: now,
			ExpiresAt: now.Add(r.lifetime),
		}
		if found {
			next.Version = cur.Version + 1
			err = r.b.Replace(ctx, key, cur.Version, next, now)
		} else {
			next.Version = 1
			err = r.b.Create(ctx, key, next, now)
		}
		if err == nil || !(errors.Is(err, sessions.ErrConflict) || errors.Is(err, sessions.ErrNotFound)) {
			return err
		}
	}
	return fmt.Errorf("%w: clearing an owner's sessions: gave up after %d attempts", sessions.ErrConflict, ownerAttempts)
}

// nextGeneration returns a generation above cur and at least now in Unix
// milliseconds. Being above cur revokes every session sealed so far; being
// tied to the clock keeps it above every generation sealed before the
// owner's record expired and was forgotten, since a record lives for the
// whole lifetime after the last clear.
func nextGeneration(cur uint64, now time.Time) uint64 {
	return max(cur+1, uint64(max(now.UnixMilli(), 0)))
}
