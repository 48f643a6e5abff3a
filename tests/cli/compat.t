#!/usr/bin/env bash
# Compat modes: `init --compat sqlitch` lays a project out under sqlitch/
# with sqlitch.conf; `--compat sqitch` (the default) is Sqitch's layout;
# sqitch and sqlitch project files never mix in one directory.
. "$(dirname "$0")/../lib/tap.sh"

P=$TESTROOT/p1
mkdir -p "$P" && cd "$P"

run_cmd SQLITCH init flipr --engine sqlite --compat sqlitch
is "$RC" 0 "init --compat sqlitch: exit 0"
is "$OUT" "Created sqlitch.conf
Created sqlitch/
Created sqlitch/sqlitch.plan
Created sqlitch/deploy/
Created sqlitch/revert/
Created sqlitch/verify/" "init --compat sqlitch: what it creates"
is "$ERR" "" "init --compat sqlitch: no errors"
is "$(cat sqlitch.conf)" "[core]
	engine = sqlite
	compat = sqlitch
	plan_file = sqlitch/sqlitch.plan
	top_dir = sqlitch
# [engine \"sqlite\"]
	# target = db:sqlite:
	# registry = sqitch
	# client = sqlite3" "sqlitch.conf content"
is "$(cat sqlitch/sqlitch.plan)" "%syntax-version=1.0.0
%project=flipr" "sqlitch/sqlitch.plan content"
ok "[ ! -e sqitch.conf ] && [ ! -e sqitch.plan ] && [ ! -e deploy ]" \
    "no Sqitch files at the top"

run_cmd SQLITCH target show db:sqlite:
like "$OUT" "Top Directory: sqlitch" "target show: top dir from sqlitch.conf"
like "$OUT" "Plan File:     sqlitch/sqlitch.plan" "target show: plan file"
like "$OUT" "Deploy:      sqlitch/deploy" "target show: deploy dir"

run_cmd SQLITCH target add dev db:sqlite:dev.db
is "$RC" 0 "target add in a sqlitch project"
ok "grep -q 'uri = db:sqlite:dev.db' sqlitch.conf" "target written to sqlitch.conf"
ok "[ ! -e sqitch.conf ]" "still no sqitch.conf"

run_cmd SQLITCH init flipr --compat sqlitch
is "$RC:$OUT:$ERR" "0::" "re-init --compat sqlitch is a silent no-op"
run_cmd SQLITCH init flipr
is "$RC:$OUT:$ERR" "0::" "re-init without --compat keeps the sqlitch project"
run_cmd SQLITCH init flipr --compat sqitch
is "$RC" 2 "--compat sqitch next to sqlitch.conf: exit 2"
is "$ERR" "Cannot initialize a sqitch compat project: sqlitch.conf already exists" \
    "--compat sqitch next to sqlitch.conf: message"
ok "[ ! -e sqitch.conf ]" "nothing written"

# a subdirectory finds sqlitch.conf upwards
mkdir -p sub
(cd sub && "$SQLITCH" target) > "$TESTROOT/sub.out" 2>&1
is "$(cat "$TESTROOT/sub.out")" "dev" "config found from a subdirectory"

# both config files: every command stops, naming both
touch sqitch.conf
run_cmd SQLITCH target
is "$RC" 2 "sqitch.conf next to sqlitch.conf: exit 2"
like "$ERR" "sqitch.conf" "the error names sqitch.conf"
like "$ERR" "sqlitch.conf" "the error names sqlitch.conf"
rm sqitch.conf

# --top-dir / --plan-file still apply
P2=$TESTROOT/p2
mkdir -p "$P2" && cd "$P2"
run_cmd SQLITCH init flipr --engine pg --compat sqlitch --top-dir db
is "$RC" 0 "--compat sqlitch --top-dir db"
ok "[ -f db/sqlitch.plan ] && [ -d db/deploy ]" "plan and scripts under db/"
ok "grep -q 'plan_file = db/sqlitch.plan' sqlitch.conf" "plan_file = db/sqlitch.plan"
P3=$TESTROOT/p3
mkdir -p "$P3" && cd "$P3"
run_cmd SQLITCH init flipr --engine pg --compat sqlitch --plan-file my.plan
ok "[ -f my.plan ] && [ -d sqlitch/deploy ]" "--plan-file overrides the plan only"

# --compat sqitch is exactly the default layout
for m in default sqitch; do
    mkdir -p "$TESTROOT/$m" && cd "$TESTROOT/$m"
    if [ $m = default ]; then "$SQLITCH" init flipr --engine sqlite >/dev/null
    else "$SQLITCH" init flipr --engine sqlite --compat sqitch >/dev/null; fi
done
is "$(diff -r "$TESTROOT/default" "$TESTROOT/sqitch" 2>&1)" "" \
    "--compat sqitch writes the default files"
ok "[ -f '$TESTROOT/sqitch/sqitch.conf' ] && [ -f '$TESTROOT/sqitch/sqitch.plan' ]" \
    "--compat sqitch: sqitch.conf and sqitch.plan"

# --compat sqlitch next to a Sqitch project
cd "$TESTROOT/default"
run_cmd SQLITCH init flipr --compat sqlitch
is "$RC" 2 "--compat sqlitch next to sqitch.conf: exit 2"
is "$ERR" "Cannot initialize a sqlitch compat project: sqitch.conf already exists" \
    "--compat sqlitch next to sqitch.conf: message"
ok "[ ! -e sqlitch.conf ] && [ ! -e sqlitch ]" "nothing written"

# both plan files: commands that resolve the plan stop, naming both
printf '%%syntax-version=1.0.0\n%%project=flipr\n\n' > sqlitch.plan
run_cmd SQLITCH target show db:sqlite:
is "$RC" 2 "sqitch.plan next to sqlitch.plan: exit 2"
is "$ERR" "Both sqitch.plan and sqlitch.plan exist; a project may use only one of them. Remove one" \
    "sqitch.plan next to sqlitch.plan: message"
rm sqlitch.plan

# a bad mode
run_cmd SQLITCH init flipr --compat both
is "$RC" 255 "unknown compat mode: exit 255"
is "$ERR" 'Unknown compat mode "both"; use "sqitch" or "sqlitch"' "unknown compat mode: message"

done_testing
