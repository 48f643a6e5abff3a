#!/usr/bin/env bash
# remote_mysql.t -- a SQLite session drives a MySQL/MariaDB deploy:
# sqlitch_deploy/revert/verify/status('<db:mysql: URI or target name>',
# ...) run what `sqlitch deploy <target>` runs, on a throwaway server,
# and leave the registry as the CLI leaves it.
. "$(dirname "$0")/../lib/tap.sh"

. "$(dirname "$0")/../lib/ext_session.sh"
ext_require_engine mysql libmariadb

. "$(dirname "$0")/../lib/mysql.sh"
mysql_start
export SQITCH_PASSWORD=$MY_PASS
my_sql "DROP DATABASE IF EXISTS flipr; DROP DATABASE IF EXISTS flipr_cli;
        DROP DATABASE IF EXISTS sqitch; DROP DATABASE IF EXISTS sqitch_cli;
        CREATE DATABASE flipr; CREATE DATABASE flipr_cli"
URI=$(my_uri flipr)
CLI_URI=$(my_uri flipr_cli)
P=$TESTROOT/p
my_make_flipr "$P" "$URI"
# the CLI's twin: another database and another registry on the same server
printf '[target "prodmy"]\n\turi = %s\n[target "cli"]\n\turi = %s\n\tregistry = sqitch_cli\n' \
    "$URI" "$CLI_URI" >>"$P/sqitch.conf"
cd "$P" || exit 1

ROWS="SELECT change_id, change, project, note, script_hash, committer_name,
             committer_email, planned_at, planner_name, planner_email, tags"
tables() { my_sql "SELECT count(*) FROM information_schema.tables WHERE table_schema = '$1'"; }

sql=$(q "SELECT sqlitch_deploy('$URI', '@v2.0')")
is "$?" 0 "sqlitch_deploy('<mysql uri>', '@v2.0') succeeds"
cli=$("$SQLITCH" deploy cli --to @v2.0 2>&1)
is "$?" 0 "sqlitch deploy cli --to @v2.0"
is "$sql" "$(printf '%s\n' "$cli" | sed "s|$CLI_URI|$URI|; s|\.sqitch_cli|.sqitch|; s|to cli|to $URI|")" \
    "same text as the CLI"
has "$sql" "+ insert_flip @v2.0 .." "the deploy's lines"
is "$(tables flipr)" 3 "the scripts ran on the server"

is "$(q "SELECT change, tags FROM sqlitch_changes('$URI')")" "users|
flips|@beta @v1.0
widgets|
insert_flip|@v2.0" "sqlitch_changes('<mysql uri>') rows"
is "$(q "SELECT requires, conflicts FROM sqlitch_changes('$URI') WHERE change = 'widgets'")" \
    "users,flips@v1.0|otherproj:gadgets" "sqlitch_changes: requires and conflicts"
is "$(q "SELECT tag, note FROM sqlitch_tags('$URI')")" "@v1.0|Tag v1.0.
@beta|
@v2.0|Tag v2.0." "sqlitch_tags: the tag note"
is "$(q "$ROWS FROM sqlitch_changes('$URI')")" "$(q "$ROWS FROM sqlitch_changes('cli')")" \
    "changes rows identical to the CLI's deploy (timestamps aside)"
is "$(my_dump_registry sqitch)" "$(my_dump_registry sqitch_cli)" \
    "whole registry identical to the CLI's (timestamps masked)"

is "$(q "SELECT sqlitch_status('prodmy')")" "$("$SQLITCH" status prodmy 2>&1)" \
    "sqlitch_status('prodmy') is \`sqlitch status prodmy\`"
sql=$(q "SELECT sqlitch_verify('$URI')")
is "$sql" "$("$SQLITCH" verify "$URI" 2>&1)" "sqlitch_verify('<mysql uri>') is \`sqlitch verify <uri>\`"
has "$sql" "Verify successful" "verify succeeds"

is "$(q "BEGIN" "SELECT sqlitch_revert('prodmy', 'flips')" "ROLLBACK" | head -1)" \
    "Reverting changes to flips @beta @v1.0 from prodmy" \
    "sqlitch_revert('prodmy', 'flips') inside the caller's transaction"
"$SQLITCH" revert -y cli flips >/dev/null 2>&1
is "$(q "SELECT change FROM sqlitch_changes('$URI')")" "users
flips" "reverted to flips"
is "$(q "$ROWS FROM sqlitch_changes('$URI')")" "$(q "$ROWS FROM sqlitch_changes('cli')")" \
    "changes rows identical to the CLI's after revert"
is "$(q "SELECT event, change FROM sqlitch_events('$URI')")" \
    "$(q "SELECT event, change FROM sqlitch_events('cli')")" "same events as the CLI's"

# A wrong password: the CLI's message.
cli=$(SQITCH_PASSWORD=wrong "$SQLITCH" deploy prodmy 2>&1)
like "$cli" "Access denied" "the CLI fails with a wrong password"
is "$(SQITCH_PASSWORD=wrong q "SELECT sqlitch_deploy('prodmy')" | err)" "$cli" \
    "wrong password: the CLI's message"
cli=$("$SQLITCH" deploy db:nosuch:x 2>&1)
is "$(q "SELECT sqlitch_deploy('db:nosuch:x')" | err)" "$cli" "unknown engine: the CLI's message"

is "$(q "SELECT sqlitch_verify()" | err)" \
    "sqlitch_verify() needs a database file: the main database of this connection is in memory or temporary" \
    "no target: the caller's database, with its checks"

has "$(q "SELECT sqlitch_revert('$URI')")" "- users .." "revert all"
is "$(q "SELECT count(*) FROM sqlitch_changes('$URI')")" 0 "nothing deployed"
is "$(tables flipr)" 0 "the revert scripts ran on the server"

done_testing
