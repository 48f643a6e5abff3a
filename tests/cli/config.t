#!/usr/bin/env bash
# CLI: `sqlitch config` behaviour that has no sqitch counterpart to compare
# with -- the SQLITCH_* twins of SQITCH_* variables, sqlitch.conf compat
# projects, and the places where sqitch 1.3.1 crashes (documented in
# docs: --bool-or-int, bad regular expressions).
. "$(dirname "$0")/../lib/tap.sh"

cd "$TESTROOT" || exit 1
mkdir -p proj && cd proj || exit 1

# ---- SQLITCH_CONFIG beats SQITCH_CONFIG ------------------------------------
printf '[core]\n\tengine = pg\n' > old.conf
printf '[core]\n\tengine = sqlite\n' > new.conf
SQITCH_CONFIG=old.conf run_cmd SQLITCH config core.engine
is "$OUT" "pg" "SQITCH_CONFIG is read"
SQITCH_CONFIG=old.conf SQLITCH_CONFIG=new.conf run_cmd SQLITCH config core.engine
is "$OUT" "sqlite" "SQLITCH_CONFIG wins over SQITCH_CONFIG"
SQITCH_CONFIG=old.conf SQLITCH_CONFIG=new.conf run_cmd SQLITCH config core.x 1
is "$RC" 0 "set with both variables"
ok "grep -q 'x = 1' new.conf && ! grep -q 'x = 1' old.conf" "the write goes to SQLITCH_CONFIG's file"
SQITCH_CONFIG=old.conf SQLITCH_CONFIG= run_cmd SQLITCH config core.engine
is "$OUT" "pg" "an empty SQLITCH_CONFIG counts as unset (Perl truth)"

# ---- SQLITCH_USER_CONFIG / SQLITCH_SYSTEM_CONFIG -------------------------------
SQLITCH_USER_CONFIG=$TESTROOT/u2.conf run_cmd SQLITCH config --user user.name "Twin User"
is "$RC" 0 "--user with SQLITCH_USER_CONFIG"
is "$(cat "$TESTROOT/u2.conf")" "$(printf '[user]\n\tname = Twin User')" "user file written where SQLITCH_USER_CONFIG says"
is "$(cat "$TESTROOT/empty.conf")" "" "SQITCH_USER_CONFIG's file untouched"
SQLITCH_USER_CONFIG=$TESTROOT/u2.conf run_cmd SQLITCH config --get user.name
is "$OUT" "Twin User" "merged view reads SQLITCH_USER_CONFIG"
SQLITCH_SYSTEM_CONFIG=$TESTROOT/etc/s.conf run_cmd SQLITCH config --system core.pager less
is "$RC" 0 "--system with SQLITCH_SYSTEM_CONFIG (creates the directory)"
ok "[ -f '$TESTROOT/etc/s.conf' ]" "system file created"
SQLITCH_SYSTEM_CONFIG=$TESTROOT/etc/s.conf run_cmd SQLITCH config --system -l
is "$OUT" "$(printf 'core.pager=less\n')" "--system --list lists that file only"

# ---- SQLITCH_EDITOR beats SQITCH_EDITOR, core.editor, VISUAL, EDITOR ------------
rm -f sqitch.conf
SQITCH_EDITOR=false SQLITCH_EDITOR=true run_cmd SQLITCH config --edit
is "$RC" 0 "SQLITCH_EDITOR wins"
SQITCH_EDITOR=false run_cmd SQLITCH config -e
is "$RC" 2 "SQITCH_EDITOR used"
is "$ERR" "$(printf '"false sqitch.conf" unexpectedly returned exit value 1\n')" "editor failure message"
printf '[core]\n\teditor = true\n' > sqitch.conf
EDITOR=false run_cmd SQLITCH config -e
is "$RC" 0 "core.editor beats EDITOR"
rm -f sqitch.conf

