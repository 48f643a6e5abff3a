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
export PG_SHARED_BUFFERS=${PG_SHARED_BUFFERS:-128MB}   # PostgreSQL's default
pg_start >/dev/null

P=$TESTROOT/bench
GEN=${SQLITCH_YARDSTICK:-$REPO/../shared/bench}/gen-project
[ -x "$GEN" ] || GEN=/work/shared/bench/gen-project
if [ -x "$GEN" ]; then
    "$GEN" "$N" --tags 50 --deps -o "$P" >/dev/null 2>&1
    sed -i -e 's/id         INTEGER PRIMARY KEY,/id         SERIAL PRIMARY KEY,/' \
           -e 's/WHERE 0;/WHERE false;/' \
           -e 's/ to sqlite$/ to pg/; s/ from sqlite$/ from pg/; s/ on sqlite$/ on pg/' \
        "$P"/deploy/*.sql "$P"/revert/*.sql "$P"/verify/*.sql
    PROJECT="the shared yardstick's gen-project $N --tags 50 --deps"
else
    mkdir -p "$P/deploy" "$P/revert" "$P/verify"
    {
        printf '%%syntax-version=1.0.0\n%%project=bench\n\n'
        for ((i = 1; i <= N; i++)); do
            printf 'c%d 2024-01-15T10:%02d:%02dZ Bench <bench@example.com> # change %d\n' \
                "$i" $(((i / 60) % 60)) $((i % 60)) "$i"
            printf 'BEGIN;\nCREATE TABLE t%d (id INT PRIMARY KEY, v TEXT);\nCOMMIT;\n' "$i" > "$P/deploy/c$i.sql"
            printf 'BEGIN;\nDROP TABLE t%d;\nCOMMIT;\n' "$i" > "$P/revert/c$i.sql"
            printf 'SELECT id, v FROM t%d WHERE false;\n' "$i" > "$P/verify/c$i.sql"
            ((i % 50 == 0)) && printf '@v%d 2024-01-15T12:00:00Z Bench <bench@example.com>\n' "$i"
        done
    } > "$P/sqitch.plan"
    PROJECT="$N changes, one table each, a tag every 50"
fi
printf '[core]\n\tengine = pg\n[engine "pg"]\n\ttarget = %s\n[user]\n\tname = Bench User\n\temail = bench@example.com\n' \
    "$(pg_uri bench)" > "$P/sqitch.conf"
cd "$P" || exit 1

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
fresh() { pg_fresh_db bench; }

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

# Each tool gets a server of its own, freshly started: a second database
# on a server that just dropped 1,000 tables is measurably slower, and
# that would favour whichever tool went first.
restart() { pg_stop; rm -rf "$PG_DIR"; pg_start >/dev/null; }
declare -A R
for tool in sqitch sqlitch; do
    bin=$SQITCH_BIN
    [ $tool = sqlitch ] && bin=$SQLITCH
    restart
    printf '[core]\n\tengine = pg\n[engine "pg"]\n\ttarget = %s\n[user]\n\tname = Bench User\n\temail = bench@example.com\n' \
        "$(pg_uri bench)" > "$P/sqitch.conf"
    fresh
    R[$tool.deploy]=$(time1 "$bin" deploy)
    R[$tool.status]=$(median "$bin" status)
    R[$tool.log]=$(median "$bin" log -n 20)
    R[$tool.verify]=$(time1 "$bin" verify)
    R[$tool.revert]=$(time1 "$bin" revert -y)
done
FLOOR_VERSION=$(median "$SQLITCH" --version)
FLOOR_PLAN=$(median "$SQLITCH" plan)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }

table=$(cat <<EOT
| PostgreSQL $PG_VERSION, $N changes | sqitch 1.3.1 | sqlitch | speed-up |
|---|---:|---:|---:|
| deploy (s) | ${R[sqitch.deploy]} | ${R[sqlitch.deploy]} | $(ratio "${R[sqitch.deploy]}" "${R[sqlitch.deploy]}") |
| verify (s) | ${R[sqitch.verify]} | ${R[sqlitch.verify]} | $(ratio "${R[sqitch.verify]}" "${R[sqlitch.verify]}") |
| revert (s) | ${R[sqitch.revert]} | ${R[sqlitch.revert]} | $(ratio "${R[sqitch.revert]}" "${R[sqlitch.revert]}") |
| status (ms, median of 21) | ${R[sqitch.status]} | ${R[sqlitch.status]} | $(ratio "${R[sqitch.status]}" "${R[sqlitch.status]}") |
| log -n 20 (ms, median of 21) | ${R[sqitch.log]} | ${R[sqlitch.log]} | $(ratio "${R[sqitch.log]}" "${R[sqlitch.log]}") |

The floor under sqlitch's status here: \`sqlitch --version\` ${FLOOR_VERSION} ms,
\`sqlitch plan\` (no database, the same plan parsed) ${FLOOR_PLAN} ms (medians of 21).
EOT
)
echo "$table"
if [ "$RECORD" = --record ]; then
    {
        printf '\n## PostgreSQL (bench/pg.sh %s, %s)\n\n' "$N" "$(date -u +%Y-%m-%d)"
        printf 'Server: a throwaway postgres %s (fsync %s, shared_buffers %s), a fresh one\n' "$PG_VERSION" "${PG_FSYNC:-off}" "$PG_SHARED_BUFFERS"
        printf 'per tool, over its unix socket, the superuser. Project: %s. %s cores, load %s.\n\n' "$PROJECT" \
            "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
        echo "$table"
    } >> "$REPO/bench/RESULTS.md"
fi
