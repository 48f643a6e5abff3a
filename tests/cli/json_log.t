#!/usr/bin/env bash
# json_log.t -- `log --json`: one JSON object per event, one per line,
# with the documented fields (docs/json.md), the same events as the human
# log under every filter, and the human log's exit codes with the messages
# on stderr.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/json.sh"

# "event change" of every line, one per line, as `log --format 'format:%e %n'`
evs='"\n".join(l["event"]+" "+l["change"] for l in L)'

cd "$TESTROOT"
mkdir proj && cd proj
"$SQLITCH" init flipr --engine sqlite --target db:sqlite:flipr.db >/dev/null
"$SQLITCH" add users -n 'Users "table"' >/dev/null
"$SQLITCH" add flips -r users -x other:gadgets -n $'Flips\ncaf\xc3\xa9' >/dev/null
"$SQLITCH" tag v1.0 -n release >/dev/null
"$SQLITCH" tag v1.1 -n again >/dev/null
"$SQLITCH" add widgets -n widgets >/dev/null
echo 'SELECT * FROM nosuch;' >>deploy/widgets.sql

# --- errors: exit 1 as without --json, the message on stderr, no stdout -------
run_cmd SQLITCH log --json
HRC=$("$SQLITCH" log >/dev/null 2>&1; echo $?)
is "$RC" 1 "no registry: exit 1"
is "$HRC" 1 "(the human log exits 1 too)"
is "$OUT" "" "no registry: nothing on stdout"
is "$ERR" "Database db:sqlite:sqitch.db has not been initialized for Sqitch" "no registry: the message on stderr"

# 7 events: deploy users, flips; fail widgets; revert flips, users; deploy
# users, flips
"$SQLITCH" deploy >/dev/null 2>&1
"$SQLITCH" deploy --to flips >/dev/null

run_cmd SQLITCH log --json
is "$RC" 0 "log --json: exit 0"
is "$ERR" "" "log --json: nothing on stderr"
is "$(jl 'len(L)' <<<"$OUT")" 7 "one line per event, every line JSON"
is "$(jl 'list(L[0])' <<<"$OUT")" \
   '["event", "change_id", "change", "project", "note", "tags", "requires", "conflicts", "committer_name", "committer_email", "committed_at", "planner_name", "planner_email", "planned_at"]' \
   "fields in order"
is "$(jl "$evs" <<<"$OUT")" "$("$SQLITCH" log --no-headers --format 'format:%e %n')" "the events of the human log, newest first"
is "$(jl '" ".join(sorted(set(l["event"] for l in L)))' <<<"$OUT")" "deploy fail revert" "deploy, revert and fail events"
is "$(jl '[l["change_id"] for l in L]' <<<"$OUT" | tr -d '[]" ' | tr , '\n')" \
   "$("$SQLITCH" log --no-headers --format 'format:%H')" "change ids as in the human log"
flips='[l for l in L if l["change"]=="flips" and l["event"]=="deploy"][0]'
is "$(jl "[$flips[k] for k in ('project','tags','requires','conflicts')]" <<<"$OUT")" \
   '["flipr", ["@v1.0", "@v1.1"], ["users"], ["other:gadgets"]]' "project, tags, requires, conflicts as lists"
is "$(jl "$flips[\"note\"]" <<<"$OUT")" $'Flips\ncaf\xc3\xa9' "note unescaped, UTF-8 kept"
is "$(jl '[l for l in L if l["change"]=="users"][0]["note"]' <<<"$OUT")" 'Users "table"' "quotes in notes"
is "$(jl '[l["tags"] for l in L if l["change"]=="flips" and l["event"]=="revert"][0]' <<<"$OUT")" \
   '["@v1.0", "@v1.1"]' "revert event: tags as a list too"
is "$(jl '[L[0][k] for k in ("committer_name","committer_email","planner_name","planner_email")]' <<<"$OUT")" \
   '["Test User", "test@example.com", "Test User", "test@example.com"]' "committer and planner"
like "$(jl 'L[0]["committed_at"]' <<<"$OUT")" "$TS" "committed_at in UTC ISO form"
is "$(jl 'L[0]["committed_at"]' <<<"$OUT")" \
   "$("$SQLITCH" log -n 1 --no-headers --format 'format:%{date:strftime:%Y-%m-%dT%H:%M:%SZ}c')" "committed_at is the human log's time"
is "$(jl "$flips[\"planned_at\"]" <<<"$OUT")" \
   "$("$SQLITCH" plan --json --change '^flips$' | jl 'L[0]["changes"][0]["planned_at"]')" "planned_at as in the plan"

# --- filters: the same selection as the human log --------------------------------
for args in "--event deploy" "--event fail" "--event revert --event fail" "--change ^f" "--change-pattern ^nomatch" \
            "--project flip" "--committer Test" "-n 3" "--skip 2" "-n 2 --skip 1" "--reverse" "--reverse -n 2" \
            "--event deploy --change ^u"; do
    is "$("$SQLITCH" log --json $args | jl "$evs")" "$("$SQLITCH" log --no-headers --format 'format:%e %n' $args)" \
       "log --json $args: the same events"
done
run_cmd SQLITCH log --json --change nomatch
is "$RC/$OUT" "0/" "a filter that selects nothing: no output, exit 0"
is "$("$SQLITCH" log --json --format oneline --abbrev 6 --date-format rfc --no-headers --color always | jl 'len(L)')" 7 \
   "formatting options have no effect"
run_cmd SQLITCH log --json --format bogus
is "$RC" 255 "--format bogus: still an error (exit 255)"
is "$OUT" "" "--format bogus: nothing on stdout"

# --- without --json the output is the human one (byte parity: tests/parity) ---
like "$("$SQLITCH" log -n 1)" $'^On database db:sqlite:flipr.db\nDeploy ' "human output without --json"

done_testing
