#!/usr/bin/env bash
# bench/pg.sh -- sqlitch against the real sqitch on one PostgreSQL server,
# side by side: deploy of N changes (each creates a table and inserts a
# row in a transaction), status, log, verify and revert of all of them.
# Both tools run on a fresh throwaway server (tests/lib/pg.sh: a private
# postgres, started and stopped here; fsync off unless PG_FSYNC=on) over
# its unix socket, with the same project -- the shared yardstick's
# (../shared/bench/gen-project N --tags 50 --deps, its SQLite DDL turned
# into PostgreSQL's) -- and the same database.
#
#   bench/pg.sh                 # N = 1000, prints a markdown table
#   bench/pg.sh 200             # a quicker run
#   bench/pg.sh 1000 --record   # ... and append it to bench/RESULTS.md
#
# Environment: SQLITCH (default ./sqlitch), SQITCH_BIN (default sqitch).
# Times are wall-clock; status and log are the median of 21 runs.
set -u
N=${1:-1000}
RECORD=${2:-}
cd "$(dirname "$0")/.." || exit 1
REPO=$PWD
SQLITCH=${SQLITCH:-$REPO/sqlitch}
SQITCH_BIN=${SQITCH_BIN:-sqitch}
. "$REPO/tests/lib/tap.sh"
. "$REPO/tests/lib/pg.sh"
. "$REPO/bench/lib.sh"
export PG_SHARED_BUFFERS=${PG_SHARED_BUFFERS:-128MB}   # PostgreSQL's default
pg_start >/dev/null

bench_project pg \
    'BEGIN;\nCREATE TABLE t%d (id INT PRIMARY KEY, v TEXT);\nCOMMIT;\n' \
    'BEGIN;\nDROP TABLE t%d;\nCOMMIT;\n' \
    'SELECT id, v FROM t%d WHERE false;\n' \
    -e 's/id         INTEGER PRIMARY KEY,/id         SERIAL PRIMARY KEY,/' \
    -e 's/WHERE 0;/WHERE false;/'

fresh() { pg_fresh_db bench; }
# Each tool gets a server of its own, freshly started: a second database
# on a server that just dropped 1,000 tables is measurably slower, and
# that would favour whichever tool went first.
restart() {
    pg_stop
    rm -rf "$PG_DIR"
    pg_start >/dev/null
    bench_conf pg "$(pg_uri bench)"
}

bench_run
bench_table "PostgreSQL $PG_VERSION"
bench_record "PostgreSQL (bench/pg.sh $N, $(date -u +%Y-%m-%d))" \
    "Server: a throwaway postgres $PG_VERSION (fsync ${PG_FSYNC:-off}, shared_buffers $PG_SHARED_BUFFERS), a fresh one per tool, over its unix socket, the superuser."
