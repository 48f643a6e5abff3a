#!/usr/bin/env bash
# mysql.t -- the mysql engine on a real MariaDB server, beyond the
# command-by-command parity of mysql_parity.t: locking (a lock held by
# another deployer, --lock-timeout, concurrent deploys never applying a
# change twice), connections lost in the middle of a deploy, credentials
# from the environment and option files, passwords never printed, the
# registry staying consistent after every failure, and interop with the
# real sqitch on one registry in both directions.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/mysql.sh"
mysql_start

URI=$(my_uri flipr)
P=$TESTROOT/p
fresh() {  # fresh [FIXTURE] : new databases and a new project in $P
    my_sql "DROP DATABASE IF EXISTS flipr; DROP DATABASE IF EXISTS sqitch; CREATE DATABASE flipr"
    rm -rf "$P"
    if [ -n "${1:-}" ]; then cp -a "$1" "$P"; else my_make_flipr "$P" "$URI"; fi
    cd "$P" || exit 1
}
count() { my_sql "SELECT COUNT(*) FROM sqitch.$1${2:+ WHERE $2}"; }
export SQITCH_PASSWORD=$MY_PASS

# ------------------------------------------------- a lock held elsewhere
fresh
run_cmd SQLITCH deploy --to flips
is "$RC" 0 "first deploy"
# another deployer: a session holding Sqitch's named lock
"${MY_ROOT[@]}" -e "SELECT GET_LOCK('sqitch working on flipr', 0), SLEEP(30)" >/dev/null 2>&1 &
HOLDER=$!
for _ in $(seq 1 50); do
    [ "$(my_sql "SELECT IS_USED_LOCK('sqitch working on flipr') IS NOT NULL")" = 1 ] && break
    sleep 0.1
done
for tool in sqitch "$SQLITCH"; do
    "$tool" deploy --lock-timeout 1 >"$TESTROOT/o.$(basename "$tool")" 2>"$TESTROOT/e.$(basename "$tool")" </dev/null
    echo $? >"$TESTROOT/rc.$(basename "$tool")"
done
is "$(cat "$TESTROOT/o.sqlitch")" "$(cat "$TESTROOT/o.sqitch")" "lock held: stdout as sqitch"
is "$(cat "$TESTROOT/e.sqlitch")" "$(cat "$TESTROOT/e.sqitch")" "lock held: stderr as sqitch"
is "$(cat "$TESTROOT/rc.sqlitch")" 2 "lock held: exit 2"
is "$(cat "$TESTROOT/e.sqlitch")" "Timed out waiting 1 seconds for another instance of Sqitch to finish work on $URI" \
   "lock held: the time-out message"
like "$(cat "$TESTROOT/o.sqlitch")" "^Blocked by another instance of Sqitch working on $URI; waiting 1 seconds\.\.\.$" \
   "lock held: the waiting message"
is "$(count changes)" 2 "lock held: nothing deployed"
my_sql "KILL $(my_sql "SELECT id FROM information_schema.processlist WHERE info LIKE '%GET_LOCK%SLEEP%' LIMIT 1")" 2>/dev/null
wait $HOLDER 2>/dev/null
run_cmd SQLITCH deploy --lock-timeout 5
is "$RC" 0 "lock released: deploy goes on"
is "$(count changes)" 6 "lock released: all changes deployed"

# a lock held longer than --lock-timeout, released in time
fresh
"${MY_ROOT[@]}" -e "SELECT GET_LOCK('sqitch working on flipr', 0), SLEEP(1)" >/dev/null 2>&1 &
HOLDER=$!
for _ in $(seq 1 50); do
    [ "$(my_sql "SELECT IS_USED_LOCK('sqitch working on flipr') IS NOT NULL")" = 1 ] && break
    sleep 0.1
done
run_cmd SQLITCH deploy --lock-timeout 20
wait $HOLDER 2>/dev/null
is "$RC" 0 "lock released while waiting: exit 0"
like "$OUT" "Blocked by another instance of Sqitch working on $URI; waiting 20 seconds\.\.\." "... after waiting"
is "$(count changes)" 6 "... and deployed everything"

