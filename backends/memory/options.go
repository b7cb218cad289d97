package memory

import (
	"errors"
	"fmt"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/internal/codecopt"
)

// Defaults of a Store built without options.
const (
	// DefaultMaxEntries bounds the records a Store holds.
	DefaultMaxEntries = 1_000_000
	// DefaultSweepInterval is how often the janitor removes expired records.
	DefaultSweepInterval = time.Minute
)

// Option configures a Store; pass options to [New].
//
// Option is not generic, so options that do not depend on the value type
// read plainly (memory.WithMaxEntries(1000)). [WithCodec] is a generic
// function returning a plain Option, and New checks that its codec is for
// the store's value type.
type Option func(*config)

// config collects the options; New validates it.
type config struct {
	maxEntries    int
	sweepInterval time.Duration
	clock         func() time.Time
	codec         any // a sessions.Codec[V]; checked against V by New
	errs          []error
}

func defaultConfig() config {
	return config{
		maxEntries:    DefaultMaxEntries,
		sweepInterval: DefaultSweepInterval,
		clock:         time.Now,
	}
}

// WithMaxEntries bounds the number of records the store holds, across all
// shards. It must be positive; the default is [DefaultMaxEntries]. When the
// store is full, Create first drops expired records and returns
// [sessions.ErrStoreFull] only if every record held is still live.
func WithMaxEntries(n int) Option {
	return func(c *config) {
		if n <= 0 {
			c.errs = append(c.errs, fmt.Errorf("memory: WithMaxEntries(%d): must be positive", n))
			return
		}
		c.maxEntries = n
	}
}

// WithSweepInterval sets how often the background janitor removes expired
// records; the default is [DefaultSweepInterval]. Zero disables the
// janitor: expired records are then never returned but stay in memory
// until something overwrites them, Create needs their room, or the caller
// runs [Store.DeleteExpired]. It must not be negative.
func WithSweepInterval(d time.Duration) Option {
	return func(c *config) {
		if d < 0 {
			c.errs = append(c.errs, fmt.Errorf("memory: WithSweepInterval(%v): must not be negative", d))
			return
		}
		c.sweepInterval = d
	}
}

// WithClock sets the clock the janitor's sweeps use to decide what has
// expired; the default is [time.Now]. It is used by the janitor only: every
// other method takes now from its caller (the Manager's clock), as the
// [sessions.Backend] contract requires. Tests pass the same fake clock to
// the Manager and here.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			c.errs = append(c.errs, errors.New("memory: WithClock(nil)"))
			return
		}
		c.clock = now
	}
}

// WithCodec sets the codec that copies values of types that hold
// references (pointers, slices, maps, interfaces) and have no Clone
// method; the default is [sessions.JSON]. It is not used for other types.
// New fails if the codec is nil or is not for the store's value type.
func WithCodec[V any](c sessions.Codec[V]) Option {
	return func(cfg *config) { codecopt.Choose("memory", c, &cfg.codec, &cfg.errs) }
}
