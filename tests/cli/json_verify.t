#!/usr/bin/env bash
# json_verify.t -- `verify --json`: one JSON line per change (deployed ones
# in deployment order, then the planned ones that are not deployed), then
# a summary; the human report's problems in `error`; the exit codes of the
# human output (docs/json.md).
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/json.sh"

# ops: "op:change:ok" of every change line
ops='" ".join(l["op"]+":"+l["change"]+":"+str(l["ok"]) for l in L[:-1])'

cd "$TESTROOT"
mkdir proj && cd proj
"$SQLITCH" init flipr --engine sqlite --target db:sqlite:flipr.db >/dev/null
"$SQLITCH" add users -n users >/dev/null
"$SQLITCH" add flips -n flips >/dev/null
"$SQLITCH" tag v1.0 -n release >/dev/null
"$SQLITCH" add widgets -n widgets >/dev/null
for c in users flips widgets; do
    echo "CREATE TABLE $c (id INTEGER);" >>deploy/$c.sql
    echo "DROP TABLE $c;" >>revert/$c.sql
    echo "SELECT id FROM $c;" >>verify/$c.sql
done
id_of() { "$SQLITCH" plan --no-headers --format 'format:%H' --change "^$1\$"; }

# no registry yet: the exit code of the human output, the summary alone
run_cmd SQLITCH verify --json
HRC=$("$SQLITCH" verify >/dev/null 2>&1; echo $?)
is "$RC" "$HRC" "no registry: the exit code of the human output"
is "$(jl '[len(L), L[0]["event"], L[0]["target"], L[0]["exit"]]' <<<"$OUT")" "[1, \"summary\", \"db:sqlite:flipr.db\", $HRC]" \
   "no registry: the summary alone"
like "$ERR" 'No registry found' "no registry: the message on stderr"

# nothing deployed: the summary alone, exit 0 as without --json
"$SQLITCH" deploy >/dev/null && "$SQLITCH" revert -y >/dev/null
run_cmd SQLITCH verify --json
is "$RC" 0 "nothing deployed: exit 0"
is "$(jl 'L' <<<"$OUT")" \
   '[{"event": "summary", "target": "db:sqlite:flipr.db", "op": "verify", "changes": 0, "failed": 0, "exit": 0, "error": null}]' \
   "nothing deployed: the summary alone, no message"

"$SQLITCH" deploy >/dev/null

# success
run_cmd SQLITCH verify --json
is "$RC" 0 "verify --json: exit 0"
is "$ERR" "" "verify --json: nothing on stderr"
is "$(jl "$ops" <<<"$OUT")" "verify:users:True verify:flips:True verify:widgets:True" "one line per change, in order"
is "$(jl 'list(L[0])' <<<"$OUT")" '["event", "op", "change", "change_id", "tags", "ok", "duration", "error"]' "change line fields"
is "$(jl 'L[1]["change_id"]+" "+json.dumps(L[1]["tags"])' <<<"$OUT")" "$(id_of flips) [\"@v1.0\"]" "change_id and tags"
is "$(jl 'L[-1]' <<<"$OUT")" \
   '{"event": "summary", "target": "db:sqlite:flipr.db", "op": "verify", "changes": 3, "failed": 0, "exit": 0, "error": null}' \
   "summary of a successful verify"
is "$(jl "$ops" <<<"$("$SQLITCH" verify --json --from flips --to flips)")" "verify:flips:True" "--from/--to select the changes"

# a failing verify script
echo 'SELECT * FROM nosuch;' >>verify/flips.sql
run_cmd SQLITCH verify --json
is "$RC" 2 "failing verify script: exit 2 as without --json"
is "$(jl "$ops" <<<"$OUT")" "verify:users:True verify:flips:False verify:widgets:True" "failing verify: flips not ok"
like "$(jl 'L[1]["error"]' <<<"$OUT")" $'no such table: nosuch.*\nVerify script "verify/flips.sql" failed\\.$' \
     "failing verify: the script's error, then the report's comment"
