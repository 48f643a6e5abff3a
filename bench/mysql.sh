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
# Times are wall-clock; status is the median of 21 runs.
set -u
N=${1:-1000}
RECORD=${2:-}
cd "$(dirname "$0")/.." || exit 1
REPO=$PWD
SQLITCH=${SQLITCH:-$REPO/sqlitch}
SQITCH_BIN=${SQITCH_BIN:-sqitch}
. "$REPO/tests/lib/tap.sh"
. "$REPO/tests/lib/mysql.sh"
mysql_start >/dev/null
export SQITCH_PASSWORD=$MY_PASS

P=$TESTROOT/bench
GEN=${SQLITCH_YARDSTICK:-$REPO/../shared/bench}/gen-project
[ -x "$GEN" ] || GEN=/work/shared/bench/gen-project
if [ -x "$GEN" ]; then
    # the shared yardstick's project (a tag every 50, one or two requires
    # per change, two reworks), its SQLite DDL made MySQL's
    "$GEN" "$N" --tags 50 --deps -o "$P" >/dev/null 2>&1
    sed -i -e 's/INTEGER PRIMARY KEY,/INTEGER PRIMARY KEY AUTO_INCREMENT,/' \
           -e 's/TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP/TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP/' \
           -e 's/ to sqlite$/ to mysql/; s/ from sqlite$/ from mysql/; s/ on sqlite$/ on mysql/' \
        "$P"/deploy/*.sql "$P"/revert/*.sql "$P"/verify/*.sql
    PROJECT="the shared yardstick's gen-project $N --tags 50 --deps"
else
    mkdir -p "$P/deploy" "$P/revert" "$P/verify"
    {
        printf '%%syntax-version=1.0.0\n%%project=bench\n\n'
        for ((i = 1; i <= N; i++)); do
            printf 'c%d 2024-01-15T10:%02d:%02dZ Bench <bench@example.com> # change %d\n' \
                "$i" $(((i / 60) % 60)) $((i % 60)) "$i"
            printf 'CREATE TABLE t%d (id INT PRIMARY KEY, v VARCHAR(20));\n' "$i" > "$P/deploy/c$i.sql"
            printf 'DROP TABLE t%d;\n' "$i" > "$P/revert/c$i.sql"
            printf 'SELECT id, v FROM t%d WHERE 0;\n' "$i" > "$P/verify/c$i.sql"
            ((i % 50 == 0)) && printf '@v%d 2024-01-15T12:00:00Z Bench <bench@example.com>\n' "$i"
        done
    } > "$P/sqitch.plan"
    PROJECT="$N changes, one table each, a tag every 50"
fi
printf '[core]\n\tengine = mysql\n[engine "mysql"]\n\ttarget = %s\n[user]\n\tname = Bench User\n\temail = bench@example.com\n' \
    "$(my_uri bench)" > "$P/sqitch.conf"
cd "$P" || exit 1

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
fresh() { my_sql "DROP DATABASE IF EXISTS bench; DROP DATABASE IF EXISTS sqitch; CREATE DATABASE bench"; }

# time1 TOOL ARGS... : seconds for one run (fails loudly)
time1() {
    local t0 t1
    t0=$(now)
    "$@" >/dev/null 2>"$TESTROOT/err" || { echo "FAILED: $*" >&2; cat "$TESTROOT/err" >&2; exit 1; }
    t1=$(now)
    elapsed "$t0" "$t1"
}
# median of 21 runs, in ms
median() {
    local i
    for i in $(seq 1 21); do time1 "$@"; echo; done | sort -n | sed -n 11p |
        awk '{ printf "%.1f", $1 * 1000 }'
}

declare -A R
for tool in sqitch sqlitch; do
    bin=$SQITCH_BIN
    [ $tool = sqlitch ] && bin=$SQLITCH
    fresh
    R[$tool.deploy]=$(time1 "$bin" deploy)
    R[$tool.status]=$(median "$bin" status)
    R[$tool.log]=$(median "$bin" log -n 20)
    R[$tool.verify]=$(time1 "$bin" verify)
    R[$tool.revert]=$(time1 "$bin" revert -y)
done
# the floor under status: starting the binary, parsing the plan
FLOOR_VERSION=$(median "$SQLITCH" --version)
FLOOR_PLAN=$(median "$SQLITCH" plan)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }

table=$(cat <<EOF
| MariaDB $MY_VERSION, $N changes | sqitch 1.3.1 | sqlitch | speed-up |
|---|---:|---:|---:|
| deploy (s) | ${R[sqitch.deploy]} | ${R[sqlitch.deploy]} | $(ratio "${R[sqitch.deploy]}" "${R[sqlitch.deploy]}") |
| verify (s) | ${R[sqitch.verify]} | ${R[sqlitch.verify]} | $(ratio "${R[sqitch.verify]}" "${R[sqlitch.verify]}") |
| revert (s) | ${R[sqitch.revert]} | ${R[sqlitch.revert]} | $(ratio "${R[sqitch.revert]}" "${R[sqlitch.revert]}") |
| status (ms, median of 21) | ${R[sqitch.status]} | ${R[sqlitch.status]} | $(ratio "${R[sqitch.status]}" "${R[sqlitch.status]}") |
| log -n 20 (ms, median of 21) | ${R[sqitch.log]} | ${R[sqlitch.log]} | $(ratio "${R[sqitch.log]}" "${R[sqlitch.log]}") |

The floor under sqlitch's status here: \`sqlitch --version\` ${FLOOR_VERSION} ms,
\`sqlitch plan\` (no database, the same plan parsed) ${FLOOR_PLAN} ms (medians of 21).
EOF
)
echo "$table"
if [ "$RECORD" = --record ]; then
    {
        printf '\n## MySQL/MariaDB (bench/mysql.sh %s, %s)\n\n' "$N" "$(date -u +%Y-%m-%d)"
        printf 'Server: a throwaway mariadbd %s on tmpfs over TCP loopback, user with a\n' "$MY_VERSION"
        printf 'password. Project: %s. %s cores, load %s.\n\n' "$PROJECT" \
            "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
        echo "$table"
    } >> "$REPO/bench/RESULTS.md"
fi
