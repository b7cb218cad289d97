package sessions

import (
	"context"
	"time"
)

// Record is what a store keeps for one session. Nothing else is ever
// stored with it: flash messages and device labels live in V.
type Record[V any] struct {
	// Value is the application's session value.
	Value V
	// CreatedAt is set by Generate, kept by Renew and never changed otherwise.
	CreatedAt time.Time
	// ExpiresAt is min(last write + idle timeout, CreatedAt + lifetime),
	// computed by the Manager. A record is not live at or after ExpiresAt.
	ExpiresAt time.Time
	// Owner names the user the session belongs to ("" for none). Only
	// Generate and Renew change it.
	Owner string
	// Version is 1 after Create and grows by one with every Replace;
	// Touch leaves it alone.
	Version uint64
	// Persistent marks a "remember me" session, whose cookie carries
	// Max-Age and Expires instead of ending with the browser session.
	Persistent bool
}

// Live reports whether the record is live at now.
func (r Record[V]) Live(now time.Time) bool { return now.Before(r.ExpiresAt) }

// Entry pairs a record with the ID it is stored under.
type Entry[V any] struct {
	ID     ID
	Record Record[V]
}

// Backend is the contract of a server-side store, keyed by [ID]. Stores
// never see tokens.
//
// Every method that decides liveness or sets a time-to-live receives now
// from the Manager's clock; a store must not consult its own clock for
// liveness. A record is live while now is before its ExpiresAt.
//
// Outcomes are reported with [ErrNotFound] and [ErrConflict] (possibly
// wrapped); bytes that do not decode are reported with [ErrDecode]; any
// other error is a store failure, which the Manager wraps in [ErrBackend].
// A method called with a context that is already done returns the
// context's error without touching storage. Implementations must be safe
// for concurrent use.
//
// A store may offer more by also implementing [Toucher], [OwnerIndex] or
// [Sweeper]; the Manager discovers them once, when it is built. The
// proptest package checks an implementation against this contract.
type Backend[V any] interface {
	// Create stores rec under id if no live record is there (an expired one
	// may be overwritten). rec.Version is 1. It returns ErrConflict if a
	// live record holds id.
	Create(ctx context.Context, id ID, rec Record[V], now time.Time) error

	// Load returns the record under id if it is live at now, else ErrNotFound.
	// The returned value must not alias anything the store keeps.
	Load(ctx context.Context, id ID, now time.Time) (Record[V], error)

	// Replace overwrites the live record under id if its version is
	// ifVersion; rec.Version is ifVersion+1. It returns ErrNotFound if no
	// live record is there (it never recreates one) and ErrConflict if the
	// stored version differs.
	Replace(ctx context.Context, id ID, ifVersion uint64, rec Record[V], now time.Time) error

	// Delete removes the record under id. With ifVersion 0 it is
	// unconditional and deleting an absent record is not an error. With
	// ifVersion > 0 it returns ErrNotFound if no record is there and
	// ErrConflict if the stored version differs.
	Delete(ctx context.Context, id ID, ifVersion uint64) error
}

// Toucher is implemented by stores that can move a record's expiry without
// rewriting it. Touch sets ExpiresAt of the live record under id and leaves
// its version and value alone; it returns ErrNotFound if no live record is
// there. Without it, the Manager touches with a version-bumping Replace.
type Toucher interface {
	Touch(ctx context.Context, id ID, expiresAt, now time.Time) error
}

// OwnerIndex is implemented by stores that can list and delete the
// sessions of one owner. Every live record with a non-empty Owner must be
// found by ListOwner.
type OwnerIndex[V any] interface {
	// ListOwner returns up to limit live records of owner, newest
	// (latest CreatedAt) first.
	ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]Entry[V], error)

	// DeleteOwner deletes every record of owner except the one under
	// except (the zero ID keeps none) and reports how many it deleted.
	// Records created while it runs may survive it.
	DeleteOwner(ctx context.Context, owner string, except ID, now time.Time) (int, error)
}

// ValueCopier is implemented by stores whose codec copies any V exactly,
// where the Manager's default copy would not: a V without a Clone method
// is otherwise copied through encoding/json, which turns the integers an
// interface field holds into float64. The Manager, which copies values on
// their way in and out of sessions (see [Session.Value]), then copies
// with CopyValue instead. A V without references is still only assigned,
// and a V with a Clone method still cloned. The copy must share no
// mutable memory with v.
type ValueCopier[V any] interface {
	CopyValue(v V) (V, error)
}

// Sweeper is implemented by stores that keep expired records until told
// to remove them. DeleteExpired removes at most limit records that expired
// before now and reports how many it removed.
type Sweeper interface {
	DeleteExpired(ctx context.Context, now time.Time, limit int) (int, error)
}

// TokenStore is what the Manager drives: a store addressed by the token
// the client holds. [New] wraps a [Backend] in the default token scheme
// (random tokens, hashed to IDs before any store sees them);
// [NewWithStore] takes a TokenStore that must see the token itself, such
// as a sealed cookie store, where the token is the sealed record. Such
// stores are outside the hashed-at-rest guarantee.
//
// Outcomes and context handling follow the Backend rules.
// Implementations must be safe for concurrent use.
type TokenStore[V any] interface {
	// CheckToken reports whether token has the exact syntax of this
	// store's tokens. It must do no I/O: the Manager calls it on whatever a
	// client sends, before any other method.
	CheckToken(token string) bool

	// Create stores rec (Version 1) under a fresh token and returns the
	// token and the record's ID.
	Create(ctx context.Context, rec Record[V], now time.Time) (token string, id ID, err error)

	// Open returns the live record a token names, else ErrNotFound.
	Open(ctx context.Context, token string, now time.Time) (Entry[V], error)

	// Replace overwrites the record token names if its version is
	// ifVersion, with the Backend.Replace outcomes. It returns the token
	// that names the record from now on: the same token for server-side
	// stores, a new one for stores that keep the record in the token.
	Replace(ctx context.Context, token string, ifVersion uint64, rec Record[V], now time.Time) (newToken string, err error)

	// Delete removes the record token names, with the Backend.Delete rules.
	Delete(ctx context.Context, token string, ifVersion uint64) error

	// Secret returns the per-session secret of the session token names,
	// the root of its CSRF tokens. It must not be derivable from the ID,
	// must stay the same for as long as the session keeps its ID, and
	// must not depend on anything but token and id (no I/O).
	Secret(token string, id ID) [32]byte
}
