// Package goredis is a Redis session store built on
// github.com/redis/go-redis/v9: a [sessions.Backend] that also implements
// [sessions.Toucher] and [sessions.OwnerIndex]. It takes any
// [redis.UniversalClient], so single servers, Sentinel and Cluster
// deployments all work.
//
//	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
//	store, err := goredis.New[Cart](client)
//	...
//	m, err := sessions.New[Cart](store)
//
// # Layout
//
// Each session is one Redis string under prefix + the storage ID in hex:
// a fixed binary header (format, version, created, expires, the owner
// index's cover, flags, owner) followed by the codec's payload, JSON by
// default. Load is one GET; an unowned Create is one SET NX PX; Replace,
// Touch and a conditional Delete are one Lua script each, run with
// EVALSHA and, when the server has not cached it yet, EVAL. Every script
// reads and writes one key, so each runs on one Cluster node.
//
// Expiry is decided by the now the Manager passes, never by the server's
// clock: a record is not returned at or after its ExpiresAt whatever its
// TTL says. Every key is written with a TTL of ExpiresAt − now (at least
// one millisecond), so Redis removes expired records by itself and no key
// the store writes ever lives without a TTL. There is therefore no
// [sessions.Sweeper]: nothing is left to sweep.
//
// # Owner index
//
// The sessions of an owner are listed through one sorted set per owner,
// under prefix + "owner:" + the owner in unpadded base64url (so no owner
// can reach outside its key). Members are raw storage IDs, each scored by
// the instant until which the index keeps it: the session's CreatedAt
// plus the lifetime given to [WithLifetime], or its ExpiresAt if that is
// later. An owned Create writes the index entry first and the session
// second: two round trips, in every deployment, because the two keys may
// live on different Cluster nodes. The index write also drops entries
// more than a minute past their instant and keeps the set's TTL at its
// latest entry's instant plus that minute.
//
// The guarantee: every live owned session is in its owner's index. Each
// record carries the instant its entry is kept until, and Replace and
// Touch refuse, inside their script, to give an owned record an expiry
// beyond it; the store then extends the entry and runs the script again,
// which costs a second round trip only when a session outlives the
// configured lifetime (or changes owner, which the Manager never does).
//
// Entries may outlive their sessions. ListOwner reads each entry's
// record and skips what is gone, expired or owned by someone else;
// DeleteOwner deletes each record (only if it still belongs to the owner)
// before its entry. Both keep an entry whose record is missing until an
// index write drops it, a minute after its instant: the record may be
// one that an owned Create (or a Renew, which creates its new ID the same
// way) has indexed and not written yet, and removing the entry then
// would leave that session live, unlisted and out of DeleteOwner's reach
// for its whole lifetime. They remove the entries that are not IDs, and
// those whose key holds another owner's record or a value that is not a
// record: such a key can become the owner's record only if its ID is
// created again (after a deletion or over an expired record) or handed
// to the owner by a Replace. Both assume that neither happens while the
// owner is being listed or cleared, which holds for IDs minted by the
// Manager (each is the hash of a fresh 256-bit token, and the Manager
// never changes a session's owner in place). Sessions created while
// DeleteOwner runs may survive it. The instants assume the servers'
// clocks agree to within the minute's margin.
//
// ListOwner and DeleteOwner read the index 256 entries per round trip,
// by score rather than by offset, and read or delete each page's records
// in one pipelined round trip (plus one to remove entries, when some
// are to go), so their memory is bounded by a page and, for ListOwner,
// by its limit, whatever the index holds. ListOwner reads the highest
// instants first and stops once no entry left to read can hold a record
// newer than those it keeps, since an entry's instant is at least its
// record's CreatedAt plus the lifetime. That bound is exact only if every
// process sharing the store is given the same [WithLifetime]; otherwise
// an owner with more sessions than the limit may be listed slightly out
// of order. A listing is not a snapshot: a session whose entry is
// extended while ListOwner runs (which happens only when sessions outlive
// the configured lifetime) may be missing from that listing, though not
// from the next. DeleteOwner reads the lowest instants first, so an
// entry extended while it runs moves ahead of where it reads and is
// still reached. An index holds little more than the owner's sessions
// created within one lifetime.
//
// # Errors
//
// A missing, expired or foreign-owned record is [sessions.ErrNotFound]. A
// value under a session key that is not a record of this format, or
// whose payload does not decode, is an error wrapping
// [sessions.ErrDecode], which the Manager reports as a decode-failed event
// and treats as absent; Create never overwrites such a value and reports
// [sessions.ErrConflict], so the Manager mints another token. Everything
// else, such as a refused connection, a timeout or a WRONGTYPE reply, is
// returned as it is, and the Manager wraps it in [sessions.ErrBackend].
//
// go-redis bounds each call by its ReadTimeout and WriteTimeout; it
// honours a context's deadline on the socket only when the client is
// built with ContextTimeoutEnabled, as above. The store never calls
// Redis with a context that is already done.
//
// # Replicas
//
// Every read must see the latest write: a session just created or
// replaced on the primary must be found by the next request. So do not
// route reads to replicas (ReadOnly, RouteByLatency or RouteRandomly in
// go-redis's Cluster and failover options). Writes check versions in any
// case, so stale reads would cost retries and spurious "not found"
// answers, never a lost update.
package goredis

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/internal/codecopt"
)