# ------------------------------------------------ concurrent deployers
BIG=$TESTROOT/big
mkdir -p "$BIG/deploy" "$BIG/revert" "$BIG/verify"
printf '[core]\n\tengine = mysql\n[engine "mysql"]\n\ttarget = %s\n' "$URI" > "$BIG/sqitch.conf"
{
    printf '%%syntax-version=1.0.0\n%%project=big\n\n'
    for i in $(seq 1 60); do
        printf 'c%d 2024-01-15T10:%02d:%02dZ Tester <tester@example.com> # change %d\n' "$i" $((i / 60)) $((i % 60)) "$i"
        printf 'INSERT INTO applied VALUES (%d);\n' "$i" > "$BIG/deploy/c$i.sql"
        printf 'DELETE FROM applied WHERE n = %d;\n' "$i" > "$BIG/revert/c$i.sql"
    done
} > "$BIG/sqitch.plan"
fresh "$BIG"
my_sql "CREATE TABLE flipr.applied (n INT NOT NULL)"
# sqlitch deployers starting together on an empty server: one creates
# the registry, under the lock (sqitch creates it before locking)
for k in 1 2 3; do
    "$SQLITCH" deploy --to c10 >"$TESTROOT/i$k.out" 2>"$TESTROOT/i$k.err" </dev/null &
    eval "PID$k=\$!"
done
for k in 1 2 3; do eval "wait \$PID$k"; eval "RC$k=\$?"; done
is "$RC1$RC2$RC3" 000 "three deployers on an empty server all succeed"
is "$(count releases)" 1 "one registry release"
is "$(count changes)" 10 "10 changes registered"
for k in 1 2 3; do
    "$SQLITCH" deploy >"$TESTROOT/c$k.out" 2>"$TESTROOT/c$k.err" </dev/null &
    eval "PID$k=\$!"
done
# and the real sqitch at the same time
sqitch deploy >"$TESTROOT/c4.out" 2>"$TESTROOT/c4.err" </dev/null &
PID4=$!
for k in 1 2 3 4; do eval "wait \$PID$k"; eval "RC$k=\$?"; done
is "$RC1$RC2$RC3$RC4" 0000 "four concurrent deployers all succeed"
is "$(my_sql "SELECT COUNT(*), COUNT(DISTINCT n) FROM flipr.applied")" "60	60" \
   "every script ran exactly once"
is "$(count changes)" 60 "60 changes registered"
is "$(count events "event = 'deploy'")" 60 "60 deploy events, no duplicates"
is "$(cat "$TESTROOT"/c?.err)" "" "no errors"

# --------------------------------------------- connections lost mid-way
fresh
printf 'SELECT SLEEP(20);\n' > deploy/insert_flip.sql
killer() {  # kill the session running the sleeping script
    local id
    for _ in $(seq 1 100); do
        id=$(my_sql "SELECT id FROM information_schema.processlist WHERE info = 'SELECT SLEEP(20)' LIMIT 1")
        [ -n "$id" ] && { my_sql "KILL $id"; return; }
        sleep 0.1
    done
}
for tool in sqitch "$SQLITCH"; do
    b=$(basename "$tool")
    my_sql "DROP DATABASE IF EXISTS flipr; DROP DATABASE IF EXISTS sqitch; CREATE DATABASE flipr"
    killer & KP=$!
    "$tool" deploy >"$TESTROOT/k.$b.out" 2>"$TESTROOT/k.$b.err" </dev/null
    echo $? >"$TESTROOT/k.$b.rc"
    wait $KP
    my_dump_registry sqitch >"$TESTROOT/k.$b.reg"
done
is "$(cat "$TESTROOT/k.sqlitch.out")" "$(cat "$TESTROOT/k.sqitch.out")" "script session killed: stdout as sqitch"
is "$(cat "$TESTROOT/k.sqlitch.err")" "$(cat "$TESTROOT/k.sqitch.err")" "script session killed: stderr as sqitch"
is "$(cat "$TESTROOT/k.sqlitch.rc")" 2 "script session killed: exit 2"
like "$(cat "$TESTROOT/k.sqlitch.err")" "ERROR 2013 \(HY000\) at line 1 in file: 'deploy/insert_flip.sql': Lost connection" \
   "script session killed: the client's message"
is "$(cat "$TESTROOT/k.sqlitch.reg")" "$(cat "$TESTROOT/k.sqitch.reg")" "script session killed: registry as sqitch leaves it"

# the registry session dies while a script runs: its rows are never half
# written, the script is undone, the run fails cleanly, a rerun works
fresh
printf 'CREATE TABLE slow (id INT);\nSELECT SLEEP(2);\n' > deploy/insert_flip.sql
printf 'DROP TABLE slow;\n' > revert/insert_flip.sql
( for _ in $(seq 1 100); do
      if [ -n "$(my_sql "SELECT id FROM information_schema.processlist WHERE info = 'SELECT SLEEP(2)'")" ]; then
          my_sql "KILL $(my_sql "SELECT id FROM information_schema.processlist WHERE db = 'sqitch' AND command = 'Sleep' LIMIT 1")"
          exit
      fi
      sleep 0.1
  done ) &
