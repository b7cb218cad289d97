// Package bench measures the sessions library beside its Go peers,
// alexedwards/scs and gorilla/sessions, and beside the floors of the
// stores they all use, on one workload: the project's benchmark
// specification (a 10,000-session population, a Cookie header with three
// unrelated cookies before the session's, and three request cycles: read,
// write and new).
//
// It is a module of its own so that the peers never become dependencies
// of the library. The benchmarks live in the package's tests:
//
//	go test -run '^$' -bench . -count 5 -benchtime 1s
//
// runs every row; run.sh runs them with the raw store baselines
// (redis-benchmark and pgbench) before and after, summarises them with
// benchstat and writes BENCHMARKS.md through cmd/report. TestBehaviour,
// a plain test, sends one request per cycle through every subject and
// records what it did: status, Set-Cookie, cookie size, store reads and
// writes, Redis commands.
//
// Networked subjects use the servers at REDIS_URL and DATABASE_URL and
// are skipped when those are unset (they fail instead with
// SESSIONS_REQUIRE_SERVERS=1). They keep to their own corners of those
// servers: Redis database 15 of REDIS_URL's server, which is flushed when
// the tests start, and the PostgreSQL schema sessions_bench, whose tables
// are truncated and vacuumed when the tests start.
//
// The only exported name is GobCodec, a sessions.Codec over encoding/gob
// for rows that compare the library with its peers on their own codec.
package bench
