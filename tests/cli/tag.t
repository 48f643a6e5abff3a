#!/usr/bin/env bash
# `sqlitch tag` on its own (no oracle): listing, tagging, where the line
# goes, and that a failed or aborted tag leaves the plan untouched.
. "$(dirname "$0")/../lib/tap.sh"

P=$TESTROOT/p
mkdir -p "$P" && cd "$P"
run_cmd SQLITCH init flipr --engine sqlite
run_cmd SQLITCH tag
is "$RC:$OUT" "0:" "list an empty plan"
run_cmd SQLITCH tag v1 -n x
is "$RC" 2 "tag an empty plan: exit 2"
is "$ERR" 'Cannot apply tag "@v1" to a plan with no changes' "tag an empty plan: message"
run_cmd SQLITCH add users -n users
run_cmd SQLITCH add widgets -n widgets
run_cmd SQLITCH tag v1.0 -n 'First'
is "$OUT" 'Tagged "widgets" with @v1.0 in sqitch.plan' "tag the last change"
run_cmd SQLITCH tag @alpha users -n 'on users'
is "$OUT" 'Tagged "users" with @alpha in sqitch.plan' "tag a named change, with @"
is "$(sed -n '4,7p' sqitch.plan | cut -d' ' -f1)" 'users
@alpha
widgets
@v1.0' "the tag line follows its change"
run_cmd SQLITCH tag
is "$OUT" '@alpha
@v1.0' "list"

cp sqitch.plan plan.before
run_cmd SQLITCH tag v1.0 -n x
is "$ERR" 'Tag "@v1.0" already exists' "duplicate"
run_cmd SQLITCH tag nt nope -n x
is "$ERR" 'Unknown change: "nope"' "unknown change"
run_cmd SQLITCH tag 'a/b' -n x
like "$ERR" '^"a/b" is invalid: tags must not' "slash in a tag name"
EDITOR=true run_cmd SQLITCH tag aborted
is "$RC:$OUT" "1:Aborting due to empty note" "empty note aborts"
ok "cmp -s sqitch.plan plan.before" "plan untouched by failures"
ok "[ -z \"\$(ls -A . | grep sqlitch-tmp)\" ]" "no temporary files left"

done_testing
