package sealed

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/internal/codecopt"
)

// Compile-time checks of the interfaces Store implements.
var (
	_ sessions.TokenStore[int] = (*Store[int])(nil)
	_ sessions.OwnerIndex[int] = (*Store[int])(nil)
)

// Domain labels keep the hashes of a session ID for different uses apart.
const (
	idLabel     = "typedsession/sessions sealed-id v1\x00"
	secretLabel = "typedsession/sessions sealed-secret v1\x00"
	// fallbackLabel derives a secret for a token this store cannot open,
	// which a Session of this store never holds.
	fallbackLabel = "typedsession/sessions sealed-secret-fallback v1\x00"
)

// Store is a [sessions.TokenStore] that keeps each record in its token:
// the token is the record, sealed. Build one with [New] and pass it to
// [sessions.NewWithStore]. It is safe for concurrent use.
type Store[V any] struct {
	keys   []storeKey // keys[0] seals
	cookie string     // the cookie name bound into every token
	codec  sessions.Codec[V]
	maxLen int // longest token issued or opened
	rev    *revoker
	clock  func() time.Time
}

// storeKey is a ring key with the associated data it seals under in this
// store: the token's prefix, the cookie name and the purpose.
type storeKey struct {
	ringKey
	prefix [prefixLen]byte
	aad    []byte
}

