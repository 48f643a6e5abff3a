# json.sh -- helpers for the tests of --json output (tests/cli/json*.t,
# the engine tests). Source after tap.sh. Python's json module is the
# independent parser: output that is not valid JSON makes them print
# nothing, so the comparison that follows fails.
#
#   is "$(py 'd["project"]' <<<"$OUT")" flipr "one document"
#   is "$(jl 'len(L)' <<<"$OUT")" 3 "JSON lines"
#   like "$(py 'd["state"]["deployed_at"]' <<<"$OUT")" "$TS" "timestamp"
command -v python3 >/dev/null || { echo "Bail out! python3 is needed"; exit 1; }

# py EXPR < document : a Python expression over d, the parsed document
# (strings printed as they are, anything else as JSON)
py() { python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); r='"$1"'; print(r if isinstance(r,str) else json.dumps(r, ensure_ascii=False))'; }
# jl EXPR < lines : a Python expression over L, the list of parsed lines
jl() { python3 -c 'import json,sys; L=[json.loads(x) for x in sys.stdin.read().split("\n") if x!=""]; r='"$1"'; print(r if isinstance(r,str) else json.dumps(r))'; }
# a registry or plan timestamp: UTC, whole seconds
TS='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
