#!/usr/bin/env bash
# dist.t -- `make dist` writes a release tarball of the committed tree that
# builds from scratch (no git, no earlier build) and passes the unit layer;
# `make dist` inside the unpacked tree works too (no git there).
. "$(dirname "$0")/../lib/tap.sh"
unset SAN   # the unpacked tree is built as a user would: the release build

VERSION=$(sed -n 's/^#define SQLITCH_VERSION "\(.*\)"/\1/p' "$REPO/core/util.h")
NAME=sqlitch-$VERSION
command -v git >/dev/null && git -C "$REPO" rev-parse HEAD >/dev/null 2>&1 \
    || skip_all "not a git checkout: make dist archives HEAD"

run_cmd make -C "$REPO" -s dist DIST_DIR="$TESTROOT"
is "$RC" 0 "make dist succeeds"
is "$OUT" "$TESTROOT/$NAME.tar.gz" "make dist names the tarball"
ok '[ -s "$TESTROOT/$NAME.tar.gz" ]' "tarball written to DIST_DIR"
ok '[ ! -e "$REPO/$NAME.tar.gz" ] || [ "$REPO/$NAME.tar.gz" -ot "$TESTROOT/$NAME.tar.gz" ]' \
   "nothing written to the source tree"

tar -tzf "$TESTROOT/$NAME.tar.gz" | sort > "$TESTROOT/list"
is "$(grep -v "^$NAME/" "$TESTROOT/list")" "" "every entry under $NAME/"
missing=""
for f in Makefile LICENSE README.md core/util.h core/sqlitch.h shell/main.c ext/sqlitch.c \
         sqlitch.pc.in tools/md2man tools/embed-docs tools/embed-sql tests/run tests/deps \
         tests/unit/tap.h docs/man/sqlitchcommands.7.md; do
    grep -qx "$NAME/$f" "$TESTROOT/list" || missing="$missing $f"
done
is "$missing" "" "sources, tools, tests and docs are in the tarball"
is "$(grep -E "^$NAME/(build/|sqlitch$|sqlitch\.so$|libsqlitch\.a$)" "$TESTROOT/list")" "" \
   "no build outputs in the tarball"
is "$(git -C "$REPO" ls-files | sort | sed "s|^|$NAME/|")" \
   "$(grep -v '/$' "$TESTROOT/list")" "the tarball is exactly the committed tree"

# --- build and unit-test from scratch ----------------------------------------------
cd "$TESTROOT" && tar -xzf "$NAME.tar.gz"
cd "$TESTROOT/$NAME"
make -s -j2 SAN=0 >build.log 2>&1
is "$?" 0 "the unpacked tarball builds from scratch"
[ -x sqlitch ] || tail -20 build.log | sed 's/^/# /'
ok '[ -x sqlitch ] && [ -f sqlitch.so ] && [ -f libsqlitch.a ]' "CLI, extension and library built"
is "$(./sqlitch --version)" "sqlitch (App::Sqitch) v1.3.1" "the built CLI runs"
like "$(./sqlitch help plan)" 'sqlitch-plan - ' "help texts are compiled in"
ok '[ -f build/man/sqlitch-plan.1 ]' "man pages built"

make -s SAN=0 unit >unit.log 2>&1
is "$?" 0 "make unit passes in the unpacked tree"
like "$(tail -1 unit.log)" '^Result: PASS' "the unit layer ran under prove"
n=$(ls build/rel/tests/test_* | wc -l)
ok '[ "$n" -ge 5 ]' "all unit test programs built ($n)"

# --- make dist without git ------------------------------------------------------------
run_cmd make -s dist DIST_DIR="$TESTROOT/again"
is "$RC" 0 "make dist in the unpacked tree (no git)"
tar -tzf "$TESTROOT/again/$NAME.tar.gz" | grep -v '/$' | sed 's|^\./||' | sort > "$TESTROOT/list2"
is "$(grep -E "^$NAME/(build/|sqlitch$|sqlitch\.so$|libsqlitch\.a$)" "$TESTROOT/list2")" "" \
   "no build outputs in the second tarball"
is "$(grep -vE "^$NAME/(build|unit)\.log$" "$TESTROOT/list2")" "$(grep -v '/$' "$TESTROOT/list")" \
   "same files as the first tarball"

done_testing