is "$(jl '[L[0]["error"], L[2]["error"]]' <<<"$OUT")" "[null, null]" "the other changes have no error"
is "$(jl '[L[-1][k] for k in ("changes","failed","exit","error")]' <<<"$OUT")" '[3, 1, 2, "Verify failed"]' "failing verify: summary"
like "$ERR" 'no such table: nosuch' "failing verify: the script's error on stderr"
like "$ERR" 'Verify failed' "failing verify: the message on stderr"
sed -i '/nosuch/d' verify/flips.sql

# a missing verify script is not an error (a warning on stderr)
mv verify/widgets.sql widgets.sql
run_cmd SQLITCH verify --json
is "$RC" 0 "missing verify script: exit 0"
is "$(jl '[L[2]["ok"], L[2]["error"]]' <<<"$OUT")" "[true, null]" "missing verify script: ok"
like "$ERR" 'Verify script verify/widgets.sql does not exist' "missing verify script: the warning on stderr"
mv widgets.sql verify/widgets.sql

# a planned change missing from the registry: the next one is out of order
# and the missing one is listed as not deployed
sqlite3 sqitch.db "DELETE FROM tags WHERE change_id = '$(id_of flips)'; DELETE FROM changes WHERE change = 'flips';"
run_cmd SQLITCH verify --json
is "$RC" 2 "a change missing from the registry: exit 2"
is "$(jl "$ops" <<<"$OUT")" "verify:users:True verify:widgets:False verify:flips:False" \
   "deployed changes first, then the undeployed one"
is "$(jl '[L[1]["error"], L[2]["error"]]' <<<"$OUT")" '["Out of order", "Not deployed"]' "the report's problems as errors"
is "$(jl '[L[2]["change_id"], L[2]["tags"]]' <<<"$OUT")" "[\"$(id_of flips)\", [\"@v1.0\"]]" "not deployed: id and tags from the plan"
is "$(jl '[L[-1][k] for k in ("changes","failed","exit")]' <<<"$OUT")" '[3, 2, 2]' "out of order, not deployed: summary"
# ... and the structured log has their events too
run_cmd env SQLITCH_LOG=json "$SQLITCH" verify
is "$(grep '^{"ts":' <<<"$ERR" | jl '[l["change"]+":"+str(l["ok"]) for l in L if l["event"]=="change_end"]')" \
   '["users:True", "widgets:False", "flips:False"]' "structured log: an end event per reported change"
"$SQLITCH" revert -y >/dev/null && sqlite3 flipr.db 'DROP TABLE flips'
"$SQLITCH" deploy >/dev/null

# a reworked change is listed (its old script is not run)
"$SQLITCH" rework users -n 'users again' >/dev/null
echo 'SELECT * FROM nosuch;' >>verify/users@v1.0.sql
run_cmd SQLITCH verify --json --to widgets
is "$RC" 0 "reworked change: exit 0"
is "$(jl "$ops" <<<"$OUT")" "verify:users:True verify:flips:True verify:widgets:True" "reworked change: listed, ok, script not run"
is "$(jl 'L[0]["change_id"]' <<<"$OUT")" "$("$SQLITCH" show --json change users@v1.0 | jl 'L[0]["change_id"]')" \
   "reworked change: the id of the deployed instance"

# errors before any change: the summary and the exit code of the human output
run_cmd SQLITCH verify --json --from nosuch
HRC=$("$SQLITCH" verify --from nosuch >/dev/null 2>&1; echo $?)
is "$RC" "$HRC" "unknown --from: the exit code of the human output"
is "$(jl '[len(L), L[0]["event"], L[0]["changes"], L[0]["exit"]]' <<<"$OUT")" "[1, \"summary\", 0, $HRC]" "unknown --from: the summary alone"
like "$(jl 'L[0]["error"]' <<<"$OUT")" 'nosuch' "unknown --from: the error in the summary"
like "$ERR" 'nosuch' "unknown --from: the error on stderr"

# without --json: the human report
run_cmd SQLITCH verify --to widgets
like "$OUT" $'^Verifying db:sqlite:flipr.db\n  \\* users \\.+ ok' "human report without --json"

done_testing