// New returns a Store sealing with ring's keys. It fails for invalid
// options and for a codec that is not for V.
func New[V any](ring *KeyRing, opts ...Option) (*Store[V], error) {
	if ring == nil || len(ring.keys) == 0 {
		return nil, errors.New("sealed: New needs a key ring")
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
	codec, _, err := codecopt.Resolve[V]("sealed", cfg.codec)
	if err != nil {
		return nil, err
	}
	s := &Store[V]{
		keys:   bindKeys(ring, cfg.cookieName, cfg.purpose),
		cookie: cfg.cookieName,
		codec:  codec,
		maxLen: maxCookieBytes - len(cfg.cookieName) - len("="),
		clock:  cfg.clock,
	}
	if cfg.revocation != nil {
		s.rev = &revoker{b: cfg.revocation, lifetime: cfg.lifetime}
	}
	return s, nil
}

// bindKeys pairs each ring key with its associated data:
// prefix ‖ uvarint(len(cookie name)) ‖ cookie name ‖ purpose.
func bindKeys(ring *KeyRing, cookieName, purpose string) []storeKey {
	keys := make([]storeKey, len(ring.keys))
	for i, k := range ring.keys {
		sk := storeKey{ringKey: k}
		sk.prefix[0] = formatVersion
		copy(sk.prefix[1:], k.id[:])
		aad := append([]byte(nil), sk.prefix[:]...)
		aad = binary.AppendUvarint(aad, uint64(len(cookieName)))
		aad = append(aad, cookieName...)
		sk.aad = append(aad, purpose...)
		keys[i] = sk
	}
	return keys
}

// MaxTokenLen returns the length of the longest token the store issues or
// opens. The Manager refuses a shorter one too if its whole Set-Cookie
// header would exceed 4096 bytes.
func (s *Store[V]) MaxTokenLen() int { return s.maxLen }

// CookieName returns the name of the cookie the store's tokens are bound
// to ([WithCookieName]). [sessions.NewWithStore] refuses a store whose
// cookie name is not the Manager's.
func (s *Store[V]) CookieName() string { return s.cookie }

// CheckToken reports whether token has the syntax of a sealed token:
// base64url characters only, a length base64 can produce, no longer than
// MaxTokenLen. It does no I/O, no decoding and no allocation, so an
// oversized or garbled cookie costs nothing. Whether a token of the right
// syntax is canonical, of this format version and authentic is decided by
// Open, which reports failures as tampering.
func (s *Store[V]) CheckToken(token string) bool { return validSyntax(token, s.maxLen) }

// Create seals rec (Version 1) under a fresh random session ID and returns
// the token and the session's ID. With revocation, an owned session first
// reads its owner's generation (one read). It returns an error wrapping
// [sessions.ErrCookieTooLarge] if the token would be longer than
// MaxTokenLen, and the codec's errors.
func (s *Store[V]) Create(ctx context.Context, rec sessions.Record[V], now time.Time) (string, sessions.ID, error) {
	var gen uint64
	if s.rev != nil && rec.Owner != "" {
		var err error
		if gen, err = s.rev.generation(ctx, rec.Owner, now); err != nil {
			return "", sessions.ID{}, err
		}
	}
	var sid [sidLen]byte
	_, _ = rand.Read(sid[:]) // never fails: crypto/rand aborts the process instead
	rec.Version = 1
	h := newHeader(sid, rec, gen)
	token, err := s.seal(&h, rec.Value)
	if err != nil {
		return "", sessions.ID{}, err
	}
	return token, idOf(sid), nil
}

// Open returns the record token carries if it is authentic and live at
// now. A token that fails to authenticate or decode, or that claims to
// be issued more than [MaxClockSkew] after now, gives an error wrapping
// [sessions.ErrTampered]; one past its deadline gives one wrapping
// [sessions.ErrExpired]; a revoked one gives [sessions.ErrNotFound]. A
// value the codec cannot decode gives an error wrapping
// [sessions.ErrDecode], whatever the codec returned.
func (s *Store[V]) Open(ctx context.Context, token string, now time.Time) (sessions.Entry[V], error) {
	h, payload, err := s.openHeader(ctx, token, now)
	if err != nil {
		return sessions.Entry[V]{ID: h.id()}, err
	}
	v, err := s.decode(payload)
	if err != nil {
		return sessions.Entry[V]{ID: h.id()}, err
	}
	return sessions.Entry[V]{ID: h.id(), Record: sessions.Record[V]{
		Value:      v,
		CreatedAt:  h.createdAt(),
		ExpiresAt:  h.expiresAt(),
		Owner:      h.owner,
		Version:    h.version,
		Persistent: h.persistent,
	}}, nil
}

// Replace seals rec under the session ID of token and returns the new
// token, sealed with the ring's current key. token must open at now, with
// Open's outcomes.
//
// The version check compares ifVersion with the version sealed in token,
// and returns [sessions.ErrConflict] if they differ. It cannot see writes
// made through other copies of the cookie: two requests that read the
// same cookie and both write each get a valid token, and the client keeps
// whichever response it receives last.
func (s *Store[V]) Replace(ctx context.Context, token string, ifVersion uint64, rec sessions.Record[V], now time.Time) (string, error) {
	old, _, err := s.openHeader(ctx, token, now)
	if err != nil {
		return "", err
	}
	if old.version != ifVersion {
		return "", fmt.Errorf("%w: token holds version %d, not %d", sessions.ErrConflict, old.version, ifVersion)
	}
	gen := old.generation
	if rec.Owner != old.owner {
		gen = 0
		if s.rev != nil && rec.Owner != "" {
			if gen, err = s.rev.generation(ctx, rec.Owner, now); err != nil {
				return "", err
			}
		}
	}
	rec.Version = ifVersion + 1
	h := newHeader(old.sid, rec, gen)
	return s.seal(&h, rec.Value)
}

// Delete ends the session token names. Without revocation there is
// nothing to delete and it returns nil: a copy of the cookie stays valid
// until its deadline. With revocation it records the session's ID until
// no copy of the cookie can be live any more. The Backend.Delete rules
// apply: with ifVersion 0 a token that does not open is not an error;
// with ifVersion > 0 it gives [sessions.ErrNotFound], as does a session
// whose deletion was recorded already (so of two Renews of one session
// only one succeeds), and a token of another version gives
// [sessions.ErrConflict]. The store contract gives Delete no now, so it
// reads the store's clock, which must be the Manager's ([WithClock]).
func (s *Store[V]) Delete(ctx context.Context, token string, ifVersion uint64) error {
	h, _, err := s.unseal(token)
	switch {
	case err != nil && ifVersion == 0:
		return nil
	case err != nil:
		return err
	case ifVersion != 0 && h.version != ifVersion:
		return fmt.Errorf("%w: token holds version %d, not %d", sessions.ErrConflict, h.version, ifVersion)
	case s.rev == nil:
		return nil
	}
	return s.rev.revokeSession(ctx, h.id(), h.createdAt(), s.clock(), ifVersion != 0)
}

// Secret returns the session's secret, the root of its CSRF tokens:
// SHA-256 of a label and the random session ID sealed in token, which no
// one without a key can read, and which the session's public ID (another
// hash of it) does not reveal. It stays the same while the session keeps
// its ID, across writes and key rotations; Renew starts a new one. It
// costs one decryption.
func (s *Store[V]) Secret(token string, _ sessions.ID) [32]byte {
	h, _, err := s.unseal(token)
	if err != nil {
		return labelledHash(fallbackLabel, []byte(token))
	}
	return labelledHash(secretLabel, h.sid[:])
}

// decode turns a token's payload into a value. Its error always wraps
// sessions.ErrDecode, even from a codec that does not follow that rule:
// an authentic token whose value no longer decodes (V changed since it
// was sealed) must read as absent, not fail every request as a store
// failure until the cookie expires.
func (s *Store[V]) decode(payload []byte) (V, error) {
	v, err := s.codec.Unmarshal(payload)
	var zero V
	switch {
	case err == nil:
		return v, nil
	case errors.Is(err, sessions.ErrDecode):
		return zero, fmt.Errorf("sealed: %w", err)
	}
	return zero, fmt.Errorf("sealed: %w: %w", sessions.ErrDecode, err)
}

// openHeader authenticates token and checks it against now: its deadlines
// and, with revocation, whether it was revoked.
func (s *Store[V]) openHeader(ctx context.Context, token string, now time.Time) (header, []byte, error) {
	h, payload, err := s.unseal(token)
	if err != nil {
		return header{}, nil, err
	}
	nowMs := now.UnixMilli()
	switch {
	case h.created > nowMs+MaxClockSkew.Milliseconds():
		return h, nil, errFuture
	case nowMs >= h.expires:
		return h, nil, errExpired
	case s.rev != nil && now.Sub(h.createdAt()) >= s.rev.lifetime:
		return h, nil, errExpired
	}
	if s.rev != nil {
		if err := s.rev.check(ctx, h.id(), &h, now); err != nil {
			return h, nil, err
		}
	}
	return h, payload, nil
}

// Errors of unseal; each wraps sessions.ErrTampered.
var (
	errMalformed  = fmt.Errorf("%w: not sealed-token syntax", sessions.ErrTampered)
	errVersion    = fmt.Errorf("%w: unknown format version", sessions.ErrTampered)
	errUnknownKey = fmt.Errorf("%w: sealed with a key not in the ring", sessions.ErrTampered)
	errAuth       = fmt.Errorf("%w: authentication failed", sessions.ErrTampered)
)

// unseal checks token's syntax, decodes it, authenticates and decrypts it
// with the key its ID names, and parses the header. It checks no
// deadline. The input is bounded by MaxTokenLen before anything is
// decoded.
func (s *Store[V]) unseal(token string) (header, []byte, error) {
	if !validSyntax(token, s.maxLen) {
		return header{}, nil, errMalformed
	}
	raw, err := decodeToken(token)
	if err != nil {
		return header{}, nil, err
	}
	if raw[0] != formatVersion {
		return header{}, nil, errVersion
	}
	key := s.key(raw[1:prefixLen])
	if key == nil {
		return header{}, nil, errUnknownKey
	}
	nonce := raw[prefixLen : prefixLen+nonceLen]
	sealed := raw[prefixLen+nonceLen:]
	plain, err := key.aead.Open(sealed[:0], nonce, sealed, key.aad)
	if err != nil {
		return header{}, nil, errAuth
	}
	return parseHeader(plain)
}

// key returns the ring key whose ID is id, or nil.
func (s *Store[V]) key(id []byte) *storeKey {
	for i := range s.keys {
		if string(s.keys[i].id[:]) == string(id) {
			return &s.keys[i]
		}
	}
	return nil
}

// seal encrypts h and v with the ring's current key under a fresh nonce
// and returns the token.
func (s *Store[V]) seal(h *header, v V) (string, error) {
	payload, err := s.codec.Marshal(v)
	if err != nil {
		return "", err
	}
	if n := tokenEncoding.EncodedLen(overhead + minHeaderLen + len(h.owner) + len(payload)); n > s.maxLen {
		return "", s.tooLarge(n)
	}
	key := &s.keys[0]
	buf := make([]byte, prefixLen+nonceLen, overhead+maxHeaderLen(len(h.owner))+len(payload))
	copy(buf, key.prefix[:])
	nonce := buf[prefixLen:]
	_, _ = rand.Read(nonce) // never fails: crypto/rand aborts the process instead
	plain := h.appendTo(buf[prefixLen+nonceLen:])
	plain = append(plain, payload...)
	raw := key.aead.Seal(buf, nonce, plain, key.aad)
	if n := tokenEncoding.EncodedLen(len(raw)); n > s.maxLen {
		return "", s.tooLarge(n)
	}
	return tokenEncoding.EncodeToString(raw), nil
}

func (s *Store[V]) tooLarge(n int) error {
	return fmt.Errorf("%w: a sealed token of %d bytes exceeds %d", sessions.ErrCookieTooLarge, n, s.maxLen)
}

// id returns the public ID of the session the header belongs to, or the
// zero ID for a header that was never filled in.
func (h *header) id() sessions.ID {
	if h.sid == [sidLen]byte{} {
		return sessions.ID{}
	}
	return idOf(h.sid)
}

// idOf derives a session's public ID from its random session ID.
func idOf(sid [sidLen]byte) sessions.ID {
	return labelledHash(idLabel, sid[:])
}

// labelledHash returns SHA-256(label ‖ b).
func labelledHash(label string, b []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(label))
	h.Write(b)
	var out [32]byte
	h.Sum(out[:0])
	return out
}
