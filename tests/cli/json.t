#!/usr/bin/env bash
# json.t -- `plan --json` and `show --json`: one JSON document on one line,
# the documented field names (docs/json.md), the same selection and the
# same exit codes as the human output, which --json leaves untouched.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/json.sh"

cd "$TESTROOT"
mkdir proj && cd proj
"$SQLITCH" init flipr --engine sqlite --uri https://example.com/flipr >/dev/null
"$SQLITCH" add users -n 'Users "table"' >/dev/null
"$SQLITCH" tag v1.0 -n 'First release' >/dev/null
"$SQLITCH" add flips -r users -x widgets -n $'Flips\n\ttabbed, caf\xc3\xa9' >/dev/null
"$SQLITCH" rework users -n 'Users again' >/dev/null

# --- plan --json --------------------------------------------------------------
run_cmd SQLITCH plan --json
is "$RC" 0 "plan --json: exit 0"
is "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 1 "plan --json: one line"
DOC=$OUT
is "$(py 'list(d)' <<<"$DOC")" '["project", "uri", "file", "changes"]' "plan: top-level fields"
is "$(py 'd["project"]+" "+d["uri"]+" "+d["file"]' <<<"$DOC")" \
   "flipr https://example.com/flipr sqitch.plan" "plan: project, uri, file"
is "$(py 'list(d["changes"][0])' <<<"$DOC")" \
   '["position", "change_id", "name", "operation", "note", "planner_name", "planner_email", "planned_at", "requires", "conflicts", "tags"]' \
   "plan: change fields"
is "$(py '" ".join(str(c["position"])+":"+c["name"] for c in d["changes"])' <<<"$DOC")" \
   "1:users 2:flips 3:users" "plan: positions and names, reworked change twice"
is "$(py '"\n".join(c["change_id"] for c in d["changes"])' <<<"$DOC")" \
   "$("$SQLITCH" plan --no-headers --format 'format:%H')" "plan: change IDs as sqitch computes them"
is "$(py 'd["changes"][1]["note"]' <<<"$DOC")" $'Flips\n\ttabbed, caf\xc3\xa9' "plan: note unescaped, UTF-8 kept"
is "$(py 'd["changes"][0]["note"]' <<<"$DOC")" 'Users "table"' "plan: quotes in notes"
is "$(py '[d["changes"][1]["requires"], d["changes"][1]["conflicts"]]' <<<"$DOC")" \
   '[["users"], ["widgets"]]' "plan: requires and conflicts"
is "$(py 'd["changes"][0]["tags"][0]["name"]+" "+d["changes"][0]["tags"][0]["note"]' <<<"$DOC")" \
   "@v1.0 First release" "plan: tag objects"
is "$(py 'd["changes"][0]["tags"][0]["tag_id"]' <<<"$DOC")" \
   "$("$SQLITCH" show tag v1.0 | head -0; "$SQLITCH" show --json tag v1.0 | py 'd["tag_id"]')" "plan: tag id"
like "$(py 'd["changes"][0]["planned_at"]' <<<"$DOC")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "plan: planned_at as in the plan file"
is "$(py 'd["changes"][0]["planner_name"]+" <"+d["changes"][0]["planner_email"]+">"' <<<"$DOC")" \
   "Test User <test@example.com>" "plan: planner"

# the same selection as the human output
for args in "--reverse" "-n 2" "--skip 1" "--change ^f" "--planner Nobody" "--reverse --skip 1 -n 1"; do
    is "$("$SQLITCH" plan --json $args | py '"\n".join(c["name"] for c in d["changes"])')" \
       "$("$SQLITCH" plan --no-headers --format 'format:%n' $args)" "plan --json $args: same changes"
done
is "$("$SQLITCH" plan --json --format oneline --no-headers | py 'len(d["changes"])')" 3 \
   "formatting options do not apply to --json"

# without --json the output is the human one (byte parity: tests/parity/plan.t)
like "$("$SQLITCH" plan | head -1)" '^# Project: flipr$' "human output without --json"

# empty plan: exit 1, document without changes, no message
mkdir ../empty && cd ../empty
"$SQLITCH" init empty --engine sqlite >/dev/null
run_cmd SQLITCH plan --json
is "$RC" 1 "empty plan --json: exit 1 as without --json"
is "$OUT" '{"project":"empty","uri":null,"file":"sqitch.plan","changes":[]}' "empty plan --json: empty list, no message"
run_cmd SQLITCH plan --json --event bogus
is "$RC" 2 "plan --json --event bogus: exit 2"
cd ../proj

# --- show --json --------------------------------------------------------------
run_cmd SQLITCH show --json change flips
is "$RC" 0 "show --json change: exit 0"
is "$(py 'list(d)' <<<"$OUT")" \
   '["type", "change_id", "name", "project", "uri", "parent", "planner_name", "planner_email", "planned_at", "requires", "conflicts", "tags", "note", "info"]' \
   "show change: fields"
is "$(py 'd["info"]' <<<"$OUT")" "$("$SQLITCH" show change flips)" "show change: info is the human text"
is "$(py 'd["parent"]' <<<"$OUT")" "$("$SQLITCH" plan --no-headers --format 'format:%H' -n 1)" "show change: parent id"
is "$(py 'd["type"]+" "+d["uri"]+" "+str(d["tags"])' <<<"$OUT")" \
   "change https://example.com/flipr []" "show change: type, uri, tags"
is "$("$SQLITCH" show --json change users@v1.0 | py 'str(d["parent"])+" "+str(d["tags"])')" \
   "None ['@v1.0']" "show change: first change has a null parent"

run_cmd SQLITCH show --json tag @v1.0
is "$(py 'list(d)' <<<"$OUT")" \
   '["type", "tag_id", "name", "project", "uri", "change", "change_id", "planner_name", "planner_email", "planned_at", "note", "info"]' \
   "show tag: fields"
is "$(py 'd["info"]' <<<"$OUT")" "$("$SQLITCH" show tag @v1.0)" "show tag: info is the human text"
is "$(py 'd["name"]+" "+d["change"]' <<<"$OUT")" "@v1.0 users" "show tag: name and change"

printf 'CREATE TABLE "x\\y" (\n\tid INT\n); -- caf\xc3\xa9 \x01\n' > deploy/flips.sql
run_cmd SQLITCH show --json deploy flips
is "$(py 'list(d)' <<<"$OUT")" '["type", "change", "change_id", "path", "content"]' "show script: fields"
is "$(py 'd["type"]+" "+d["path"]' <<<"$OUT")" "deploy deploy/flips.sql" "show script: type and path"
printf '%s\n' "$OUT" | python3 -c 'import json,sys; sys.stdout.buffer.write(json.loads(sys.stdin.read())["content"].encode())' > got.sql
ok 'cmp -s got.sql deploy/flips.sql' "show script: content is the file's bytes"
is "$("$SQLITCH" show --json revert users@v1.0 | py 'd["path"]')" "revert/users@v1.0.sql" "show script: reworked script path"

# errors and -e are unchanged
run_cmd SQLITCH show --json change nope
is "$RC:$OUT:$ERR" '2::Unknown change "nope"' "show --json unknown change: same error"
run_cmd SQLITCH show --json -e change flips
is "$RC:$OUT" "0:" "show --json -e: nothing printed, exit 0"
run_cmd SQLITCH show --json -e tag nope
is "$RC:$OUT" "2:" "show --json -e missing: exit 2"

done_testing
