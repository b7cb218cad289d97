// Package redissessions shares sessions with Node applications: a
// [sessions.TokenStore] that reads and writes the Redis layout of the npm
// package redis-sessions 4.0.0, so a Go service and Node processes using
// that library see, change and end the same sessions.
//
//	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
//	store, err := redissessions.New[Login](client, "myapp")
//	m, err := sessions.NewWithStore[Login](store)
//	...
//	ctx := redissessions.WithIP(r.Context(), clientIP) // Node records an ip per session
//	s, err := m.Generate(ctx, Login{User: "ann"}, sessions.WithOwner("ann"))
//
// # Outside the hashed-at-rest guarantee
//
// The token is the Redis key (rs:{app}:{token}), as Node's layout has
// it. Anyone who can read the Redis database, a backup of it, or its
// MONITOR output holds every live session. The stores built with
// [sessions.New] keep only hashes of tokens; this one cannot. Use it only
// to share sessions with Node, and protect Redis accordingly.
//
// # Layout
//
// Exactly Node's, under the namespace ns ("rs" by default, [WithNamespace])
// and the app name given to [New]:
//
//	ns:{app}:{token}     HASH  id, r, w, ip, la, ttl, [d], [no_resave]
//	ns:{app}:_sessions   ZSET  "{token}:{id}" scored by last activity (Unix s)
//	ns:{app}:_users      ZSET  "{id}" scored by last activity
//	ns:{app}:us:{id}     SET   the user's tokens
//	ns:SESSIONS          ZSET  "{app}:{token}:{id}" scored by deadline, for the wipers
//	ns:cache             channel; "{app}:{token}" is published after every change
//
// Tokens have Node's shape: 55 characters from its alphabet, drawn from
// crypto/rand (Node uses Math.random), then 'Z' and the creation time in
// base-36 milliseconds. The creation time is the session's CreatedAt,
// which is how the Manager's absolute lifetime survives in a layout with
// no field for it; like Node's, a token reveals when its session began.
//
// The hash carries two fields of this store's own, which Node never reads
// and its writes keep: go_expires (the Manager's deadline in Unix
// milliseconds, since la and ttl count whole seconds) and go_persistent
// ("1" for a "remember me" session). Nothing else differs.
//
// # Mapping to the Manager
//
//   - Owner is Node's id. Node requires one, so sessions without an owner
//     are kept under one id, [DefaultAnonymousID] unless [WithAnonymousID]
//     says otherwise. Ids may not contain ':' (Node's wiper and killall
//     split members on it), nor a line break (Node refuses those); a
//     session Node created for such an id opens, but Sessions and
//     ClearOwner do not reach it.
//   - Version is Node's write counter w: 1 on create, +1 on every write
//     from either side, so a Node set between a Go read and a Go write is
//     an [sessions.ErrConflict], never a lost update.
//   - ExpiresAt is Node's deadline, la + ttl (Node keeps a session while
//     now − la ≤ ttl in whole seconds), refined to the millisecond the
//     Manager computed while no Node process has touched the session
//     since this store wrote it. Node's get slides la, so Node reads
//     extend a session as they do in Node; the Manager still ends every
//     session at CreatedAt plus its lifetime. A session this store
//     creates gets the time left as its ttl (the Manager's idle timeout,
//     at least Node's minimum of 10 seconds), so Node processes slide it
//     as the Manager does. Writes keep the ttl, as Node's set does: a
//     session Node created keeps the ttl its creator chose, and a Set on
//     it returns the Manager's deadline while later reads report Node's.
//   - Value is Node's d, a flat JSON object of strings, numbers and
//     booleans (see [JSON] and [Codec]). Writes merge as Node's set does:
//     keys the value writes as null are deleted, keys it does not write are
//     kept, so keys a Node application keeps in d survive Go writes.
//   - Persistent is go_persistent; sessions Node created are not.
//
// Operations map onto Node's: Generate and Renew are create (the ip and
// no_resave flag come from the context: [WithIP], [WithNoResave]); Set,
// Update and Touch are set (under WATCH, so the version check is
// atomic; the Manager's Touch is a write here, which bumps w); Clear and
// Renew's removal of the old token are kill; Sessions is soid and
// ClearOwner killsoid. OfKey is one HMGET: unlike Node's get it does not
// count the read in r nor move la, because the Manager's reads never
// extend a session. [Store.Info] shows r, w, ip and idle time;
// [Store.Activity], [Store.SessionsOfApp], [Store.KillAll] and
// [Store.Wipe] are Node's activity, soapp, killall and wipe.
//
// Every write is one MULTI/EXEC, as in Node, and every change publishes
// "{app}:{token}" on ns:cache, so Node processes caching sessions
// (cachetime) drop stale copies; Node itself publishes only when it
// caches, and never on create.
//
// # Deployments
//
// Every write spans keys in many hash slots in one MULTI, so the layout
// cannot run on Redis Cluster: [New] refuses Cluster and Ring clients
// with [ErrCluster]. A single server or a Sentinel-managed primary works;
// route no reads to replicas.
//
// # Validation
//
// The store applies Node's rules, with Node's messages, and returns
// them as [*ValidationError], matched by errors.Is against
// [ErrMissingParameter], [ErrInvalidFormat] and [ErrInvalidValue]: the
// app name (3 to 20 of [A-Za-z0-9_-]), the id, the ip (1 to 39
// characters), the token, ttl ≥ 10 seconds for a new session, a window ≥
// 10 seconds, and d. The Manager wraps a store's errors in
// [sessions.ErrBackend], and errors.As still finds the ValidationError.
package redissessions
