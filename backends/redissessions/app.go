package redissessions

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
)

// Info is what Node's get, soid and soapp tell about a session, plus the
// deadlines the Manager sees. It never holds the token.
type Info struct {
	ID           sessions.ID     // the Manager's ID of the session
	UserID       string          // Node's id ([DefaultAnonymousID] or the like for no owner)
	Owner        string          // the Manager's owner: UserID, or "" for the anonymous id
	Reads        int64           // Node's r: Node reads, counted from 1 at create
	Writes       int64           // Node's w: writes from either side, from 1 (the Manager's Version)
	IP           string          // the ip recorded at create
	LastActivity time.Time       // Node's la, in whole seconds
	Idle         time.Duration   // now − la, in whole seconds, as Node reports it
	TTL          time.Duration   // Node's ttl; for no_resave, the time left, as Node reports it
	NoResave     bool            // Node's no_resave
	CreatedAt    time.Time       // from the token
	ExpiresAt    time.Time       // the deadline the store reports (see the package docs)
	Data         json.RawMessage // Node's d; nil if the session has none
}

func (s *Store[V]) info(token string, st stored, now time.Time) Info {
	in := Info{
		ID: s.ID(token), UserID: st.id, Owner: s.owner(st.id), Reads: st.reads, Writes: st.writes,
		IP: st.ip, LastActivity: time.Unix(st.lastActive, 0), Idle: time.Duration(st.idle(now)) * time.Second,
		TTL: time.Duration(st.ttl) * time.Second, NoResave: st.noResave, ExpiresAt: st.expiresAt(),
	}
	if st.noResave {
		in.TTL -= in.Idle
	}
	if validToken(token) {
		in.CreatedAt = createdAt(token)
	}
	if st.d != "" {
		in.Data = json.RawMessage(st.d)
	}
	return in
}

// Info returns what Node's get returns for token (without counting the
// read), by the store's clock: its counters, ip and idle time. A session
// that is absent or past its deadline is [sessions.ErrNotFound]; a token
// Node would refuse is a [*ValidationError].
func (s *Store[V]) Info(ctx context.Context, token string) (Info, error) {
	if err := validateToken(token); err != nil {
		return Info{}, err
	}
	st, ok, err := s.load(ctx, s.client, token)
	if err != nil {
		return Info{}, err
	}
	now := s.clock()
	if !ok || !now.Before(st.expiresAt()) {
		return Info{}, sessions.ErrNotFound
	}
	return s.info(token, st, now), nil
}

// Activity returns how many users (ids, not sessions) of the app were
// active within window: Node's activity, a ZCOUNT of _users. window must
// be at least [MinWindow]; it counts in whole seconds.
func (s *Store[V]) Activity(ctx context.Context, window time.Duration) (int64, error) {
	dt, err := validateWindow(window)
	if err != nil {
		return 0, err
	}
	from := s.clock().Unix() - dt
	return s.client.ZCount(ctx, s.keys.users(), strconv.FormatInt(from, 10), "+inf").Result()
}

// SessionsOfApp returns the live sessions of the app active within
// window, most recent first: Node's soapp. It reads the whole window, so
// keep windows short on busy apps, as Node's documentation says.
func (s *Store[V]) SessionsOfApp(ctx context.Context, window time.Duration) ([]Info, error) {
	dt, err := validateWindow(window)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	members, err := s.client.ZRangeArgs(ctx, redis.ZRangeArgs{
		Key: s.keys.sessions(), Start: "+inf", Stop: strconv.FormatInt(now.Unix()-dt, 10), ByScore: true, Rev: true,
	}).Result()
	if err != nil {
		return nil, err
	}
	tokens := make([]string, 0, len(members))
	for _, m := range members {
		token, _, _ := strings.Cut(m, ":")
		tokens = append(tokens, token)
	}
	var out []Info
	for page := range slices.Chunk(tokens, pageSize) {
		sts, err := s.loadMany(ctx, page)
		if err != nil {
			return nil, err
		}
		for i, st := range sts {
			if st != nil && now.Before(st.expiresAt()) {
				out = append(out, s.info(page[i], *st, now))
			}
		}
	}
	return out, nil
}

