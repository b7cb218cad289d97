package proptest_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/proptest"
)

// fullBackend is a backend with every optional capability.
type fullBackend interface {
	backend
	sessions.Toucher
	ownerIndex
	sessions.Sweeper
}

// ctxBackend gives up once its context is done, as networked stores do,
// so that the Manager kit can tell whether the Manager reached the store.
type ctxBackend struct{ b fullBackend }

func (c ctxBackend) Create(ctx context.Context, id sessions.ID, rec sessions.Record[proptest.Value], now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.b.Create(ctx, id, rec, now)
}

func (c ctxBackend) Load(ctx context.Context, id sessions.ID, now time.Time) (sessions.Record[proptest.Value], error) {
	if err := ctx.Err(); err != nil {
		return sessions.Record[proptest.Value]{}, err
	}
	return c.b.Load(ctx, id, now)
}

func (c ctxBackend) Replace(ctx context.Context, id sessions.ID, ifVersion uint64, rec sessions.Record[proptest.Value], now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.b.Replace(ctx, id, ifVersion, rec, now)
}

func (c ctxBackend) Delete(ctx context.Context, id sessions.ID, ifVersion uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.b.Delete(ctx, id, ifVersion)
}

func (c ctxBackend) Touch(ctx context.Context, id sessions.ID, expiresAt, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.b.Touch(ctx, id, expiresAt, now)
}

func (c ctxBackend) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]sessions.Entry[proptest.Value], error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.b.ListOwner(ctx, owner, now, limit)
}

func (c ctxBackend) DeleteOwner(ctx context.Context, owner string, except sessions.ID, now time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return c.b.DeleteOwner(ctx, owner, except, now)
}

func (c ctxBackend) DeleteExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return c.b.DeleteExpired(ctx, now, limit)
}

// managerFactory is what TestManager takes.
type managerFactory = func(t *testing.T, now func() time.Time) *sessions.Manager[proptest.Value]

// over returns a factory of Managers over the backends newBackend returns.
func over(newBackend func() backend) managerFactory {
	return func(t *testing.T, now func() time.Time) *sessions.Manager[proptest.Value] {
		m, err := sessions.New(newBackend(), sessions.WithClock(now))
		if err != nil {
			t.Fatalf("sessions.New: %v", err)
		}
		return m
	}
}

// overStore returns a factory of Managers over the token stores newStore
// returns.
func overStore(newStore func() sessions.TokenStore[proptest.Value]) managerFactory {
	return func(t *testing.T, now func() time.Time) *sessions.Manager[proptest.Value] {
		m, err := sessions.NewWithStore(newStore(), sessions.WithClock(now))
		if err != nil {
			t.Fatalf("sessions.NewWithStore: %v", err)
		}
		return m
	}
}

// carrierStore keeps each record in its token, authenticated with an
// HMAC, and nothing on the server: the shape of a sealed cookie store,
// without encryption, revocation or an owner index.
type carrierStore struct{ key [32]byte }

// carried is what a carrierStore token holds.
type carried struct {
	SID [16]byte                        `json:"sid"`
	Rec sessions.Record[proptest.Value] `json:"rec"`
}

const (
	carrierMinToken = 64
	carrierMaxToken = 3000
)

func newCarrierStore() *carrierStore {
	c := &carrierStore{}
	_, _ = rand.Read(c.key[:]) // crypto/rand.Read never returns an error
	return c
}

func (c *carrierStore) CheckToken(token string) bool {
	if len(token) < carrierMinToken || len(token) > carrierMaxToken || len(token)%4 == 1 {
		return false
	}
	for i := 0; i < len(token); i++ {
		if b := token[i]; !('A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '-' || b == '_') {
			return false
		}
	}
	return true
}

func (c *carrierStore) mac(body []byte) []byte {
	h := hmac.New(sha256.New, c.key[:])
	h.Write(body)
	return h.Sum(nil)
}

func (c *carrierStore) seal(cr carried) (string, error) {
	body, err := json.Marshal(cr)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(append(body, c.mac(body)...)), nil
}

func (c *carrierStore) unseal(token string) (carried, error) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) < sha256.Size {
		return carried{}, sessions.ErrTampered
	}
	body, sum := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	var cr carried
	if !hmac.Equal(c.mac(body), sum) || json.Unmarshal(body, &cr) != nil {
		return carried{}, sessions.ErrTampered
	}
	return cr, nil
}

func carriedID(sid [16]byte) sessions.ID { return sha256.Sum256(append([]byte("id\x00"), sid[:]...)) }

