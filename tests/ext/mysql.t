#!/usr/bin/env bash
# mysql.t -- a SQLite session reads a MySQL/MariaDB registry: the registry
# tables with a db:mysql: target (or a mysql target's name) go through the
# same engine as `sqlitch status` / `sqlitch log`, on a throwaway server.
. "$(dirname "$0")/../lib/tap.sh"

. "$(dirname "$0")/../lib/ext_session.sh"
ext_require_engine mysql libmariadb

. "$(dirname "$0")/../lib/mysql.sh"
mysql_start
export SQITCH_PASSWORD=$MY_PASS
my_sql "DROP DATABASE IF EXISTS flipr; DROP DATABASE IF EXISTS sqitch; CREATE DATABASE flipr"
URI=$(my_uri flipr)
P=$TESTROOT/p
my_make_flipr "$P" "$URI"
printf '[target "prod"]\n\turi = %s\n' "$URI" >>"$P/sqitch.conf"
cd "$P" || exit 1

is "$(q "SELECT count(*) FROM sqlitch_events('$URI')")" 0 "no registry yet: no rows"

"$SQLITCH" deploy --to @v2.0 >/dev/null 2>&1
is "$?" 0 "CLI deploy to mysql"

is "$(q "SELECT change, project, committer_name FROM sqlitch_changes('$URI')")" \
    "users|flipr|Test User
flips|flipr|Test User
widgets|flipr|Test User
insert_flip|flipr|Test User" "sqlitch_changes on mysql"
is "$(q "SELECT count(*) FROM sqlitch_changes('prod') c JOIN sqlitch_plan p USING (change_id)
         WHERE c.script_hash = p.script_hash AND c.planned_at = p.planned_at")" 4 \
    "ids, script hashes and planned_at match the plan's"
is "$(q "SELECT tag, change FROM sqlitch_tags('prod')")" "@v1.0|flips
@beta|flips
@v2.0|insert_flip" "sqlitch_tags by target name"
is "$(q "SELECT name, status FROM sqlitch_status('prod') WHERE status = 'pending'")" \
    "users|pending
lists|pending" "sqlitch_status on mysql"

cli=$("$SQLITCH" log --format 'format:%e %n' 2>&1 | sed 1d)
sql=$(q "SELECT event || ' ' || change FROM sqlitch_events('prod') ORDER BY rowid DESC")
is "$sql" "$cli" "events in the CLI's log order"

# A wrong password: the CLI's message, and the password is not shown.
cli=$(SQITCH_PASSWORD=wrong "$SQLITCH" status 2>&1 >/dev/null)
sql=$(SQITCH_PASSWORD=wrong q "SELECT * FROM sqlitch_changes('prod')" | sed '1s/^Error: stepping, //; 1s/^Error: //')
is "$sql" "$cli" "wrong password: the CLI's message"

done_testing
