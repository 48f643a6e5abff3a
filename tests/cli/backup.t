#!/usr/bin/env bash
# deploy --backup[=FILE]: an online copy of the target, taken with SQLite's
# backup API after the checks and before the first change; the copy is the
# database as it was (restore it, then `revert --log-only` to bring the
# registry along: docs/differences.md).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

P=$TESTROOT/p
make_simple "$P" 4
cd "$P"
tables() { sqlite3 "$1" "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)"; }

run_cmd SQLITCH deploy --to c2
is "$RC" 0 "deploy two changes"
sqlite3 flipr.db "INSERT INTO t1 (v) VALUES ('keep me')"
run_cmd SQLITCH deploy --backup=before.db
is "$RC" 0 "deploy --backup=FILE"
is "$OUT" "Deploying changes to db:sqlite:flipr.db
Backing up db:sqlite:flipr.db to before.db
  + c3 .. ok
  + c4 .. ok" "says where the copy went, before the first change"
is "$(tables before.db)" "t1,t2" "the copy holds the database as it was"
is "$(sqlite3 before.db "SELECT v FROM t1")" "keep me" "with its data"
is "$(tables flipr.db)" "t1,t2,t3,t4" "the target moved on"
is "$(sqlite3 before.db 'PRAGMA integrity_check')" ok "the copy is sound"
ok "! ls | grep -q sqlitch-tmp" "no temporary file left"

# restoring: copy back, then let the registry follow
cp before.db flipr.db
run_cmd SQLITCH revert -y --log-only --to c2
is "$RC" 0 "revert --log-only after restoring the copy"
is "$(sqlite3 sqitch.db "SELECT group_concat(change) FROM (SELECT change FROM changes ORDER BY committed_at)")" \
   "c1,c2" "registry matches the restored database"
run_cmd SQLITCH verify
is "$RC" 0 "verify agrees"

# default name; nothing to deploy means no copy
run_cmd SQLITCH deploy --backup
is "$RC" 0 "deploy --backup"
like "$OUT" "Backing up db:sqlite:flipr.db to flipr\\.db\\.[0-9]{8}T[0-9]{6}Z\\.bak" "default name: <target>.<UTC time>.bak"
n=$(ls flipr.db.*.bak | wc -l)
is "$n" 1 "one copy made"
run_cmd SQLITCH deploy --backup
is "$OUT" "Nothing to deploy (up-to-date)" "up-to-date"
is "$(ls flipr.db.*.bak | wc -l)" 1 "no copy when there is nothing to deploy"

# a WAL target with a live connection
W=$TESTROOT/w
make_simple "$W" 2
cd "$W"
sqlite3 flipr.db 'PRAGMA journal_mode = WAL; CREATE TABLE app (x); INSERT INTO app VALUES (1);' >/dev/null
run_cmd SQLITCH deploy --backup=copy.db
is "$RC" 0 "backup of a WAL database"
is "$(sqlite3 copy.db 'SELECT count(*) FROM app')" 1 "copy has the committed data"
is "$(tables copy.db)" "app" "and none of the changes"

done_testing
