#!/usr/bin/env bash
# json_deploy.t -- `deploy --json` and `revert --json`: a stream of JSON
# lines on stdout (one per change, then a summary), nothing else on stdout,
# errors as human text on stderr, and the exit codes of the human output
# (docs/json.md). Covers a failing deploy under each --mode, nothing to
# deploy, revert --to, the revert prompt and the structured log alongside.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/json.sh"

CHANGE_FIELDS='["event", "op", "change", "change_id", "tags", "ok", "duration", "error"]'
SUMMARY_FIELDS='["event", "target", "op", "changes", "failed", "exit", "error"]'

cd "$TESTROOT"
mkdir proj && cd proj
"$SQLITCH" init flipr --engine sqlite --target db:sqlite:flipr.db >/dev/null
"$SQLITCH" add users -n users >/dev/null
"$SQLITCH" add flips -r users -n flips >/dev/null
"$SQLITCH" tag v1.0 -n release >/dev/null
"$SQLITCH" add widgets -n widgets >/dev/null
echo 'CREATE TABLE users (id INTEGER);' >>deploy/users.sql
echo 'DROP TABLE users;' >>revert/users.sql
echo 'CREATE TABLE flips (id INTEGER);' >>deploy/flips.sql
echo 'DROP TABLE flips;' >>revert/flips.sql
echo 'CREATE TABLE widgets (id INTEGER);' >>deploy/widgets.sql
echo 'DROP TABLE widgets;' >>revert/widgets.sql
id_of() { "$SQLITCH" plan --no-headers --format 'format:%H' --change "^$1\$"; }

# --- a successful deploy -----------------------------------------------------
run_cmd SQLITCH deploy --json
is "$RC" 0 "deploy --json: exit 0"
is "$ERR" "" "deploy --json: nothing on stderr"
is "$(jl 'len(L)' <<<"$OUT")" 4 "deploy --json: every stdout line is JSON, 3 changes + summary"
is "$(jl 'list(L[0])' <<<"$OUT")" "$CHANGE_FIELDS" "change line: fields in order"
is "$(jl 'list(L[-1])' <<<"$OUT")" "$SUMMARY_FIELDS" "summary line: fields in order"
is "$(jl '" ".join(l["op"]+":"+l["change"]+":"+str(l["ok"]) for l in L[:-1])' <<<"$OUT")" \
   "deploy:users:True deploy:flips:True deploy:widgets:True" "change lines in deploy order"
is "$(jl 'L[1]["change_id"]' <<<"$OUT")" "$(id_of flips)" "change_id as the plan computes it"
is "$(jl '[l["tags"] for l in L[:-1]]' <<<"$OUT")" '[[], ["@v1.0"], []]' "tags as lists"
is "$(jl 'all(isinstance(l["duration"],(int,float)) and l["duration"]>=0 and l["error"] is None for l in L[:-1])' <<<"$OUT")" \
   "true" "durations are numbers, errors null"
is "$(jl 'L[-1]' <<<"$OUT")" \
   '{"event": "summary", "target": "db:sqlite:flipr.db", "op": "deploy", "changes": 3, "failed": 0, "exit": 0, "error": null}' \
   "summary of a successful deploy"
is "$("$SQLITCH" status --json | jl 'L[0]["state"]["name"]')" widgets "the changes are deployed"

# --- nothing to deploy --------------------------------------------------------
run_cmd SQLITCH deploy --json
is "$RC" 0 "deploy --json, up to date: exit 0"
is "$(jl 'L' <<<"$OUT")" \
   '[{"event": "summary", "target": "db:sqlite:flipr.db", "op": "deploy", "changes": 0, "failed": 0, "exit": 0, "error": null}]' \
   "deploy --json, up to date: the summary alone, no message"

# --- revert --to ---------------------------------------------------------------
run_cmd SQLITCH revert --json -y --to users
is "$RC" 0 "revert --json --to users: exit 0"
is "$(jl '" ".join(l["op"]+":"+l["change"]+":"+str(l["ok"]) for l in L[:-1])' <<<"$OUT")" \
   "revert:widgets:True revert:flips:True" "revert --to: newest first, down to users"
is "$(jl '[L[-1][k] for k in ("op","changes","failed","exit")]' <<<"$OUT")" '["revert", 2, 0, 0]' "revert --to: summary"
is "$(jl 'L[1]["tags"]' <<<"$OUT")" '["@v1.0"]' "revert line: tags"

