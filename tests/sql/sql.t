#!/usr/bin/env bash
# sql.t -- the SQL tests: every tests/sql/*.sql runs through the real
# sqlite3 shell and its output must equal tests/sql/<name>.out.
#
# Each file runs in a fresh directory holding a copy of a fixture project
# (tests/sql/projects/<name>, "flipr" unless the file says otherwise) and
# ./sqlitch.so (a link to the extension under test), so files load it the
# way users do: `.load ./sqlitch`. Header lines set up the run:
#
#   -- project: NAME     fixture to copy ("none": an empty directory)
#   -- args: ARGS        sqlite3 arguments before stdin (e.g. app.db)
#
# The shell runs with -echo, so the .out files show each statement before
# its output; stderr is merged in; the temp directory is shown as $DIR and
# the exit code is appended ("-- exit N"). Under `make test SAN=1` the
# ASan runtime is preloaded into sqlite3 (SQLITCH_ASAN_PRELOAD), and so
# into the children of `.shell` too: keep those to one simple command each
# (dash with && and `cp -R` leak at exit and would fail the test).
#
# Regenerate an expected file after checking the new output by hand:
#   SQLITCH_SQL_BLESS=1 prove tests/sql/sql.t
. "$(dirname "$0")/../lib/tap.sh"

command -v sqlite3 >/dev/null || skip_all "no sqlite3 shell"
[ -f "$SQLITCH_EXT" ] || skip_all "no $SQLITCH_EXT (make first)"
HERE=$REPO/tests/sql

for sql in "$HERE"/*.sql; do
    name=$(basename "$sql" .sql)
    project=$(sed -n 's/^-- project: *//p' "$sql" | head -1)
    args=$(sed -n 's/^-- args: *//p' "$sql" | head -1)
    dir=$TESTROOT/$name
    mkdir -p "$dir"
    if [ "${project:-flipr}" != none ]; then
        cp -R "$HERE/projects/${project:-flipr}/." "$dir/"
    fi
    ln -s "$SQLITCH_EXT" "$dir/sqlitch.so"
    dir=$(cd "$dir" && pwd -P)
    # shellcheck disable=SC2086
    got=$(cd "$dir" && env ${SQLITCH_ASAN_PRELOAD:+LD_PRELOAD=$SQLITCH_ASAN_PRELOAD} \
        sqlite3 -echo $args <"$sql" 2>&1; echo "-- exit $?")
    got=${got//$dir/\$DIR}
    if [ -n "${SQLITCH_SQL_BLESS:-}" ]; then
        printf '%s\n' "$got" >"$HERE/$name.out"
    fi
    want=$(cat "$HERE/$name.out" 2>/dev/null)
    is "$got" "$want" "$name.sql"
done
done_testing
