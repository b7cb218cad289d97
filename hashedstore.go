package sessions

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// hashedStore is the default token scheme over a Backend: tokens are 32
// random bytes, and the backend sees only their SHA-256 storage IDs.
type hashedStore[V any] struct {
	b    Backend[V]
	mint func() (string, error)
}

// createAttempts bounds retries when a fresh ID meets a live record. With
// 256-bit tokens a collision means a broken random source or store, so a
// few attempts tell the two apart from bad luck.
const createAttempts = 3

func (h hashedStore[V]) CheckToken(token string) bool { return ValidToken(token) }

func (h hashedStore[V]) Create(ctx context.Context, rec Record[V], now time.Time) (string, ID, error) {
	for range createAttempts {
		token, err := h.mint()
		if err != nil {
			return "", ID{}, err
		}
		id := storageID(token)
		err = h.b.Create(ctx, id, rec, now)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return "", ID{}, err
		}
		return token, id, nil
	}
	return "", ID{}, fmt.Errorf("%w: %d fresh IDs met live records", ErrConflict, createAttempts)
}

func (h hashedStore[V]) Open(ctx context.Context, token string, now time.Time) (Entry[V], error) {
	id := storageID(token)
	rec, err := h.b.Load(ctx, id, now)
	return Entry[V]{ID: id, Record: rec}, err
}

func (h hashedStore[V]) Replace(ctx context.Context, token string, ifVersion uint64, rec Record[V], now time.Time) (string, error) {
	return token, h.b.Replace(ctx, storageID(token), ifVersion, rec, now)
}

func (h hashedStore[V]) Delete(ctx context.Context, token string, ifVersion uint64) error {
	return h.b.Delete(ctx, storageID(token), ifVersion)
}

func (h hashedStore[V]) Secret(token string, _ ID) [32]byte { return tokenSecret(token) }
