package goredis

import (
	"fmt"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/internal/codecopt"
)

// DefaultPrefix is the key prefix of a Store built without [WithPrefix].
const DefaultPrefix = "sessions:"

// maxPrefixLen bounds a key prefix; Redis keys are meant to be short.
const maxPrefixLen = 256

// Option configures a Store; pass options to [New].
//
// Option is not generic, so options that do not depend on the value type
// read plainly (goredis.WithPrefix("app:")). [WithCodec] is a generic
// function returning a plain Option, and New checks that its codec is for
// the store's value type.
type Option func(*config)

// config collects the options; New validates it.
type config struct {
	prefix   string
	lifetime time.Duration
	codec    any // a sessions.Codec[V]; checked against V by New
	errs     []error
}

func defaultConfig() config {
	return config{prefix: DefaultPrefix, lifetime: sessions.DefaultLifetime}
}

// WithPrefix sets the prefix of every key the store writes; the default
// is [DefaultPrefix]. Stores sharing a Redis database need distinct
// prefixes, none a prefix of another. At most 256 bytes.
//
// In a Cluster the prefix may carry a hash tag, such as "{sessions}:", to
// keep every key on one node; the store works either way.
func WithPrefix(prefix string) Option {
	return func(c *config) {
		if len(prefix) > maxPrefixLen {
			c.errs = append(c.errs, fmt.Errorf("goredis: WithPrefix: %d bytes, limit %d", len(prefix), maxPrefixLen))
			return
		}
		c.prefix = prefix
	}
}

// WithLifetime tells the store the Manager's session lifetime
// ([sessions.WithLifetime]); the default is [sessions.DefaultLifetime].
// The owner index keeps a session's entry until its CreatedAt plus this
// lifetime, so that every Set and Touch of an owned session within it
// costs one round trip. It changes no session's expiry. A session
// written with an expiry beyond that is still indexed, at the cost of a
// second round trip to extend its entry, so a mismatch costs time, never
// correctness. Give every process sharing the store the same lifetime:
// ListOwner relies on it to stop reading the index early in the right
// place. It must be positive and at most [sessions.MaxLifetime].
func WithLifetime(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 || d > sessions.MaxLifetime {
			c.errs = append(c.errs, fmt.Errorf("goredis: WithLifetime(%v): outside (0, %v]", d, sessions.MaxLifetime))
			return
		}
		c.lifetime = d
	}
}

// WithCodec sets the codec that turns values into the bytes stored after
// each record's header; the default is [sessions.JSON]. New fails if the
// codec is nil or is not for the store's value type.
func WithCodec[V any](c sessions.Codec[V]) Option {
	return func(cfg *config) { codecopt.Choose("goredis", c, &cfg.codec, &cfg.errs) }
}
