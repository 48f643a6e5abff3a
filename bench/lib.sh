# shellcheck shell=bash
# bench/lib.sh -- what bench/pg.sh and bench/mysql.sh share: the project
# both tools deploy, the timing, the side-by-side run and its table.
# Source it from a bench script after tests/lib/tap.sh and the server's
# library (it uses $REPO, $TESTROOT, $N, $RECORD, $SQLITCH, $SQITCH_BIN):
#
#   bench_project ENGINE DEPLOY_FMT REVERT_FMT VERIFY_FMT SED_ARGS...
#       # $P: the shared yardstick's gen-project N --tags 50 --deps with
#       # its SQLite DDL made the engine's by sed (SED_ARGS), or, without
#       # the yardstick, N changes from the three printf formats (%d = i);
#       # sets $PROJECT to a description
#   bench_conf ENGINE URI     # $P/sqitch.conf for that target
#   bench_run                 # both tools: calls fresh() (and restart(),
#                             # when the script defines it) before each
#   bench_table TITLE         # prints the markdown table, sets $TABLE
#   bench_record HEADING DESCRIPTION  # with --record: append to RESULTS.md
#
# Times are wall-clock (a `date` on each side); status and log are the
# median of 21 runs.

bench_project() {
    local engine=$1 dfmt=$2 rfmt=$3 vfmt=$4 i
    shift 4
    P=$TESTROOT/bench
    local gen=${SQLITCH_YARDSTICK:-$REPO/../shared/bench}/gen-project
    [ -x "$gen" ] || gen=/work/shared/bench/gen-project
    if [ -x "$gen" ]; then
        "$gen" "$N" --tags 50 --deps -o "$P" >/dev/null 2>&1
        sed -i "$@" \
            -e "s/ to sqlite\$/ to $engine/; s/ from sqlite\$/ from $engine/; s/ on sqlite\$/ on $engine/" \
            "$P"/deploy/*.sql "$P"/revert/*.sql "$P"/verify/*.sql
        PROJECT="the shared yardstick's gen-project $N --tags 50 --deps"
    else
        mkdir -p "$P/deploy" "$P/revert" "$P/verify"
        {
            printf '%%syntax-version=1.0.0\n%%project=bench\n\n'
            for ((i = 1; i <= N; i++)); do
                printf 'c%d 2024-01-15T10:%02d:%02dZ Bench <bench@example.com> # change %d\n' \
                    "$i" $(((i / 60) % 60)) $((i % 60)) "$i"
                # shellcheck disable=SC2059 # the formats are the caller's
                printf "$dfmt" "$i" > "$P/deploy/c$i.sql"
                # shellcheck disable=SC2059
                printf "$rfmt" "$i" > "$P/revert/c$i.sql"
                # shellcheck disable=SC2059
                printf "$vfmt" "$i" > "$P/verify/c$i.sql"
                ((i % 50 == 0)) && printf '@v%d 2024-01-15T12:00:00Z Bench <bench@example.com>\n' "$i"
            done
        } > "$P/sqitch.plan"
        PROJECT="$N changes, one table each, a tag every 50"
    fi
}

bench_conf() {
    printf '[core]\n\tengine = %s\n[engine "%s"]\n\ttarget = %s\n[user]\n\tname = Bench User\n\temail = bench@example.com\n' \
        "$1" "$1" "$2" > "$P/sqitch.conf"
}

_bench_now() { date +%s.%N; }

# _bench_time1 TOOL ARGS... : seconds for one run (fails loudly)
_bench_time1() {
    local t0 t1
    t0=$(_bench_now)
    "$@" >/dev/null 2>"$TESTROOT/err" || { echo "FAILED: $*" >&2; cat "$TESTROOT/err" >&2; exit 1; }
    t1=$(_bench_now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

# _bench_median TOOL ARGS... : median of 21 runs, in ms
_bench_median() {
    local i
    for i in $(seq 1 21); do _bench_time1 "$@"; echo; done | sort -n | sed -n 11p |
        awk '{ printf "%.1f", $1 * 1000 }'
}

_bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }

declare -A R
bench_run() {
    local tool bin
    cd "$P" || exit 1
    for tool in sqitch sqlitch; do
        bin=$SQITCH_BIN
        [ $tool = sqlitch ] && bin=$SQLITCH
        if declare -F restart >/dev/null; then restart; fi
        fresh
        R[$tool.deploy]=$(_bench_time1 "$bin" deploy)
        R[$tool.status]=$(_bench_median "$bin" status)
        R[$tool.log]=$(_bench_median "$bin" log -n 20)
        R[$tool.verify]=$(_bench_time1 "$bin" verify)
        R[$tool.revert]=$(_bench_time1 "$bin" revert -y)
    done
    # the floor under status: starting the binary, parsing the plan
    R[floor.version]=$(_bench_median "$SQLITCH" --version)
    R[floor.plan]=$(_bench_median "$SQLITCH" plan)
}

# _bench_row LABEL KEY
_bench_row() {
    printf '| %s | %s | %s | %s |\n' "$1" "${R[sqitch.$2]}" "${R[sqlitch.$2]}" \
        "$(_bench_ratio "${R[sqitch.$2]}" "${R[sqlitch.$2]}")"
}

bench_table() {
    TABLE=$(
        printf '| %s, %s changes | sqitch 1.3.1 | sqlitch | speed-up |\n|---|---:|---:|---:|\n' "$1" "$N"
        _bench_row 'deploy (s)' deploy
        _bench_row 'verify (s)' verify
        _bench_row 'revert (s)' revert
        _bench_row 'status (ms, median of 21)' status
        _bench_row 'log -n 20 (ms, median of 21)' log
        printf '\nThe floor under sqlitch'"'"'s status here: `sqlitch --version` %s ms,\n' "${R[floor.version]}"
        printf '`sqlitch plan` (no database, the same plan parsed) %s ms (medians of 21).\n' "${R[floor.plan]}"
    )
    echo "$TABLE"
}

bench_record() {
    [ "$RECORD" = --record ] || return 0
    {
        printf '\n## %s\n\n' "$1"
        printf '%s Project: %s. %s cores, load %s.\n\n' "$2" "$PROJECT" \
            "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
        echo "$TABLE"
    } >> "$REPO/bench/RESULTS.md"
}
