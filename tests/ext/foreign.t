#!/usr/bin/env bash
# foreign.t -- a host with another copy of SQLite than sqlitch.so's
# libsqlite3 (tests/ext/foreign.c fakes one): the functions that open the
# caller's database file refuse, naming both versions; the tables, which
# only read the plan and the registry, still work.
. "$(dirname "$0")/../lib/tap.sh"

command -v cc >/dev/null || skip_all "no C compiler"
P=$TESTROOT/p
cp -R "$REPO/tests/sql/projects/flipr" "$P"
cd "$P" || exit 1
# shellcheck disable=SC2046
cc -o "$TESTROOT/foreign" "$REPO/tests/ext/foreign.c" $(pkg-config --cflags --libs sqlite3) -ldl ||
    { ok false "foreign.c compiles"; done_testing; }
PRE=()
[ -n "${SQLITCH_ASAN_PRELOAD:-}" ] && PRE=(env "LD_PRELOAD=$SQLITCH_ASAN_PRELOAD")
V=$(sqlite3 -version | cut -d' ' -f1)
out=$("${PRE[@]}" "$TESTROOT/foreign" "$SQLITCH_EXT" app.db \
    "SELECT sqlitch_deploy()" "SELECT sqlitch_verify()" \
    "SELECT count(*) FROM sqlitch_plan" "SELECT count(*) FROM sqlitch_changes")
is "$out" "error: sqlitch_deploy() cannot run in this program: its SQLite 9.99.0 is not the libsqlite3 $V sqlitch.so uses; two copies of SQLite in one process do not share file locks. Use the sqlitch command, or a program linked with the same libsqlite3
error: sqlitch_verify() cannot run in this program: its SQLite 9.99.0 is not the libsqlite3 $V sqlitch.so uses; two copies of SQLite in one process do not share file locks. Use the sqlitch command, or a program linked with the same libsqlite3
4
0" "another SQLite: migrations refused, tables work"
ok '[ ! -e sqitch.db ]' "nothing written"
done_testing
