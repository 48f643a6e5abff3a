#!/usr/bin/env bash
# parity.t -- a migration through SQL leaves the database and its registry
# exactly as the CLI leaves them, and says the same: each step runs as
# `sqlitch <command>` in one copy of the project and as
# `sqlite3 app.db "SELECT sqlitch_<command>(...)"` in another, then the
# outputs (stdout = the function's result, stderr = its error), the
# database dumps and the registries (timestamps masked) are compared. The
# function's result, or its error message on failure, is what the CLI
# shows on a terminal: stdout and stderr in order.
. "$(dirname "$0")/../lib/tap.sh"

command -v sqlite3 >/dev/null || skip_all "no sqlite3 shell"
FIXTURE=$REPO/tests/sql/projects/flipr
CLI=$TESTROOT/cli
SQL=$TESTROOT/sql
for d in "$CLI" "$SQL"; do mkdir -p "$d" && cp -R "$FIXTURE/." "$d/"; done

# Dump the registry without the run-dependent timestamps.
dump_registry() {
    sqlite3 -batch "$1" <<'SQL' 2>&1
SELECT 'releases', version, installer_name, installer_email FROM releases;
SELECT 'projects', project, uri, creator_name, creator_email FROM projects;
SELECT 'changes', change_id, script_hash, change, project, note, committer_name, committer_email, planned_at, planner_name, planner_email FROM changes ORDER BY committed_at, change_id;
SELECT 'tags', tag_id, tag, project, change_id, note, committer_name, committer_email, planned_at, planner_name, planner_email FROM tags ORDER BY committed_at, tag_id;
SELECT 'dependencies', change_id, type, dependency, dependency_id FROM dependencies ORDER BY change_id, dependency;
SELECT 'events', event, change_id, change, project, note, requires, conflicts, tags, committer_name, committer_email, planned_at, planner_name, planner_email FROM events ORDER BY committed_at, rowid;
SELECT 'order', group_concat(change, ' ') FROM (SELECT change FROM changes ORDER BY committed_at);
SELECT 'schema', type, name, tbl_name, sql FROM sqlite_master ORDER BY name;
SQL
}

dump_db() {
    [ -f "$1" ] || { echo "(no $1)"; return; }
    sqlite3 -batch "$1" .dump 2>&1
}

# sql_call DIR "SQL": run one statement with the extension loaded; sets
# OUT (the value) and ERR (the error message, prefix removed).
sql_call() {
    local o e
    o=$(mktemp "$TESTROOT/o.XXXXXX")
    e=$(mktemp "$TESTROOT/e.XXXXXX")
    (cd "$1" && env ${SQLITCH_ASAN_PRELOAD:+LD_PRELOAD=$SQLITCH_ASAN_PRELOAD} \
        sqlite3 -batch app.db ".load $SQLITCH_EXT" "$2" >"$o" 2>"$e")
    OUT=$(cat "$o")
    ERR=$(sed '1s/^Error: stepping, //; 1s/^Error: //' "$e" | sed '$s/ (1)$//')
    rm -f "$o" "$e"
}

# step NAME "CLI ARGS" "SQL": the same operation both ways.
step() {
    local name=$1 args=$2 sql=$3
    # shellcheck disable=SC2086
    (cd "$CLI" && "$SQLITCH" $args db:sqlite:app.db >"$TESTROOT/cli.out" 2>&1)
    local rc=$?
    sql_call "$SQL" "$sql"
    is "$OUT$ERR" "$(cat "$TESTROOT/cli.out")" "$name: output"
    if [ "$rc" = 0 ]; then
        ok '[ -z "$ERR" ]' "$name: succeeds"
    else
        ok '[ -n "$ERR" ] && [ -z "$OUT" ]' "$name: fails (exit $rc)"
    fi
    is "$(dump_db "$SQL/app.db")" "$(dump_db "$CLI/app.db")" "$name: database"
    is "$(dump_registry "$SQL/sqitch.db")" "$(dump_registry "$CLI/sqitch.db")" \
        "$name: registry"
}