// KillAll deletes every session of the app, as Node's killall does, and
// reports how many it removed from the app's _sessions set. It works a
// page of the set at a time, each page one MULTI.
func (s *Store[V]) KillAll(ctx context.Context) (int64, error) {
	var total int64
	for {
		members, err := s.client.ZRange(ctx, s.keys.sessions(), 0, pageSize-1).Result()
		if err != nil || len(members) == 0 {
			return total, err
		}
		n, err := s.killMembers(ctx, members)
		total += n
		if err != nil {
			return total, err
		}
		if n == 0 {
			return total, nil // nothing removed: another killall emptied the page
		}
	}
}

// killMembers is one page of KillAll: Node's MULTI for "{token}:{id}"
// members. Unlike Node it splits each member at its first ':' only.
func (s *Store[V]) killMembers(ctx context.Context, members []string) (int64, error) {
	var memberArgs, ids, globals []any
	var tokens, hashes, userSets []string
	seen := map[string]bool{}
	for _, m := range members {
		token, id, _ := strings.Cut(m, ":")
		memberArgs = append(memberArgs, m)
		globals = append(globals, s.keys.app+":"+m)
		tokens = append(tokens, token)
		hashes = append(hashes, s.keys.session(token))
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
			userSets = append(userSets, s.keys.user(id))
		}
	}
	var removed *redis.IntCmd
	_, err := s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		removed = p.ZRem(ctx, s.keys.sessions(), memberArgs...)
		p.ZRem(ctx, s.keys.users(), ids...)
		p.ZRem(ctx, s.keys.global(), globals...)
		p.Del(ctx, userSets...)
		p.Del(ctx, hashes...)
		for _, token := range tokens {
			p.Publish(ctx, s.keys.channel(), s.keys.cacheMessage(token))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return removed.Val(), nil
}

// SetData is Node's set for callers without a typed value: it merges d
// into the session's d (a nil value deletes its key), bumps w, moves la
// and, unless the session is no_resave, its deadline by its ttl, and
// returns the session as Node would. It checks d as Node does: present,
// at least one key, values strings, numbers, booleans or nil.
func (s *Store[V]) SetData(ctx context.Context, token string, d map[string]any) (Info, error) {
	if err := validateToken(token); err != nil {
		return Info{}, err
	}
	obj, err := dataObject(d)
	if err != nil {
		return Info{}, err
	}
	now := s.clock()
	err = s.update(ctx, token, now, func(st stored) (stored, error) {
		st.goExpires = now.Add(time.Duration(st.ttl) * time.Second).UnixMilli()
		return st, nil
	}, obj)
	if err != nil {
		return Info{}, err
	}
	return s.Info(ctx, token)
}

// dataObject checks a d given as a map, with Node's messages.
func dataObject(d map[string]any) (flatObject, error) {
	if d == nil {
		return nil, missing("d")
	}
	if len(d) == 0 {
		return nil, badValue("d", "d must containt at least one key.")
	}
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	obj := make(flatObject, len(d))
	for _, k := range keys {
		if !scalarValue(d[k]) {
			return nil, forbiddenType(k)
		}
		b, err := json.Marshal(d[k])
		if err != nil {
			return nil, fmt.Errorf("redissessions: d.%s: %w", k, err)
		}
		obj[k] = b
	}
	return obj, nil
}

// scalarValue reports whether v is a string, number, boolean or nil, as
// Node's lodash checks are (NaN and infinities are numbers to lodash but
// JSON cannot hold them, so they are refused).
func scalarValue(v any) bool {
	switch x := v.(type) {
	case nil, string, bool, json.Number:
		return true
	case float64:
		return !math.IsNaN(x) && !math.IsInf(x, 0)
	case float32:
		return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0)
	}
	switch reflect.ValueOf(v).Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}
