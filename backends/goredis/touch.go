package goredis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/typedsession/sessions"
)

// Touch sets the ExpiresAt of the live record under id and its TTL,
// leaving its value and version alone, in one round trip (two when an
// owned session is touched beyond the lifetime given to [WithLifetime]).
// It returns [sessions.ErrNotFound] if no live record is there.
func (s *Store[V]) Touch(ctx context.Context, id sessions.ID, expiresAt, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	key, nowMS, expMS := s.key(id), msOf(now), msOf(expiresAt)
	px := ttl(expMS, nowMS)
	var grantOwner, grant string
	for range 2 {
		code, reply, err := s.run(ctx, s.scripts.touch, key, be64(uint64(expMS)), nowMS, px, grantOwner, grant)
		if err != nil {
			return fmt.Errorf("goredis: touch: %w", err)
		}
		if code != codeNeedIndex {
			return outcome("touch", code)
		}
		owner, created, err := needIndexReply(reply)
		if err != nil {
			return err
		}
		indexed := s.indexedUntil(created, expMS)
		if err := s.index(ctx, owner, id, indexed, now); err != nil {
			return err
		}
		grantOwner, grant = owner, be64(uint64(indexed))
	}
	return errors.New("goredis: touch: the owner index did not cover the record after extending it")
}

// needIndexReply reads the owner and creation instant from the touch
// script's request to extend the owner index.
func needIndexReply(reply []any) (owner string, createdMS int64, err error) {
	if len(reply) == 3 {
		owner, ok1 := reply[1].(string)
		created, ok2 := reply[2].(int64)
		if ok1 && ok2 && owner != "" && checkOwner(owner) == nil {
			return owner, created, nil
		}
	}
	return "", 0, fmt.Errorf("goredis: touch: unexpected script reply of %d elements", len(reply))
}
