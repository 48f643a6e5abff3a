#!/usr/bin/env bash
# json_status.t -- `status --json`: one document on one line with the
# documented fields (docs/json.md), the exit codes of the human output,
# messages on stderr only, and the human output untouched without --json.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/json.sh"

cd "$TESTROOT"
mkdir proj && cd proj
"$SQLITCH" init flipr --engine sqlite --target db:sqlite:flipr.db >/dev/null
"$SQLITCH" add users -n users >/dev/null
"$SQLITCH" tag v1.0 -n release >/dev/null
"$SQLITCH" tag v1.1 -n again >/dev/null
"$SQLITCH" add flips -n flips >/dev/null
"$SQLITCH" add widgets -n widgets >/dev/null
id_of() { "$SQLITCH" plan --no-headers --format 'format:%H' --change "^$1\$"; }

# --- no registry yet: exit 1 as without --json, a document with state null ---
run_cmd SQLITCH status --json
HRC=$("$SQLITCH" status >/dev/null 2>&1; echo $?)
is "$RC" 1 "no registry: exit 1"
is "$HRC" 1 "(the human output exits 1 too)"
is "$OUT" '{"target":"db:sqlite:flipr.db","project":"flipr","state":null,"changes":[],"tags":[],"undeployed":["users","flips","widgets"],"up_to_date":false}' \
   "no registry: state null, every change undeployed"
is "$ERR" "No changes deployed" "no registry: the message on stderr, not stdout"

# --- nothing deployed (registry exists): the same ---------------------------
"$SQLITCH" deploy >/dev/null && "$SQLITCH" revert -y >/dev/null
run_cmd SQLITCH status --json --show-changes --show-tags
is "$RC" 1 "nothing deployed: exit 1"
is "$(py '[d["state"], d["changes"], d["tags"], d["undeployed"], d["up_to_date"]]' <<<"$OUT")" \
   '[null, [], [], ["users", "flips", "widgets"], false]' "nothing deployed: state null"
is "$ERR" "No changes deployed" "nothing deployed: the message on stderr"

# --- partly deployed -----------------------------------------------------------
"$SQLITCH" deploy --to flips >/dev/null
run_cmd SQLITCH status --json
is "$RC" 0 "partly deployed: exit 0"
is "$ERR" "" "partly deployed: nothing on stderr"
is "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 1 "one line"
is "$(py 'list(d)' <<<"$OUT")" '["target", "project", "state", "changes", "tags", "undeployed", "up_to_date"]' "top-level fields"
is "$(py 'list(d["state"])' <<<"$OUT")" \
   '["change_id", "name", "tags", "deployed_at", "committer_name", "committer_email", "planner_name", "planner_email", "planned_at"]' \
   "state fields"
is "$(py 'd["target"]+" "+d["project"]+" "+d["state"]["name"]' <<<"$OUT")" "db:sqlite:flipr.db flipr flips" "target, project, current change"
is "$(py 'd["state"]["change_id"]' <<<"$OUT")" "$(id_of flips)" "state: change_id"
is "$(py '[d["state"]["committer_name"], d["state"]["committer_email"], d["state"]["planner_name"], d["state"]["planner_email"]]' <<<"$OUT")" \
   '["Test User", "test@example.com", "Test User", "test@example.com"]' "state: committer and planner"
like "$(py 'd["state"]["deployed_at"]' <<<"$OUT")" "$TS" "state: deployed_at in UTC ISO form"
is "$(py 'd["state"]["planned_at"]' <<<"$OUT")" \
   "$("$SQLITCH" plan --json --change '^flips$' | py 'd["changes"][0]["planned_at"]')" "state: planned_at as in the plan"
is "$(py '[d["undeployed"], d["up_to_date"], d["changes"], d["tags"]]' <<<"$OUT")" '[["widgets"], false, [], []]' \
   "undeployed changes; lists empty without --show-*"
# the same deployment time as the human output, in UTC
human=$("$SQLITCH" status --date-format 'strftime:%Y-%m-%dT%H:%M:%SZ' | sed -n 's/^# Deployed: //p')
is "$(py 'd["state"]["deployed_at"]' <<<"$OUT")" "$human" "deployed_at is the human Deployed: time"
is "$("$SQLITCH" status --json --date-format rfc | py 'd["state"]["deployed_at"]')" "$human" "--date-format does not apply"
run_cmd SQLITCH status --json --date-format bogus
is "$RC" 255 "--date-format bogus: still an error (exit 255)"

