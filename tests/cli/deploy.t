#!/usr/bin/env bash
# deploy/revert on bad input, where sqlitch says more than (or acts before)
# sqitch -- see docs/differences.md:
#   - a failing script names the script and SQLite's error with its line;
#   - a missing deploy or revert script is refused before anything runs:
#     no registry file, no target, nothing deployed or reverted;
#   - a target that is not a SQLite database, or is read-only, is refused
#     before the registry is created;
#   - a registry the plan does not match (Sqitch's message);
#   - sqlitch never creates an empty registry file just to read it.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

P=$TESTROOT/p
make_simple "$P" 3
cd "$P"
sum() { sha1sum "$@" 2>/dev/null | awk '{print $1}'; }

# a failing script
cp deploy/c2.sql "$TESTROOT/c2.sql"
printf 'BEGIN;\nCREATE TABLE t2 (x);\n\nINSERT INTO nonesuch VALUES (1);\nCOMMIT;\n' > deploy/c2.sql
run_cmd SQLITCH deploy
is "$RC" 2 "failing script: exit 2"
is "$ERR" "deploy/c2.sql: Parse error near line 4: no such table: nonesuch
Reverting all changes
Deploy failed" "failing script: path, SQLite's message and line, then Sqitch's lines"
is "$(sqlite3 sqitch.db "SELECT group_concat(event, ' ') FROM (SELECT event FROM events ORDER BY committed_at)")" \
   "deploy fail revert" "a fail event between the deploy and the revert"
is "$(sqlite3 flipr.db "SELECT count(*) FROM sqlite_master")" 0 "target back to empty"
printf 'BEGIN;\nCREATE TABLE t2 (x);\nINSERT INTO t2 VALUES (1/0), (abs(-9223372036854775808));\nCOMMIT;\n' > deploy/c2.sql
run_cmd SQLITCH deploy --mode change
is "$ERR" "deploy/c2.sql: Runtime error near line 3: integer overflow" "runtime error, mode change"
cp "$TESTROOT/c2.sql" deploy/c2.sql
rm -f sqitch.db flipr.db

# missing scripts
mv deploy/c3.sql "$TESTROOT/c3.sql"
run_cmd SQLITCH deploy
is "$RC" 2 "missing deploy script: exit 2"
is "$ERR" "Deploy script deploy/c3.sql does not exist" "missing deploy script: message"
is "$OUT" "" "missing deploy script: nothing started"
ok "[ ! -e sqitch.db ] && [ ! -e flipr.db ]" "missing deploy script: no registry, no target created"
run_cmd SQLITCH deploy --to c2
is "$RC" 0 "deploy up to the missing one"
mv "$TESTROOT/c3.sql" deploy/c3.sql
mv revert/c1.sql "$TESTROOT/r1.sql"
before=$(sum sqitch.db flipr.db)
run_cmd SQLITCH revert -y
is "$RC" 2 "missing revert script: exit 2"
is "$ERR" "Revert script revert/c1.sql does not exist" "missing revert script: message"
is "$(sum sqitch.db flipr.db)" "$before" "missing revert script: registry and target untouched"
run_cmd SQLITCH revert -y --log-only --to c1
is "$RC" 0 "--log-only needs no script"
mv "$TESTROOT/r1.sql" revert/c1.sql
run_cmd SQLITCH revert -y
is "$RC" 0 "revert the rest"

# a target that is not a database
rm -f sqitch.db flipr.db
printf 'this is not a database, not at all, definitely not one.%.0s' 1 2 3 4 5 6 7 8 > flipr.db
before=$(sum flipr.db)
run_cmd SQLITCH deploy
is "$RC" 2 "not a database: exit 2"
is "$ERR" "Cannot use database flipr.db: file is not a database" "not a database: message"
ok "[ ! -e sqitch.db ]" "not a database: no registry created"
is "$(sum flipr.db)" "$before" "not a database: file untouched"
rm -f flipr.db

# a target in a directory that does not exist
run_cmd SQLITCH deploy db:sqlite:nonesuch/app.db
is "$RC" 2 "target directory missing: exit 2"
like "$ERR" "^Cannot use database nonesuch/app.db: unable to create the file" "target directory missing: message"

# a read-only target (as an unprivileged user when running as root)
RO=$TESTROOT/ro
make_simple "$RO" 2
sqlite3 "$RO/flipr.db" 'CREATE TABLE keep (x);'
chmod 444 "$RO/flipr.db"
chmod 777 "$RO"
chmod 755 "$TESTROOT"  # mktemp made it private; the user must reach $RO
as_user() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$HOME" "$@"
    else
        "$@"
    fi
}
before=$(sum "$RO/flipr.db")
o=$(cd "$RO" && as_user "$SQLITCH" deploy 2>&1); rc=$?
is "$rc" 2 "read-only target: exit 2"
is "$o" "Cannot use database flipr.db: it is read-only" "read-only target: message"
ok "[ ! -e '$RO/sqitch.db' ]" "read-only target: no registry created"
is "$(sum "$RO/flipr.db")" "$before" "read-only target: untouched"

# the registry and the plan disagree
cd "$P"
rm -f sqitch.db flipr.db
run_cmd SQLITCH deploy
id3=$(sqlite3 sqitch.db "SELECT change_id FROM changes WHERE change = 'c3'")
sed -i 's/^c3 .*/c3 2024-01-15T12:00:00Z Tester <tester@example.com> # changed/' sqitch.plan
run_cmd SQLITCH deploy
is "$RC" 2 "plan diverged: exit 2"
is "$ERR" "Cannot find change $id3 (c3) in sqitch.plan" "plan diverged: Sqitch's message"
run_cmd SQLITCH revert -y --to c1
is "$RC" 0 "revert still works from the registry"

# --verify rolls a failing change back inside its transaction: the revert
# script (which would print a row) does not run
V=$TESTROOT/v
make_simple "$V" 2
cd "$V"
printf 'BEGIN;\nSELECT nonesuch FROM t2;\nROLLBACK;\n' > verify/c2.sql
printf "BEGIN;\nDROP TABLE t2;\nSELECT 'revert ran';\nCOMMIT;\n" > revert/c2.sql
run_cmd SQLITCH deploy --verify
is "$RC" 2 "--verify failing: exit 2"
is "$OUT" "Adding registry tables to db:sqlite:sqitch.db
Deploying changes to db:sqlite:flipr.db
  + c1 .. ok
  + c2 .. not ok
  - c1 .. ok" "--verify rolls back: c2's revert script does not run"
like "$ERR" "verify/c2.sql: Parse error near line 2: no such column: nonesuch" "the verify error"
like "$ERR" 'Verify script "verify/c2.sql" failed.' "Sqitch's message"
is "$(sqlite3 flipr.db "SELECT count(*) FROM sqlite_master")" 0 "nothing left"
printf 'SELECT count(*) FROM changes;\n' > verify/c1.sql
run_cmd SQLITCH deploy --verify --to c1
like "$ERR" "verify/c1.sql: Parse error near line 1: no such table: changes" \
    "scripts see the target only, not the registry"
cd "$P"

# reading a registry that is not there creates nothing
rm -f sqitch.db flipr.db
run_cmd SQLITCH verify
is "$ERR" "No registry found in db:sqlite:sqitch.db. Have you ever deployed?" "verify: no registry"
run_cmd SQLITCH revert -y
is "$RC" 2 "revert: no registry"
run_cmd SQLITCH deploy --to c99
is "$ERR" 'Unknown change: "c99"' "deploy --to unknown"
ok "[ ! -e sqitch.db ] && [ ! -e flipr.db ]" "no empty registry or target file left behind"

done_testing
