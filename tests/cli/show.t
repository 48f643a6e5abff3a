#!/usr/bin/env bash
# show.t -- `sqlitch show` on its own: exact script bytes, -e exit codes,
# error texts (including sqitch's unbalanced quote), and plan file options.
. "$(dirname "$0")/../lib/tap.sh"

cd "$TESTROOT" || exit 1
printf '[core]\n\tengine = sqlite\n' > sqitch.conf
cat > sqitch.plan <<'PLAN'
%syntax-version=1.0.0
%project=widgets

users 2024-01-15T10:30:00Z Marge <marge@example.com> # Users
@v1.0 2024-01-15T10:32:00Z Marge <marge@example.com> # first
users [users@v1.0] 2024-01-16T10:31:00Z Bob <bob@example.com> # again
PLAN
mkdir -p deploy revert verify
printf 'current\n' > deploy/users.sql
printf 'old\0bytes\xff' > deploy/users@v1.0.sql
printf 'rev' > revert/users.sql

run_cmd SQLITCH show change users@v1.0
is "$OUT" "project widgets
change users
planner Marge <marge@example.com>
date 2024-01-15T10:30:00Z

Users" "change info"
is "$RC" 0 "exit 0"

run_cmd SQLITCH show tag v1.0
like "$OUT" $'^project widgets\ntag @v1.0\nchange ' "tag info"

"$SQLITCH" show deploy users@v1.0 > out.bin 2>/dev/null
printf 'old\0bytes\xff\n' > want.bin
ok "cmp -s out.bin want.bin" "script bytes are copied raw, NUL and 0xff included, plus a newline"
run_cmd SQLITCH show deploy users@HEAD
is "$OUT" "current" "reworked change: the current script"
run_cmd SQLITCH show revert users@HEAD
is "$OUT" "rev" "revert script without a final newline gets one"
run_cmd SQLITCH show revert users@v1.0
is "$ERR" 'File "revert/users@v1.0.sql" does not exist' "older instance: the tagged file name"

run_cmd SQLITCH show -e change users@HEAD
is "$RC:$OUT:$ERR" "0::" "-e existing change: 0, silent"
run_cmd SQLITCH show -e change nope
is "$RC:$OUT:$ERR" "2::" "-e missing change: 2, silent"
run_cmd SQLITCH show -e tag nope
is "$RC:$OUT:$ERR" "2::" "-e missing tag: 2, silent"
run_cmd SQLITCH show -e verify users@HEAD
is "$RC:$OUT:$ERR" "2::" "-e missing script: 2, silent"
mkdir -p verify/users.sql
run_cmd SQLITCH show -e verify users@HEAD
is "$ERR" '"verify/users.sql" is not a file' "-e still reports a directory"
is "$RC" 2 "exit 2"

run_cmd SQLITCH show widget users
is "$ERR" 'Unknown object type "widget' "unknown type keeps sqitch's unbalanced quote"
is "$RC" 2 "exit 2"
run_cmd SQLITCH show change nope
is "$ERR" 'Unknown change "nope"' "unknown change"
run_cmd SQLITCH show tag nope
is "$ERR" 'Unknown tag "nope"' "unknown tag"
run_cmd SQLITCH show revert nope
is "$ERR" 'Unknown change "nope"' "script of an unknown change"
rm -rf verify/users.sql
run_cmd SQLITCH show verify users@HEAD
is "$ERR" 'File "verify/users.sql" does not exist' "missing script"
run_cmd SQLITCH show change users
is "$ERR" 'Change "users" is ambiguous. Please specify a tag-qualified change:
  * users@HEAD
  * users@v1.0
Change lookup failed' "ambiguous change"
is "$RC" 2 "ambiguous exits 2"

run_cmd SQLITCH show change
is "$OUT" "" "usage: nothing on stdout"
is "$RC" 2 "usage exits 2"
ok "[ -n \"\$ERR\" ]" "usage on stderr"

run_cmd SQLITCH show -f nope.plan change users@HEAD
is "$ERR" "Plan file nope.plan does not exist" "missing plan file"
is "$RC" 2 "exit 2"

done_testing
