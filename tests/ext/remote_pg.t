#!/usr/bin/env bash
# remote_pg.t -- a SQLite session drives a PostgreSQL deploy:
# sqlitch_deploy/revert/verify/status('<db:pg: URI or target name>', ...)
# run what `sqlitch deploy <target>` runs, on a throwaway server, and
# leave the registry as the CLI leaves it.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

. "$(dirname "$0")/../lib/ext_session.sh"
ext_require_engine pg libpq

. "$(dirname "$0")/../lib/pg.sh"
pg_start
pg_fresh_db flipr flipr_cli
FX=$TESTROOT/fx
make_flipr "$FX"
URI=$(pg_uri flipr)
CLI_URI=$(pg_uri flipr_cli)
pg_conf "$FX" "$URI"
printf '[target "prodpg"]\n\turi = %s\n' "$URI" >>"$FX/sqitch.conf"
cd "$FX" || exit 1

# the rows the CLI and SQL deploys must share (no timestamps)
ROWS="SELECT change_id, change, project, note, script_hash, committer_name,
             committer_email, planned_at, planner_name, planner_email, tags"

# Deploy from SQL, and the same deploy from the CLI into another database.
sql=$(q "SELECT sqlitch_deploy('$URI', '@v2.0')")
is "$?" 0 "sqlitch_deploy('<pg uri>', '@v2.0') succeeds"
cli=$("$SQLITCH" deploy "$CLI_URI" --to @v2.0 2>&1)
is "$?" 0 "sqlitch deploy <other pg db> --to @v2.0"
is "$sql" "${cli//"$CLI_URI"/"$URI"}" "same text as the CLI"
has "$sql" "+ hashtags @v2.0 ..... ok" "the deploy's lines"
is "$(pg_sql flipr "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")" 4 \
    "the scripts ran on the server"

is "$(q "SELECT change, tags FROM sqlitch_changes('$URI')")" "users|
flips|@beta @v1.0
widgets|
hashtags|@v2.0" "sqlitch_changes('<pg uri>') rows"
is "$(q "SELECT requires, conflicts FROM sqlitch_changes('$URI') WHERE change = 'widgets'")" \
    "users,flips@v1.0|otherproj:gadgets" "sqlitch_changes: requires and conflicts"
is "$(q "SELECT tag, note FROM sqlitch_tags('$URI')")" "@v1.0|Tag v1.0.
@beta|
@v2.0|Tag v2.0." "sqlitch_tags: the tag note"
is "$(q "$ROWS FROM sqlitch_changes('$URI')")" "$(q "$ROWS FROM sqlitch_changes('$CLI_URI')")" \
    "changes rows identical to the CLI's deploy (timestamps aside)"
is "$(pg_dump_registry flipr | grep -v '^column\|^constraint\|^comment')" \
    "$(pg_dump_registry flipr_cli | grep -v '^column\|^constraint\|^comment')" \
    "whole registry identical to the CLI's (timestamps masked)"

# Status and verify by target name, compared with the CLI's.
is "$(q "SELECT sqlitch_status('prodpg')")" "$("$SQLITCH" status prodpg 2>&1)" \
    "sqlitch_status('prodpg') is \`sqlitch status prodpg\`"
sql=$(q "SELECT sqlitch_verify('prodpg')")
is "$sql" "$("$SQLITCH" verify prodpg 2>&1)" "sqlitch_verify('prodpg') is \`sqlitch verify prodpg\`"
has "$sql" "Verify successful" "verify succeeds"
is "$(q "SELECT sqlitch_verify('$URI', NULL, '@v1.0')" | tail -1)" "Verify successful" \
    "verify with a target, no from, a to"

# Works from a connection the no-target form refuses: in a transaction.
is "$(q "BEGIN" "SELECT sqlitch_revert('prodpg', '@v1.0')" "ROLLBACK" | head -1)" \
    "Reverting changes to flips @beta @v1.0 from prodpg" \
    "sqlitch_revert('prodpg', '@v1.0') inside the caller's transaction"
"$SQLITCH" revert -y "$CLI_URI" @v1.0 >/dev/null 2>&1
is "$(q "SELECT change FROM sqlitch_changes('$URI')")" "users
flips" "reverted to @v1.0"
is "$(q "$ROWS FROM sqlitch_changes('$URI')")" "$(q "$ROWS FROM sqlitch_changes('$CLI_URI')")" \
    "changes rows identical to the CLI's after revert"
is "$(q "SELECT event, change FROM sqlitch_events('$URI')")" \
    "$(q "SELECT event, change FROM sqlitch_events('$CLI_URI')")" "same events as the CLI's"

# An engine name stands for its target, as on the command line.
has "$(q "SELECT sqlitch_status('pg')")" "# On database $URI" "sqlitch_status('pg'): engine.pg.target"

# Errors are the CLI's.
BAD="db:pg://nosuchrole@/flipr?host=$PG_SOCKDIR&port=$PG_PORT"
cli=$("$SQLITCH" deploy "$BAD" 2>&1)
like "$cli" "nosuchrole" "the CLI fails with a bad role"
is "$(q "SELECT sqlitch_deploy('$BAD')" | err)" "$cli" "bad credentials: the CLI's message"
cli=$("$SQLITCH" deploy db:nosuch:x 2>&1)
is "$(q "SELECT sqlitch_deploy('db:nosuch:x')" | err)" "$cli" "unknown engine: the CLI's message"
is "$(q "SELECT sqlitch_revert('prodpg', 'nosuchchange')" | err)" \
    "$("$SQLITCH" revert -y prodpg --to nosuchchange 2>&1)" "unknown change on a pg target: the CLI's message"

# Naming no target is unchanged: this connection's own (in-memory) database.
is "$(q "SELECT sqlitch_deploy()" | err)" \
    "sqlitch_deploy() needs a database file: the main database of this connection is in memory or temporary" \
    "no target: the caller's database, with its checks"

# Revert everything from SQL; the registry stays.
has "$(q "SELECT sqlitch_revert('$URI')")" "- users .............. ok" "revert all"
is "$(q "SELECT count(*) FROM sqlitch_changes('$URI')")" 0 "nothing deployed"
is "$(pg_sql flipr "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")" 0 \
    "the revert scripts ran on the server"

done_testing
