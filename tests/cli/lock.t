#!/usr/bin/env bash
# Locking: two deploys (or a deploy and a revert) against one database at
# the same time, as real processes. The second waits for the first
# ("Blocked by another instance ..."), never applies a change twice, and
# gives up after --lock-timeout with Sqitch's message. The lock is flock(2)
# on the registry file: no lock file, nothing left behind.
. "$(dirname "$0")/../lib/tap.sh"

P=$TESTROOT/p
mkdir -p "$P/deploy" "$P/revert"
cd "$P"
printf '[core]\n\tengine = sqlite\n[engine "sqlite"]\n\ttarget = db:sqlite:app.db\n' > sqitch.conf
{
    printf '%%syntax-version=1.0.0\n%%project=lock\n\n'
    for i in 1 2 3 4; do printf 'c%d 2024-01-01T00:0%d:00Z T <t@example.com>\n' "$i" "$i"; done
} > sqitch.plan
for i in 1 2 3 4; do
    # slow: a second or so of work per change
    printf 'BEGIN;\nCREATE TABLE t%d (x);\nWITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1500000)\nINSERT INTO t%d SELECT count(*) FROM r;\nCOMMIT;\n' "$i" "$i" > deploy/c$i.sql
    printf 'BEGIN;\nWITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1500000)\nINSERT INTO t%d SELECT count(*) FROM r;\nDROP TABLE t%d;\nCOMMIT;\n' "$i" "$i" > revert/c$i.sql
done
ls > "$TESTROOT/files.before"

"$SQLITCH" deploy > "$TESTROOT/a.out" 2>&1 &
a=$!
sleep 0.3
"$SQLITCH" deploy > "$TESTROOT/b.out" 2>&1 &
b=$!
wait $a; ra=$?
wait $b; rb=$?
is "$ra $rb" "0 0" "both deploys succeed"
is "$(head -1 "$TESTROOT/b.out")" "Blocked by another instance of Sqitch working on db:sqlite:app.db; waiting 60 seconds..." \
   "the second one waits"
is "$(tail -1 "$TESTROOT/b.out")" "Nothing to deploy (up-to-date)" "then finds nothing to do"
is "$(grep -c ' ok$' "$TESTROOT/a.out")" 4 "the first deployed all four"
is "$(sqlite3 sqitch.db "SELECT count(*) FROM events WHERE event = 'deploy'")" 4 "each change deployed once"
is "$(sqlite3 app.db "SELECT count(*) FROM sqlite_master WHERE type = 'table'")" 4 "four tables"

# time-out
"$SQLITCH" revert -y > "$TESTROOT/c.out" 2>&1 &
c=$!
sleep 0.3
run_cmd SQLITCH deploy --lock-timeout 0
wait $c; rc=$?
is "$rc" 0 "the revert finishes"
is "$RC" 2 "the deploy times out"
is "$OUT" "Blocked by another instance of Sqitch working on db:sqlite:app.db; waiting 0 seconds..." "says it waits"
is "$ERR" "Timed out waiting 0 seconds for another instance of Sqitch to finish work on db:sqlite:app.db" \
   "and that it gave up"

# a deploy racing a revert: consistent whatever the order
"$SQLITCH" deploy --to c2 > /dev/null 2>&1
"$SQLITCH" deploy > "$TESTROOT/d.out" 2>&1 &
d=$!
"$SQLITCH" revert -y --to c1 > "$TESTROOT/e.out" 2>&1 &
e=$!
wait $d; rd=$?
wait $e; re=$?
tabs=$(sqlite3 app.db "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)")
reg=$(sqlite3 sqitch.db "SELECT group_concat('t' || substr(change, 2)) FROM (SELECT change FROM changes ORDER BY change)")
is "$tabs" "$reg" "deploy and revert at once: tables and registry agree ($rd/$re)"
is "$(sqlite3 sqitch.db 'PRAGMA integrity_check')" ok "registry sound"

ls > "$TESTROOT/files.after"
is "$(diff "$TESTROOT/files.before" "$TESTROOT/files.after" | grep '^>' | sort | tr '\n' ' ')" "> app.db > sqitch.db " \
   "no lock file or other trace: only the two databases appeared"
done_testing
