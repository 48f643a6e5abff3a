#!/usr/bin/env bash
# examples.t -- the application examples: a C program with the extension
# linked statically (examples/c/migrate.c, built by `make`) and a Python
# program loading sqlitch.so through the standard sqlite3 module
# (examples/python/migrate.py). Each migrates its database at start-up;
# a second start has nothing to do; a broken script stops the program with
# the CLI's message and leaves database and registry as they were.
. "$(dirname "$0")/../lib/tap.sh"

command -v sqlite3 >/dev/null || skip_all "no sqlite3 shell"
export SQLITCH_EXT
C_EXAMPLE=$REPO/${SQLITCH_BUILD:-build/rel}/examples/migrate
PROJECT=$TESTROOT/project
cp -R "$REPO/tests/sql/projects/flipr" "$PROJECT"

# A Python whose sqlite3 module can load extensions (Debian's can; some
# builds, e.g. pyenv's default, cannot).
PYTHON=
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import sqlite3; sqlite3.connect(":memory:").enable_load_extension' 2>/dev/null; then
        PYTHON=$p
        break
    fi
done
# Python is not instrumented; its own allocations at exit are not ours.
PY_ENV=()
[ -n "${SQLITCH_ASAN_PRELOAD:-}" ] &&
    PY_ENV=(env "LD_PRELOAD=$SQLITCH_ASAN_PRELOAD" "ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0")

registry() { sqlite3 "$1/sqitch.db" "SELECT group_concat(change, ' ') FROM (SELECT change FROM changes ORDER BY committed_at)"; }
schema() { sqlite3 "$1/app.db" "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master ORDER BY name)"; }

# run_example NAME CMD...: the same scenario for one example.
run_example() {
    local name=$1; shift
    local dir=$TESTROOT/$name
    mkdir -p "$dir"
    local out
    out=$(cd "$dir" && "$@" app.db "$PROJECT" 2>&1)
    is "$?" 0 "$name: first start exits 0"
    is "$out" "Adding registry tables to db:sqlite:$dir/sqitch.db
Deploying changes to db:sqlite:$dir/app.db
  + users ............ ok
  + flips @v1.0 ...... ok
  + userflips @v1.1 .. ok
  + flips ............ ok
users        deployed
flips        deployed
userflips    deployed
flips        deployed" "$name: first start deploys everything"
    is "$(registry "$dir")" "users flips userflips flips" "$name: registry"
    is "$(schema "$dir")" "flips sqlite_autoindex_users_1 sqlite_sequence userflips users" \
        "$name: schema"

    out=$(cd "$dir" && "$@" app.db "$PROJECT" 2>&1)
    is "$out" "Nothing to deploy (up-to-date)
users        deployed
flips        deployed
userflips    deployed
flips        deployed" "$name: second start has nothing to do"

    # a new change whose script fails
    local broken=$TESTROOT/$name-broken
    cp -R "$PROJECT" "$broken"
    printf 'widgets 2024-01-16T10:00:00Z Marge N. Overa <marge@example.com> # Widgets.\n' >>"$broken/sqitch.plan"
    printf 'BEGIN;\nCREATE TABLE widgets(id INTEGER);\nSELECT nope();\nCOMMIT;\n' >"$broken/deploy/widgets.sql"
    printf 'DROP TABLE widgets;\n' >"$broken/revert/widgets.sql"
    out=$(cd "$dir" && "$@" app.db "$broken" 2>&1)
    is "$?" 1 "$name: a failed migration stops the program"
    is "$out" "Deploying changes to db:sqlite:$dir/app.db
  + widgets .. $broken/deploy/widgets.sql: Parse error near line 3: no such function: nope
  SELECT nope();
         ^--- error here
not ok
Deploy failed" "$name: with the CLI's message"
    is "$(registry "$dir")" "users flips userflips flips" "$name: registry unchanged"
    is "$(schema "$dir")" "flips sqlite_autoindex_users_1 sqlite_sequence userflips users" \
        "$name: schema unchanged"

    out=$(cd "$dir" && "$@" app.db "$TESTROOT/nowhere" 2>&1)
    is "$?" 1 "$name: no project: exit 1"
    is "$out" "Project directory $TESTROOT/nowhere does not exist" "$name: no project: message"
}

if [ -x "$C_EXAMPLE" ]; then
    run_example c "$C_EXAMPLE"
else
    ok false "C example built ($C_EXAMPLE; run make)"
fi

if [ -n "$PYTHON" ]; then
    run_example python "${PY_ENV[@]}" "$PYTHON" "$REPO/examples/python/migrate.py"
    out=$(cd "$TESTROOT/python" && "${PY_ENV[@]}" "$PYTHON" "$REPO/examples/python/migrate.py" app.db "$PROJECT" "$TESTROOT/nope.so" 2>&1)
    like "$out" "nope.so" "python: a missing extension is reported"
else
    ok true "# SKIP no python3 whose sqlite3 module can load extensions"
fi

done_testing