// Compile-time checks of the capabilities Store offers.
var (
	_ sessions.Backend[int]    = (*Store[int])(nil)
	_ sessions.Toucher         = (*Store[int])(nil)
	_ sessions.OwnerIndex[int] = (*Store[int])(nil)
)

// ownerInfix separates owner index keys from session keys, whose names
// are hexadecimal and so never start with it.
const ownerInfix = "owner:"

// skewMargin is how much later than its instant an index entry is
// dropped, and how much longer than its latest entry an index key lives:
// room for application servers whose clocks disagree a little.
const skewMargin = time.Minute

// maxPX bounds a TTL, in milliseconds, so that no expiry, however far
// off, overflows a time.Duration or Redis's clock: a hundred years, far
// beyond any session's lifetime.
const maxPX = int64(100 * 365 * 24 * time.Hour / time.Millisecond)

// Store is a Redis session store for values of type V. Build one with
// [New]. It is safe for concurrent use; it holds no connections of its
// own, so it needs no closing (close the client instead).
type Store[V any] struct {
	client   redis.UniversalClient
	codec    sessions.Codec[V]
	prefix   string
	lifetime time.Duration
	scripts  scripts
}

// New returns a store that keeps sessions in client. It does no I/O; call
// [Store.Ping] to check the connection. It fails for a nil client, invalid
// options or a codec that is not for V.
func New[V any](client redis.UniversalClient, opts ...Option) (*Store[V], error) {
	if client == nil {
		return nil, errors.New("goredis: nil client")
	}
	cfg := defaultConfig()
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	if err := errors.Join(cfg.errs...); err != nil {
		return nil, err
	}
	codec, _, err := codecopt.Resolve[V]("goredis", cfg.codec)
	if err != nil {
		return nil, err
	}
	return &Store[V]{
		client:   client,
		codec:    codec,
		prefix:   cfg.prefix,
		lifetime: cfg.lifetime,
		scripts:  newScripts(),
	}, nil
}

// Ping checks that the server answers.
func (s *Store[V]) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("goredis: ping: %w", err)
	}
	return nil
}

// Prefix returns the prefix of every key the store writes.
func (s *Store[V]) Prefix() string { return s.prefix }

// key returns the key of the session id: the prefix and the ID in hex.
func (s *Store[V]) key(id sessions.ID) string {
	var h [2 * len(sessions.ID{})]byte
	hex.Encode(h[:], id[:])
	var b strings.Builder
	b.Grow(len(s.prefix) + len(h))
	b.WriteString(s.prefix)
	b.Write(h[:])
	return b.String()
}

