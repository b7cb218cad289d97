package sealed

import (
	"errors"
	"fmt"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/internal/codecopt"
)

// Defaults of a Store built without options.
const (
	// DefaultCookieName is the Manager's default cookie name.
	DefaultCookieName = "__Host-session"
	// DefaultPurpose is the purpose bound into tokens unless WithPurpose
	// says otherwise.
	DefaultPurpose = "session"
	// MaxClockSkew is how far in the future a token's CreatedAt may lie
	// before the token is refused as forged: clocks of servers sharing a
	// key ring may disagree by this much.
	MaxClockSkew = time.Minute
)

// maxCookieBytes is the size of a Set-Cookie header value, name included,
// that browsers are required to keep.
const maxCookieBytes = 4096

// Option configures a Store; pass options to [New].
//
// Option is not generic, so options that do not depend on the value type
// read plainly (sealed.WithPurpose("admin")). [WithCodec] is a generic
// function returning a plain Option, and New checks that its codec is for
// the store's value type.
type Option func(*config)

// config collects the options; New validates it.
type config struct {
	cookieName string
	purpose    string
	codec      any // a sessions.Codec[V]; checked against V by New
	revocation sessions.Backend[Revocation]
	lifetime   time.Duration
	clock      func() time.Time
	errs       []error
}

func defaultConfig() config {
	return config{cookieName: DefaultCookieName, purpose: DefaultPurpose, clock: time.Now}
}

// WithCookieName sets the name of the cookie the tokens travel in, which
// is bound into every token: a token sealed for one cookie does not open
// as another. Set it to the Manager's cookie name (sessions.Cookie.Name),
// the same on every server; the default is [DefaultCookieName], the
// Manager's default. [sessions.NewWithStore] refuses a store built for
// another cookie than the Manager's. It also sets the longest token the
// store issues or opens: 4096 bytes minus the name and "=".
func WithCookieName(name string) Option {
	return func(c *config) {
		if name == "" || len(name) > maxCookieBytes/2 {
			c.errs = append(c.errs, fmt.Errorf("sealed: WithCookieName(%q): must be 1 to %d bytes", name, maxCookieBytes/2))
			return
		}
		c.cookieName = name
	}
}

// WithPurpose sets a label bound into every token, so that two stores
// sharing a key ring and a cookie name (say, an application and its admin
// interface on the same host) cannot open each other's tokens. The
// default is [DefaultPurpose].
func WithPurpose(purpose string) Option {
	return func(c *config) {
		if purpose == "" || len(purpose) > 256 {
			c.errs = append(c.errs, fmt.Errorf("sealed: WithPurpose(%q): must be 1 to 256 bytes", purpose))
			return
		}
		c.purpose = purpose
	}
}

// WithCodec sets how values are encoded inside tokens; the default is
// [sessions.JSON]. The codec's format byte is sealed with the value, so a
// token sealed with another codec does not decode (the Manager then reads
// it as absent and reports decode-failed). New fails if the codec is nil
// or is not for the store's value type.
func WithCodec[V any](codec sessions.Codec[V]) Option {
	return func(c *config) { codecopt.Choose("sealed", codec, &c.codec, &c.errs) }
}

// WithRevocation makes cleared sessions stay cleared: b records what
// Clear, Renew and ClearOwner revoke, and every read checks it. See the
// package documentation for what it records and what it costs per
// request. Any [sessions.Backend] will do, such as the memory store for a
// single process or the Redis store for several.
//
// lifetime must be at least the Manager's lifetime (sessions.WithLifetime;
// [sessions.DefaultLifetime] unless set). With revocation the store
// refuses every token past its CreatedAt plus lifetime, which is what lets
// revocation records expire: a record outlives every copy of the cookie
// it revokes. A lifetime shorter than the Manager's ends sessions early; a
// longer one keeps records longer than needed.
func WithRevocation(b sessions.Backend[Revocation], lifetime time.Duration) Option {
	return func(c *config) {
		if b == nil {
			c.errs = append(c.errs, errors.New("sealed: WithRevocation: nil backend"))
			return
		}
		if lifetime <= 0 || lifetime > sessions.MaxLifetime {
			c.errs = append(c.errs, fmt.Errorf("sealed: WithRevocation: lifetime %v is outside (0, %v]", lifetime, sessions.MaxLifetime))
			return
		}
		c.revocation, c.lifetime = b, lifetime
	}
}

// WithClock sets the clock Delete reads; the default is [time.Now].
// [sessions.TokenStore.Delete] is the one store method given no now, so
// the store reads its own clock there, and only there: with revocation,
// Delete tells the revocation store when a session was cleared and
// whether its record is still needed. That clock must be the Manager's
// (the one passed to sessions.WithClock): with two clocks that disagree,
// a Clear or Renew could record a revocation that expires too early, or
// skip one as no longer needed. Pass the same function to both, as the
// conformance kit does.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			c.errs = append(c.errs, errors.New("sealed: WithClock(nil)"))
			return
		}
		c.clock = now
	}
}
