#!/usr/bin/env bash
# `sqlitch rework` on its own (no oracle): the copies, the new revert
# script, the messages, and that a failure leaves plan and scripts alone.
. "$(dirname "$0")/../lib/tap.sh"

P=$TESTROOT/p
mkdir -p "$P" && cd "$P"
run_cmd SQLITCH init flipr --engine sqlite
run_cmd SQLITCH add users -n users
printf 'deploy v1\n' > deploy/users.sql
printf 'revert v1\n' > revert/users.sql
printf 'verify v1\n' > verify/users.sql
cp sqitch.plan plan.before
run_cmd SQLITCH rework users -n x
is "$RC" 2 "no tag: exit 2"
is "$ERR" 'Cannot rework "users" without an intervening tag.
Use "sqitch tag" to create a tag and try again' "no tag: message"
ok "cmp -s sqitch.plan plan.before && [ ! -e deploy/users@v1.sql ]" "no tag: nothing written"
run_cmd SQLITCH tag v1 -n v1
run_cmd SQLITCH rework users -n 'second'
is "$RC" 0 "rework: exit 0"
is "$OUT" 'Added "users [users@v1]" to sqitch.plan.
Modify these files as appropriate:
  * deploy/users.sql
  * revert/users.sql
  * verify/users.sql' "rework: output"
is "$(cat deploy/users@v1.sql):$(cat revert/users@v1.sql):$(cat verify/users@v1.sql)" \
    "deploy v1:revert v1:verify v1" "old scripts kept as name@v1"
is "$(cat revert/users.sql)" "deploy v1" "new revert starts as the old deploy"
is "$(tail -1 sqitch.plan | cut -d' ' -f1-2)" "users [users@v1]" "plan line"

run_cmd SQLITCH tag v2 -n v2
rm revert/users.sql verify/users.sql
run_cmd SQLITCH -vv rework users -n third
is "$OUT" 'debug: Copied deploy/users.sql to deploy/users@v2.sql
debug: Skipped revert/users@v2.sql: revert/users.sql does not exist
debug: Skipped verify/users@v2.sql: verify/users.sql does not exist
debug: Skipped revert/users.sql: revert/users@v2.sql does not exist
Added "users [users@v2]" to sqitch.plan.
Modify this file as appropriate:
  * deploy/users.sql' "missing scripts are skipped"

cp sqitch.plan plan.before
run_cmd SQLITCH rework nope -n x
is "$ERR" 'Change "nope" does not exist in sqitch.plan.
Use "sqitch add nope" to add it to the plan' "unknown change"
run_cmd SQLITCH tag v3 -n v3
cp sqitch.plan plan.before
EDITOR=true run_cmd SQLITCH rework users
is "$RC:$OUT" "1:Aborting due to empty note" "empty note aborts"
ok "cmp -s sqitch.plan plan.before && [ ! -e deploy/users@v3.sql ]" "abort: nothing copied or written"

done_testing
