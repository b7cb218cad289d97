package sessions

import (
	"context"
	cryptorand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"reflect"
	"time"

	"github.com/samber/mo"
	"github.com/typedsession/sessions/internal/valuecopy"
)

// Manager hands out sessions of type V kept in one store. It holds every
// lifecycle rule (timeouts, the touch throttle, retries, cookies, events)
// once, for every store. It is safe for concurrent use.
type Manager[V any] struct {
	store      TokenStore[V]
	checkToken func(string) bool // store.CheckToken, bound once so scanning allocates nothing
	backend    Backend[V]        // set by New; needed by ClearOwned
	toucher    Toucher           // nil: Touch falls back to a version-bumping Replace
	owners     OwnerIndex[V]     // nil: owner operations return ErrUnsupported

	cookie        cookieSpec
	cookieConfig  Cookie // as configured, with defaults filled in
	maxTokenLen   int    // longest token whose Set-Cookie fits in maxCookieBytes
	tokenLimit    int    // longest token the store issues; longer ones are "oversized"
	idle          time.Duration
	lifetime      time.Duration
	touchInterval time.Duration
	clock         func() time.Time
	attempts      int
	observer      Observer
	copyValue     func(V) (V, error) // a deep copy; nil when assignment is one

	// random is the source of tokens: crypto/rand, replaced only by tests
	// (export_test.go) to see how a failing source is handled.
	random io.Reader
}

// MaxListed bounds how many sessions Sessions returns for one owner.
const MaxListed = 1000

// New returns a Manager over a server-side store, with the default token
// scheme: 256-bit random tokens that the store only ever sees as SHA-256
// storage IDs. The store's optional capabilities ([Toucher],
// [OwnerIndex]) are discovered here, once.
func New[V any](b Backend[V], opts ...Option) (*Manager[V], error) {
	if b == nil {
		return nil, errors.New("sessions: nil backend")
	}
	m, err := newManager[V](opts, TokenLen, storeCopier[V](b))
	if err != nil {
		return nil, err
	}
	m.backend = b
	m.store = hashedStore[V]{b: b, mint: func() (string, error) { return mintToken(m.random) }}
	m.checkToken = ValidToken
	m.tokenLimit = TokenLen
	if t, ok := b.(Toucher); ok {
		m.toucher = t
	}
	if o, ok := b.(OwnerIndex[V]); ok {
		m.owners = o
	}
	return m, nil
}

// NewWithStore returns a Manager over a store that must see tokens
// itself, such as a sealed cookie store. Owner operations work if the
// store implements [OwnerIndex]; Touch rewrites the record through
// Replace. A store that also has a MaxTokenLen() int method lets the
// Manager report over-long tokens as "oversized" rather than "malformed";
// one with a CookieName() string method must name the Manager's cookie.
func NewWithStore[V any](ts TokenStore[V], opts ...Option) (*Manager[V], error) {
	if ts == nil {
		return nil, errors.New("sessions: nil token store")
	}
	m, err := newManager[V](opts, 0, storeCopier[V](ts))
	if err != nil {
		return nil, err
	}
	// A store that binds its tokens to a cookie name must be built for
	// the cookie the Manager sends, or its tokens would open under
	// another Manager's cookie.
	if n, ok := ts.(interface{ CookieName() string }); ok && n.CookieName() != m.cookie.name() {
		return nil, fmt.Errorf("sessions: the store seals tokens for cookie %q but the Manager's cookie is %q", n.CookieName(), m.cookie.name())
	}
	m.store = ts
	m.checkToken = ts.CheckToken
	m.tokenLimit = m.maxTokenLen
	if l, ok := ts.(interface{ MaxTokenLen() int }); ok {
		m.tokenLimit = l.MaxTokenLen()
	}
	if o, ok := ts.(OwnerIndex[V]); ok {
		m.owners = o
	}
	return m, nil
}

// storeCopier returns the store's own value copy, nil if it has none.
func storeCopier[V any](store any) func(V) (V, error) {
	if c, ok := store.(ValueCopier[V]); ok {
		return c.CopyValue
	}
	return nil
}

