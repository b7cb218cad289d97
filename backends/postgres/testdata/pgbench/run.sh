#!/bin/sh
# Measures PostgreSQL alone on the store's table, as the physical limit
# the store's benchmarks are compared with (see bench_test.go):
#
#   DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
#       backends/postgres/testdata/pgbench/run.sh [seconds per script, default 15]
#
# setup.sql (re)creates the schema sessions_pgbench with the store's table
# and 10,000 live sessions; then each script runs as
# pgbench -n -M prepared -c 32 -j 2 (prepared statements, as pgx uses by
# default; 32 clients, as the Go benchmarks' 32 goroutines and MaxConns).
# The schema is dropped at the end.
set -eu
cd "$(dirname "$0")"
url=${DATABASE_URL:?set DATABASE_URL to the server to measure}
seconds=${1:-15}
psql -q -v ON_ERROR_STOP=1 -d "$url" -f setup.sql
for script in select update insert; do
	echo "== $script.sql"
	pgbench -n -M prepared -c 32 -j 2 -T "$seconds" -f "$script.sql" "$url"
done
psql -q -v ON_ERROR_STOP=1 -d "$url" -c 'DROP SCHEMA sessions_pgbench CASCADE'