KP=$!
run_cmd SQLITCH deploy
wait $KP
is "$RC" 2 "registry session killed: exit 2"
like "$ERR" "(Lost connection|server has gone away|Server has gone away)" "registry session killed: the server's message"
is "$(count changes)" 3 "registry session killed: the changes before it stay registered"
is "$(count changes "\`change\` = 'insert_flip'")" 0 "registry session killed: no half-written change"
is "$(my_sql "SHOW TABLES FROM flipr LIKE 'slow'")" "" "registry session killed: the script was reverted"
printf 'SELECT 1;\n' > deploy/insert_flip.sql
printf 'SELECT 1;\n' > revert/insert_flip.sql
run_cmd SQLITCH deploy
is "$RC" 0 "rerun after the lost connection"
is "$(count changes)" 6 "rerun: everything registered"

# -------------------------------------- credentials and what is printed
fresh
unset SQITCH_PASSWORD
run_cmd SQLITCH deploy --to flips
is "$RC" 2 "no password: exit 2"
like "$ERR" "Access denied for user 'sqitch'" "no password: access denied"
SQLITCH_PASSWORD=$MY_PASS run_cmd SQLITCH deploy --to flips
is "$RC" 0 "SQLITCH_PASSWORD is used"
MYSQL_PWD=$MY_PASS run_cmd SQLITCH deploy --to widgets
is "$RC" 0 "MYSQL_PWD is used"
SQITCH_PASSWORD=nope SQLITCH_PASSWORD=$MY_PASS run_cmd SQLITCH status
is "$RC" 0 "SQLITCH_PASSWORD beats SQITCH_PASSWORD"
run_cmd SQLITCH status "db:mysql://$MY_USER:$(printf %s "$MY_PASS" | sed 's/!/%21/; s/ /%20/')@$MY_HOST:$MY_PORT/flipr"
is "$RC" 0 "password in the URI"
like "$OUT" "# On database db:mysql://sqitch:@$MY_HOST:$MY_PORT/flipr" "... and hidden in the output"
# the registry and the scripts find the server through the environment
MYSQL_PWD=$MY_PASS MYSQL_HOST=$MY_HOST MYSQL_TCP_PORT=$MY_PORT run_cmd SQLITCH deploy db:mysql://sqitch@/flipr --to insert_flip
is "$RC" 0 "MYSQL_HOST and MYSQL_TCP_PORT"
is "$(count changes)" 4 "... deployed"
MYSQL_PWD=$MY_PASS MYSQL_HOST=$MY_HOST MYSQL_TCP_PORT=$MY_PORT run_cmd SQLITCH upgrade db:mysql://sqitch@/flipr
is "$OUT" "Registry db:mysql://sqitch@$MY_HOST:$MY_PORT/sqitch is up-to-date at version 1.1" \
   "the registry destination shows MYSQL_HOST/MYSQL_TCP_PORT as Sqitch's does"
# ~/.my.cnf: read by the client (scripts), not by the registry connection
printf '[client]\npassword = "%s"\n' "$MY_PASS" > "$HOME/.my.cnf"
run_cmd SQLITCH status
is "$RC" 2 "~/.my.cnf is not read for the registry (as DBD::mysql)"
SQITCH_PASSWORD=$MY_PASS run_cmd SQLITCH deploy
is "$RC" 0 "~/.my.cnf: deploy with it"
printf '[mysql]\nshow-warnings\n' >> "$HOME/.my.cnf"
printf 'SELECT 1/0;\n' > deploy/users.sql
for tool in sqitch "$SQLITCH"; do
    b=$(basename "$tool")
    my_sql "DROP DATABASE IF EXISTS flipr; DROP DATABASE IF EXISTS sqitch; CREATE DATABASE flipr"
    SQITCH_PASSWORD=$MY_PASS "$tool" deploy >"$TESTROOT/w.$b.out" 2>"$TESTROOT/w.$b.err" </dev/null
done
is "$(cat "$TESTROOT/w.sqlitch.out")" "$(cat "$TESTROOT/w.sqitch.out")" "an option sqlitch leaves to the client: stdout as sqitch"
is "$(cat "$TESTROOT/w.sqlitch.err")" "$(cat "$TESTROOT/w.sqitch.err")" "... stderr as sqitch"
like "$(cat "$TESTROOT/w.sqlitch.out")" "Warning \(Code 1365\): Division by 0" "... the client ran the script"
rm -f "$HOME/.my.cnf"
export SQITCH_PASSWORD=$MY_PASS
fresh
# verbose runs: the password shows up nowhere
run_cmd SQLITCH -vvv deploy "db:mysql://$MY_USER:$(printf %s "$MY_PASS" | sed 's/!/%21/; s/ /%20/')@$MY_HOST:$MY_PORT/flipr"
is "$RC" 0 "-vvv deploy"
ok "[[ \$OUT\$ERR != *'$MY_PASS'* && \$OUT\$ERR != *s3cr%21t* ]]" "-vvv: no password in the output"

# ------------------------------------------------------ --client options
fresh
run_cmd SQLITCH --client /nonexistent/mysql deploy --to flips
is "$RC" 2 "a client that does not exist: exit 2"
SQLITCH_MYSQL_CLIENT_ONLY=1 run_cmd SQLITCH deploy --to widgets
is "$RC" 0 "every script through the client (SQLITCH_MYSQL_CLIENT_ONLY)"
is "$(count changes)" 3 "... deployed"

# ----------------------------------------- interop with sqitch both ways
fresh
run_cmd sqitch deploy --to flips
run_cmd SQLITCH deploy --to insert_flip
is "$RC" 0 "sqlitch continues what sqitch deployed"
run_cmd sqitch deploy
is "$RC" 0 "sqitch continues what sqlitch deployed"
run_cmd SQLITCH revert -y --to flips
is "$RC" 0 "sqlitch reverts sqitch's changes"
run_cmd sqitch status
like "$OUT" "# Name:     flips" "sqitch sees sqlitch's revert"
run_cmd sqitch revert -y
run_cmd SQLITCH log --format 'format:%e %n'
is "$(printf '%s\n' "$OUT" | tail -n +2 | tr '\n' ' ')" \
   "revert users revert flips revert widgets revert insert_flip revert users revert lists deploy lists deploy users deploy insert_flip deploy widgets deploy flips deploy users " \
   "one history, written by both"

# ------------------------------------- the SQLite extension reads MySQL
fresh
run_cmd SQLITCH deploy --to widgets
ext() {
    env ${SQLITCH_ASAN_PRELOAD:+LD_PRELOAD=$SQLITCH_ASAN_PRELOAD} \
        sqlite3 -batch :memory: ".load $SQLITCH_EXT" "$1" 2>&1
}
is "$(ext "SELECT change, tags FROM sqlitch_changes('$URI', '$P')")" \
   "$(printf 'users|\nflips|@beta @v1.0\nwidgets|')" "extension: sqlitch_changes of a MySQL target"
is "$(ext "SELECT event, change FROM sqlitch_events('$URI', '$P') ORDER BY change")" \
   "$(printf 'deploy|flips\ndeploy|users\ndeploy|widgets')" "extension: sqlitch_events of a MySQL target"
is "$(SQITCH_PASSWORD= ext "SELECT count(*) FROM sqlitch_changes('db:mysql://$MY_USER:nope@$MY_HOST:$MY_PORT/flipr', '$P')" | sed 's/^Error: [a-z ]*, //')" \
   "Access denied for user 'sqitch'@'127.0.0.1' (using password: YES)" "extension: the server's error as an SQL error"

# -------------------------------------------------- dry run, --log-only
fresh
run_cmd SQLITCH deploy --dry-run
is "$RC" 0 "deploy --dry-run"
is "$(my_sql "SHOW DATABASES LIKE 'sqitch'")" "" "--dry-run creates no registry"

# --------------------------------------------- an unsupported server
mysql_restart --version=5.2.99-MariaDB-old
URI=$(my_uri flipr)
fresh
for tool in sqitch "$SQLITCH"; do
    b=$(basename "$tool")
    my_sql "DROP DATABASE IF EXISTS sqitch"
    for cmd in status deploy status; do
        "$tool" $cmd "$URI" >"$TESTROOT/v.$b.$cmd.out" 2>"$TESTROOT/v.$b.$cmd.err" </dev/null
        echo "rc $?" >>"$TESTROOT/v.$b.$cmd.out"
    done
done
for cmd in status deploy; do
    is "$(cat "$TESTROOT/v.sqlitch.$cmd.out")" "$(cat "$TESTROOT/v.sqitch.$cmd.out")" "old server, $cmd: stdout and exit as sqitch"
    is "$(cat "$TESTROOT/v.sqlitch.$cmd.err")" "$(cat "$TESTROOT/v.sqitch.$cmd.err")" "old server, $cmd: stderr as sqitch"
done
is "$(cat "$TESTROOT/v.sqlitch.deploy.err")" "Sqitch requires MariaDB 5.3 or higher; this is 5.2.99-MariaDB-old" \
   "old server: Sqitch's message"
like "$(cat "$TESTROOT/v.sqlitch.deploy.out")" "rc 2" "old server: exit 2"

done_testing