// valueCopy returns how the Manager copies values: nil when assignment
// is a copy, else V's Clone method, else the store's copy, else JSON.
func valueCopy[V any](storeCopy func(V) (V, error)) (func(V) (V, error), error) {
	t := reflect.TypeFor[V]()
	if storeCopy != nil && valuecopy.HoldsReferences(t) && valuecopy.CloneFunc[V](t) == nil {
		return storeCopy, nil
	}
	return valuecopy.For[V]()
}

func newManager[V any](opts []Option, tokenLen int, storeCopy func(V) (V, error)) (*Manager[V], error) {
	cf := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cf)
		}
	}
	if err := cf.validate(); err != nil {
		return nil, err
	}
	cookie, err := newCookieSpec(cf.cookie, cf.lifetime, tokenLen)
	if err != nil {
		return nil, err
	}
	if err := checkPublicSuffix(cf.cookie.Domain, cf.suffixes); err != nil {
		return nil, err
	}
	copyValue, err := valueCopy(storeCopy)
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	m := &Manager[V]{
		cookie:        cookie,
		cookieConfig:  effectiveCookie(cf.cookie, cookie.name()),
		idle:          cf.idle,
		lifetime:      cf.lifetime,
		touchInterval: cf.touchInterval,
		clock:         cf.clock,
		attempts:      cf.attempts,
		observer:      cf.observer,
		copyValue:     copyValue,
		random:        cryptorand.Reader,
	}
	// The longest Set-Cookie with an empty value tells which tokens fit.
	m.maxTokenLen = maxCookieBytes - cookie.maxLen(cf.lifetime, 0)
	return m, nil
}

// effectiveCookie fills in the defaults the zero Cookie stands for.
func effectiveCookie(c Cookie, name string) Cookie {
	c.Name = name
	if c.Path == "" {
		c.Path = "/"
	}
	if c.SameSite == 0 || c.SameSite == http.SameSiteDefaultMode {
		c.SameSite = http.SameSiteLaxMode
	}
	return c
}

// Cookie returns the session cookie's configuration with its defaults
// filled in, for middleware that must know, for example, whether the
// cookie is Secure.
func (m *Manager[V]) Cookie() Cookie { return m.cookieConfig }

// Generate stores a new session holding a copy of v under a fresh token:
// changing v afterwards changes neither the session nor the store.
func (m *Manager[V]) Generate(ctx context.Context, v V, opts ...SessionOption) (Session[V], error) {
	owner, persistent, err := sessionOptions(opts).applyTo("", m.cookie.persistentByDefault())
	if err != nil {
		return Session[V]{}, err
	}
	if v, err = m.copyOf(v); err != nil {
		return Session[V]{}, err
	}
	now := m.clock()
	s, err := m.create(ctx, Record[V]{Value: v, CreatedAt: now, Owner: owner, Persistent: persistent}, now)
	if err == nil {
		m.observe(ctx, EventCreated, "", s.ID(), nil)
	}
	return s, err
}

// OfKey returns the live session a token names. It returns ErrNotFound for
// a malformed, unknown, expired or cleared token, and never writes. A
// malformed token reaches no store.
func (m *Manager[V]) OfKey(ctx context.Context, token string) (Session[V], error) {
	if !m.checkToken(token) {
		reason := ReasonMalformed
		if len(token) > m.tokenLimit {
			reason = ReasonOversized
		}
		m.observe(ctx, EventInvalidToken, reason, ID{}, nil)
		return Session[V]{}, ErrNotFound
	}
	return m.open(ctx, token, m.clock())
}

// OfHeader returns the session named by the request's Cookie header
// values, or None when they carry no usable session cookie; in that case
// no store is called unless a well-formed candidate was present. The
// error is only ever a store failure: a forged, stale or ambiguous cookie
// is None. It never writes.
//
// Several cookies of the session's name are looked up, at most 8; the
// session is the one live among them. Two or more live ones, or more than
// 8 candidates, make the header ambiguous, which is None.
func (m *Manager[V]) OfHeader(ctx context.Context, cookieHeaders ...string) (mo.Option[Session[V]], error) {
	found := scanCookies(m.cookie.name(), cookieHeaders, m.checkToken)
	switch {
	case found.tooMany:
		m.observe(ctx, EventInvalidToken, ReasonAmbiguous, ID{}, nil)
		return mo.None[Session[V]](), nil
	case found.n == 0:
		if found.sawName {
			m.observe(ctx, EventInvalidToken, ReasonMalformed, ID{}, nil)
		}
		return mo.None[Session[V]](), nil
	}
	now := m.clock()
	var live Session[V]
	count := 0
	for _, token := range found.candidates[:found.n] {
		s, err := m.open(ctx, token, now)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return mo.None[Session[V]](), err
		}
		live, count = s, count+1
	}
	switch count {
	case 0:
		return mo.None[Session[V]](), nil
	case 1:
		return mo.Some(live), nil
	}
	m.observe(ctx, EventInvalidToken, ReasonAmbiguous, ID{}, nil)
	return mo.None[Session[V]](), nil
}

