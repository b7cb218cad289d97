package redissessions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DefaultNamespace is Node's default namespace; the library appends ':'.
const DefaultNamespace = "rs"

// DefaultAnonymousID is the Node id under which sessions without an owner
// are kept (see [WithAnonymousID]).
const DefaultAnonymousID = "_anonymous"

// Option configures a Store; pass options to [New].
type Option func(*config)

type config struct {
	namespace   string
	anonymousID string
	defaultIP   string
	codec       any // a Codec[V], checked by New
	clock       func() time.Time
	maxBytes    int
	errs        []error
}

func defaultConfig() config {
	return config{
		namespace: DefaultNamespace, anonymousID: DefaultAnonymousID,
		clock: time.Now, maxBytes: DefaultMaxValueBytes,
	}
}

// WithNamespace sets Node's namespace option (default "rs"): every key
// starts with it and ':'. Node processes sharing the sessions must use
// the same one. It may not contain ':' or whitespace.
func WithNamespace(ns string) Option {
	return func(c *config) {
		if ns == "" || strings.ContainsAny(ns, ": \t\r\n") || len(ns) > 64 {
			c.errs = append(c.errs, fmt.Errorf("redissessions: WithNamespace(%q): want 1 to 64 characters, no ':' or whitespace", ns))
			return
		}
		c.namespace = ns
	}
}

// WithAnonymousID sets the Node id of sessions that have no owner
// (default [DefaultAnonymousID]). Node requires an id for every session,
// and the Manager makes unowned ones (before a login, say), so they are
// all kept under this id: Node's soid and killsoid with it reach every
// anonymous session, and activity counts them as one user. The Manager
// refuses nothing, so the store refuses [sessions.WithOwner] with this id.
func WithAnonymousID(id string) Option {
	return func(c *config) {
		if err := validateID(id); err != nil {
			c.errs = append(c.errs, fmt.Errorf("WithAnonymousID: %w", err))
			return
		}
		c.anonymousID = id
	}
}

// WithDefaultIP sets the ip written for sessions created under a context
// that carries none ([WithIP]). Without it, creating such a session fails
// with Node's "No ip supplied".
func WithDefaultIP(ip string) Option {
	return func(c *config) {
		if err := validateIP(ip); err != nil {
			c.errs = append(c.errs, fmt.Errorf("WithDefaultIP: %w", err))
			return
		}
		c.defaultIP = ip
	}
}

// WithCodec sets how values become Node's d; the default is [JSON].
func WithCodec[V any](codec Codec[V]) Option {
	return func(c *config) {
		if codec == nil {
			c.errs = append(c.errs, errors.New("redissessions: WithCodec(nil)"))
			return
		}
		c.codec = codec
	}
}

// WithClock sets the clock of the operations the Manager does not drive
// (Info, Activity, SessionsOfApp, Wipe); the default is time.Now. The
// Manager's operations use the now it passes. Give both the same clock.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			c.errs = append(c.errs, errors.New("redissessions: WithClock(nil)"))
			return
		}
		c.clock = now
	}
}

// WithMaxValueBytes bounds a d the store writes or decodes; the default
// is [DefaultMaxValueBytes]. A larger stored d reads as absent.
func WithMaxValueBytes(n int) Option {
	return func(c *config) {
		if n <= 0 {
			c.errs = append(c.errs, fmt.Errorf("redissessions: WithMaxValueBytes(%d): want a positive size", n))
			return
		}
		c.maxBytes = n
	}
}

// Per-session settings travel in the context of the call that creates
// the session (Generate, Renew, or the first write of an unsaved one):
// they are request data, like the client's address.
type ctxKey int

const (
	ipKey ctxKey = iota
	noResaveKey
)

// WithIP returns a context that makes a session created under it record
// ip, as Node's create does. Pass the client's address, for example the
// host part of http.Request.RemoteAddr (or of a trusted proxy header).
// Node accepts 1 to 39 characters; others fail the create.
func WithIP(ctx context.Context, ip string) context.Context {
	return context.WithValue(ctx, ipKey, ip)
}

// WithNoResave returns a context that makes a session created under it a
// no_resave session: its Node deadline (last activity + ttl at creation)
// does not move when it is read or written, on either side.
func WithNoResave(ctx context.Context) context.Context {
	return context.WithValue(ctx, noResaveKey, true)
}

func ipFrom(ctx context.Context) (string, bool) {
	ip, ok := ctx.Value(ipKey).(string)
	return ip, ok
}

func noResaveFrom(ctx context.Context) bool {
	b, _ := ctx.Value(noResaveKey).(bool)
	return b
}
