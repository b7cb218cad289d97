package goredis

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Every script touches exactly one key, named in KEYS[1], so each runs
// on the one node that holds that key, in a Cluster too.

// Script outcomes, returned as integers (needIndex as the first element
// of an array).
const (
	codeOK        = 0
	codeNotFound  = 1
	codeConflict  = 2
	codeCorrupt   = 3
	codeNeedIndex = 4
)

// luaPrelude holds the helpers every record script shares. parse mirrors
// parseHeader: it returns nil for anything that is not a record of this
// format, so no script ever acts on a foreign value.
const luaPrelude = `
local function i64(s, i)
  local n, neg = 0, string.byte(s, i) > 127
  for j = i, i + 7 do
    local b = string.byte(s, j)
    if neg then b = 255 - b end
    n = n * 256 + b
  end
  if neg then return -n - 1 end
  return n
end
local function parse(v)
  if #v < 36 or string.byte(v, 1) ~= 1 or string.byte(v, 34) > 1 then return nil end
  local n = string.byte(v, 35) * 256 + string.byte(v, 36)
  if n > 256 or #v < 36 + n then return nil end
  local ver = string.sub(v, 2, 9)
  if ver == string.rep('\0', 8) then return nil end
  return {ver = ver, created = i64(v, 10), exp = i64(v, 18), idx = string.sub(v, 26, 33),
    indexed = i64(v, 26), owner = string.sub(v, 37, 36 + n)}
end
-- cover returns how long the owner index is known to keep the entry of a
-- record owned by owner: what the stored record h says if it has the same
-- owner, or what the caller has just written to owner's index (gOwner,
-- gIdx), whichever is later. nil when neither applies.
local function cover(h, owner, gOwner, gIdx)
  local idx, at = nil, nil
  if h.owner == owner then idx, at = h.idx, h.indexed end
  if gOwner == owner and #gIdx == 8 then
    local g = i64(gIdx, 1)
    if not at or g > at then idx, at = gIdx, g end
  end
  return idx, at
end
`

// createOverSrc stores a record where SET NX found a key: only if that key
// holds a record that is no longer live.
//
// KEYS[1] session key; ARGV[1] record, ARGV[2] now (ms), ARGV[3] PX.
const createOverSrc = luaPrelude + `
local v = redis.call('GET', KEYS[1])
if v then
  local h = parse(v)
  if not h then return 3 end
  if h.exp > tonumber(ARGV[2]) then return 2 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 0
`

// replaceSrc overwrites a live record of the expected version. A new
// record with an owner is written only while the owner index covers its
// expiry; otherwise the script writes nothing and asks the caller to
// extend the index first.
//
// KEYS[1] session key; ARGV[1] expected version (8 bytes), ARGV[2] new
// record, ARGV[3] now (ms), ARGV[4] PX, ARGV[5] owner just indexed,
// ARGV[6] its indexed instant (8 bytes, or empty).
const replaceSrc = luaPrelude + `
local v = redis.call('GET', KEYS[1])
if not v then return 1 end
local h = parse(v)
if not h then return 3 end
if h.exp <= tonumber(ARGV[3]) then return 1 end
if h.ver ~= ARGV[1] then return 2 end
local new = ARGV[2]
local n = parse(new)
if not n then return redis.error_reply('goredis: malformed record argument') end
if n.owner ~= '' then
  local idx, at = cover(h, n.owner, ARGV[5], ARGV[6])
  if not at or n.exp > at then return {4} end
  new = string.sub(new, 1, 25) .. idx .. string.sub(new, 34)
end
redis.call('SET', KEYS[1], new, 'PX', ARGV[4])
return 0
`

// touchSrc moves a live record's expiry in place, leaving version and
// value alone. Like replaceSrc it refuses to outlive the owner index's
// cover, answering {4, owner, created} so the caller can extend it.
//
// KEYS[1] session key; ARGV[1] new expiry (8 bytes), ARGV[2] now (ms),
// ARGV[3] PX, ARGV[4] owner just indexed, ARGV[5] its indexed instant
// (8 bytes, or empty).
const touchSrc = luaPrelude + `
local v = redis.call('GET', KEYS[1])
if not v then return 1 end
local h = parse(v)
if not h then return 3 end
if h.exp <= tonumber(ARGV[2]) then return 1 end
if h.owner ~= '' then
  local idx, at = cover(h, h.owner, ARGV[4], ARGV[5])
  if i64(ARGV[1], 1) > at then return {4, h.owner, h.created} end
  if idx ~= h.idx then redis.call('SETRANGE', KEYS[1], 25, idx) end
end
redis.call('SETRANGE', KEYS[1], 17, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 0
`