# --show-changes / --show-tags
run_cmd SQLITCH status --json --show-changes --show-tags
is "$(py '[c["name"] for c in d["changes"]]' <<<"$OUT")" '["flips", "users"]' "--show-changes: newest first"
is "$(py 'list(d["changes"][0])' <<<"$OUT")" '["change_id", "name", "deployed_at", "committer_name", "committer_email"]' "change entry fields"
is "$(py 'd["changes"][1]["change_id"]' <<<"$OUT")" "$(id_of users)" "change entry id"
is "$(py 'sorted(t["name"] for t in d["tags"])' <<<"$OUT")" '["@v1.0", "@v1.1"]' "--show-tags: the tags"
is "$(py 'list(d["tags"][0])' <<<"$OUT")" '["tag_id", "name", "deployed_at", "committer_name", "committer_email"]' "tag entry fields"
tag_ids=$(for t in v1.0 v1.1; do "$SQLITCH" show --json tag $t | py 'd["tag_id"]'; done | sort)
is "$(py '"\n".join(sorted(t["tag_id"] for t in d["tags"]))' <<<"$OUT")" "$tag_ids" "tag entry ids"
like "$(py 'd["tags"][0]["deployed_at"]' <<<"$OUT")" "$TS" "tag entry deployed_at"
"$SQLITCH" config status.show_changes true
is "$("$SQLITCH" status --json | py 'len(d["changes"])')" 2 "status.show_changes applies"
"$SQLITCH" config --unset status.show_changes

# the state's tags
"$SQLITCH" revert -y --to users >/dev/null
is "$("$SQLITCH" status --json | py 'd["state"]["tags"]')" '["@v1.0", "@v1.1"]' "state: tags as a list"

# --- up to date -----------------------------------------------------------------
"$SQLITCH" deploy >/dev/null
run_cmd SQLITCH status --json
is "$RC" 0 "up to date: exit 0"
is "$(py '[d["state"]["name"], d["undeployed"], d["up_to_date"]]' <<<"$OUT")" '["widgets", [], true]' "up to date"

# --- status unknown: the plan is another project's -----------------------------
mkdir ../other && (cd ../other && "$SQLITCH" init other --engine sqlite >/dev/null && "$SQLITCH" add thing -n thing >/dev/null)
run_cmd SQLITCH status --json --project flipr --plan-file ../other/sqitch.plan
like "$("$SQLITCH" status --project flipr --plan-file ../other/sqitch.plan)" 'Status unknown' "(the human output says Status unknown)"
is "$RC" 0 "status unknown: exit 0"
is "$(py '[d["project"], d["state"]["name"], d["undeployed"], d["up_to_date"]]' <<<"$OUT")" '["flipr", "widgets", [], null]' \
   "status unknown: up_to_date null"

# --- errors: no JSON, the human message on stderr, the same exit code ----------
"$SQLITCH" revert -y >/dev/null
"$SQLITCH" deploy --to flips >/dev/null
cp sqitch.plan plan.orig
sed -i '/^flips /d' sqitch.plan
run_cmd SQLITCH status --json
HRC=$("$SQLITCH" status >/dev/null 2>&1; echo $?)
is "$RC" 2 "current change not in the plan: exit 2"
is "$HRC" 2 "(the human output exits 2 too)"
is "$OUT" "" "current change not in the plan: no JSON"
is "$ERR" $'Cannot find this change in sqitch.plan\nMake sure you are connected to the proper database for this project.' \
   "current change not in the plan: the human messages on stderr"
mv plan.orig sqitch.plan

run_cmd SQLITCH status --json db:sqlite:../other/other.db
is "$RC" 1 "another database, nothing there: exit 1"
is "$(py '[d["target"], d["state"]]' <<<"$OUT")" '["db:sqlite:../other/other.db", null]' "another database: its target"

# --- without --json the output is the human one (byte parity: tests/parity) ---
like "$("$SQLITCH" status)" $'^# On database db:sqlite:flipr.db\n# Project:  flipr' "human output without --json"

done_testing