# ---- compat projects: sqlitch.conf ---------------------------------------------
mkdir -p "$TESTROOT/compat/sub" && cd "$TESTROOT/compat" || exit 1
printf '[core]\n\tcompat = sqlitch\n\tengine = sqlite\n' > sqlitch.conf
run_cmd SQLITCH config core.engine
is "$OUT" "sqlite" "sqlitch.conf is the local file"
run_cmd SQLITCH -C sub config core.compat
is "$OUT" "sqlitch" "found from a subdirectory"
run_cmd SQLITCH config core.top_dir sqlitch
is "$RC" 0 "set in a compat project"
ok "grep -q 'top_dir = sqlitch' sqlitch.conf && [ ! -e sqitch.conf ]" "writes go to sqlitch.conf"
run_cmd SQLITCH config --local -l
like "$OUT" "core.compat=sqlitch" "--local --list reads sqlitch.conf"
printf '[core]\n\tengine = pg\n' > sqitch.conf
run_cmd SQLITCH config core.engine
is "$RC" 2 "both sqitch.conf and sqlitch.conf: exit 2"
like "$ERR" "sqitch\.conf.*sqlitch\.conf" "the error names both files"
run_cmd SQLITCH -C sub config core.engine
is "$RC" 2 "... from a subdirectory too"
run_cmd SQLITCH plan
is "$RC" 2 "... and for every other command"
rm -f sqitch.conf

# ---- where sqitch crashes -------------------------------------------------------
cd "$TESTROOT/proj" || exit 1
rm -f sqitch.conf
run_cmd SQLITCH config --bool-or-int a.b 10k
is "$RC" 0 "--bool-or-int works (sqitch 1.3.1 dies on a type constraint)"
run_cmd SQLITCH config --bool-or-int --get a.b
is "$OUT" "10240" "--bool-or-int int"
run_cmd SQLITCH config --bool-or-int a.c On
run_cmd SQLITCH config --get a.c
is "$OUT" "true" "--bool-or-int bool normalised"
run_cmd SQLITCH config --bool-or-int a.d maybe
is "$RC" 2 "--bool-or-int bad value"
is "$ERR" "$(printf "Invalid bool-or-int 'maybe'\n")" "--bool-or-int message"
run_cmd SQLITCH config --get-regex '('
is "$RC" 2 "bad key regex: exit 2"
like "$ERR" '^Invalid regular expression "\(": ' "bad key regex: one clean line"
run_cmd SQLITCH config --get a.b '['
is "$RC" 2 "bad value regex: exit 2"
ok "[ \$(printf '%s\n' \"\$ERR\" | wc -l) -le 2 ]" "no stack trace"

# --get-regex with a value regex that leaves one value of a multi-valued
# key: sqitch dies ("Can't use string as an ARRAY ref"); sqlitch lists it.
rm -f sqitch.conf
run_cmd SQLITCH config --add m.k one
run_cmd SQLITCH config --add m.k two
run_cmd SQLITCH config --get-regex '^m' '^t'
is "$RC" 0 "--get-regex filtering a multi-valued key down to one value"
is "$OUT" "m.k=[two]" "... lists the key with the value that matched"
rm -f sqitch.conf

# A broken project file stops every command, including config writes
# (sqitch loads lazily and fails in the writer with exit 2 instead).
printf 'novalue\n' > sqitch.conf
run_cmd SQLITCH config core.engine pg
is "$RC" 255 "broken sqitch.conf: exit 255"
is "$ERR" "Error parsing $PWD/sqitch.conf at line 2, position 0.
Bad line was: 'novalue'" "broken sqitch.conf: message"
is "$(cat sqitch.conf)" "novalue" "the broken file is left alone"
rm -f sqitch.conf

# ---- no half-written files --------------------------------------------------------
printf '[core]\n\tengine = pg\n' > sqitch.conf
: > sqitch.conf.lock
run_cmd SQLITCH config core.engine sqlite
is "$RC" 2 "a stale lock file stops the write"
like "$ERR" "^Can't open .*sqitch.conf.lock for writing: File exists" "lock message"
is "$(cat sqitch.conf)" "$(printf '[core]\n\tengine = pg')" "file unchanged"
rm -f sqitch.conf.lock
run_cmd SQLITCH config core.engine sqlite
ok "[ ! -e sqitch.conf.lock ]" "no lock file left behind"

# ---- --etc-path --------------------------------------------------------------------
run_cmd SQLITCH --etc-path
is "$OUT" "/etc/sqitch" "--etc-path is Debian's sqitch directory"

done_testing
