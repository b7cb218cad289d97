package redissessions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
)

// watchAttempts bounds how often a version-checked write re-reads a hash
// that changed under its WATCH. A change need not be a conflicting write:
// Node's get bumps r and la on every read.
const watchAttempts = 8

// Replace writes rec over the live session token names if its write
// counter w is ifVersion, as Node's set does: one MULTI that refreshes
// the three sorted sets, bumps w (so Version is w), moves la, merges the
// value into d (keys the value writes as null are deleted, keys it does
// not write are kept, so keys other applications keep in d survive) and
// publishes the token on the cache channel. The read and the MULTI run
// under WATCH, so a concurrent write from either side is ErrConflict,
// never lost. A no_resave session keeps its Node deadline: the Manager's
// new one applies only if it is earlier.
func (s *Store[V]) Replace(ctx context.Context, token string, ifVersion uint64, rec sessions.Record[V], now time.Time) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	obj, err := s.encode(rec.Value)
	if err != nil {
		return "", err
	}
	if obj == nil {
		return "", missing("d")
	}
	err = s.update(ctx, token, now, func(st stored) (stored, error) {
		if uint64(max(st.writes, 0)) != ifVersion {
			return st, sessions.ErrConflict
		}
		st.persistent = rec.Persistent
		st.goExpires = rec.ExpiresAt.UnixMilli()
		return st, nil
	}, obj)
	return token, err
}

// update is the version-checked write both Replace and SetData make:
// under WATCH it reads the hash, refuses an absent or expired session
// (ErrNotFound), lets check adjust or refuse it, and writes Node's set.
func (s *Store[V]) update(ctx context.Context, token string, now time.Time, check func(stored) (stored, error), obj flatObject) error {
	key := s.keys.session(token)
	for range watchAttempts {
		err := s.client.Watch(ctx, func(tx *redis.Tx) error {
			st, ok, err := s.load(ctx, tx, token)
			if err != nil {
				return err
			}
			if !ok || !now.Before(st.expiresAt()) {
				return sessions.ErrNotFound
			}
			next, err := check(st)
			if err != nil {
				return err
			}
			d, err := merge(st.d, obj)
			if err != nil {
				return err
			}
			if len(d) > s.maxBytes {
				return fmt.Errorf("%w: d would be %d bytes, limit %d", sessions.ErrValueTooLarge, len(d), s.maxBytes)
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				s.setCommands(ctx, p, token, st, next, d, now)
				return nil
			})
			return err
		}, key)
		if !errors.Is(err, redis.TxFailedErr) {
			return err
		}
	}
	return fmt.Errorf("%w: the session changed under %d attempts to write it", sessions.ErrConflict, watchAttempts)
}

// setCommands queues Node's set for a session that was st and becomes
// next (deadline and flag), with d as its new data ("" for none). Like
// Node's set it keeps the session's ttl and moves la to now, so the
// session's Node deadline slides by its ttl: the Manager's idle timeout
// for sessions this store created, the creator's choice for Node's. A
// no_resave session keeps its Node deadline (la + ttl), as in Node,
// unless the Manager's is earlier.
func (s *Store[V]) setCommands(ctx context.Context, p redis.Pipeliner, token string, st, next stored, d string, now time.Time) {
	key := s.keys.session(token)
	exp := time.UnixMilli(next.goExpires)
	la, ttl := now.Unix(), st.ttl
	if st.noResave {
		if limit := st.expiresAt(); exp.After(limit) {
			exp = limit
		}
		ttl = max(st.lastActive+st.ttl-la, 0)
		if w := newWire(now, exp); w.la+w.ttl < la+ttl {
			ttl = w.ttl
		}
	}
	w := withScore(la, ttl, exp)
	s.touchSets(ctx, p, token, st.id, w)
	p.HIncrBy(ctx, key, fWrites, 1)
	p.HSet(ctx, key, fLastActive, w.la, fTTL, w.ttl, fExpires, exp.UnixMilli())
	if d != "" {
		p.HSet(ctx, key, fData, d)
	} else {
		p.HDel(ctx, key, fData)
	}
	if next.persistent {
		p.HSet(ctx, key, fPersistent, 1)
	} else {
		p.HDel(ctx, key, fPersistent)
	}
	p.Publish(ctx, s.keys.channel(), s.keys.cacheMessage(token))
}

// Delete removes the session token names, as Node's kill does. With
// ifVersion 0 it is unconditional and an absent session is no error;
// otherwise it returns ErrNotFound if there is no session and
// ErrConflict if its write counter is not ifVersion, and runs under
// WATCH.
func (s *Store[V]) Delete(ctx context.Context, token string, ifVersion uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ifVersion == 0 {
		id, err := s.client.HGet(ctx, s.keys.session(token), fID).Result()
		if errors.Is(err, redis.Nil) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = s.kill(ctx, s.client, []string{token}, id)
		return err
	}
	key := s.keys.session(token)
	for range watchAttempts {
		err := s.client.Watch(ctx, func(tx *redis.Tx) error {
			st, ok, err := s.load(ctx, tx, token)
			if err != nil {
				return err
			}
			if !ok {
				return sessions.ErrNotFound
			}
			if uint64(max(st.writes, 0)) != ifVersion {
				return sessions.ErrConflict
			}
			_, err = s.kill(ctx, tx, []string{token}, st.id)
			return err
		}, key)
		if !errors.Is(err, redis.TxFailedErr) {
			return err
		}
	}
	return fmt.Errorf("%w: the session changed under %d attempts to delete it", sessions.ErrConflict, watchAttempts)
}

// txPipeliner is what kill needs: a client, or a transaction under WATCH.
type txPipeliner interface {
	TxPipelined(ctx context.Context, fn func(redis.Pipeliner) error) ([]redis.Cmder, error)
}

// kill deletes the sessions of user id named by tokens in one MULTI, as
// Node's _kill and killsoid do: per token, ZREM from _sessions, SREM
// from the user's set, ZREM from SESSIONS, DEL of the hash and a PUBLISH
// on the cache channel; then, if the user's set is gone, the id leaves
// _users (outside the MULTI, as in Node). It reports how many hashes it
// deleted.
func (s *Store[V]) kill(ctx context.Context, tp txPipeliner, tokens []string, id string) (int, error) {
	return killIn(ctx, s.client, s.keys, tp, tokens, id)
}

// killIn is kill for the app k names; the wiper kills in every app.
func killIn(ctx context.Context, client redis.Cmdable, k keys, tp txPipeliner, tokens []string, id string) (int, error) {
	if len(tokens) == 0 {
		return 0, nil
	}
	dels := make([]*redis.IntCmd, len(tokens))
	var exists *redis.IntCmd
	_, err := tp.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for i, token := range tokens {
			p.ZRem(ctx, k.sessions(), sessionMember(token, id))
			p.SRem(ctx, k.user(id), token)
			p.ZRem(ctx, k.global(), k.globalMember(token, id))
			dels[i] = p.Del(ctx, k.session(token))
			p.Publish(ctx, k.channel(), k.cacheMessage(token))
		}
		exists = p.Exists(ctx, k.user(id))
		return nil
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range dels {
		n += int(d.Val())
	}
	if exists.Val() == 0 {
		if err := client.ZRem(ctx, k.users(), id).Err(); err != nil {
			return n, err
		}
	}
	return n, nil
}
