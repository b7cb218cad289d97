package plugcookie

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/typedsession/sessions"
)

// Compile-time check that Store is a TokenStore.
var _ sessions.TokenStore[map[string]any] = (*Store[map[string]any])(nil)

// maxCookieBytes is Plug's limit on a whole Set-Cookie header value.
const maxCookieBytes = 4096

// MaxClockSkew is how far in the future a cookie's creation instant may
// lie before the cookie is refused as forged: clocks of servers sharing a
// secret_key_base may disagree by this much.
const MaxClockSkew = time.Minute

// Labels of the keys a Store derives from the writing secret_key_base for
// its own use, apart from Plug's.
const (
	idKeyLabel     = "typedsession/sessions plugcookie id v1"
	secretKeyLabel = "typedsession/sessions plugcookie secret v1"
)

// Store is a [sessions.TokenStore] that keeps sessions in a Plug session
// cookie, the very cookie a Phoenix app reads and writes. Build one with
// [New] and pass it to [sessions.NewWithStore]. It is safe for concurrent
// use.
type Store[V any] struct {
	keys      []*keyset // keys[0] writes; all read, in order
	cookie    string
	maxLen    int
	prefixes  []string // token prefixes some keyset reads
	idKey     []byte   // derives IDs of sessions Go never wrote
	secretKey []byte   // derives the sessions' CSRF secrets
	foreign   bool     // sessions without MetaKey are read
}

// New returns a Store for the cookie named cookieName (Plug's :key
// option) that writes with current and reads with current, then each of
// WithRotatingOptions' sets in order. It derives every key now, once. It
// fails for options Plug would refuse (a secret_key_base under 64 bytes, no
// signing salt, encryption with a key that is not 32 bytes) and for a V
// that cannot hold a session: V must be a map with string keys, or a
// struct with an [Extra] field unless [WithoutExtra] is given.
func New[V any](cookieName string, current Options, opts ...Option) (*Store[V], error) {
	cfg := config{foreign: true}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if err := checkValueType(reflect.TypeFor[V]()); err != nil && !(cfg.withoutExtra && reflect.TypeFor[V]().Kind() == reflect.Struct) {
		return nil, err
	}
	if cookieName == "" || len(cookieName) > maxCookieBytes/2 {
		return nil, fmt.Errorf("plugcookie: cookie name %q must be 1 to %d bytes", cookieName, maxCookieBytes/2)
	}
	s := &Store[V]{cookie: cookieName, maxLen: maxCookieBytes - len(cookieName) - len("="), foreign: cfg.foreign}
	for i, o := range append([]Options{current}, cfg.rotating...) {
		ks, err := newKeyset(o, i == 0)
		if err != nil {
			if i > 0 {
				err = fmt.Errorf("rotating options %d: %w", i, err)
			}
			return nil, err
		}
		s.keys = append(s.keys, ks)
		s.addPrefixes(ks)
	}
	s.idKey = labelledKey(current.SecretKeyBase, idKeyLabel)
	s.secretKey = labelledKey(current.SecretKeyBase, secretKeyLabel)
	return s, nil
}

