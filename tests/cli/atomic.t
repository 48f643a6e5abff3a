#!/usr/bin/env bash
# Atomic changes, in `make test`: a few SIGKILL trials of deploy and revert
# (the full 200-trial run is tests/stress/kill.sh), for rollback-journal
# and WAL targets, plus the exact crash window -- the script committed on
# the target, the registry rows not yet -- reproduced with
# SQLITCH_FAULT=after-target-commit: the next run records the change.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/tap.sh"
TRIALS=${TRIALS:-3}
KILL_NO_DONE=1
JOURNAL=delete
. "$HERE/../stress/kill.sh"
JOURNAL=wal
. "$HERE/../stress/kill.sh"

# the window between the two commits, rollback-journal target
JOURNAL=delete
fresh
SQLITCH_FAULT=after-target-commit run_cmd SQLITCH deploy --to c3
is "$RC" 137 "killed right after c1's script committed"
is "$(sqlite3 app.db "SELECT count(*) FROM sqlite_master WHERE name GLOB 't[0-9]*'")" 1 "c1 applied"
is "$(sqlite3 sqitch.db 'SELECT count(*) FROM changes')" 0 "c1 not recorded yet"
ok "[ \"\$(sqlite3 sqitch.db 'PRAGMA user_version')\" != 0 ]" "intent armed"
run_cmd SQLITCH deploy --to c3
is "$RC" 0 "the next deploy runs"
like "$ERR" "interrupted deploy of change" "and says it completed the interrupted change"
is "$(state)" ok "tables and registry agree"
is "$(sqlite3 sqitch.db 'SELECT group_concat(change) FROM (SELECT change FROM changes ORDER BY committed_at)')" \
   "c1,c2,c3" "c1 recorded once, then c2 and c3"
is "$(sqlite3 sqitch.db 'PRAGMA user_version')" 0 "nothing left armed"
run_cmd sqitch status
like "$OUT" "Change:   .*" "sqitch reads the result"
like "$OUT" "Name:     c3" "sqitch sees c3 deployed"
done_testing
