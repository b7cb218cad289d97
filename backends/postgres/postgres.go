// Package postgres is a session store on PostgreSQL through pgx v5: a
// [sessions.Backend] that also implements [sessions.Toucher],
// [sessions.OwnerIndex] and [sessions.Sweeper].
//
// Sessions are rows of one table, durable and inspectable with SQL:
// owner, creation and expiry are plain columns; the value is opaque bytes
// written by a [sessions.Codec] (JSON by default). Only storage IDs,
// hashes of tokens, are stored, so a leaked table yields no usable
// session.
//
// # Schema
//
// [Store.Migrate] creates the table and its indexes if they are missing;
// [Schema] returns the same SQL for deployments that run their own
// migrations:
//
//	id         bytea       primary key, 32 bytes
//	value      bytea       the codec's bytes
//	owner      text        '' for none; partial index (owner, created_at DESC, id)
//	created_at timestamptz
//	expires_at timestamptz index, for the sweeper
//	version    bigint      1 after Create, +1 on every Replace
//	persistent boolean
//
// The table name is set with [WithTable], schema-qualified if wanted, and
// always quoted as an identifier.
//
// # Statements
//
// Every method is one parameterised statement, one round trip (ListOwner
// reads again, with a larger limit, only when rows it read do not
// decode): Create is
// an INSERT … ON CONFLICT that takes over only an expired row; Replace and
// a conditional Delete are data-modifying CTEs that also report whether a
// row was there, so "gone" and "changed concurrently" are told apart
// without a second query. The SQL texts are built once, in [New], from
// constants and the quoted table name; session data only ever travels as
// arguments. The store works with any of pgx's query execution modes
// (prepared statements by default, or the modes poolers need).
//
// # Time and clock skew
//
// The database's clock is never used: every statement that decides
// liveness compares expires_at with a now argument, which comes from the
// Manager's clock on the app server handling the request. A row is live
// while now < expires_at, as [sessions.Record.Live] says.
//
// App servers whose clocks differ by d can disagree about a session only
// during the d before it expires: in that window a server running behind
// may still use, and extend, a session that one running ahead already
// treats as expired. Each server is consistent with itself. The one place where one
// server's clock acts on another's requests is the janitor, which deletes
// rows. It deletes only rows that expired more than a skew margin ago by
// its own clock ([WithSkewMargin], [DefaultSkewMargin]), so a server
// whose clock runs behind the janitor's by less than the margin never
// sees a session it still considers live vanish. Keep the servers' clocks
// synchronised (NTP) and the margin above their worst difference.
//
// PostgreSQL keeps instants to the microsecond. The store truncates every
// instant it sends, stored or compared, to the microsecond (toward the
// past), so all comparisons round alike; instants read back carry
// microseconds at most and are in UTC. Instants outside the years 1 to
// 9999 are refused.
//
// # Sweeping
//
// Expired rows are never returned, but stay until a Create reuses their
// ID or a sweep deletes them. Unless disabled with [WithSweepInterval], a
// janitor goroutine sweeps every [DefaultSweepInterval] until
// [Store.Close]: it deletes expired rows in batches of
// [DefaultSweepBatch] ([WithSweepBatch]), each batch one short statement
// that skips rows locked by requests or by other servers' sweepers.
// [WithSweepReport] reports each sweep's outcome.
//
// # Errors
//
// Failures of the pool or the server (a lost connection, a restart, an
// expired deadline) are returned wrapped, and the Manager reports them as
// [sessions.ErrBackend]; errors.Is still finds the cause, such as
// [context.DeadlineExceeded]. The pool replaces broken connections by
// itself, so calls succeed again once the server answers. A method
// called with a context that is already done returns the context's error
// before it looks at its arguments or sends anything. A row whose
// value does not decode is reported as [sessions.ErrDecode], which the
// Manager reads as "not found" with a decode-failed event; ListOwner
// leaves such rows out. Owners must be valid UTF-8 without NUL bytes, as
// PostgreSQL text requires; Create and Replace refuse others.
//
// Versions are bigint: a version the column cannot hold never matches a
// stored one.
package postgres

import (
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/typedsession/sessions"
	"github.com/typedsession/sessions/internal/codecopt"
	"github.com/typedsession/sessions/internal/janitor"
)

// Compile-time checks that Store offers every capability.
var (
	_ sessions.Backend[int]    = (*Store[int])(nil)
	_ sessions.Toucher         = (*Store[int])(nil)
	_ sessions.OwnerIndex[int] = (*Store[int])(nil)
	_ sessions.Sweeper         = (*Store[int])(nil)
)

// Store is a PostgreSQL session store for values of type V. Build one
// with [New], create its table with [Store.Migrate] (or [Schema]), and
// stop its janitor with [Store.Close]. It is safe for concurrent use.
type Store[V any] struct {
	pool    *pgxpool.Pool
	codec   sessions.Codec[V]
	sql     statements
	clock   func() time.Time
	margin  time.Duration
	batch   int
	report  func(removed int, err error)
	janitor *janitor.Janitor
}

// errNoPool is returned by New for a nil pool.
var errNoPool = errors.New("postgres: New: nil pool")

// New returns a Store that keeps sessions in pool's database. It does no
// I/O: call [Store.Migrate] (or run the SQL of [Schema]) before first use.
// It fails for a nil pool and for invalid options. The Store does not own
// the pool: closing the Store leaves it open.
func New[V any](pool *pgxpool.Pool, opts ...Option) (*Store[V], error) {
	cfg := defaultConfig()
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	if pool == nil {
		cfg.errs = append(cfg.errs, errNoPool)
	}
	table, err := parseTableName(cfg.table)
	if err != nil {
		cfg.errs = append(cfg.errs, err)
	}
	codec, _, err := codecopt.Resolve[V]("postgres", cfg.codec)
	if err != nil {
		cfg.errs = append(cfg.errs, err)
	}
	if err := errors.Join(cfg.errs...); err != nil {
		return nil, err
	}
	s := &Store[V]{
		pool:   pool,
		codec:  codec,
		sql:    newStatements(table),
		clock:  cfg.clock,
		margin: cfg.skewMargin,
		batch:  cfg.sweepBatch,
		report: cfg.report,
	}
	s.janitor = janitor.Start(cfg.sweepInterval, s.sweep)
	return s, nil
}

// Close stops the janitor and waits for a sweep in progress to end, so no
// goroutine of the store outlives it. It is idempotent, safe to call
// concurrently, and always returns nil. It does not close the pool; the
// store stays usable, without background sweeps.
func (s *Store[V]) Close() error {
	s.janitor.Stop()
	return nil
}