# the prompt: --json never asks and never waits; the default answer is yes
# (stdin: a FIFO that stays open and never gets a byte or an EOF)
mkfifo "$TESTROOT/stdin" && exec 3<>"$TESTROOT/stdin"
run_cmd bash -c "timeout 10 '$SQLITCH' revert --json <&3"
exec 3>&-
is "$RC" 0 "revert --json without -y: does not wait for an answer on an open stdin"
is "$(jl '[l["change"] for l in L[:-1]]' <<<"$OUT")" '["users"]' "revert --json without -y: the default answer (yes) reverts"
unlike_prompt=$(grep -c 'Revert' <<<"$OUT")
is "$unlike_prompt" 0 "revert --json: no prompt text on stdout"

run_cmd SQLITCH revert --json
is "$RC" 0 "revert --json, nothing deployed: exit 0"
is "$(jl '[L[-1]["changes"], L[-1]["exit"], len(L)]' <<<"$OUT")" '[0, 0, 1]' "nothing to revert: the summary alone"

# revert.prompt_accept = false: the default answer is no -> exit 1
"$SQLITCH" deploy >/dev/null
"$SQLITCH" config revert.prompt_accept false
run_cmd SQLITCH revert --json
is "$RC" 1 "revert --json, prompt_accept false: exit 1 as sqitch's 'no'"
is "$(jl 'L' <<<"$OUT")" \
   '[{"event": "summary", "target": "db:sqlite:flipr.db", "op": "revert", "changes": 0, "failed": 0, "exit": 1, "error": "Nothing reverted"}]' \
   "declined: only the summary on stdout"
is "$ERR" "Nothing reverted" "declined: the exit-1 message on stderr"
run_cmd SQLITCH revert --json -y --to flips
is "$RC" 0 "prompt_accept false, -y: reverts"
is "$(jl '[l["change"] for l in L[:-1]]' <<<"$OUT")" '["widgets"]' "prompt_accept false, -y: reverted widgets"
"$SQLITCH" config --unset revert.prompt_accept

# a failing revert script
sed -i 's/^DROP TABLE flips;/DROP TABLE nosuch;\n&/' revert/flips.sql
run_cmd SQLITCH revert --json -y
is "$RC" 2 "failing revert script: exit 2"
is "$(jl '[l["change"]+":"+str(l["ok"]) for l in L[:-1]]' <<<"$OUT")" '["flips:False"]' "failing revert: flips not ok"
like "$(jl 'L[0]["error"]' <<<"$OUT")" 'revert/flips.sql.*no such table: nosuch' "failing revert: the script's error"
is "$(jl '[L[-1]["failed"], L[-1]["exit"]]' <<<"$OUT")" '[1, 2]' "failing revert: summary"
like "$ERR" 'no such table: nosuch' "failing revert: the error on stderr too"
sed -i '/nosuch/d' revert/flips.sql
"$SQLITCH" revert -y >/dev/null

# --- a failing deploy, under each mode ----------------------------------------
# (the failing statement comes first: SQLite scripts are not atomic)
fail_first() { sed -i "s/^$1/SELECT * FROM nosuch;\n&/" "$2"; }
fail_first 'CREATE TABLE widgets' deploy/widgets.sql

run_cmd SQLITCH deploy --json
is "$RC" 2 "--mode all: exit 2"
is "$(jl '" ".join(l["op"]+":"+l["change"]+":"+str(l["ok"]) for l in L[:-1])' <<<"$OUT")" \
   "deploy:users:True deploy:flips:True deploy:widgets:False revert:flips:True revert:users:True" \
   "--mode all: the failure, then every change of the run reverted"
like "$(jl 'L[2]["error"]' <<<"$OUT")" '^deploy/widgets.sql: .*no such table: nosuch' "--mode all: the script's error"
is "$(jl '[L[-1][k] for k in ("changes","failed","exit","error")]' <<<"$OUT")" '[5, 1, 2, "Deploy failed"]' "--mode all: summary"
like "$ERR" 'no such table: nosuch' "--mode all: the script's error on stderr"
like "$ERR" 'Reverting all changes' "--mode all: stderr as without --json"
is "$("$SQLITCH" status --json 2>/dev/null | jl 'L[0]["state"]')" "null" "--mode all: nothing left deployed"

run_cmd SQLITCH deploy --json --mode tag
is "$RC" 2 "--mode tag: exit 2"
is "$(jl '" ".join(l["op"]+":"+l["change"]+":"+str(l["ok"]) for l in L[:-1])' <<<"$OUT")" \
   "deploy:users:True deploy:flips:True deploy:widgets:False" "--mode tag: nothing after the tag to revert"
is "$(jl '[L[-1][k] for k in ("changes","failed","exit")]' <<<"$OUT")" '[3, 1, 2]' "--mode tag: summary"
is "$("$SQLITCH" status --json | jl 'L[0]["state"]["name"]')" flips "--mode tag: deployed up to the tag"
"$SQLITCH" revert -y >/dev/null

