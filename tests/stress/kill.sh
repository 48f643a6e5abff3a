#!/usr/bin/env bash
# kill.sh -- atomicity under SIGKILL (TAP; not part of `make test`).
#
#   tests/stress/kill.sh                 200 deploy + 200 revert trials
#   TRIALS=20 JOURNAL=wal tests/stress/kill.sh
#   prove -v tests/stress/kill.sh
#
# Each trial starts `sqlitch deploy` (or `revert -y`) of a 20-change
# project and kills it with SIGKILL after a random delay within the time a
# full run takes. Then:
#   - rollback-journal targets (JOURNAL=delete, the default): the state
#     right after the kill is already consistent -- a change's table exists
#     exactly when the registry records the change;
#   - then a rerun (deploy / revert -y) must succeed and leave everything
#     deployed (reverted), recorded as such, with both databases passing
#     PRAGMA integrity_check.
# A change commits on the target, then on the registry; when a kill lands
# between the two, the registry lags by one change and the rerun records
# it from the intent armed in the registry header. So the state right
# after a kill may lag by exactly that one change (allowed when the intent
# is armed), and must be fully consistent after the rerun. JOURNAL=wal puts
# the target in WAL mode. Sourced by tests/cli/atomic.t with few trials.
type done_testing >/dev/null 2>&1 || . "$(dirname "${BASH_SOURCE[0]}")/../lib/tap.sh"
TRIALS=${TRIALS:-200}
JOURNAL=${JOURNAL:-delete}
N=20

P=$TESTROOT/proj
mkdir -p "$P/deploy" "$P/revert" "$P/verify"
printf '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:app.db\n' > "$P/sqitch.conf"
{
    printf '%%syntax-version=1.0.0\n%%project=kill\n\n'
    for i in $(seq 1 $N); do
        printf 'c%d 2024-01-01T00:%02d:00Z T <t@example.com>\n' "$i" "$i"
        [ $((i % 5)) = 0 ] && printf '@v%d 2024-01-01T01:%02d:00Z T <t@example.com>\n' "$i" "$i"
    done
} > "$P/sqitch.plan"
for i in $(seq 1 $N); do
    printf 'BEGIN;\nCREATE TABLE t%d (x);\nWITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 2000)\nINSERT INTO t%d SELECT n FROM r;\nCOMMIT;\n' "$i" "$i" > "$P/deploy/c$i.sql"
    printf 'BEGIN;\nDROP TABLE t%d;\nCOMMIT;\n' "$i" > "$P/revert/c$i.sql"
done

fresh() {
    rm -rf "$TESTROOT/w"
    cp -a "$P" "$TESTROOT/w"
    cd "$TESTROOT/w"
    sqlite3 app.db "PRAGMA journal_mode = $JOURNAL;" >/dev/null
}

# "tables registered": counts, plus "bad" if they disagree change by change
state() {
    local tabs reg
    tabs=$(sqlite3 app.db "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE name GLOB 't[0-9]*' ORDER BY name)")
    reg=$(sqlite3 sqitch.db "SELECT group_concat('t' || substr(change, 2)) FROM (SELECT change FROM changes ORDER BY 't' || substr(change, 2))" 2>/dev/null)
    if [ "$tabs" = "$reg" ]; then echo "ok"; else echo "bad tables=[$tabs] registry=[$reg]"; fi
}

integrity() {
    local a b
    a=$(sqlite3 app.db 'PRAGMA integrity_check')
    b=$(sqlite3 sqitch.db 'PRAGMA integrity_check' 2>/dev/null || echo ok)
    echo "$a $b"
}

# How long does a full run take here?
fresh
t0=$(date +%s%N); "$SQLITCH" deploy >/dev/null 2>&1; t1=$(date +%s%N)
"$SQLITCH" revert -y >/dev/null 2>&1; t2=$(date +%s%N)
DEPLOY_US=$(( (t1 - t0) / 1000 )); REVERT_US=$(( (t2 - t1) / 1000 ))
diag "full deploy ${DEPLOY_US}us, full revert ${REVERT_US}us, journal $JOURNAL, $TRIALS trials each"

trial() {  # trial deploy|revert DELAY_US
    local what=$1 delay=$2 pid
    fresh
    if [ "$what" = revert ]; then "$SQLITCH" deploy >/dev/null 2>&1 || return 1; fi
    if [ "$what" = deploy ]; then "$SQLITCH" deploy >/dev/null 2>&1 & pid=$!
    else "$SQLITCH" revert -y >/dev/null 2>&1 & pid=$!; fi
    sleep "$(printf '0.%06d' "$delay")"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    local after armed
    after=$(state)
    armed=$(sqlite3 sqitch.db 'PRAGMA user_version' 2>/dev/null || echo 0)
    if [ "$after" != ok ] && [ "$armed" = 0 ]; then echo "after kill: $after (nothing armed)"; return 0; fi
    if [ "$what" = deploy ]; then "$SQLITCH" deploy >/dev/null 2>"$TESTROOT/rerun.err"
    else "$SQLITCH" revert -y >/dev/null 2>"$TESTROOT/rerun.err"; fi
    local rc=$?
    local n
    n=$(sqlite3 sqitch.db 'SELECT count(*) FROM changes' 2>/dev/null || echo 0)
    local want=$N; [ "$what" = revert ] && want=0
    local left
    left=$(sqlite3 sqitch.db 'PRAGMA user_version' 2>/dev/null || echo 0)
    echo "rerun=$rc state=$(state) changes=$n/$want integrity=$(integrity)$( [ "$left" != 0 ] && echo ' intent-left')"
}

for what in deploy revert; do
    total=$DEPLOY_US; [ "$what" = revert ] && total=$REVERT_US
    fails=0
    for t in $(seq 1 "$TRIALS"); do
        delay=$(( (RANDOM * 32768 + RANDOM) % (total + 1) ))
        [ "$delay" -gt 999999 ] && delay=999999
        got=$(trial "$what" "$delay")
        want="rerun=0 state=ok changes=$N/$N integrity=ok ok"
        [ "$what" = revert ] && want="rerun=0 state=ok changes=0/0 integrity=ok ok"
        if [ "$got" != "$want" ]; then
            fails=$((fails + 1))
            diag "$what trial $t (kill after ${delay}us): $got"
            cat "$TESTROOT/rerun.err" 2>/dev/null | sed 's/^/#   /' | head -5
        fi
    done
    is "$fails" 0 "$what: $TRIALS SIGKILL trials ($JOURNAL), consistent after each kill and rerun"
done
[ -n "${KILL_NO_DONE:-}" ] || done_testing
