#!/usr/bin/env bash
# log_json.t -- the structured log (SQLITCH_LOG=json / --log-format json):
# JSON lines on stderr with a run ID, an event, a change and a duration;
# human output unchanged; no password ever logged.
. "$(dirname "$0")/../lib/tap.sh"

command -v python3 >/dev/null || { echo "Bail out! python3 is needed"; exit 1; }

# jsonl_check FILE: every line starting with "{" is a JSON object with the
# five common fields; prints "run-ids events" summary:
#   <number of distinct run ids> <event:change:ok ...>
jsonl_check() {
    python3 - "$1" <<'EOF'
import json, sys, re
runs, evs = set(), []
for line in open(sys.argv[1], encoding="utf-8"):
    if not line.startswith("{"):
        continue
    o = json.loads(line)
    keys = list(o)[:5]
    assert keys == ["ts", "run", "event", "change", "duration"], keys
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", o["ts"]), o["ts"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", o["run"])
    assert isinstance(o["duration"], (int, float)) and o["duration"] >= 0
    runs.add(o["run"])
    e = o["event"]
    if e.startswith("change_"):
        assert re.fullmatch(r"[0-9a-f]{40}", o["change_id"])
        assert isinstance(o["tags"], list)
        e = "%s:%s:%s" % (e, o["op"], o["change"])
        if "ok" in o:
            e += ":ok" if o["ok"] else ":fail"
    elif e == "run_begin":
        assert o["change"] is None and o["duration"] == 0 and o["pid"] > 0
        e = "run_begin:" + str(o["command"])
    elif e == "run_end":
        assert o["change"] is None
        e = "run_end:%s:%d" % (o["command"], o["exit"])
    evs.append(e)
print(len(runs), " ".join(evs))
EOF
}

cd "$TESTROOT"
mkdir proj && cd proj
"$SQLITCH" init flipr --engine sqlite >/dev/null
"$SQLITCH" add users -n 'Users' >/dev/null
"$SQLITCH" tag v1.0 -n 'Tag' >/dev/null
"$SQLITCH" add flips -r users -n 'Flips' >/dev/null

# --- human output identical, JSON lines on stderr ----------------------------
# each target in its own directory, so each has its own registry
mkdir p l
"$SQLITCH" deploy db:sqlite:p/t.db >plain.out 2>plain.err
SQLITCH_LOG=json "$SQLITCH" deploy db:sqlite:l/t.db >logged.out 2>logged.err
RC=$?
is "$RC" 0 "deploy with SQLITCH_LOG=json succeeds"
is "$(sed 's|sqlite:l/|sqlite:p/|' logged.out)" "$(cat plain.out)" "stdout unchanged by the log"
is "$(grep -v '^{' logged.err)" "$(cat plain.err)" "human stderr unchanged by the log"
is "$(jsonl_check logged.err)" \
   "1 run_begin:deploy change_begin:deploy:users change_end:deploy:users:ok change_begin:deploy:flips change_end:deploy:flips:ok run_end:deploy:0" \
   "deploy: one run ID, events in order"
like "$(grep '"change":"users"' logged.err | tail -1)" '"tags":\["@v1.0"\]' "change_end carries the change's tags"

run1=$(head -1 logged.err | sed 's/.*"run":"\([^"]*\)".*/\1/')
SQLITCH_LOG=json "$SQLITCH" verify db:sqlite:l/t.db >/dev/null 2>verify.err
is "$(jsonl_check verify.err)" \
   "1 run_begin:verify change_begin:verify:users change_end:verify:users:ok change_begin:verify:flips change_end:verify:flips:ok run_end:verify:0" \
   "verify events"
run2=$(head -1 verify.err | sed 's/.*"run":"\([^"]*\)".*/\1/')
ok '[ -n "$run1" ] && [ "$run1" != "$run2" ]' "run ID differs per invocation"

"$SQLITCH" --log-format json revert -y --to users db:sqlite:l/t.db >/dev/null 2>revert.err
is "$(jsonl_check revert.err)" \
   "1 run_begin:revert change_begin:revert:flips change_end:revert:flips:ok run_end:revert:0" \
   "--log-format json: revert events"
mkdir n; "$SQLITCH" status --log-format=json db:sqlite:n/none.db >/dev/null 2>status.err
is "$(jsonl_check status.err | cut -d' ' -f2-)" "run_begin:status run_end:status:1" \
   "--log-format=json after the command; soft failure exit 1 logged"

