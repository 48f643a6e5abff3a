#!/usr/bin/env bash
# pg.t -- a SQLite session reads a PostgreSQL registry: the registry
# tables with a db:pg: target (or a pg target's name) go through the same
# engine as `sqlitch status` / `sqlitch log`, on a throwaway server.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/engine_fixture.sh"

. "$(dirname "$0")/../lib/ext_session.sh"
ext_require_engine pg libpq

. "$(dirname "$0")/../lib/pg.sh"
pg_start
pg_fresh_db flipr
FX=$TESTROOT/fx
make_flipr "$FX"
URI=$(pg_uri flipr)
pg_conf "$FX" "$URI"
printf '[target "prod"]\n\turi = %s\n' "$URI" >>"$FX/sqitch.conf"
cd "$FX" || exit 1

is "$(q "SELECT count(*) FROM sqlitch_changes('$URI')")" 0 "no registry yet: no rows"
is "$(q "SELECT group_concat(name || ':' || status, ' ') FROM sqlitch_status('$URI')")" \
    "users:pending flips:pending widgets:pending hashtags:pending users:pending lists:pending" \
    "no registry yet: every change pending"

"$SQLITCH" deploy --to @v2.0 >/dev/null 2>&1
is "$?" 0 "CLI deploy to pg"

is "$(q "SELECT change, project, tags, committer_name FROM sqlitch_changes('$URI')")" \
    "users|flipr||Test User
flips|flipr|@beta @v1.0|Test User
widgets|flipr||Test User
hashtags|flipr|@v2.0|Test User" "sqlitch_changes on pg"
is "$(q "SELECT count(*) FROM sqlitch_changes('$URI') c JOIN sqlitch_plan p USING (change_id)
         WHERE c.change_id IS NOT NULL AND c.script_hash = p.script_hash
           AND c.planned_at = p.planned_at" "SELECT 1" | head -1)" 4 \
    "ids, script hashes and planned_at match the plan's"
is "$(q "SELECT tag, change FROM sqlitch_tags('prod')")" "@v1.0|flips
@beta|flips
@v2.0|hashtags" "sqlitch_tags by target name"
is "$(q "SELECT event, change, requires, conflicts FROM sqlitch_events('$URI') WHERE change = 'widgets'")" \
    "deploy|widgets|users,flips@v1.0|otherproj:gadgets" "sqlitch_events on pg"
is "$(q "SELECT position, name, status, reworked FROM sqlitch_status('prod')")" "1|users|deployed|1
2|flips|deployed|0
3|widgets|deployed|0
4|hashtags|deployed|0
5|users|pending|0
6|lists|pending|0" "sqlitch_status on pg"

# The same rows as the CLI's log, newest first.
cli=$("$SQLITCH" log --format 'format:%e %n' 2>&1 | sed 1d)
sql=$(q "SELECT event || ' ' || change FROM sqlitch_events('prod') ORDER BY rowid DESC")
is "$sql" "$cli" "events in the CLI's log order"

# Errors are the CLI's.
BAD="db:pg://nobody@127.0.0.1:1/flipr"
cli=$("$SQLITCH" status "$BAD" 2>&1 >/dev/null)
is "$(q "SELECT * FROM sqlitch_changes('$BAD')" | sed '1s/^Error: stepping, //; 1s/^Error: //')" \
    "$cli" "unreachable server: the CLI's message"

done_testing
