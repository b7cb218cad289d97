// Package sessions gives Go HTTP servers typed sessions: a [Manager] of
// values of your type V, kept in a pluggable store, handed out as
// immutable [Session] snapshots, with Set-Cookie headers as plain
// (name, value) pairs that any HTTP stack can write.
//
//	store, err := memory.New[Cart]()
//	m, err := sessions.New[Cart](store) // __Host-session; Secure; HttpOnly; SameSite=Lax
//
//	s, err := m.OfHeaderOrCreate(ctx, Cart{}, r.Header.Values("Cookie")...)
//	s, err = m.Update(ctx, s, func(c Cart) (Cart, error) { c.Items = append(c.Items, sku); return c, nil })
//	sessions.WriteHeaders(w.Header(), m.ToCookieHeaders(s))
//
// For net/http, the httpsession package wraps this in a middleware that
// loads lazily and commits before the response's headers go out, with
// flash messages and CSRF tokens.
//
// # Sessions are snapshots
//
// A [Session] is a value: its token, storage [ID], the stored value and
// its metadata (creation, expiry, owner, version, persistence) as they were
// when it was read or written, and whether a Set-Cookie is due
// ([Session.Modified]). No operation changes a Session; each returns a new
// one, so always reassign:
//
//	s, err = m.Renew(ctx, s)
//
// Nothing a caller does to a value it gave the Manager or got from
// [Session.Value] changes what that session reads later or what a later
// write stores: only values handed to the Manager are stored. The Manager
// copies values on their way in and out ([Manager.CopyValue] says how):
// free for a V without pointers, slices, maps or interfaces, V's Clone
// method when it has one. An Update function must not keep its argument
// or result after it returns, as an [io.Writer] must not keep its buffer.
// A Session prints 8 characters of its storage ID, never its token.
//
// # Operations
//
// [Manager.Generate] stores a new session under a fresh token.
// [Manager.OfKey] reads the live session a token names;
// [Manager.OfHeader] finds it among a request's Cookie headers and
// [Manager.OfHeaderOrCreate] falls back to an unsaved session that is
// stored only by its first write, so crawlers cannot fill the store.
// None of the three ever writes. [Manager.Set] and [Manager.Update] write
// a new value if nobody changed the session since it was read (Update
// retries on a conflict); [Manager.Touch] slides the idle deadline at
// most once per touch interval; [Manager.Renew] moves the session to a
// new token (call it at login); [Manager.Clear] deletes it.
// [Manager.ToCookieHeaders] gives the response headers for a session.
// [Manager.Sessions], [Manager.ClearOwner] and [Manager.ClearOwned] list
// and end the sessions of one owner, for a "your devices" page.
//
// A session lives until its idle timeout passes without a write or touch
// (30 minutes by default, [WithIdleTimeout]) and never past its lifetime
// from creation (24 hours, [WithLifetime]), whatever the store says.
//
// # Choosing a store
//
//   - backends/memory: in process, the default for one server and for
//     tests; sharded and bounded.
//   - backends/goredis: Redis (single node, Sentinel or Cluster) through
//     go-redis v9; one GET per read.
//   - backends/postgres: PostgreSQL through pgx v5; one table, one
//     statement per operation.
//   - backends/sealed: no server state; the record is encrypted into the
//     cookie itself, with optional revocation through any other store.
//
// Server-side stores implement [Backend], four methods keyed by a storage
// ID, and are given to [New]; they never see a token, only its SHA-256
// storage ID, so a leaked database holds no usable session. Stores that
// must see the token, such as sealed cookies or stores whose format
// another platform owns, implement [TokenStore] and are given to
// [NewWithStore]. The proptest package is the conformance kit every store
// here passes; run it on your own.
//
// # Errors
//
// Outcomes are sentinels, tested with [errors.Is]:
//
//   - [ErrNotFound]: no live session answers the token: malformed,
//     unknown, expired, cleared or forged, deliberately not told apart
//     (the observer sees the reason).
//   - [ErrConflict]: the session changed since it was read.
//   - [ErrBackend]: the store failed. The cause stays in the chain, so
//     errors.Is(err, context.DeadlineExceeded) holds too. A store failure
//     is never answered with a fresh session that would replace the
//     client's cookie.
//   - [ErrStoreFull], [ErrValueTooLarge], [ErrCookieTooLarge],
//     [ErrUnsupported]: a bounded store is full, a value or cookie is too
//     large, a store lacks a capability.
//
// Configuration mistakes, including cookies a browser would drop, are
// refused by [New] and [NewWithStore] with an error naming the setting;
// no operation panics on any input. [WithObserver] receives an [Event]
// for every creation, renewal, conflict, refused token (with its
// [Reason]) and store failure; [SlogObserver] logs them. No error or
// event ever carries a token.
//
// # Effects
//
// Every operation that may touch the store takes a [context.Context],
// which bounds its I/O, and returns an error; nothing else does I/O.
// Absence that is not an error is a [mo.Option]: [Manager.OfHeader]
// returns None for a request without a usable session cookie. The
// [Manager.Async] view runs the same operations on goroutines of their
// own, each returning a [Future], for fanning out store calls. The
// Manager's clock ([WithClock]) is the only source of time, for every
// deadline and every store.
//
// # Any HTTP stack
//
// [Manager.ToCookieHeaders] returns [Header] pairs: Set-Cookie and
// Cache-Control: no-store when the session was modified, Vary: Cookie
// always. [WriteHeaders] applies them to an [http.Header], and
// [ApplyHeaders] to any other response through three functions, with the
// same rules: Set-Cookie added, Cache-Control replaced, Vary merged.
//
// # Examples
//
// The package example shows one request end to end. [Manager.Generate],
// [Manager.OfKey], [Manager.OfHeader], [Manager.OfHeaderOrCreate],
// [Manager.Set], [Manager.Renew], [Manager.Clear], [Manager.Sessions],
// [Async] and [WriteHeaders] each have their own. examples/webapp in the
// repository is a small login app (go run ./examples/webapp), and
// examples/frameworks shows fasthttp and Echo.
package sessions
