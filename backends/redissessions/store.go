package redissessions

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/typedsession/sessions"
)

// Compile-time checks of the interfaces Store implements.
var (
	_ sessions.TokenStore[int] = (*Store[int])(nil)
	_ sessions.OwnerIndex[int] = (*Store[int])(nil)
)

// ErrCluster is returned by [New] for a Redis Cluster or Ring client.
var ErrCluster = errors.New("redissessions: the redis-sessions layout cannot run on Redis Cluster or a Ring: " +
	"every write is one MULTI over keys of different hash slots (the session hash, the app's _sessions and _users sets, " +
	"the user's set and the namespace's SESSIONS set), which a Cluster refuses and a Ring splits; use a single server or Sentinel")

// Store is a [sessions.TokenStore] over the Redis layout of Node's
// redis-sessions 4.0.0, for one app. Build it with [New] and pass it to
// [sessions.NewWithStore]. It is safe for concurrent use.
type Store[V any] struct {
	client      redis.UniversalClient
	keys        keys
	codec       Codec[V]
	anonymousID string
	defaultIP   string
	clock       func() time.Time
	maxBytes    int
}

// New returns a Store for app (Node's app name: 3 to 20 letters, digits,
// '_' or '-') on client, which must talk to one Redis server or a
// Sentinel-managed primary: New returns [ErrCluster] for a Cluster or
// Ring client. With the default codec it also refuses a V that encoding/
// json would not write as a flat object of strings, numbers and booleans.
func New[V any](client redis.UniversalClient, app string, opts ...Option) (*Store[V], error) {
	switch client.(type) {
	case nil:
		return nil, errors.New("redissessions: nil client")
	case *redis.ClusterClient, *redis.Ring:
		return nil, ErrCluster
	}
	if err := validateApp(app); err != nil {
		return nil, err
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if err := errors.Join(cfg.errs...); err != nil {
		return nil, err
	}
	var codec Codec[V] = JSON[V]()
	if cfg.codec != nil {
		c, ok := cfg.codec.(Codec[V])
		if !ok {
			return nil, fmt.Errorf("redissessions: WithCodec got a %T, want a redissessions.Codec[%v]", cfg.codec, reflect.TypeFor[V]())
		}
		codec = c
	} else if err := checkFlatType(reflect.TypeFor[V]()); err != nil {
		return nil, err
	}
	return &Store[V]{
		client: client, keys: keys{ns: cfg.namespace + ":", app: app}, codec: codec,
		anonymousID: cfg.anonymousID, defaultIP: cfg.defaultIP, clock: cfg.clock, maxBytes: cfg.maxBytes,
	}, nil
}

// App returns the store's app name.
func (s *Store[V]) App() string { return s.keys.app }

// CheckToken reports whether token has the shape Node mints: 64 ASCII
// letters and digits, with 'Z' at position 55 followed by 8 lowercase
// base-36 digits (the creation time). Node's own check accepts any 64
// letters and digits; tokens without the creation time are refused here
// because the Manager's absolute lifetime is counted from it. No I/O.
func (s *Store[V]) CheckToken(token string) bool { return validToken(token) }

// MaxTokenLen returns [TokenLen]: every token has that length.
func (s *Store[V]) MaxTokenLen() int { return TokenLen }

// ID returns the [sessions.ID] of the session token names: a hash of the
// namespace, app and token, which reveals nothing of the token.
func (s *Store[V]) ID(token string) sessions.ID {
	return labelledHash(idLabel, s.keys.ns+s.keys.app, token)
}

// Secret returns the per-session secret, a hash of the token under its
// own label.
func (s *Store[V]) Secret(token string, _ sessions.ID) [32]byte {
	return labelledHash(secretLabel, s.keys.ns+s.keys.app, token)
}

// userID returns the Node id for owner.
func (s *Store[V]) userID(owner string) (string, error) {
	if owner == "" {
		return s.anonymousID, nil
	}
	if owner == s.anonymousID {
		return "", fmt.Errorf("redissessions: owner %q is the id of anonymous sessions (WithAnonymousID)", owner)
	}
	return owner, validateID(owner)
}

// owner returns the Manager's owner for a Node id.
func (s *Store[V]) owner(id string) string {
	if id == s.anonymousID {
		return ""
	}
	return id
}

// encode runs the codec and checks Node's rules for d.
func (s *Store[V]) encode(v V) (flatObject, error) {
	data, err := s.codec.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("redissessions: encoding value: %w", err)
	}
	return flatten(data, s.maxBytes)
}

// decode turns a stored d into V. Data no codec could have written, or
// over the size bound, is ErrDecode: the Manager reads it as absent.
func (s *Store[V]) decode(d string) (V, error) {
	var zero V
	if len(d) > s.maxBytes {
		return zero, fmt.Errorf("%w: d is %d bytes, limit %d", sessions.ErrDecode, len(d), s.maxBytes)
	}
	if d == "" {
		d = "{}"
	}
	v, err := s.codec.Unmarshal([]byte(d))
	if err != nil {
		return zero, fmt.Errorf("%w: %w", sessions.ErrDecode, err)
	}
	return v, nil
}