// OfHeaderOrCreate returns the session named by the request's Cookie
// header values or, when there is none, an unsaved session holding def:
// IsNew, not Modified, no token, nothing stored. The first Set, Update or
// Renew stores it under a fresh token. A stale or forged cookie never
// creates anything, so clients cannot fill the store; a store failure is
// returned, never answered with a fresh session that would replace the
// client's cookie.
func (m *Manager[V]) OfHeaderOrCreate(ctx context.Context, def V, cookieHeaders ...string) (Session[V], error) {
	found, err := m.OfHeader(ctx, cookieHeaders...)
	if err != nil {
		return Session[V]{}, err
	}
	if s, ok := found.Get(); ok {
		return s, nil
	}
	// A copy, so that changes to the new session's value never reach a
	// default the caller shares between requests.
	v, err := m.copyOf(def)
	if err != nil {
		return Session[V]{}, err
	}
	return Session[V]{
		state: &sessionState[V]{rec: Record[V]{Value: v, Persistent: m.cookie.persistentByDefault()}, copy: m.copyValue},
		isNew: true,
	}, nil
}

// Set stores a copy of v as the session's value and slides its idle
// deadline; changing v afterwards changes neither the session returned
// nor what a later write stores. It returns ErrConflict if the session
// changed since s was read and ErrNotFound if it is gone; it never
// recreates a session. On an unsaved session it stores it under a fresh
// token.
func (m *Manager[V]) Set(ctx context.Context, s Session[V], v V) (Session[V], error) {
	if err := s.usable(); err != nil {
		return Session[V]{}, err
	}
	// The session keeps a copy: what the caller does to v afterwards
	// reaches neither it nor a later write.
	v, err := m.copyOf(v)
	if err != nil {
		return Session[V]{}, err
	}
	return m.set(ctx, s, v)
}

// set stores v, which no caller may reach any more, as s's value.
func (m *Manager[V]) set(ctx context.Context, s Session[V], v V) (Session[V], error) {
	now := m.clock()
	if s.isNew {
		rec := s.record()
		rec.Value, rec.CreatedAt = v, now
		next, err := m.create(ctx, rec, now)
		if err == nil {
			m.observe(ctx, EventCreated, "", next.ID(), nil)
		}
		return next, err
	}
	rec := s.record()
	rec.Value = v
	rec.ExpiresAt = m.deadline(rec.CreatedAt, now)
	return m.replace(ctx, s, rec, now)
}

// Update applies fn to a private copy of the session's current value and
// stores the result. On ErrConflict it reloads the session and runs fn
// again, with jittered backoff, up to the Manager's update attempts and
// never past ctx; so fn must be free of side effects. If fn returns an
// error, Update returns it and writes nothing. fn may change its argument
// in place: nothing else sees it, neither s nor any store. What fn
// returns becomes the new session's own value without a copy, so, like
// an [io.Writer] with its buffer, fn must not keep its argument or result
// after it returns.
func (m *Manager[V]) Update(ctx context.Context, s Session[V], fn func(V) (V, error)) (Session[V], error) {
	if err := s.usable(); err != nil {
		return Session[V]{}, err
	}
	current, err := m.copyOf(s.record().Value)
	if err != nil {
		return Session[V]{}, err
	}
	for attempt := 0; ; attempt++ {
		v, err := fn(current)
		if err != nil {
			return Session[V]{}, err
		}
		next, err := m.set(ctx, s, v)
		if !errors.Is(err, ErrConflict) || s.isNew {
			return next, err
		}
		if err := m.backoff(ctx, attempt); err != nil {
			return Session[V]{}, err
		}
		// A reloaded value comes fresh from the store and this session is
		// never handed out: fn may have it as it is.
		if s, err = m.open(ctx, s.Token(), m.clock()); err != nil {
			return Session[V]{}, err
		}
		current = s.record().Value
	}
}