// ownerKey returns the key of owner's index. The owner is encoded, so no
// byte of it can end the key early or start a hash tag.
func (s *Store[V]) ownerKey(owner string) string {
	return s.prefix + ownerInfix + base64.RawURLEncoding.EncodeToString([]byte(owner))
}

// checkOwner refuses owners longer than the record format carries.
func checkOwner(owner string) error {
	if len(owner) > sessions.MaxOwnerLen {
		return fmt.Errorf("goredis: owner is %d bytes, limit %d", len(owner), sessions.MaxOwnerLen)
	}
	return nil
}

// ttl returns the PX for a record expiring at expires, written at now:
// ExpiresAt − now in milliseconds, at least 1 (a record written already
// expired vanishes at once; reads ignore it anyway) and at most maxPX.
func ttl(expiresMS, nowMS int64) int64 {
	if expiresMS <= nowMS {
		return 1
	}
	if d := expiresMS - nowMS; d > 0 && d < maxPX { // d <= 0: overflowed
		return d
	}
	return maxPX
}

// be64 returns v as 8 big-endian bytes, the form records store it in.
func be64(v uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return string(b[:])
}

// indexedUntil returns the instant until which the owner index must keep
// the entry of rec: its CreatedAt plus the lifetime, or its ExpiresAt if
// that is later.
func (s *Store[V]) indexedUntil(createdMS, expiresMS int64) int64 {
	until := createdMS + s.lifetime.Milliseconds()
	if until < createdMS { // overflowed
		until = expiresMS
	}
	return max(until, expiresMS)
}

// encode returns the stored form of rec at version, with its payload
// encoded by the store's codec.
func (s *Store[V]) encode(version uint64, rec sessions.Record[V], indexed int64) ([]byte, error) {
	if err := checkOwner(rec.Owner); err != nil {
		return nil, err
	}
	payload, err := s.codec.Marshal(rec.Value)
	if err != nil {
		return nil, fmt.Errorf("goredis: %w", err)
	}
	buf := make([]byte, 0, headerLen+len(rec.Owner)+len(payload))
	times := recordTimes{created: msOf(rec.CreatedAt), expires: msOf(rec.ExpiresAt), indexed: indexed}
	return appendRecord(buf, version, times, rec.Owner, rec.Persistent, payload), nil
}

// Create stores rec under id with Version 1 if no live record is there;
// an expired one is overwritten. It returns [sessions.ErrConflict] if a
// live record holds id, or a value that is not a record. An owned record
// is entered in its owner's index first.
func (s *Store[V]) Create(ctx context.Context, id sessions.ID, rec sessions.Record[V], now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var indexed int64
	if rec.Owner != "" {
		indexed = s.indexedUntil(msOf(rec.CreatedAt), msOf(rec.ExpiresAt))
	}
	val, err := s.encode(1, rec, indexed)
	if err != nil {
		return err
	}
	if rec.Owner != "" {
		if err := s.index(ctx, rec.Owner, id, indexed, now); err != nil {
			return err
		}
	}
	key, nowMS := s.key(id), msOf(now)
	px := ttl(msOf(rec.ExpiresAt), nowMS)
	stored, err := s.client.SetNX(ctx, key, val, time.Duration(px)*time.Millisecond).Result()
	if err != nil {
		return fmt.Errorf("goredis: create: %w", err)
	}
	if stored {
		return nil
	}
	// Something holds the key. Redis removes records when their TTL runs
	// out, but the Manager's clock decides: a record it sees as expired
	// may still be there, and is overwritten.
	code, _, err := s.run(ctx, s.scripts.createOver, key, val, nowMS, px)
	if err != nil {
		return fmt.Errorf("goredis: create: %w", err)
	}
	switch code {
	case codeOK:
		return nil
	case codeConflict:
		return sessions.ErrConflict
	case codeCorrupt:
		return fmt.Errorf("%w: the key holds a value that is not a session record", sessions.ErrConflict)
	}
	return unexpected("create", code)
}

