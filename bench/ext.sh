#!/usr/bin/env bash
# bench/ext.sh -- the extension's speed budgets, on projects made by the
# shared yardstick's generator (../shared/bench/gen-project: a tag every 50
# changes, dependencies, 2 reworks):
#
#   plan-count   SELECT count(*) FROM sqlitch_plan over 10,000 changes, the
#                first query of a fresh connection (parse included), and
#                again on the same connection (the cached plan)      <= 40 ms
#   plan-lookup  a join of 10,000 names against sqlitch_plan: time per
#                `name = ?` lookup (no re-parse per row)
#   deploy-1000  sqlite3 target.db "SELECT sqlitch_deploy()" against
#                `sqlitch deploy`, 1,000 changes into an empty database,
#                run alternately; ratio of medians                   <= 1.2x
#
#   bench/ext.sh [--runs N] [--no-fsync]
#
# --no-fsync preloads libeatmydata (as the yardstick's --no-fsync): disk
# flushes become free and the figure measures the code. Times are wall
# clock, medians of N runs (default 5). Figures go to bench/RESULTS.md by
# hand.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
YARD=${SQLITCH_YARDSTICK:-$REPO/../shared/bench}
[ -x "$YARD/gen-project" ] || YARD=/work/shared/bench
BIN=${SQLITCH_BIN:-$REPO/sqlitch}
EXT=${SQLITCH_EXT:-$REPO/sqlitch.so}
RUNS=5
PRELOAD=
while [ $# -gt 0 ]; do
    case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --no-fsync) PRELOAD=libeatmydata.so; shift ;;
    *) echo "usage: $0 [--runs N] [--no-fsync]" >&2; exit 2 ;;
    esac
done
export SQITCH_USER_CONFIG=/dev/null SQITCH_SYSTEM_CONFIG=/dev/null TZ=UTC LC_ALL=C
W=$(mktemp -d "${TMPDIR:-/tmp}/sqlitch-ext-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

"$YARD/gen-project" 10000 --tags 50 --deps -o "$W/p10k" >/dev/null 2>&1
"$YARD/gen-project" 1000 --tags 50 --deps -o "$W/p1k" >/dev/null 2>&1

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ms() { awk '{printf "%.1f ms", $1 * 1000}'; }

# ------------------------------------------------------------- plan-count
first=() cpu=() again=()
for ((i = 0; i < RUNS; i++)); do
    t=$(cd "$W/p10k" && printf '.load %s\n.timer on\nSELECT count(*) FROM sqlitch_plan;\nSELECT count(*) FROM sqlitch_plan;\n' "$EXT" |
        sqlite3 :memory: | sed -n 's/^Run Time: real \([0-9.]*\) user \([0-9.]*\) sys \([0-9.]*\).*/\1 \2 \3/p')
    first+=("$(sed -n '1s/ .*//p' <<<"$t")")
    cpu+=("$(awk 'NR == 1 {print $2 + $3}' <<<"$t")")
    again+=("$(sed -n '2s/ .*//p' <<<"$t")")
done
printf 'plan-count   10,000 changes, first query   %s wall, %s CPU (median of %d; budget 40 ms)\n' \
    "$(printf '%s\n' "${first[@]}" | median | ms)" "$(printf '%s\n' "${cpu[@]}" | median | ms)" "$RUNS"
printf 'plan-count   10,000 changes, cached plan   %s\n' "$(printf '%s\n' "${again[@]}" | median | ms)"

# ------------------------------------------------------------ plan-lookup
lk=()
for ((i = 0; i < RUNS; i++)); do
    t=$(cd "$W/p10k" && printf '.load %s\nCREATE TABLE w AS SELECT name FROM sqlitch_plan;\n.timer on\nSELECT count(*) FROM w JOIN sqlitch_plan p ON p.name = w.name;\n' "$EXT" |
        sqlite3 :memory: | sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p')
    lk+=("$t")
done
printf 'plan-lookup  10,000 name = ? lookups        %s in all, %s per lookup\n' \
    "$(printf '%s\n' "${lk[@]}" | median | ms)" \
    "$(printf '%s\n' "${lk[@]}" | median | awk '{printf "%.1f us", $1 * 1e6 / 10000}')"

# ------------------------------------------------------------ deploy-1000
wall() { # wall DIR CMD...: seconds taken by CMD in DIR
    local d=$1; shift
    (cd "$d" && LD_PRELOAD=$PRELOAD python3 "$YARD/lib/timecmd.py" --stdout "$W/out" --stderr "$W/err" -- "$@") |
        sed -n 's/.*wall_s=\([0-9.]*\).*/\1/p'
}
cli=() sql=()
for ((i = 0; i < RUNS; i++)); do
    rm -rf "$W/a" "$W/b"
    cp -a "$W/p1k" "$W/a"
    cp -a "$W/p1k" "$W/b"
    sync
    cli+=("$(wall "$W/a" "$BIN" deploy)")
    n=$(sqlite3 "$W/a/sqitch.db" "SELECT count(*) FROM changes")
    [ "$n" = 1000 ] || { echo "deploy-1000: sqlitch deploy recorded $n changes" >&2; exit 1; }
    sql+=("$(wall "$W/b" sqlite3 -batch target.db ".load $EXT" "SELECT sqlitch_deploy()")")
    n=$(sqlite3 "$W/b/sqitch.db" "SELECT count(*) FROM changes")
    [ "$n" = 1000 ] || { echo "deploy-1000: sqlitch_deploy() recorded $n changes" >&2; exit 1; }
done
c=$(printf '%s\n' "${cli[@]}" | median)
s=$(printf '%s\n' "${sql[@]}" | median)
printf 'deploy-1000  sqlitch deploy %s, SELECT sqlitch_deploy() %s: %sx (budget 1.2x)%s\n' \
    "$(ms <<<"$c")" "$(ms <<<"$s")" "$(awk -v a="$s" -v b="$c" 'BEGIN {printf "%.2f", a / b}')" \
    "${PRELOAD:+, no fsync}"