// CopyValue returns a deep copy of v, made as the Manager copies every
// value it keeps or hands out: assignment when V holds no pointers,
// slices, maps or interfaces, V's Clone method when it has one, the
// store's copy when it is a [ValueCopier], a JSON round trip otherwise.
// Middleware uses it to keep the values it buffers private.
func (m *Manager[V]) CopyValue(v V) (V, error) { return m.copyOf(v) }

// copyOf returns a deep copy of v.
func (m *Manager[V]) copyOf(v V) (V, error) {
	if m.copyValue == nil {
		return v, nil
	}
	return m.copyValue(v)
}

// Touch keeps a session alive: it moves the expiry to now plus the idle
// timeout (never past the absolute deadline), but only when that moves it
// by more than the touch interval, so it is cheap to call on every
// request: it writes at most once per touch interval. It changes ExpiresAt only, never the version. A Touch
// that does not write returns s as it is. Stores without [Toucher] are
// touched with a version-bumping Replace; if that meets a concurrent
// write, which moved the expiry anyway, Touch returns s as it is.
func (m *Manager[V]) Touch(ctx context.Context, s Session[V]) (Session[V], error) {
	if s.isNew || s.cleared || s.Token() == "" || m.idle == 0 {
		return s, nil
	}
	now := m.clock()
	expires := m.deadline(s.CreatedAt(), now)
	if !expires.After(s.ExpiresAt().Add(m.touchInterval)) {
		return s, nil
	}
	if m.toucher != nil {
		if err := m.toucher.Touch(ctx, s.ID(), expires, now); err != nil {
			return Session[V]{}, m.storeError(ctx, "touch", s.ID(), err)
		}
		rec := s.record()
		rec.ExpiresAt = expires
		return m.session(s.Token(), s.ID(), rec, true), nil
	}
	rec := s.record()
	rec.ExpiresAt = expires
	next, err := m.replace(ctx, s, rec, now)
	if errors.Is(err, ErrConflict) {
		return s, nil
	}
	return next, err
}

// Renew moves the session to a fresh token, keeping its stored value and
// CreatedAt; WithOwner and WithPersistent apply. It slides the idle
// deadline, never the absolute one. When it returns, the old token is
// dead: requests still holding it find no session, and nothing answers
// them with a deletion or a new cookie. Of two concurrent Renews of one
// session at most one succeeds. Call it on every change of privilege,
// such as logging in. On an unsaved session it stores it.
func (m *Manager[V]) Renew(ctx context.Context, s Session[V], opts ...SessionOption) (Session[V], error) {
	if err := s.usable(); err != nil {
		return Session[V]{}, err
	}
	sc := sessionOptions(opts)
	if s.isNew {
		now := m.clock()
		rec := s.record()
		rec.CreatedAt = now
		next, err := m.createWith(ctx, rec, sc, now)
		if err == nil {
			m.observe(ctx, EventCreated, "", next.ID(), nil)
		}
		return next, err
	}
	for attempt := 0; ; attempt++ {
		now := m.clock()
		current, err := m.open(ctx, s.Token(), now)
		if err != nil {
			return Session[V]{}, err
		}
		next, err := m.createWith(ctx, current.record(), sc, now)
		if err != nil {
			return Session[V]{}, err
		}
		err = m.store.Delete(ctx, current.Token(), current.Version())
		if err == nil {
			return m.renewed(ctx, next, nil)
		}
		if undo := m.discard(ctx, next.Token()); undo != nil {
			return Session[V]{}, m.storeError(ctx, "renew: undo", next.ID(), errors.Join(err, undo))
		}
		if !errors.Is(err, ErrConflict) {
			return Session[V]{}, m.storeError(ctx, "renew", s.ID(), err)
		}
		m.observe(ctx, EventConflict, "", s.ID(), nil)
		if err := m.backoff(ctx, attempt); err != nil {
			return Session[V]{}, err
		}
	}
}