# --- a failing change ----------------------------------------------------------
"$SQLITCH" add broken -n 'Broken' >/dev/null
printf 'CREATE TABLE broken(\n' > deploy/broken.sql
SQLITCH_LOG=json "$SQLITCH" deploy db:sqlite:l/t.db >/dev/null 2>fail.err
is "$?" 2 "failing deploy exits 2 with the log on"
is "$(jsonl_check fail.err | cut -d' ' -f2-)" \
   "run_begin:deploy change_begin:deploy:flips change_end:deploy:flips:ok change_begin:deploy:broken change_end:deploy:broken:fail change_begin:revert:flips change_end:revert:flips:ok run_end:deploy:2" \
   "failure: fail event, rollback events, exit 2"
like "$(grep '"ok":false' fail.err)" '"error":"deploy/broken.sql: Parse error near line 1: incomplete input"' \
   "change_end carries the script's error"
like "$(grep '"run_end"' fail.err)" '"error":"Deploy failed"' "run_end carries the error"

# --- off, text, bad values -------------------------------------------------------
SQLITCH_LOG=text "$SQLITCH" plan >/dev/null 2>text.err
is "$(cat text.err)" "" "SQLITCH_LOG=text: no JSON"
SQLITCH_LOG=json "$SQLITCH" --log-format text plan >/dev/null 2>text2.err
is "$(cat text2.err)" "" "--log-format beats SQLITCH_LOG"
run_cmd SQLITCH --log-format yaml plan
is "$RC" 2 "unknown --log-format: exit 2"
is "$ERR" 'Unknown log format "yaml" (--log-format); use json or text' "unknown --log-format: message"
SQLITCH_LOG=xml "$SQLITCH" plan >/dev/null 2>bad.err
is "$?" 2 "unknown SQLITCH_LOG: exit 2"
is "$(cat bad.err)" 'Unknown log format "xml" (SQLITCH_LOG); use json or text' "unknown SQLITCH_LOG: message"
run_cmd SQLITCH plan --log-format
is "$RC" 2 "--log-format without value: exit 2"
like "$ERR" '^Option log-format requires an argument' "--log-format without value: message"
# an abbreviation of deploy's --log-only is not taken for --log-format
mkdir a
run_cmd SQLITCH deploy --log db:sqlite:a/t.db
is "$RC" 0 "deploy --log is still --log-only"
like "$OUT" '\+ broken \.+ ok' "--log-only deployed (the broken script did not run)"
SQLITCH_LOG=json "$SQLITCH" bogus >/dev/null 2>nocmd.err
is "$(jsonl_check nocmd.err | cut -d' ' -f2-)" "run_end:None:2" "no command: run_end alone"

# --- no secrets -------------------------------------------------------------------
secret=S3cretPw9
rm -f deploy/broken.sql revert/broken.sql verify/broken.sql
"$SQLITCH" rework users -n 'again' >/dev/null 2>&1 || true
SQLITCH_LOG=json "$SQLITCH" deploy "db:sqlite://alice:$secret@/p/pw.db" >pw.out 2>pw.err
grep -q '^{' pw.err
ok '[ $? -eq 0 ]' "password URI run logged"
ok '! grep -q "$secret" pw.err' "no password in the log of a run on db:sqlite://alice:<pw>@/pw.db"
ok '! grep -q "$secret" pw.out' "... nor on stdout"
SQLITCH_LOG=json "$SQLITCH" status "db:pg://alice:$secret@127.0.0.1:1/nodb" >pg.out 2>pg.err
is "$?" 2 "unreachable pg target: exit 2"
ok 'grep -q "\"run_end\"" pg.err' "unreachable pg target: run_end logged"
ok '! grep -q "$secret" pg.err pg.out' "no password for an unreachable db:pg://alice:<pw>@..."
# a password that does reach an error message is masked
printf '%s;\n' "$secret" > deploy/users.sql
SQITCH_PASSWORD=$secret SQLITCH_LOG=json "$SQLITCH" deploy db:sqlite:a/pw2.db >/dev/null 2>pw2.err
ok 'grep -q "\"ok\":false" pw2.err' "script failing on the password text"
ok '! grep "^{" pw2.err | grep -q "$secret"' "SQITCH_PASSWORD's value masked in the log"
like "$(grep '"ok":false' pw2.err)" '\*\*\*\*\*\*\*\*' "... as ********"
SQLITCH_LOG=json "$SQLITCH" "db:pg://alice:$secret@h/db" >/dev/null 2>uri.err
ok '! grep "^{" uri.err | grep -q "$secret"' "URI given as a command: not logged"

done_testing