"$SQLITCH" add gadgets -n gadgets >/dev/null
sed -i '/nosuch/d' deploy/widgets.sql
echo 'SELECT * FROM nosuch;' >>deploy/gadgets.sql
run_cmd SQLITCH deploy --json --mode tag
is "$(jl '" ".join(l["op"]+":"+l["change"]+":"+str(l["ok"]) for l in L[:-1])' <<<"$OUT")" \
   "deploy:users:True deploy:flips:True deploy:widgets:True deploy:gadgets:False revert:widgets:True" \
   "--mode tag: the changes after the last tag reverted"
"$SQLITCH" revert -y >/dev/null
fail_first 'CREATE TABLE widgets' deploy/widgets.sql

run_cmd SQLITCH deploy --json --mode change
is "$RC" 2 "--mode change: exit 2"
is "$(jl '" ".join(l["op"]+":"+l["change"]+":"+str(l["ok"]) for l in L[:-1])' <<<"$OUT")" \
   "deploy:users:True deploy:flips:True deploy:widgets:False" "--mode change: only the failed change undone"
is "$(jl '[L[-1][k] for k in ("changes","failed","exit")]' <<<"$OUT")" '[3, 1, 2]' "--mode change: summary"
is "$("$SQLITCH" status --json | jl 'L[0]["state"]["name"]')" flips "--mode change: the good changes stay"
"$SQLITCH" revert -y >/dev/null

# --verify: a failing verify script fails the deploy
sed -i '/nosuch/d' deploy/widgets.sql
echo 'SELECT * FROM nosuch;' >>verify/flips.sql
sed -i '/nosuch/d' deploy/gadgets.sql
run_cmd SQLITCH deploy --json --verify --to widgets
is "$RC" 2 "--verify, failing verify script: exit 2"
is "$(jl '" ".join(l["op"]+":"+l["change"]+":"+str(l["ok"]) for l in L[:-1])' <<<"$OUT")" \
   "deploy:users:True deploy:flips:False revert:users:True" "--verify: the change fails"
like "$(jl 'L[1]["error"]' <<<"$OUT")" 'no such table: nosuch.*Verify script "verify/flips.sql" failed' "--verify: the error says why"
sed -i '/nosuch/d' verify/flips.sql

# --- errors before any change: the summary, the human message, the exit code ---
run_cmd SQLITCH deploy --json --mode bogus
is "$RC" 255 "--mode bogus: exit 255 as without --json"
is "$(jl 'L' <<<"$OUT")" \
   '[{"event": "summary", "target": null, "op": "deploy", "changes": 0, "failed": 0, "exit": 255, "error": "Value \"bogus\" did not pass type constraint \"Enum[all,change,tag]\" (in $args->{\"mode\"})"}]' \
   "--mode bogus: a summary without target"
like "$ERR" 'did not pass type constraint' "--mode bogus: the message on stderr"
run_cmd SQLITCH deploy --json nosuchtarget
HRC=$("$SQLITCH" deploy nosuchtarget >/dev/null 2>&1; echo $?)
is "$RC" "$HRC" "unknown target: the exit code of the human output"
is "$(jl '[L[-1]["event"], L[-1]["exit"], len(L)]' <<<"$OUT")" "[\"summary\", $HRC, 1]" "unknown target: the summary alone"
run_cmd SQLITCH deploy --json --no-such-option
is "$RC" 2 "option error: exit 2"
is "$OUT" "" "option error: no JSON"

# --- the structured log alongside: stdout JSON stream, stderr the log ----------
run_cmd env SQLITCH_LOG=json "$SQLITCH" deploy --json --to users
is "$RC" 0 "with SQLITCH_LOG=json: exit 0"
is "$(jl '[l["event"] for l in L]' <<<"$OUT")" '["change", "summary"]' "with the log: stdout is the stream only"
is "$(jl '[l["event"] for l in L]' <<<"$ERR")" '["run_begin", "change_begin", "change_end", "run_end"]' "with the log: stderr is the log"

# -v adds nothing to stdout
run_cmd SQLITCH -vv deploy --json
is "$(jl '[l["event"] for l in L]' <<<"$OUT")" '["change", "change", "change", "summary"]' "-vv: stdout is still only JSON"

# --dry-run: nothing runs, the summary alone
"$SQLITCH" revert -y >/dev/null
run_cmd SQLITCH deploy --json --dry-run
is "$(jl '[len(L), L[0]["changes"], L[0]["exit"]]' <<<"$OUT")" '[1, 0, 0]' "--dry-run: the summary alone"

# --- without --json the output is the human one (byte parity: tests/parity) ---
run_cmd SQLITCH deploy
is "$(head -1 <<<"$OUT")" "Deploying changes to db:sqlite:flipr.db" "human output without --json"
run_cmd SQLITCH revert -y --to users
like "$OUT" $'Reverting changes to users from db:sqlite:flipr.db\n  - gadgets' "human revert without --json"

done_testing