// deleteSrc deletes a record of the expected version.
//
// KEYS[1] session key; ARGV[1] expected version (8 bytes).
const deleteSrc = luaPrelude + `
local v = redis.call('GET', KEYS[1])
if not v then return 1 end
local h = parse(v)
if not h then return 3 end
if h.ver ~= ARGV[1] then return 2 end
redis.call('DEL', KEYS[1])
return 0
`

// Outcomes of deleteOwnedSrc.
const (
	ownedGone           = 0 // no value under the key
	ownedDeletedLive    = 1 // deleted a live record of the owner
	ownedDeletedExpired = 2 // deleted an expired record of the owner
	ownedNot            = 3 // the key holds another owner's record, or no record
)

// deleteOwnedSrc deletes a record if it belongs to the owner, answering
// one of the owned outcomes above.
//
// KEYS[1] session key; ARGV[1] owner, ARGV[2] now (ms).
const deleteOwnedSrc = luaPrelude + `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local h = parse(v)
if not h or h.owner ~= ARGV[1] then return 3 end
redis.call('DEL', KEYS[1])
if h.exp > tonumber(ARGV[2]) then return 1 end
return 2
`

// indexAddSrc records a session in its owner's index: it drops entries
// whose instant is long past, raises (never lowers) the session's entry
// to its indexed instant, and keeps the key alive until the latest entry's
// instant plus the skew margin (never shortening its TTL).
//
// KEYS[1] owner index key; ARGV[1] member (the raw ID), ARGV[2] indexed
// instant (ms), ARGV[3] trim bound ("(" followed by ms), ARGV[4] now (ms),
// ARGV[5] skew margin (ms).
const indexAddSrc = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local old = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not old or tonumber(old) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
end
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local ttl = math.floor(tonumber(top[2]) - tonumber(ARGV[4]) + tonumber(ARGV[5]))
if ttl < 1 then ttl = 1 end
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], string.format('%d', ttl))
end
return 0
`

// scripts are a store's Lua scripts. go-redis runs each with EVALSHA and
// falls back to EVAL when the server answers NOSCRIPT.
type scripts struct {
	createOver, replace, touch, delete, deleteOwned, indexAdd *redis.Script
}

func newScripts() scripts {
	return scripts{
		createOver:  redis.NewScript(createOverSrc),
		replace:     redis.NewScript(replaceSrc),
		touch:       redis.NewScript(touchSrc),
		delete:      redis.NewScript(deleteSrc),
		deleteOwned: redis.NewScript(deleteOwnedSrc),
		indexAdd:    redis.NewScript(indexAddSrc),
	}
}

// run runs sc on key with one round trip (two when the server does not
// have the script cached yet) and returns its outcome code, and the
// whole reply for scripts that answer with an array.
func (s *Store[V]) run(ctx context.Context, sc *redis.Script, key string, args ...any) (int64, []any, error) {
	res, err := sc.Run(ctx, s.client, []string{key}, args...).Result()
	if err != nil {
		return 0, nil, err
	}
	return scriptCode(res)
}

// scriptCode reads a script's reply: an integer, or an array whose first
// element is one.
func scriptCode(res any) (int64, []any, error) {
	switch r := res.(type) {
	case int64:
		return r, nil, nil
	case []any:
		if len(r) > 0 {
			if code, ok := r[0].(int64); ok {
				return code, r, nil
			}
		}
	}
	return 0, nil, fmt.Errorf("goredis: unexpected script reply %T", res)
}

// runAll runs sc once per key in pipelines, args giving each run's
// arguments, and returns the replies in order. Runs the server answers
// with NOSCRIPT are sent again with EVAL.
func (s *Store[V]) runAll(ctx context.Context, sc *redis.Script, keys []string, args func(i int) []any) ([]*redis.Cmd, error) {
	cmds := make([]*redis.Cmd, len(keys))
	if len(keys) == 0 {
		return cmds, nil
	}
	pipe := s.client.Pipeline()
	for i, k := range keys {
		cmds[i] = sc.EvalSha(ctx, pipe, []string{k}, args(i)...)
	}
	if _, err := pipe.Exec(ctx); err != nil && !anyNoScript(cmds) {
		return nil, err
	}
	var again []int
	for i, c := range cmds {
		if redis.HasErrorPrefix(c.Err(), "NOSCRIPT") {
			again = append(again, i)
		}
	}
	if len(again) == 0 {
		return cmds, nil
	}
	pipe = s.client.Pipeline()
	for _, i := range again {
		cmds[i] = sc.Eval(ctx, pipe, []string{keys[i]}, args(i)...)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, err
	}
	return cmds, nil
}

// anyNoScript reports whether some command failed with NOSCRIPT.
func anyNoScript(cmds []*redis.Cmd) bool {
	for _, c := range cmds {
		if redis.HasErrorPrefix(c.Err(), "NOSCRIPT") {
			return true
		}
	}
	return false
}
