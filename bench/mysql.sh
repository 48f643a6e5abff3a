#!/usr/bin/env bash
# bench/mysql.sh -- sqlitch against the real sqitch on one MariaDB server,
# side by side: deploy of N changes (each creates a table), status, log
# and revert of all of them. Both tools run on a fresh throwaway server
# (tests/lib/mysql.sh: mariadbd on tmpfs, started and stopped here) with
# the same project -- the shared yardstick's (../shared/bench/gen-project
# N --tags 50 --deps, its SQLite DDL turned into MySQL's) -- the same
# databases and the same credentials.
#
#   bench/mysql.sh                 # N = 1000, prints a markdown table
#   bench/mysql.sh 200             # a quicker run
#   bench/mysql.sh 1000 --record   # ... and append it to bench/RESULTS.md
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
. "$REPO/tests/lib/mysql.sh"
. "$REPO/bench/lib.sh"
mysql_start >/dev/null
export SQITCH_PASSWORD=$MY_PASS

# the shared yardstick's project (a tag every 50, one or two requires per
# change, two reworks), its SQLite DDL made MySQL's
bench_project mysql \
    'CREATE TABLE t%d (id INT PRIMARY KEY, v VARCHAR(20));\n' \
    'DROP TABLE t%d;\n' \
    'SELECT id, v FROM t%d WHERE 0;\n' \
    -e 's/INTEGER PRIMARY KEY,/INTEGER PRIMARY KEY AUTO_INCREMENT,/' \
    -e 's/TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP/TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP/'
bench_conf mysql "$(my_uri bench)"

fresh() { my_sql "DROP DATABASE IF EXISTS bench; DROP DATABASE IF EXISTS sqitch; CREATE DATABASE bench"; }

bench_run
bench_table "MariaDB $MY_VERSION"
bench_record "MySQL/MariaDB (bench/mysql.sh $N, $(date -u +%Y-%m-%d))" \
    "Server: a throwaway mariadbd $MY_VERSION on tmpfs over TCP loopback, user with a password."
