// Package nodetest lets the real Node library judge the redissessions
// store: its tests drive redis-sessions 4.0.0 (installed here with npm ci,
// pinned by package-lock.json) in a node process against the same Redis,
// and check that what either side writes the other reads, changes and
// ends. It is a module of its own so that nothing of Node reaches the
// library's go.mod; the tests run in CI, never skipped
// (SESSIONS_REQUIRE_SERVERS=1 turns a missing node, package or Redis into
// a failure).
package nodetest
