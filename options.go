package sessions

import (
	"context"
	"errors"
	"fmt"
	"net/http/cookiejar"
	"time"
)

// Defaults of the Manager's options.
const (
	DefaultIdleTimeout    = 30 * time.Minute
	DefaultLifetime       = 24 * time.Hour
	DefaultUpdateAttempts = 8
	// MaxLifetime is the longest lifetime a cookie may have: browsers cap
	// cookie lifetimes at 400 days.
	MaxLifetime = 400 * 24 * time.Hour
	// MaxOwnerLen bounds an owner name, so stores can put it in keys.
	MaxOwnerLen = 256
	// MaxClockSkew is how far past the Manager's clock a record's
	// CreatedAt may lie, for servers whose clocks disagree. A record
	// created further in the future was not written by an honest Manager:
	// it reads as absent, with the reason "tampered", on every store.
	MaxClockSkew = time.Minute
)

// Option configures a Manager.
type Option func(*config)

type config struct {
	cookie        Cookie
	idle          time.Duration
	idleSet       bool // WithIdleTimeout was given: a longer lifetime is refused, not adapted to
	lifetime      time.Duration
	touchInterval time.Duration // < 0: idle/10
	clock         func() time.Time
	attempts      int
	observer      Observer
	suffixes      cookiejar.PublicSuffixList // nil: public suffixes are not checked
}

func defaultConfig() config {
	return config{
		idle:          DefaultIdleTimeout,
		lifetime:      DefaultLifetime,
		touchInterval: -1,
		clock:         time.Now,
		attempts:      DefaultUpdateAttempts,
	}
}

// WithCookie sets the session cookie's configuration. The zero Cookie is
// the secure default.
func WithCookie(c Cookie) Option { return func(cf *config) { cf.cookie = c } }

// WithIdleTimeout sets how long a session lives after its last write or
// touch (default 30 minutes); 0 disables the idle timeout, leaving only
// the lifetime. An idle timeout longer than the lifetime is refused; left
// at its default, it is disabled when the lifetime is no longer than it,
// since it could never end a session first.
func WithIdleTimeout(d time.Duration) Option {
	return func(cf *config) { cf.idle, cf.idleSet = d, true }
}

// WithLifetime sets the absolute lifetime of a session from its creation
// (default 24 hours; at most 400 days). Nothing extends it, not even
// Renew.
func WithLifetime(d time.Duration) Option { return func(cf *config) { cf.lifetime = d } }

// WithTouchInterval sets how stale a session's expiry may get before
// Touch writes it again (default a tenth of the idle timeout). Smaller
// means more writes; larger means a session may expire up to this much
// earlier than its last request plus the idle timeout.
func WithTouchInterval(d time.Duration) Option { return func(cf *config) { cf.touchInterval = d } }

// WithClock sets the Manager's clock, the only source of time for every
// deadline and every store call (default time.Now).
func WithClock(now func() time.Time) Option { return func(cf *config) { cf.clock = now } }

// WithUpdateAttempts sets how many times Update, Renew and ClearOwned try
// before giving up with ErrConflict (default 8).
func WithUpdateAttempts(n int) Option { return func(cf *config) { cf.attempts = n } }

// WithPublicSuffixList makes the constructor refuse a Cookie.Domain that
// is a public suffix, such as "co.uk", on which browsers refuse to set
// cookies. The library ships no list, as an embedded copy of the Public
// Suffix List would go stale between releases and a partial one would
// pass most suffixes; golang.org/x/net/publicsuffix.List is a maintained
// one:
//
//	sessions.WithPublicSuffixList(publicsuffix.List)
//
// Without a list a single-label Domain ("com") is still refused.
func WithPublicSuffixList(list cookiejar.PublicSuffixList) Option {
	return func(cf *config) { cf.suffixes = list }
}

// WithObserver sets a function that receives every Event.
func WithObserver(o func(context.Context, Event)) Option {
	return func(cf *config) { cf.observer = o }
}

func (cf *config) validate() error {
	var errs []error
	if cf.idle < 0 {
		errs = append(errs, fmt.Errorf("idle timeout %v is negative", cf.idle))
	}
	if cf.lifetime <= 0 || cf.lifetime > MaxLifetime {
		errs = append(errs, fmt.Errorf("lifetime %v is outside (0, 400 days]", cf.lifetime))
	}
	switch {
	case !cf.idleSet && cf.idle >= cf.lifetime:
		cf.idle = 0
	case cf.idle > cf.lifetime:
		// The session would end at its lifetime long before it could idle
		// out: the configuration says something it does not do.
		errs = append(errs, fmt.Errorf("idle timeout %v (WithIdleTimeout) is longer than the lifetime %v (WithLifetime)", cf.idle, cf.lifetime))
	}
	if cf.touchInterval < 0 {
		cf.touchInterval = cf.idle / 10
	}
	if cf.idle > 0 && cf.touchInterval >= cf.idle {
		errs = append(errs, fmt.Errorf("touch interval %v is not below the idle timeout %v", cf.touchInterval, cf.idle))
	}
	if cf.clock == nil {
		errs = append(errs, errors.New("clock is nil"))
	}
	if cf.attempts < 1 {
		errs = append(errs, fmt.Errorf("update attempts %d is below 1", cf.attempts))
	}
	if len(errs) > 0 {
		return fmt.Errorf("sessions: %w", errors.Join(errs...))
	}
	return nil
}

// SessionOption configures one session in Generate and Renew.
type SessionOption func(*sessionConfig)

type sessionConfig struct {
	owner         string
	ownerSet      bool
	persistent    bool
	persistentSet bool
}

// WithOwner sets the session's owner, typically a user ID, so the session
// shows up in Sessions and ClearOwner. At most MaxOwnerLen bytes.
func WithOwner(owner string) SessionOption {
	return func(sc *sessionConfig) { sc.owner, sc.ownerSet = owner, true }
}

// WithPersistent sets whether the session's cookie outlives the browser
// session ("remember me"), overriding Cookie.Persistent.
func WithPersistent(p bool) SessionOption {
	return func(sc *sessionConfig) { sc.persistent, sc.persistentSet = p, true }
}

// applyTo returns the owner and persistence of a session whose current
// ones are given, with the options applied.
func (sc sessionConfig) applyTo(owner string, persistent bool) (string, bool, error) {
	if sc.ownerSet {
		owner = sc.owner
	}
	if sc.persistentSet {
		persistent = sc.persistent
	}
	if len(owner) > MaxOwnerLen {
		return "", false, fmt.Errorf("sessions: owner is %d bytes, limit %d", len(owner), MaxOwnerLen)
	}
	return owner, persistent, nil
}

func sessionOptions(opts []SessionOption) sessionConfig {
	var sc sessionConfig
	for _, o := range opts {
		if o != nil {
			o(&sc)
		}
	}
	return sc
}
