package redissessions

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
)

// pageSize bounds the keys one round trip reads.
const pageSize = 256

// userTokens returns the members of the user's set, newest first by the
// creation time well-formed tokens carry (others last). It reads the set
// with SSCAN, so no single reply is unbounded.
func (s *Store[V]) userTokens(ctx context.Context, id string) ([]string, error) {
	var tokens []string
	iter := s.client.SScan(ctx, s.keys.user(id), 0, "", pageSize).Iterator()
	for iter.Next(ctx) {
		tokens = append(tokens, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(tokens, func(a, b string) int { return cmp.Compare(suffixOf(b), suffixOf(a)) })
	tokens = slices.Compact(tokens)
	return tokens, nil
}

// suffixOf returns the creation-time digits of a token, or "".
func suffixOf(token string) string {
	if !validToken(token) {
		return ""
	}
	return token[markerAt+1:]
}

// ListOwner returns up to limit live sessions of owner, newest first: Node's
// soid (the user's set, then each hash), reading hashes a page at a time
// in creation order until limit live ones are found. Like soid it writes
// nothing, and leaves expired sessions to the wipers.
func (s *Store[V]) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]sessions.Entry[V], error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	id, err := s.userID(owner)
	if err != nil || owner == "" {
		return nil, nil // no session can have such an owner
	}
	tokens, err := s.userTokens(ctx, id)
	if err != nil {
		return nil, err
	}
	tokens = slices.DeleteFunc(tokens, func(t string) bool { return !validToken(t) })
	var out []sessions.Entry[V]
	for page := range slices.Chunk(tokens, pageSize) {
		sts, err := s.loadMany(ctx, page)
		if err != nil {
			return nil, err
		}
		for i, st := range sts {
			if st == nil || st.id != id || !now.Before(st.expiresAt()) {
				continue
			}
			rec, err := s.record(page[i], *st)
			if err != nil {
				continue // a value that no longer decodes is absent here too
			}
			out = append(out, sessions.Entry[V]{ID: s.ID(page[i]), Record: rec})
			if len(out) == limit {
				return out, nil
			}
		}
	}
	return out, nil
}

// loadMany reads the hashes of tokens in one pipelined round trip; an
// absent or unreadable session is nil.
func (s *Store[V]) loadMany(ctx context.Context, tokens []string) ([]*stored, error) {
	cmds := make([]*redis.SliceCmd, len(tokens))
	_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, t := range tokens {
			cmds[i] = p.HMGet(ctx, s.keys.session(t), hashFields...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]*stored, len(tokens))
	for i, c := range cmds {
		if st, ok, err := parseStored(c.Val()); ok && err == nil {
			out[i] = &st
		}
	}
	return out, nil
}

// DeleteOwner deletes every session of owner but the one whose ID is
// except, as Node's killsoid does (one MULTI per page of the user's set),
// and reports how many session hashes it deleted, expired ones included.
func (s *Store[V]) DeleteOwner(ctx context.Context, owner string, except sessions.ID, _ time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	id, err := s.userID(owner)
	if err != nil || owner == "" {
		return 0, nil
	}
	tokens, err := s.userTokens(ctx, id)
	if err != nil {
		return 0, err
	}
	tokens = slices.DeleteFunc(tokens, func(t string) bool { return s.ID(t) == except })
	n := 0
	for page := range slices.Chunk(tokens, pageSize) {
		k, err := s.kill(ctx, s.client, page, id)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