func (c *carrierStore) Create(_ context.Context, rec sessions.Record[proptest.Value], _ time.Time) (string, sessions.ID, error) {
	cr := carried{Rec: rec}
	_, _ = rand.Read(cr.SID[:])
	token, err := c.seal(cr)
	return token, carriedID(cr.SID), err
}

func (c *carrierStore) Open(_ context.Context, token string, now time.Time) (sessions.Entry[proptest.Value], error) {
	cr, err := c.unseal(token)
	if err != nil {
		return sessions.Entry[proptest.Value]{}, err
	}
	if !cr.Rec.Live(now) {
		return sessions.Entry[proptest.Value]{ID: carriedID(cr.SID)}, sessions.ErrExpired
	}
	return sessions.Entry[proptest.Value]{ID: carriedID(cr.SID), Record: cr.Rec}, nil
}

func (c *carrierStore) Replace(_ context.Context, token string, ifVersion uint64, rec sessions.Record[proptest.Value], now time.Time) (string, error) {
	cr, err := c.unseal(token)
	switch {
	case err != nil || !cr.Rec.Live(now):
		return "", sessions.ErrNotFound
	case cr.Rec.Version != ifVersion:
		return "", sessions.ErrConflict
	}
	cr.Rec = rec
	return c.seal(cr)
}

func (c *carrierStore) Delete(_ context.Context, token string, ifVersion uint64) error {
	if ifVersion == 0 {
		return nil // nothing is kept, so nothing can be deleted
	}
	cr, err := c.unseal(token)
	switch {
	case err != nil:
		return sessions.ErrNotFound
	case cr.Rec.Version != ifVersion:
		return sessions.ErrConflict
	}
	return nil
}

func (c *carrierStore) Secret(token string, _ sessions.ID) [32]byte {
	cr, _ := c.unseal(token)
	return sha256.Sum256(append([]byte("secret\x00"), cr.SID[:]...))
}

// hashedStore is the default token scheme as a TokenStore of its own,
// over a backend: for checking what a TokenStore's CheckToken decides.
type hashedStore struct {
	b   backend
	lax bool // CheckToken accepts anything
}

func (h hashedStore) id(token string) sessions.ID { return sha256.Sum256([]byte(token)) }

func (h hashedStore) CheckToken(token string) bool { return h.lax || sessions.ValidToken(token) }

func (h hashedStore) Create(ctx context.Context, rec sessions.Record[proptest.Value], now time.Time) (string, sessions.ID, error) {
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	return token, h.id(token), h.b.Create(ctx, h.id(token), rec, now)
}

func (h hashedStore) Open(ctx context.Context, token string, now time.Time) (sessions.Entry[proptest.Value], error) {
	rec, err := h.b.Load(ctx, h.id(token), now)
	return sessions.Entry[proptest.Value]{ID: h.id(token), Record: rec}, err
}

func (h hashedStore) Replace(ctx context.Context, token string, ifVersion uint64, rec sessions.Record[proptest.Value], now time.Time) (string, error) {
	return token, h.b.Replace(ctx, h.id(token), ifVersion, rec, now)
}

func (h hashedStore) Delete(ctx context.Context, token string, ifVersion uint64) error {
	return h.b.Delete(ctx, h.id(token), ifVersion)
}

func (h hashedStore) Secret(token string, _ sessions.ID) [32]byte {
	return sha256.Sum256([]byte("secret\x00" + token))
}

func TestManagerAcceptsACorrectStore(t *testing.T) {
	proptest.TestManager(t, over(func() backend { return ctxBackend{newRefBackend()} }))
}

// A store that carries records in its tokens is accepted too; see
// TestManagerSkipsWhatTheStoreCannotDoByName, which also checks what is
// skipped for it.

func TestManagerAcceptsACorrectTokenStore(t *testing.T) {
	proptest.TestManager(t, overStore(func() sessions.TokenStore[proptest.Value] {
		return hashedStore{b: ctxBackend{newRefBackend()}}
	}))
}

func TestManagerAcceptsAnInsecurePersistentCookie(t *testing.T) {
	proptest.TestManager(t, func(t *testing.T, now func() time.Time) *sessions.Manager[proptest.Value] {
		m, err := sessions.New[proptest.Value](ctxBackend{newRefBackend()}, sessions.WithClock(now),
			sessions.WithCookie(sessions.Cookie{Name: "sid", Path: "/app", Insecure: true, Persistent: true}))
		if err != nil {
			t.Fatalf("sessions.New: %v", err)
		}
		return m
	})
}