step "deploy to a tag" "deploy --to @v1.0" "SELECT sqlitch_deploy('@v1.0')"
step "deploy the rest" "deploy" "SELECT sqlitch_deploy()"
step "deploy up to date" "deploy" "SELECT sqlitch_deploy()"
step "verify" "verify" "SELECT sqlitch_verify()"
step "verify a range" "verify --from users --to userflips" \
    "SELECT sqlitch_verify('users', 'userflips')"
step "revert to a tag" "revert -y --to @v1.0" "SELECT sqlitch_revert('@v1.0')"
step "redeploy" "deploy" "SELECT sqlitch_deploy()"
step "revert all" "revert -y" "SELECT sqlitch_revert()"
step "revert nothing" "revert -y" "SELECT sqlitch_revert()"
step "bad to" "deploy --to nope" "SELECT sqlitch_deploy('nope')"
step "ambiguous to" "deploy --to flips" "SELECT sqlitch_deploy('flips')"

# A change whose script fails half-way through its transaction.
for d in "$CLI" "$SQL"; do
    printf 'broken 2024-01-16T10:00:00Z Marge N. Overa <marge@example.com> # Fails.\n' >>"$d/sqitch.plan"
    printf 'BEGIN;\nCREATE TABLE half(x);\nINSERT INTO nope VALUES (1);\nCOMMIT;\n' >"$d/deploy/broken.sql"
    printf 'DROP TABLE half;\n' >"$d/revert/broken.sql"
done
step "failing deploy" "deploy" "SELECT sqlitch_deploy()"
step "failing deploy after some" "deploy" "SELECT sqlitch_deploy()"

# A verify script that fails.
for d in "$CLI" "$SQL"; do
    sed -i '$d' "$d/sqitch.plan"
    printf 'SELECT nope FROM users;\n' >"$d/verify/users.sql"
done
step "deploy again" "deploy" "SELECT sqlitch_deploy()"
step "failing verify" "verify" "SELECT sqlitch_verify()"

# Configuration applies the same: deploy.verify and deploy.mode.
for d in "$CLI" "$SQL"; do
    printf '[deploy]\n\tverify = true\n\tmode = change\n' >>"$d/sqitch.conf"
done
step "revert for deploy.verify" "revert -y" "SELECT sqlitch_revert()"
step "deploy with deploy.verify" "deploy" "SELECT sqlitch_deploy()"

# status: the function returns the status report.
for d in "$CLI" "$SQL"; do cp "$FIXTURE/verify/users.sql" "$d/verify/"; done
step "deploy for status" "deploy" "SELECT sqlitch_deploy()"
(cd "$CLI" && "$SQLITCH" status db:sqlite:app.db >"$TESTROOT/cli.out" 2>&1)
sql_call "$SQL" "SELECT sqlitch_status()"
DATE='s/^# Deployed: .*/# Deployed: DATE/'
is "$(sed "$DATE" <<<"$OUT")" "$(sed "$DATE" "$TESTROOT/cli.out")" "status report"
for d in "$CLI" "$SQL"; do printf '[status]\n\tshow_changes = true\n' >>"$d/sqitch.conf"; done
(cd "$CLI" && "$SQLITCH" status db:sqlite:app.db >"$TESTROOT/cli.out" 2>&1)
sql_call "$SQL" "SELECT sqlitch_status()"
DATES='s/[0-9]\{4\}-[0-9-]* [0-9:]* +0000/DATE/'
is "$(sed "$DATES" <<<"$OUT")" "$(sed "$DATES" "$TESTROOT/cli.out")" "status report, status.show_changes"
step "revert for status" "revert -y" "SELECT sqlitch_revert()"
(cd "$CLI" && "$SQLITCH" status db:sqlite:app.db >"$TESTROOT/cli.out" 2>&1)
sql_call "$SQL" "SELECT sqlitch_status()"
is "$ERR" "$(cat "$TESTROOT/cli.out")" "status with nothing deployed fails as the CLI (exit 1)"

done_testing