// Load returns the record under id if it is live at now, else
// [sessions.ErrNotFound]; a value that is not a record of this format, or
// whose payload does not decode, is an error wrapping [sessions.ErrDecode].
func (s *Store[V]) Load(ctx context.Context, id sessions.ID, now time.Time) (sessions.Record[V], error) {
	if err := ctx.Err(); err != nil {
		return sessions.Record[V]{}, err
	}
	data, err := s.client.Get(ctx, s.key(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return sessions.Record[V]{}, sessions.ErrNotFound
	}
	if err != nil {
		return sessions.Record[V]{}, fmt.Errorf("goredis: load: %w", err)
	}
	h, err := parseHeader(data)
	if err != nil {
		return sessions.Record[V]{}, err
	}
	if !h.live(msOf(now)) {
		return sessions.Record[V]{}, sessions.ErrNotFound
	}
	return toRecord(h, s.codec)
}

// Replace overwrites the live record under id if its version is
// ifVersion, storing rec with Version ifVersion+1. It returns
// [sessions.ErrNotFound] if no live record is there (it never recreates
// one) and [sessions.ErrConflict] if the version differs.
func (s *Store[V]) Replace(ctx context.Context, id sessions.ID, ifVersion uint64, rec sessions.Record[V], now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	val, err := s.encode(ifVersion+1, rec, 0) // the script fills in the index cover
	if err != nil {
		return err
	}
	key, nowMS := s.key(id), msOf(now)
	px := ttl(msOf(rec.ExpiresAt), nowMS)
	var grantOwner, grant string
	for range 2 {
		code, _, err := s.run(ctx, s.scripts.replace, key, be64(ifVersion), val, nowMS, px, grantOwner, grant)
		if err != nil {
			return fmt.Errorf("goredis: replace: %w", err)
		}
		if code != codeNeedIndex {
			return outcome("replace", code)
		}
		indexed := s.indexedUntil(msOf(rec.CreatedAt), msOf(rec.ExpiresAt))
		if err := s.index(ctx, rec.Owner, id, indexed, now); err != nil {
			return err
		}
		grantOwner, grant = rec.Owner, be64(uint64(indexed))
	}
	return errors.New("goredis: replace: the owner index did not cover the record after extending it")
}

// Delete removes the record under id. With ifVersion 0 it is
// unconditional and an absent record is not an error. With ifVersion > 0
// it returns [sessions.ErrNotFound] if no record is there and
// [sessions.ErrConflict] if the version differs.
//
// Delete is given no now, so a record that has expired but that Redis
// has not removed yet counts as present.
func (s *Store[V]) Delete(ctx context.Context, id sessions.ID, ifVersion uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	key := s.key(id)
	if ifVersion == 0 {
		if err := s.client.Del(ctx, key).Err(); err != nil {
			return fmt.Errorf("goredis: delete: %w", err)
		}
		return nil
	}
	code, _, err := s.run(ctx, s.scripts.delete, key, be64(ifVersion))
	if err != nil {
		return fmt.Errorf("goredis: delete: %w", err)
	}
	return outcome("delete", code)
}

// outcome turns a record script's code into the Backend outcome.
func outcome(op string, code int64) error {
	switch code {
	case codeOK:
		return nil
	case codeNotFound:
		return sessions.ErrNotFound
	case codeConflict:
		return sessions.ErrConflict
	case codeCorrupt:
		return fmt.Errorf("goredis: %s: %w: the key holds a value that is not a session record", op, sessions.ErrDecode)
	}
	return unexpected(op, code)
}

func unexpected(op string, code int64) error {
	return fmt.Errorf("goredis: %s: unexpected script outcome %d", op, code)
}
