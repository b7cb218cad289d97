package postgres

import (
	"errors"
	"fmt"
	"time"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/internal/codecopt"
)

// Defaults of a Store built without options.
const (
	// DefaultTable is the table the store keeps sessions in.
	DefaultTable = "sessions"
	// DefaultSweepInterval is how often the janitor deletes expired rows.
	DefaultSweepInterval = time.Minute
	// DefaultSweepBatch is the most rows one sweep statement deletes.
	DefaultSweepBatch = 1000
	// DefaultSkewMargin is how long past its expiry a row survives sweeps:
	// room for app servers whose clocks run behind the sweeper's.
	DefaultSkewMargin = time.Minute
)

// Option configures a Store; pass options to [New].
//
// Option is not generic, so options that do not depend on the value type
// read plainly (postgres.WithTable("app.sessions")). [WithCodec] is a
// generic function returning a plain Option, and New checks that its
// codec is for the store's value type.
type Option func(*config)

// config collects the options; New validates it.
type config struct {
	table         string
	codec         any // a sessions.Codec[V]; checked against V by New
	sweepInterval time.Duration
	sweepBatch    int
	skewMargin    time.Duration
	clock         func() time.Time
	report        func(removed int, err error)
	errs          []error
}

func defaultConfig() config {
	return config{
		table:         DefaultTable,
		sweepInterval: DefaultSweepInterval,
		sweepBatch:    DefaultSweepBatch,
		skewMargin:    DefaultSkewMargin,
		clock:         time.Now,
	}
}

// WithTable sets the table the store uses; the default is [DefaultTable].
// The name may be qualified by a schema, as in "app.sessions"; each part
// is quoted as an identifier, so it is used exactly as written, case
// included, and may not itself contain a dot. New fails for an empty part
// and for a table part longer than [MaxTableNameLen] bytes (index names
// are derived from it and must fit PostgreSQL's 63-byte identifiers).
func WithTable(name string) Option {
	return func(c *config) { c.table = name }
}

// WithCodec sets the codec that turns values into the bytes of the value
// column; the default is [sessions.JSON]. New fails if the codec is nil or
// is not for the store's value type.
func WithCodec[V any](c sessions.Codec[V]) Option {
	return func(cfg *config) { codecopt.Choose("postgres", c, &cfg.codec, &cfg.errs) }
}

// WithSweepInterval sets how often the background janitor deletes expired
// rows; the default is [DefaultSweepInterval]. Zero disables the janitor:
// expired rows are then never returned but stay in the table until a
// Create reuses their ID or something calls [Store.DeleteExpired], for
// example a job scheduled elsewhere. It must not be negative.
func WithSweepInterval(d time.Duration) Option {
	return func(c *config) {
		if d < 0 {
			c.errs = append(c.errs, fmt.Errorf("postgres: WithSweepInterval(%v): must not be negative", d))
			return
		}
		c.sweepInterval = d
	}
}

// WithSweepBatch sets the most rows one of the janitor's DELETE statements
// removes; the default is [DefaultSweepBatch]. A sweep runs batches until
// one comes back short, each in its own short transaction, so a large
// backlog never holds many row locks at once. It must be positive.
func WithSweepBatch(n int) Option {
	return func(c *config) {
		if n <= 0 {
			c.errs = append(c.errs, fmt.Errorf("postgres: WithSweepBatch(%d): must be positive", n))
			return
		}
		c.sweepBatch = n
	}
}

// WithSkewMargin sets how long after its expiry, by the janitor's clock, a
// row is left alone by sweeps; the default is [DefaultSkewMargin]. Set it
// above the largest difference expected between the clocks of the app
// servers sharing the table (see the package documentation). It must not
// be negative.
func WithSkewMargin(d time.Duration) Option {
	return func(c *config) {
		if d < 0 {
			c.errs = append(c.errs, fmt.Errorf("postgres: WithSkewMargin(%v): must not be negative", d))
			return
		}
		c.skewMargin = d
	}
}

// WithClock sets the clock the janitor's sweeps use to decide what has
// expired; the default is [time.Now]. It is used by the janitor only:
// every other method takes now from its caller (the Manager's clock), as
// the [sessions.Backend] contract requires.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			c.errs = append(c.errs, errors.New("postgres: WithClock(nil)"))
			return
		}
		c.clock = now
	}
}

// WithSweepReport sets a function the janitor calls after every sweep
// with the number of rows it deleted and the error that ended it, if any
// (context.Canceled when [Store.Close] interrupts a sweep). Without it,
// sweep errors go unseen, since the janitor has no caller to return them
// to. It runs on the janitor's goroutine and must not call Close.
func WithSweepReport(f func(removed int, err error)) Option {
	return func(c *config) { c.report = f }
}
