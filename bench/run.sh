#!/usr/bin/env bash
# Runs the benchmarks in one sitting and writes BENCHMARKS.md and its chart.
#
#   bench/run.sh
#
# It uses the servers at REDIS_URL and DATABASE_URL (by default the local
# ones) and starts no server. In one sitting it runs:
#   1. the raw store baselines: redis-benchmark (-c 32 -d 250 -t get,set,
#      with and without -P 16) on Redis database 15, and pgbench
#      (-n -M prepared -c 32 -j 2) with the postgres store's scripts;
#   2. the behaviour probe (TestBehaviour), every networked subject required;
#   3. the Go benchmarks (-count 5 -benchtime 1s, GOMAXPROCS 2);
#   4. the raw store baselines again;
#   5. benchstat (confidence 0.9) and cmd/report.
# Raw outputs go to $BENCH_OUT. At the end it empties what it used: Redis
# database 15 and the PostgreSQL schema sessions_bench.
#
# Environment (defaults in brackets):
#   REDIS_URL [redis://127.0.0.1:6379/0]
#   DATABASE_URL [postgres://postgres@127.0.0.1:5432/test?sslmode=disable]
#   BENCH_OUT [results]  BENCH_MD [BENCHMARKS.md]  BENCH_CHART [benchmarks.png]
#   BENCH_COUNT [5]  BENCH_TIME [1s]  BENCH_FILTER [.]  BENCH_CPU [2]
#   BENCH_REDIS_N [200000]  BENCH_PGBENCH_SECONDS [15]
# Relative paths are relative to this directory.
set -euo pipefail
cd "$(dirname "$0")"

: "${REDIS_URL:=redis://127.0.0.1:6379/0}"
: "${DATABASE_URL:=postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
export REDIS_URL DATABASE_URL
export SESSIONS_REQUIRE_SERVERS=1
out=${BENCH_OUT:-results}
md=${BENCH_MD:-BENCHMARKS.md}
chart=${BENCH_CHART:-benchmarks.png}
count=${BENCH_COUNT:-5}
benchtime=${BENCH_TIME:-1s}
filter=${BENCH_FILTER:-.}
cpu=${BENCH_CPU:-2}
redis_n=${BENCH_REDIS_N:-200000}
pg_seconds=${BENCH_PGBENCH_SECONDS:-15}
redis_db=15 # the database the Go benchmarks use too (servers_test.go)
pgbench_dir=../backends/postgres/testdata/pgbench

mkdir -p "$out"
started=$(date +%s)
log() { printf '%s [%4ds] %s\n' "$(date -u +%H:%M:%S)" "$(($(date +%s) - started))" "$*" >&2; }

baselines() { # before | after
	log "redis-benchmark ($1)"
	redis-benchmark -u "$REDIS_URL" --dbnum "$redis_db" -c 32 -n "$redis_n" -d 250 -t get,set -q >"$out/redis-$1.txt"
	redis-benchmark -u "$REDIS_URL" --dbnum "$redis_db" -c 32 -n "$redis_n" -d 250 -t get,set -q -P 16 >"$out/redis-p16-$1.txt"
	if [ -f "$pgbench_dir/run.sh" ]; then
		log "pgbench ($1, ${pg_seconds}s per script)"
		sh "$pgbench_dir/run.sh" "$pg_seconds" >"$out/pgbench-$1.txt" 2>&1
	else
		log "no $pgbench_dir/run.sh: skipping pgbench"
	fi
}

environment() {
	local cpu_model
	cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
	echo "date:      $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "go:        $(go version)"
	echo "cpu:       ${cpu_model:-unknown} x $(nproc)"
	echo "kernel:    $(uname -sr)"
	echo "redis:     $(redis-cli -u "$REDIS_URL" INFO server 2>/dev/null | grep -E '^redis_version' | tr -d '\r' | sed 's/^redis_version:/Redis /')"
	echo "postgres:  $(psql "$DATABASE_URL" -Atc "SELECT version() || ' (fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit') || ', shared_buffers=' || current_setting('shared_buffers') || ')'")"
	echo "run:       go test -run '^\$' -bench '$filter' -count $count -benchtime $benchtime -cpu $cpu"
	echo "baselines: redis-benchmark -c 32 -n $redis_n -d 250 -t get,set -q (and -P 16); pgbench -n -M prepared -c 32 -j 2 -T $pg_seconds"
	echo "modules:"
	go list -m all | grep -E 'alexedwards/scs|gorilla/|jackc/pgx|redis/go-redis|x/perf' | sed 's/^/  /'
}

environment >"$out/env.txt"
baselines before

log "behaviour probe"
BENCH_PROBE_OUT="$out/probe.json" go test -run '^TestBehaviour$' -count 1 . >"$out/probe.txt"

log "Go benchmarks: -count $count -benchtime $benchtime"
go test -run '^$' -bench "$filter" -count "$count" -benchtime "$benchtime" -cpu "$cpu" -timeout 0 . | tee "$out/bench.txt"

baselines after

log "benchstat and report"
go tool benchstat -confidence 0.9 "$out/bench.txt" >"$out/benchstat.txt" 2>/dev/null
go tool benchstat -confidence 0.9 -format csv "$out/bench.txt" >"$out/benchstat.csv" 2>/dev/null
go run ./cmd/report -in "$out" -out "$md" -chart "$chart" -notes notes.md -procs "-$cpu"

log "emptying Redis database $redis_db and the PostgreSQL schema sessions_bench"
redis-cli -u "$REDIS_URL" -n "$redis_db" FLUSHDB >/dev/null
psql -q "$DATABASE_URL" -c 'DROP SCHEMA IF EXISTS sessions_bench CASCADE'
log "wrote $md and $chart (raw outputs in $out)"
