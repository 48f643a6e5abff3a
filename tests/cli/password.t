#!/usr/bin/env bash
# Passwords never appear in output or errors: targets whose URIs carry a
# password, then every command that shows targets. (sqitch 1.3.1 prints
# them in `target -v` and `target show`; sqlitch does not.)
. "$(dirname "$0")/../lib/tap.sh"

PW=S3cr3tPw
P=$TESTROOT/p
mkdir -p "$P" && cd "$P"

# check NAME ARGS...: run, and the password is nowhere in stdout/stderr
check() {
    local name=$1; shift
    run_cmd SQLITCH "$@"
    ok "[[ \"\$OUT\$ERR\" != *$PW* ]]" "$name: no password"
    [[ "$OUT$ERR" != *$PW* ]] || diag "$OUT" "$ERR"
}

check "init with a password URI" init flipr --engine pg --target "db:pg://bob:$PW@db.example/flipr"
is "$RC" 0 "init: exit 0"
ok "grep -q 'target = db:pg://bob:$PW@db.example/flipr' sqitch.conf" \
    "the config keeps the password"

check "target add"          target add prod "db:pg://alice:$PW@h:5433/flipr"
check "target add sqlite"   target add lite "db:sqlite://u:$PW@localhost/lite.db"
check "target add encoded"  target add enc "db:mysql://u:$PW%40x@h/db"
check "target list"         target
check "target -v"           target -v
is "$OUT" "enc	db:mysql://u:@h/db
lite	db:sqlite://u:@localhost/lite.db
prod	db:pg://alice:@h:5433/flipr" "target -v shows URIs without password"
check "target list -v"      target list -v
check "target show"         target show prod lite enc
like "$OUT" "URI:           db:pg://alice:@h:5433/flipr" "target show: URI without password"
check "target show URI"     target show "db:pg://x:$PW@h/db"
like "$OUT" "^\* db:pg://x:@h/db" "target show URI: heading without password"
check "engine -v"           engine -v
is "$OUT" "pg	db:pg://bob:@db.example/flipr" "engine -v: target without password"
check "engine show"         engine show pg
like "$OUT" "Target:        db:pg://bob:@db.example/flipr" "engine show: target without password"

# errors that quote URIs
check "engineless URI"      target show "db://u:$PW@h/x"
is "$ERR" 'No engine specified by URI db://u:@h/x; URI must start with "db:$engine:"' \
    "engineless URI: message without password"
check "alter missing, --uri" target alter nope --uri "db:pg://u:$PW@h/x"
is "$ERR" 'Missing Target "nope"; use "add nope db:pg://u:@h/x" to add it' \
    "alter missing: suggested command without password"
check "--uri unknown engine" target add z db:sqlite:z --uri "db:nope://u:$PW@h/x"
is "$ERR" 'Unknown engine "nope" in URI "db:nope://u:@h/x"' \
    "unknown engine in --uri: message without password"
check "--uri no engine"     target add z db:sqlite:z --uri "db://u:$PW@h/x"
check "engine add, wrong engine" engine add mysql "db:pg://u:$PW@h/x"
export SQITCH_PASSWORD=$PW SQLITCH_PASSWORD=$PW
check "with \$SQITCH_PASSWORD" target show prod lite
unset SQITCH_PASSWORD SQLITCH_PASSWORD

# the --db-* overrides and other commands that name targets
for cmd in status log plan verify revert deploy; do
    check "$cmd with a password URI" $cmd "db:sqlite://u:$PW@localhost/lite.db"
    check "$cmd with a named target" $cmd lite
    check "$cmd with --db-user" $cmd --db-user x lite
done

done_testing