// createWith stores rec under a fresh token with the session options
// applied.
func (m *Manager[V]) createWith(ctx context.Context, rec Record[V], sc sessionConfig, now time.Time) (Session[V], error) {
	owner, persistent, err := sc.applyTo(rec.Owner, rec.Persistent)
	if err != nil {
		return Session[V]{}, err
	}
	rec.Owner, rec.Persistent = owner, persistent
	return m.create(ctx, rec, now)
}

func (m *Manager[V]) renewed(ctx context.Context, s Session[V], err error) (Session[V], error) {
	if err == nil {
		m.observe(ctx, EventRenewed, "", s.ID(), nil)
	}
	return s, err
}

// Clear deletes the session, unconditionally: it never returns
// ErrConflict, and clearing a session that is already gone is not an
// error. The returned session is Cleared and Modified; its cookie headers
// expire the client's cookie.
func (m *Manager[V]) Clear(ctx context.Context, s Session[V]) (Session[V], error) {
	if s.Token() != "" {
		if err := m.store.Delete(ctx, s.Token(), 0); err != nil && !errors.Is(err, ErrNotFound) {
			return Session[V]{}, m.storeError(ctx, "clear", s.ID(), err)
		}
		m.observe(ctx, EventCleared, "", s.ID(), nil)
	}
	return Session[V]{state: &sessionState[V]{id: s.ID()}, cleared: true, modified: true}, nil
}

// open reads the live session a well-formed token names, enforcing the
// absolute deadline from the current lifetime whatever the store says,
// and refusing a record created beyond the clock-skew margin.
func (m *Manager[V]) open(ctx context.Context, token string, now time.Time) (Session[V], error) {
	e, err := m.store.Open(ctx, token, now)
	if err != nil {
		return Session[V]{}, m.readError(ctx, e.ID, err)
	}
	rec := m.capped(e.Record)
	if rec.CreatedAt.After(now.Add(MaxClockSkew)) {
		m.observe(ctx, EventInvalidToken, ReasonTampered, e.ID, nil)
		return Session[V]{}, ErrNotFound
	}
	if !rec.Live(now) {
		m.observe(ctx, EventInvalidToken, ReasonExpired, e.ID, nil)
		return Session[V]{}, ErrNotFound
	}
	return m.session(token, e.ID, rec, false), nil
}

// create stores rec as version 1 with its deadline computed from
// rec.CreatedAt and now.
func (m *Manager[V]) create(ctx context.Context, rec Record[V], now time.Time) (Session[V], error) {
	rec.Version = 1
	rec.ExpiresAt = m.deadline(rec.CreatedAt, now)
	token, id, err := m.store.Create(ctx, rec, now)
	if err != nil {
		return Session[V]{}, m.storeError(ctx, "create", ID{}, err)
	}
	if err := m.checkFits(token); err != nil {
		_ = m.discard(ctx, token) // best effort: the token is unusable
		return Session[V]{}, err
	}
	return m.session(token, id, rec, true), nil
}

// cleanupTimeout bounds the deletion of a record the Manager created but
// cannot hand out.
const cleanupTimeout = 5 * time.Second

// discard deletes a record the Manager just created and will not hand
// out. It runs even when ctx is done (often the reason the operation
// failed), so a failed Renew leaves no orphan session behind, but never
// for longer than cleanupTimeout.
func (m *Manager[V]) discard(ctx context.Context, token string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	return m.store.Delete(ctx, token, 0)
}

// replace writes rec over s's record if s's version is still the stored
// one.
func (m *Manager[V]) replace(ctx context.Context, s Session[V], rec Record[V], now time.Time) (Session[V], error) {
	if !rec.Live(now) {
		return Session[V]{}, ErrNotFound // past the absolute deadline
	}
	rec.Version = s.Version() + 1
	token, err := m.store.Replace(ctx, s.Token(), s.Version(), rec, now)
	if err != nil {
		return Session[V]{}, m.storeError(ctx, "replace", s.ID(), err)
	}
	if err := m.checkFits(token); err != nil {
		return Session[V]{}, err
	}
	return m.session(token, s.ID(), rec, true), nil
}

