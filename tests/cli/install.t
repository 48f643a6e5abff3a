#!/usr/bin/env bash
# install.t -- `make install PREFIX=/usr DESTDIR=...` and `make uninstall`:
# the installed CLI runs, the man pages render, the extension loads with a
# bare `.load sqlitch` from the library path and by full path, sqlitch.pc
# works, and a C program builds against sqlitch.h and libsqlitch.a.
#
# The build goes to a private directory (a copy of build/rel, so only what
# the prefix changes is rebuilt): the shared tree is never touched.
. "$(dirname "$0")/../lib/tap.sh"

for t in sqlite3 man pkg-config cc; do
    command -v $t >/dev/null || { echo "Bail out! $t is needed"; exit 1; }
done

B=$TESTROOT/build D=$TESTROOT/dest
[ -d "$REPO/build/rel" ] && cp -a "$REPO/build/rel" "$B"
# Always the release build (SAN=0): an installed library must not need the
# sanitizer runtimes, even when the suite runs under `make test SAN=1`.
mk() { make -C "$REPO" -s -j2 SAN=0 BUILD="$B" OUT="$B" "$@"; }

mk install PREFIX=/usr DESTDIR="$D" >"$TESTROOT/install.log" 2>&1
is "$?" 0 "make install PREFIX=/usr DESTDIR=... succeeds"
[ "$?" = 0 ] || sed 's/^/# /' "$TESTROOT/install.log" | tail -20

# --- what is installed, with which modes ------------------------------------
ok '[ -x "$D/usr/bin/sqlitch" ]' "CLI in BINDIR, executable"
ok '[ -x "$D/usr/lib/sqlitch.so" ]' "extension in LIBDIR"
ok '[ -f "$D/usr/lib/libsqlitch.a" ] && [ ! -x "$D/usr/lib/libsqlitch.a" ]' "static library, mode 644"
ok '[ -f "$D/usr/include/sqlitch.h" ]' "header"
ok '[ -f "$D/usr/lib/pkgconfig/sqlitch.pc" ]' "pkg-config file"
missing=""
for md in "$REPO"/docs/man/*.md; do
    page=$(basename "$md" .md); sec=${page##*.}
    [ -f "$D/usr/share/man/man$sec/$page" ] || missing="$missing $page"
done
is "$missing" "" "every docs/man page installed in its section"
like "$(cat "$B/defs.stamp")" "SQLITCH_LIBDIR='\"/usr/lib\"'" "objects rebuilt for LIBDIR=/usr/lib"
is "$(cd "$D" && find . -type d | sort | tr '\n' ' ')" \
   ". ./usr ./usr/bin ./usr/include ./usr/lib ./usr/lib/pkgconfig ./usr/share ./usr/share/man ./usr/share/man/man1 ./usr/share/man/man3 ./usr/share/man/man5 ./usr/share/man/man7 " \
   "nothing outside the install directories"

# --- the installed CLI -----------------------------------------------------------
S=$D/usr/bin/sqlitch
is "$("$S" --version)" "sqlitch (App::Sqitch) v1.3.1" "installed sqlitch --version"
mkdir "$TESTROOT/proj" && cd "$TESTROOT/proj"
"$S" init flipr --engine sqlite >/dev/null
"$S" add users -n 'Users' >/dev/null
run_cmd "$S" deploy db:sqlite:flipr.db
is "$RC" 0 "installed sqlitch deploys"
like "$OUT" '\+ users \.\. ok' "deploy output"
run_cmd "$S" status db:sqlite:flipr.db
like "$OUT" '# Name: +users' "installed sqlitch status"
run_cmd "$S" help deploy
is "$RC" 0 "installed sqlitch help deploy"
like "$OUT" 'sqlitch-deploy - ' "help shows the man page text"
cd "$TESTROOT"

# --- man pages render --------------------------------------------------------------
bad=""
for f in "$D"/usr/share/man/man*/*; do
    w=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
    txt=$(MANWIDTH=80 MANPAGER=cat man -l "$f" 2>/dev/null)
    if [ -n "$w" ] || ! grep -q '^NAME' <<<"$txt"; then bad="$bad $(basename "$f")"; fi
done
is "$bad" "" "every installed man page renders with man -l, without warnings"
like "$(MANWIDTH=80 MANPAGER=cat man -l "$D/usr/share/man/man1/sqlitch.1" 2>/dev/null)" 'SQLITCH\(1\)' "sqlitch(1) title"

# --- the extension ------------------------------------------------------------------
run_cmd env LD_LIBRARY_PATH="$D/usr/lib" sqlite3 :memory: '.load sqlitch' 'SELECT sqlitch_version();'
is "$RC:$OUT" "0:$(sed -n 's/^#define SQLITCH_VERSION "\(.*\)"/\1/p' "$REPO/core/util.h")" \
   "bare .load sqlitch with LIBDIR on the library path"