// record turns a stored hash into the Manager's record.
func (s *Store[V]) record(token string, st stored) (sessions.Record[V], error) {
	v, err := s.decode(st.d)
	if err != nil {
		return sessions.Record[V]{}, err
	}
	return sessions.Record[V]{
		Value: v, CreatedAt: createdAt(token), ExpiresAt: st.expiresAt(),
		Owner: s.owner(st.id), Version: uint64(max(st.writes, 0)), Persistent: st.persistent,
	}, nil
}

// load reads token's hash with cmd (the client or a transaction).
func (s *Store[V]) load(ctx context.Context, cmd redis.Cmdable, token string) (stored, bool, error) {
	vals, err := cmd.HMGet(ctx, s.keys.session(token), hashFields...).Result()
	if err != nil {
		return stored{}, false, err
	}
	return parseStored(vals)
}

// Create stores rec under a fresh token, as Node's create does: one
// MULTI adding the session to the app's _sessions and _users sets, the
// namespace's SESSIONS set and the user's set, then writing its hash with
// r = w = 1. The ip and no_resave come from ctx ([WithIP],
// [WithNoResave]). A session that starts with less than Node's minimum
// ttl of 10 seconds is refused with Node's message; later writes nearer
// the Manager's absolute deadline give Node 10 seconds and the Manager
// still ends the session on time.
func (s *Store[V]) Create(ctx context.Context, rec sessions.Record[V], now time.Time) (string, sessions.ID, error) {
	if err := ctx.Err(); err != nil {
		return "", sessions.ID{}, err
	}
	id, err := s.userID(rec.Owner)
	if err != nil {
		return "", sessions.ID{}, err
	}
	ip, ok := ipFrom(ctx)
	if !ok {
		ip = s.defaultIP
	}
	if err := validateIP(ip); err != nil {
		return "", sessions.ID{}, err
	}
	if !rec.CreatedAt.Before(now) && rec.ExpiresAt.Sub(now) < MinTTL {
		return "", sessions.ID{}, ttlTooShort()
	}
	obj, err := s.encode(rec.Value)
	if err != nil {
		return "", sessions.ID{}, err
	}
	d, err := encodeObject(withoutNulls(obj))
	if err != nil {
		return "", sessions.ID{}, err
	}
	token, err := mintToken(rand.Reader, rec.CreatedAt)
	if err != nil {
		return "", sessions.ID{}, err
	}
	w := newWire(now, rec.ExpiresAt)
	fields := []any{fID, id, fReads, 1, fWrites, 1, fIP, ip, fLastActive, w.la, fTTL, w.ttl, fExpires, rec.ExpiresAt.UnixMilli()}
	if d != "" {
		fields = append(fields, fData, d)
	}
	if noResaveFrom(ctx) {
		fields = append(fields, fNoResave, 1)
	}
	if rec.Persistent {
		fields = append(fields, fPersistent, 1)
	}
	_, err = s.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		s.touchSets(ctx, p, token, id, w)
		p.SAdd(ctx, s.keys.user(id), token)
		p.HSet(ctx, s.keys.session(token), fields...)
		return nil
	})
	if err != nil {
		return "", sessions.ID{}, err
	}
	return token, s.ID(token), nil
}

// touchSets queues the three ZADDs that open every Node write: the
// session's and the user's last activity, and the wipers' deadline.
func (s *Store[V]) touchSets(ctx context.Context, p redis.Pipeliner, token, id string, w wire) {
	p.ZAdd(ctx, s.keys.sessions(), redis.Z{Score: float64(w.la), Member: sessionMember(token, id)})
	p.ZAdd(ctx, s.keys.users(), redis.Z{Score: float64(w.la), Member: id})
	p.ZAdd(ctx, s.keys.global(), redis.Z{Score: float64(w.score), Member: s.keys.globalMember(token, id)})
}

// Open returns the session token names if it is live at now. It is one
// HMGET and writes nothing: unlike Node's get it neither counts the read
// in r nor moves the last activity, because the Manager's reads never
// extend a session (its Touch and writes do). The deadline is the one the
// store wrote, or Node's if a Node process has touched the session since.
func (s *Store[V]) Open(ctx context.Context, token string, now time.Time) (sessions.Entry[V], error) {
	if err := ctx.Err(); err != nil {
		return sessions.Entry[V]{}, err
	}
	st, ok, err := s.load(ctx, s.client, token)
	if err != nil {
		return sessions.Entry[V]{}, err
	}
	if !ok || !now.Before(st.expiresAt()) {
		return sessions.Entry[V]{}, sessions.ErrNotFound
	}
	rec, err := s.record(token, st)
	if err != nil {
		return sessions.Entry[V]{}, err
	}
	return sessions.Entry[V]{ID: s.ID(token), Record: rec}, nil
}