func (m *Manager[V]) session(token string, id ID, rec Record[V], modified bool) Session[V] {
	return Session[V]{
		state:    &sessionState[V]{token: token, id: id, rec: rec, secrets: m.store, copy: m.copyValue},
		modified: modified,
	}
}

// capped returns rec with its expiry no later than the absolute deadline
// the current lifetime gives it, whatever the store recorded.
func (m *Manager[V]) capped(rec Record[V]) Record[V] {
	if limit := rec.CreatedAt.Add(m.lifetime); limit.Before(rec.ExpiresAt) {
		rec.ExpiresAt = limit
	}
	return rec
}

// deadline returns when a session created at createdAt and written at now
// expires: min(now + idle timeout, createdAt + lifetime).
func (m *Manager[V]) deadline(createdAt, now time.Time) time.Time {
	limit := createdAt.Add(m.lifetime)
	if m.idle == 0 {
		return limit
	}
	if idle := now.Add(m.idle); idle.Before(limit) {
		return idle
	}
	return limit
}

// checkFits refuses a token whose Set-Cookie would exceed what browsers
// keep. Only stores that carry the record in the token can produce one.
func (m *Manager[V]) checkFits(token string) error {
	if len(token) > m.maxTokenLen {
		return fmt.Errorf("%w: a %d-byte token leaves no room for the cookie's attributes", ErrCookieTooLarge, len(token))
	}
	return nil
}

// Backoff between conflicting attempts: exponential from backoffBase,
// capped at backoffMax, each jittered to between half and all of it.
const (
	backoffBase = time.Millisecond
	backoffMax  = 100 * time.Millisecond
)

// backoffDelay returns the wait before retrying after attempt: doubling
// from backoffBase up to backoffMax. The shift is capped, so no number of
// attempts overflows it.
func backoffDelay(attempt int) time.Duration {
	return min(backoffBase<<min(attempt, 16), backoffMax)
}

// backoff waits before attempt+1, or returns ErrConflict when the
// attempts are spent or ctx ends first.
func (m *Manager[V]) backoff(ctx context.Context, attempt int) error {
	if attempt+1 >= m.attempts {
		return fmt.Errorf("%w: gave up after %d attempts", ErrConflict, m.attempts)
	}
	d := backoffDelay(attempt)
	d = d/2 + rand.N(d/2+1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("%w: gave up after %d attempts: %w", ErrConflict, attempt+1, ctx.Err())
	case <-t.C:
		return nil
	}
}

// readError turns a store's read failure into the Manager's answer:
// "not found" for every kind of absence (telling the observer which), a
// wrapped ErrBackend for anything else.
func (m *Manager[V]) readError(ctx context.Context, id ID, err error) error {
	switch {
	case errors.Is(err, ErrExpired):
		m.observe(ctx, EventInvalidToken, ReasonExpired, id, nil)
	case errors.Is(err, ErrTampered):
		m.observe(ctx, EventInvalidToken, ReasonTampered, id, nil)
	case errors.Is(err, ErrNotFound):
		m.observe(ctx, EventInvalidToken, ReasonUnknown, id, nil)
	default:
		return m.storeError(ctx, "open", id, err)
	}
	return ErrNotFound
}

// storeError is the one place store errors are classified: outcome
// sentinels pass through, a value that no longer decodes reads as absent,
// and anything else is wrapped in ErrBackend.
func (m *Manager[V]) storeError(ctx context.Context, op string, id ID, err error) error {
	switch {
	case errors.Is(err, ErrNotFound):
		return ErrNotFound
	case errors.Is(err, ErrDecode):
		m.observe(ctx, EventDecodeFailed, "", id, err)
		return ErrNotFound
	case errors.Is(err, ErrConflict):
		m.observe(ctx, EventConflict, "", id, nil)
		return ErrConflict
	case errors.Is(err, ErrStoreFull):
		m.observe(ctx, EventStoreFull, "", id, nil)
		return fmt.Errorf("sessions: %s: %w", op, err)
	case errors.Is(err, ErrValueTooLarge), errors.Is(err, ErrCookieTooLarge), errors.Is(err, ErrUnsupported):
		return fmt.Errorf("sessions: %s: %w", op, err)
	}
	m.observe(ctx, EventBackendError, "", id, err)
	return fmt.Errorf("%w: %s: %w", ErrBackend, op, err)
}