run_cmd sqlite3 :memory: ".load $D/usr/lib/sqlitch" 'SELECT count(*) > 0 FROM pragma_function_list WHERE name = '"'sqlitch_deploy'"';'
is "$RC:$OUT" "0:1" ".load by full path (no suffix): full entry point"
run_cmd sqlite3 :memory: ".load $D/usr/lib/sqlitch.so sqlite3_sqlitch_readonly_init" \
    'SELECT count(*) FROM pragma_function_list WHERE name = '"'sqlitch_deploy'"';' 'SELECT sqlitch_version() IS NOT NULL;'
is "$RC:$OUT" "0:0
1" ".load with the read-only entry point: no sqlitch_deploy"
run_cmd env LD_LIBRARY_PATH= sqlite3 :memory: '.load sqlitch'
ok '[ "$RC" != 0 ]' "without the library path a bare .load fails (the test is real)"

# --- pkg-config and a C program against the installed files -------------------------------
export PKG_CONFIG_PATH=$D/usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D
is "$(pkg-config --modversion sqlitch)" "$(sed -n 's/^#define SQLITCH_VERSION "\(.*\)"/\1/p' "$REPO/core/util.h")" "pkg-config --modversion"
like "$(pkg-config --cflags sqlitch)" "-I$D/usr/include" "pkg-config --cflags"
like "$(pkg-config --libs sqlitch)" "-L$D/usr/lib .*-lsqlitch.*-lsqlite3" "pkg-config --libs"
cat > app.c <<'EOF'
#include <sqlitch.h>
#include <stdio.h>

static int row(void *u, int n, char **v, char **c) {
  (void)u; (void)c;
  for (int i = 0; i < n; i++) printf("%s%s", i ? "|" : "", v[i] ? v[i] : "");
  printf("\n");
  return 0;
}

int main(int argc, char **argv) {
  sqlite3 *db;
  char *msg = NULL;
  if (argc < 2) return 2;
  sqlite3_auto_extension((void (*)(void))sqlite3_sqlitch_init);
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) return 1;
  int rc = sqlite3_exec(db, argv[2], row, NULL, &msg);
  if (rc != SQLITE_OK) fprintf(stderr, "%s\n", msg);
  sqlite3_free(msg);
  sqlite3_close(db);
  return rc == SQLITE_OK ? 0 : 1;
}
EOF
cc -std=c11 -Wall -Wextra -Werror -o app app.c $(pkg-config --cflags --libs sqlitch) 2>cc.err
is "$?" 0 "a C program compiles and links with pkg-config --cflags --libs sqlitch"
[ -s cc.err ] && sed 's/^/# /' cc.err
run_cmd ./app :memory: 'SELECT sqlitch_version();'
is "$RC:$OUT" "0:$(sed -n 's/^#define SQLITCH_VERSION "\(.*\)"/\1/p' "$REPO/core/util.h")" "the program runs the statically linked extension"
cd "$TESTROOT/proj"
run_cmd ../app flipr.db "SELECT sqlitch_project('$TESTROOT/proj'); SELECT name FROM sqlitch_plan;"
like "$OUT" 'users' "the program reads the project's plan"
cd "$TESTROOT"
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

# --- uninstall ---------------------------------------------------------------------------
mk uninstall PREFIX=/usr DESTDIR="$D" >/dev/null 2>&1
is "$?" 0 "make uninstall succeeds"
is "$(find "$D" -type f)" "" "make uninstall removes every installed file"

# --- a plain PREFIX install (no DESTDIR) ----------------------------------------------------
mk install PREFIX="$TESTROOT/prefix" >/dev/null 2>&1
is "$?" 0 "make install PREFIX=<dir>"
export PKG_CONFIG_PATH=$TESTROOT/prefix/lib/pkgconfig
cc -std=c11 -o app2 app.c $(pkg-config --cflags --libs sqlitch) 2>/dev/null
run_cmd ./app2 :memory: 'SELECT sqlitch_version() IS NOT NULL;'
is "$RC:$OUT" "0:1" "program built against a PREFIX install runs"
run_cmd env LD_LIBRARY_PATH="$TESTROOT/prefix/lib" sqlite3 :memory: '.load sqlitch' 'SELECT 1;'
is "$RC:$OUT" "0:1" "bare .load from the PREFIX install"
mk uninstall PREFIX="$TESTROOT/prefix" >/dev/null 2>&1
is "$(find "$TESTROOT/prefix" -type f)" "" "uninstall of the PREFIX install"

done_testing
