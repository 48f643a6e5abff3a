#!/usr/bin/env bash
# shell.t -- `sqlitch shell`: the real sqlite3 shell on the target's
# database with the extension loaded and the project set.
. "$(dirname "$0")/../lib/tap.sh"

command -v sqlite3 >/dev/null || skip_all "no sqlite3 shell"
P=$TESTROOT/proj
mkdir -p "$P" && cp -R "$REPO/tests/sql/projects/flipr/." "$P/"
cat >>"$P/sqitch.conf" <<'EOF'
[engine "sqlite"]
	target = db:sqlite:app.db
[target "dev"]
	uri = db:sqlite:dev.db
	registry = meta
[target "pg"]
	uri = db:pg://localhost/flipr
EOF
cd "$P" || exit 1
# The child sqlite3 is not instrumented: give it the ASan runtime.
PRE=()
[ -n "${SQLITCH_ASAN_PRELOAD:-}" ] && PRE=(env "LD_PRELOAD=$SQLITCH_ASAN_PRELOAD")

# shell_run STDIN ARGS...: sets OUT ERR RC
shell_run() {
    local input=$1; shift
    "${PRE[@]}" "$SQLITCH" shell "$@" <<<"$input" >"$TESTROOT/o" 2>"$TESTROOT/e"
    RC=$?
    OUT=$(cat "$TESTROOT/o")
    ERR=$(cat "$TESTROOT/e")
}

shell_run "SELECT sqlitch_deploy('@v1.0');
SELECT name, status FROM sqlitch_status;"
is "$RC" 0 "default target: exit 0"
is "$OUT" "Adding registry tables to db:sqlite:sqitch.db
Deploying changes through flips @v1.0 to db:sqlite:app.db
  + users ........ ok
  + flips @v1.0 .. ok
users|deployed
flips|deployed
userflips|pending
flips|pending" "default target: the default target's database, extension loaded"
is "$ERR" "" "default target: nothing on stderr"
ok '[ -f app.db ] && [ -f sqitch.db ]' "default target: database and registry files"

shell_run "SELECT sqlitch_deploy();" dev
is "$OUT" "Adding registry tables to db:sqlite:meta.db
Deploying changes to dev
  + users ............ ok
  + flips @v1.0 ...... ok
  + userflips @v1.1 .. ok
  + flips ............ ok" "named target: its name and its registry"
shell_run "SELECT count(*) FROM sqlitch_changes;" -t dev
is "$OUT" 4 "--target: the same"

shell_run "SELECT count(*) AS n FROM sqlitch_plan;" dev -- -json
is "$OUT" '[{"n":4}]' "options after -- go to sqlite3"

# The project stays set when the shell's directory changes.
shell_run ".cd /
SELECT sqlitch_project() = '$(pwd -P)';
SELECT count(*) FROM sqlitch_plan;
SELECT count(*) FROM sqlitch_changes;" dev
is "$OUT" "1
4
4" "after .cd: the project directory is still the project"
mkdir -p sub
(cd sub && "${PRE[@]}" "$SQLITCH" -C .. shell dev <<<"SELECT count(*) FROM sqlitch_status;" >"$TESTROOT/o" 2>&1)
is "$(cat "$TESTROOT/o")" 4 "sqlitch -C dir shell"

shell_run "SELECT * FROM nope;" dev
is "$RC" 1 "sqlite3's exit code is the command's"
like "$ERR" "no such table: nope" "sqlite3's error"

# Errors before the shell starts.
shell_run "" pg
is "$RC" 2 "a pg target: exit 2"
is "$ERR" "sqlitch shell opens SQLite databases only; target pg is pg" "a pg target: message"
shell_run "" db:sqlite:
is "$ERR" "Database name missing in URI db:sqlite:" "no database name"
shell_run "" nope
is "$ERR" 'Cannot find target "nope"' "unknown target"
shell_run "" --client "$TESTROOT/no-such-sqlite3" dev
is "$RC" 2 "missing client: exit 2"
is "$ERR" "Cannot exec $TESTROOT/no-such-sqlite3: No such file or directory" "missing client: message"
shell_run "SELECT 1;" --client sqlite3 -d other.db dev
is "$OUT" 1 "--client and --db-name"
ok '[ -f other.db ]' "--db-name: that file is opened"

# Without the extension next to the binary (and none installed).
mkdir -p "$TESTROOT/bin"
cp "$SQLITCH" "$TESTROOT/bin/sqlitch"
"$TESTROOT/bin/sqlitch" shell dev </dev/null >"$TESTROOT/o" 2>"$TESTROOT/e"
RC=$?
if [ -f /usr/local/lib/sqlitch.so ]; then
    ok true "# SKIP an installed extension exists"
else
    is "$RC" 2 "no extension: exit 2"
    like "$(cat "$TESTROOT/e")" "^Cannot find the sqlitch extension \\(sqlitch.so\\) in $TESTROOT/bin or /" \
        "no extension: message"
fi

done_testing
