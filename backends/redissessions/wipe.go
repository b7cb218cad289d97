package redissessions

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions/internal/janitor"
)

// Wipe removes the sessions whose SESSIONS score (their deadline) has
// passed by the store's clock, in every app of the namespace, as Node's
// wiper does: each member "{app}:{token}:{id}" is killed like Node's
// kill. It reads the set a page at a time and reports how many session
// hashes it deleted. It is idempotent, so it may run beside Node
// processes wiping the same namespace, and unlike Node's it keeps ids
// containing ':' whole.
func (s *Store[V]) Wipe(ctx context.Context) (int, error) {
	now := strconv.FormatInt(s.clock().Unix(), 10)
	total := 0
	for {
		members, err := s.client.ZRangeByScore(ctx, s.keys.global(), &redis.ZRangeBy{Min: "-inf", Max: now, Count: pageSize}).Result()
		if err != nil || len(members) == 0 {
			return total, err
		}
		for _, m := range members {
			app, rest, _ := strings.Cut(m, ":")
			token, id, ok := strings.Cut(rest, ":")
			if !ok || validateApp(app) != nil {
				// Not a member Node writes: drop it so the loop ends.
				if err := s.client.ZRem(ctx, s.keys.global(), m).Err(); err != nil {
					return total, err
				}
				continue
			}
			n, err := killIn(ctx, s.client, keys{ns: s.keys.ns, app: app}, s.client, []string{token}, id)
			total += n
			if err != nil {
				return total, err
			}
		}
	}
}

// MinWipeInterval is the shortest interval StartWiper accepts, as Node's
// wipe option.
const MinWipeInterval = 10 * time.Second

// StartWiper runs Wipe every interval (at least [MinWipeInterval], as in
// Node) in one goroutine until the returned stop function is called;
// stop waits for a wipe in progress to give up. Errors go to onError,
// which may be nil.
func (s *Store[V]) StartWiper(interval time.Duration, onError func(error)) (stop func()) {
	j := janitor.Start(max(interval, MinWipeInterval), func(ctx context.Context) {
		if _, err := s.Wipe(ctx); err != nil && onError != nil {
			onError(err)
		}
	})
	return j.Stop
}