func (s *Store[V]) addPrefixes(ks *keyset) {
	add := []string{xcpPrefix, a128Prefix}
	if !ks.encrypt {
		add = []string{hs256 + ".", hs384 + ".", hs512 + "."}
	}
	for _, p := range add {
		if !containsString(s.prefixes, p) {
			s.prefixes = append(s.prefixes, p)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// labelledKey is HMAC-SHA256(secret, label): a key of the store's own,
// independent of Plug's derived keys.
func labelledKey(secret, label string) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(label))
	return mac.Sum(nil)
}

// CookieName returns the cookie name New was given. [sessions.NewWithStore]
// refuses a Manager whose cookie has another name.
func (s *Store[V]) CookieName() string { return s.cookie }

// MaxTokenLen returns the longest cookie value the store writes or reads:
// 4096 bytes minus the cookie name and "=". The Manager also refuses a
// shorter one whose whole Set-Cookie header would exceed 4096 bytes.
func (s *Store[V]) MaxTokenLen() int { return s.maxLen }

// CheckToken reports whether token has the syntax of a cookie this
// store's options read: a known prefix, then only base64url characters and
// dots, no longer than MaxTokenLen. It does no decoding and no allocation.
func (s *Store[V]) CheckToken(token string) bool {
	if len(token) > s.maxLen {
		return false
	}
	known := false
	for _, p := range s.prefixes {
		if strings.HasPrefix(token, p) {
			known = true
			break
		}
	}
	if !known {
		return false
	}
	for i := range len(token) {
		c := token[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// Errors of reading a cookie; each wraps sessions.ErrTampered,
// sessions.ErrExpired or sessions.ErrDecode, so the Manager reads the
// cookie as absent.
var (
	errMalformed = fmt.Errorf("%w: not Plug cookie syntax", sessions.ErrTampered)
	errAuth      = fmt.Errorf("%w: no options verify or decrypt it", sessions.ErrTampered)
	errFuture    = fmt.Errorf("%w: created in the future", sessions.ErrTampered)
	errForeign   = fmt.Errorf("%w: a session Go never wrote, and the store reads only its own", sessions.ErrNotFound)
	errExpired   = fmt.Errorf("plugcookie: %w", sessions.ErrExpired)
)

// opened is a verified cookie: its session map, without MetaKey, and its
// record.
type opened struct {
	session map[string]any
	meta    meta
	foreign bool // no MetaKey: written by the Phoenix app before any Go write
}

// read verifies or decrypts token with each set of options in turn and
// decodes the session map. It checks no deadline.
func (s *Store[V]) read(token string) (opened, error) {
	if !s.CheckToken(token) {
		return opened{}, errMalformed
	}
	for _, ks := range s.keys {
		payload, err := ks.open(token)
		if err != nil {
			continue
		}
		session, err := ks.serializer.Decode(payload)
		if err != nil {
			return opened{}, fmt.Errorf("plugcookie: %w: %w", sessions.ErrDecode, err)
		}
		return s.split(token, session)
	}
	return opened{}, errAuth
}

// split takes MetaKey out of session. A session without it was written by
// the Phoenix app alone: its ID is derived from the cookie, so that it
// stays the same when Go first writes the session.
func (s *Store[V]) split(token string, session map[string]any) (opened, error) {
	t, ok := session[MetaKey]
	if !ok {
		o := opened{session: session, foreign: true, meta: meta{version: 1}}
		mac := hmac.New(sha256.New, s.idKey)
		mac.Write([]byte(token))
		copy(o.meta.sid[:], mac.Sum(nil))
		return o, nil
	}
	m, err := parseMeta(t)
	if err != nil {
		return opened{}, fmt.Errorf("plugcookie: %w: %w", sessions.ErrDecode, err)
	}
	delete(session, MetaKey)
	return opened{session: session, meta: m}, nil
}

// live checks o's deadlines at now. A session Go never wrote has none: it
// counts as created now, and the Manager's lifetime bounds it from here.
func (s *Store[V]) live(o *opened, now time.Time) error {
	if o.foreign {
		if !s.foreign {
			return errForeign
		}
		o.meta.created = now.UnixMilli()
		o.meta.expires = now.Add(sessions.MaxLifetime).UnixMilli()
		return nil
	}
	nowMs := now.UnixMilli()
	switch {
	case o.meta.created > nowMs+MaxClockSkew.Milliseconds():
		return errFuture
	case nowMs >= o.meta.expires:
		return errExpired
	}
	return nil
}

// Open returns the session token carries if some set of options verifies
// or decrypts it and it is live at now. Like Plug, it reads a cookie that
// fails to verify, decrypt or decode as absent: the error wraps
// [sessions.ErrTampered], [sessions.ErrExpired] or [sessions.ErrDecode],
// all of which the Manager answers with "no session".
func (s *Store[V]) Open(_ context.Context, token string, now time.Time) (sessions.Entry[V], error) {
	o, err := s.read(token)
	if err != nil {
		return sessions.Entry[V]{}, err
	}
	id := idOf(o.meta.sid)
	if err := s.live(&o, now); err != nil {
		return sessions.Entry[V]{ID: id}, err
	}
	var v V
	if err := fromTerm(o.session, reflect.ValueOf(&v).Elem(), 0); err != nil {
		return sessions.Entry[V]{ID: id}, fmt.Errorf("plugcookie: %w: %w", sessions.ErrDecode, err)
	}
	return sessions.Entry[V]{ID: id, Record: sessions.Record[V]{
		Value:      v,
		CreatedAt:  o.meta.createdAt(),
		ExpiresAt:  o.meta.expiresAt(),
		Owner:      o.meta.owner,
		Version:    o.meta.version,
		Persistent: o.meta.persistent,
	}}, nil
}

// Create writes rec (Version 1) under a fresh random session ID with the
// current options and returns the cookie value and the session's ID. A
// cookie over MaxTokenLen gives an error wrapping
// [sessions.ErrCookieTooLarge].
func (s *Store[V]) Create(_ context.Context, rec sessions.Record[V], _ time.Time) (string, sessions.ID, error) {
	var sid [sidLen]byte
	_, _ = rand.Read(sid[:]) // never fails: crypto/rand aborts the process instead
	rec.Version = 1
	token, err := s.write(sid, rec)
	if err != nil {
		return "", sessions.ID{}, err
	}
	return token, idOf(sid), nil
}

// Replace writes rec under the session ID of token, with the current
// options, so a cookie read with rotating options is rewritten with the
// current ones. token must open at now, with Open's outcomes; a version
// other than ifVersion gives [sessions.ErrConflict]. Writes made through
// other copies of the cookie are invisible to it, as to Plug: the client
// keeps whichever response arrives last.
func (s *Store[V]) Replace(_ context.Context, token string, ifVersion uint64, rec sessions.Record[V], now time.Time) (string, error) {
	o, err := s.read(token)
	if err != nil {
		return "", err
	}
	if err := s.live(&o, now); err != nil {
		return "", err
	}
	if o.meta.version != ifVersion {
		return "", fmt.Errorf("%w: cookie holds version %d, not %d", sessions.ErrConflict, o.meta.version, ifVersion)
	}
	rec.Version = ifVersion + 1
	return s.write(o.meta.sid, rec)
}

// Delete has nothing to delete: a Plug cookie session lives only in the
// cookie, which the Manager's headers expire. As in Plug, a copy of the
// cookie taken before stays valid until its deadline. The Backend.Delete
// rules still apply: with ifVersion > 0, a token that does not open gives
// [sessions.ErrNotFound] and one of another version [sessions.ErrConflict].
func (s *Store[V]) Delete(_ context.Context, token string, ifVersion uint64) error {
	if ifVersion == 0 {
		return nil
	}
	o, err := s.read(token)
	switch {
	case err != nil:
		return err
	case o.meta.version != ifVersion:
		return fmt.Errorf("%w: cookie holds version %d, not %d", sessions.ErrConflict, o.meta.version, ifVersion)
	}
	return nil
}

// Secret returns the session's secret, the root of its CSRF tokens: an
// HMAC, under a key derived from the current secret_key_base, of the
// session's random ID. A signed cookie shows that ID to the client, the
// secret it does not. It stays the same while the session keeps its ID
// and the current secret_key_base stays; rotating secret_key_base starts
// new secrets, as it starts new Plug CSRF tokens. It costs one
// verification or decryption.
func (s *Store[V]) Secret(token string, _ sessions.ID) [32]byte {
	mac := hmac.New(sha256.New, s.secretKey)
	o, err := s.read(token)
	if err != nil {
		mac.Write([]byte("unreadable\x00"))
		mac.Write([]byte(token))
	} else {
		mac.Write(o.meta.sid[:])
	}
	var out [32]byte
	mac.Sum(out[:0])
	return out
}

// write encodes rec with MetaKey and seals it with the current options.
func (s *Store[V]) write(sid [sidLen]byte, rec sessions.Record[V]) (string, error) {
	term, err := toTerm(reflect.ValueOf(&rec.Value).Elem(), 0)
	if err != nil {
		return "", err
	}
	session, ok := term.(map[string]any)
	if !ok {
		session = map[string]any{}
	}
	m := meta{
		sid: sid, version: rec.Version, owner: rec.Owner, persistent: rec.Persistent,
		created: rec.CreatedAt.UnixMilli(), expires: rec.ExpiresAt.UnixMilli(),
	}
	session[MetaKey] = m.term()
	ks := s.keys[0]
	payload, err := ks.serializer.Encode(session)
	if err != nil {
		return "", err
	}
	// Sealing only adds to the payload's base64: refuse a hopeless one
	// before spending a seal on it.
	if n := b64.EncodedLen(len(payload)); n > s.maxLen {
		return "", s.tooLarge(n)
	}
	token := ks.seal(payload)
	if len(token) > s.maxLen {
		return "", s.tooLarge(len(token))
	}
	return token, nil
}

func (s *Store[V]) tooLarge(n int) error {
	return fmt.Errorf("%w: a %d-byte cookie value exceeds %d (Plug's limit is 4096 bytes for the whole Set-Cookie header)", sessions.ErrCookieTooLarge, n, s.maxLen)
}

// idOf derives a session's public ID from its random session ID.
func idOf(sid [sidLen]byte) sessions.ID {
	h := sha256.New()
	h.Write([]byte("typedsession/sessions plugcookie-id v1\x00"))
	h.Write(sid[:])
	var id sessions.ID
	h.Sum(id[:0])
	return id
}

// CopyValue returns a copy of v that shares no memory with it, made as a
// write and a read of the cookie would make it, so that the Manager's
// copies keep every term's type (an integer in an any field stays an
// integer). It makes the store a [sessions.ValueCopier].
func (s *Store[V]) CopyValue(v V) (V, error) {
	var out V
	term, err := toTerm(reflect.ValueOf(&v).Elem(), 0)
	if err != nil {
		return out, err
	}
	session, ok := term.(map[string]any)
	if !ok {
		session = map[string]any{}
	}
	ser := s.keys[0].serializer
	payload, err := ser.Encode(session)
	if err != nil {
		return out, err
	}
	if session, err = ser.Decode(payload); err != nil {
		return out, fmt.Errorf("plugcookie: copying a value: %w", err)
	}
	if err := fromTerm(session, reflect.ValueOf(&out).Elem(), 0); err != nil {
		return out, fmt.Errorf("plugcookie: copying a value: %w", err)
	}
	return out, nil
}
