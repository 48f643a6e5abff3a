#!/usr/bin/env bash
# Live WAL-mode databases:
#   - deploy into a WAL target while another process keeps reading it: the
#     reader never sees a half-applied change (a table without its log row);
#   - a change commits on the target, then on the registry: the intent the
#     engine arms in the registry header lets the next run complete the
#     registry when only the target committed (SQLITCH_FAULT=
#     after-target-commit exits 137 in that window, as a crash would), for
#     deploy and for revert, and drop it when the target did not commit;
#   - nothing stays armed after a normal run (user_version 0).
. "$(dirname "$0")/../lib/tap.sh"

P=$TESTROOT/p
mkdir -p "$P/deploy" "$P/revert" "$P/verify"
cd "$P"
printf '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:app.db\n' > sqitch.conf
{
    printf '%%syntax-version=1.0.0\n%%project=live\n\n'
    printf 'logtab 2024-01-01T00:00:00Z T <t@example.com>\n'
    for i in $(seq 1 12); do printf 'c%d 2024-01-01T00:%02d:00Z T <t@example.com>\n' "$i" "$i"; done
} > sqitch.plan
printf 'BEGIN;\nCREATE TABLE log (i INTEGER);\nCOMMIT;\n' > deploy/logtab.sql
printf 'BEGIN;\nDROP TABLE log;\nCOMMIT;\n' > revert/logtab.sql
for i in $(seq 1 12); do
    # each change: a table and a log row, with enough rows to take a while
    printf 'BEGIN;\nCREATE TABLE t%d (x);\nWITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 60000)\nINSERT INTO t%d SELECT n FROM r;\nINSERT INTO log VALUES (%d);\nCOMMIT;\n' "$i" "$i" "$i" > deploy/c$i.sql
    printf 'BEGIN;\nDELETE FROM log WHERE i = %d;\nDROP TABLE t%d;\nCOMMIT;\n' "$i" "$i" > revert/c$i.sql
done
sqlite3 app.db 'PRAGMA journal_mode = WAL;' >/dev/null
is "$(sqlite3 app.db 'PRAGMA journal_mode')" wal "target is in WAL mode"

check() {  # tables t<i> vs log rows vs registry, in one read each
    local tabs logs reg
    tabs=$(sqlite3 app.db "SELECT count(*) FROM sqlite_master WHERE name GLOB 't[0-9]*'")
    logs=$(sqlite3 app.db "SELECT count(*) FROM log" 2>/dev/null || echo 0)
    reg=$(sqlite3 sqitch.db "SELECT count(*) FROM changes WHERE change GLOB 'c*'" 2>/dev/null || echo 0)
    echo "$tabs $logs $reg"
}

# 1. a reader during the deploy
: > "$TESTROOT/seen"
(
    while [ ! -f "$TESTROOT/stop" ]; do
        sqlite3 app.db "SELECT (SELECT count(*) FROM sqlite_master WHERE name GLOB 't[0-9]*') || ' ' || (SELECT count(*) FROM log)" \
            >> "$TESTROOT/seen" 2>/dev/null
    done
) &
reader=$!
run_cmd SQLITCH deploy
touch "$TESTROOT/stop"
wait "$reader"
is "$RC" 0 "deploy into a WAL database with a live reader"
ok "[ \$(wc -l < '$TESTROOT/seen') -gt 3 ]" "the reader read while the deploy ran ($(wc -l < "$TESTROOT/seen") reads)"
is "$(awk '$1 != $2' "$TESTROOT/seen" | head -3)" "" "the reader never saw a half-applied change"
is "$(check)" "12 12 12" "everything deployed and recorded"
is "$(sqlite3 sqitch.db 'PRAGMA user_version')" 0 "no intent left armed"
ok "[ ! -e sqitch.db-sqlitch-intent ]" "no side file"
is "$(sqlite3 app.db 'PRAGMA journal_mode')" wal "target still in WAL mode"

# 2. crash between the target commit and the registry commit (deploy)
run_cmd SQLITCH revert -y
is "$RC" 0 "revert all"
is "$(check)" "0 0 0" "all reverted"
run_cmd SQLITCH deploy --to logtab
is "$RC" 0 "deploy the log table"
SQLITCH_FAULT=after-target-commit run_cmd SQLITCH deploy --to c1
is "$RC" 137 "simulated crash after the target committed"
is "$(check)" "1 1 0" "target has c1, registry does not"
ok "[ \"\$(sqlite3 sqitch.db 'PRAGMA user_version')\" != 0 ]" "intent armed in the registry header"
run_cmd SQLITCH deploy --to c3
is "$RC" 0 "next deploy runs"
like "$ERR" "warning: Completing the registry record of the interrupted deploy of change [0-9a-f]{40}" \
    "it says it completed the interrupted change"
is "$(check)" "3 3 3" "c1 recorded from the intent, c2 and c3 deployed"
is "$(sqlite3 sqitch.db 'PRAGMA user_version')" 0 "intent cleared"
is "$(sqlite3 sqitch.db "SELECT group_concat(event, ' ') FROM (SELECT event FROM events WHERE change = 'c1' ORDER BY committed_at)")" \
    "deploy revert deploy" "c1's events: the first deploy, the revert, the recovered deploy"

# 3. the same for revert
SQLITCH_FAULT=after-target-commit run_cmd SQLITCH revert -y --to c2
is "$RC" 137 "simulated crash during revert"
is "$(check)" "2 2 3" "target lost c3, registry still lists it"
run_cmd SQLITCH revert -y --to c1
is "$RC" 0 "next revert runs"
like "$ERR" "interrupted revert of change" "it completed the interrupted revert"
is "$(check)" "1 1 1" "c3 and c2 reverted, registry agrees"
is "$(sqlite3 sqitch.db "SELECT group_concat(event, ' ') FROM (SELECT event FROM events WHERE change = 'c3' ORDER BY committed_at)")" \
    "deploy revert deploy revert" "c3's events end with the recovered revert"

# 4. an intent whose target commit never happened is discarded
cp app.db "$TESTROOT/before.db"
sqlite3 "$TESTROOT/before.db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
sqlite3 app.db 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
cp app.db "$TESTROOT/before.db"
SQLITCH_FAULT=after-target-commit run_cmd SQLITCH deploy --to c2
is "$RC" 137 "simulated crash again"
rm -f app.db-wal app.db-shm
cp "$TESTROOT/before.db" app.db
is "$(check)" "1 1 1" "target as before the change (its commit lost)"
run_cmd SQLITCH deploy
is "$RC" 0 "deploy after a lost commit"
unlike_warn=$(printf '%s' "$ERR" | grep -c Completing || true)
is "$unlike_warn" 0 "nothing completed: the intent was discarded"
is "$(check)" "12 12 12" "deployed once, recorded once"
run_cmd sqitch verify
is "$RC" 0 "sqitch verifies the result"

done_testing
